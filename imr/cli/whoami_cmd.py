"""`imr whoami`: which signature and language are in effect, and where each comes from.

A nurse who shares a computer or a clone needs to see whose name new entries will carry
before writing one; the answer also says how to change it.
"""

from __future__ import annotations

import typer

from imr.cli.common import _state, console, escape, handle_errors, lang, t, user_config_dir


def register(root: typer.Typer) -> None:
    @root.command("whoami")
    @handle_errors
    def whoami(by: str | None = typer.Option(None, "--by")) -> None:
        """Signature and language in effect, and where each comes from."""
        from imr.workspace.folder import find_workspace
        from imr.workspace.user_settings import resolve

        try:
            root_dir = find_workspace(_state.get("workspace")).root
        except Exception:  # whoami also answers outside a workspace
            root_dir = None
        folder = user_config_dir()
        out = console()
        signature = resolve("signature", by, root_dir, folder)
        language = resolve("language", None, root_dir, folder)
        shown_sig = signature.value or t("whoami_none")
        out.print(
            escape(
                t(
                    "whoami_signature",
                    value=shown_sig,
                    source=t(f"whoami_source_{signature.source}", where=signature.where),
                )
            )
        )
        out.print(
            escape(
                t(
                    "whoami_language",
                    value=lang(),
                    source=t(f"whoami_source_{language.source}", where=language.where)
                    if language.value
                    else t("whoami_source_workspace"),
                )
            )
        )
        out.print(escape(t("whoami_settings_file", path=str(folder / "settings.yaml"))))
        if signature.value is None:
            out.print(escape(t("whoami_how")))
