"""`imr init`: create a workspace, or add what is missing to one."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from imr.cli.common import console, escape, handle_errors


def register(app: typer.Typer) -> None:
    @app.command("init")
    @handle_errors
    def init(
        directory: Path = typer.Argument(Path("."), help="Folder for the workspace (created if missing)."),
        lang: str = typer.Option("sv", "--lang", help="Language of plans and handouts: sv or en."),
        name: Optional[str] = typer.Option(None, "--name", help="Name of the workspace, e.g. the ward."),
    ) -> None:
        """Create a workspace (imr.yaml, records/, groups/, git); safe to run again."""
        from imr.strings import label
        from imr.workspace import init_workspace

        created = init_workspace(directory, lang=lang, name=name)
        root = directory.resolve()
        if created:
            console().print(escape(label("cli", "init_created", lang, path=str(root), created=", ".join(created))))
        else:
            console().print(escape(label("cli", "init_nothing", lang, path=str(root))))
