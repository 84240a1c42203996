"""`imr web`: the weekly loop in the browser, served on 127.0.0.1 (imr/web/)."""

from __future__ import annotations

import sys

import typer

from imr.cli.common import handle_errors, lang, user_config_dir, workspace
from imr.core.errors import ImrError
from imr.core.strings import label


def register(root: typer.Typer) -> None:
    @root.command("web")
    @handle_errors
    def web(
        no_browser: bool = typer.Option(False, "--no-browser"),
        port: int = typer.Option(0, "--port", metavar="N"),
        shortcut: bool = typer.Option(False, "--genväg", "--shortcut"),
    ) -> None:
        """The weekly loop in the browser: a local page on this computer only (127.0.0.1)."""

        ws = workspace()

        def t(key: str, **params: object) -> str:
            return label("web", key, lang(), ws.root, **params)

        if shortcut:
            from imr.web.shortcut import install, shortcut_files

            paths = install(shortcut_files(ws.root.resolve(), t("shortcut_name"), t("shortcut_comment")))
            sys.stdout.write(t("cli_shortcut_made", name=t("shortcut_name"), paths=", ".join(map(str, paths))) + "\n")
            return
        if port != 0 and not 1024 <= port <= 65535:
            raise ImrError("web_bad_port", port=port)
        from imr.web.server import serve

        def ready(url: str) -> None:
            sys.stdout.write(url + "\n")  # the first line: tests and staff who start it by hand read it
            sys.stdout.write(t("cli_stop_hint") + "\n")
            sys.stdout.flush()
            if not no_browser:
                import webbrowser

                webbrowser.open(url)

        try:
            serve(ws, lang=lang(), config_dir=user_config_dir(), port=port, ready=ready)
        except OSError as error:
            if port:
                raise ImrError("web_port_taken", port=port) from error
            raise
        except KeyboardInterrupt:
            pass
