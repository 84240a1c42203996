"""`imr init`: create a workspace, or add what is missing to one."""

from __future__ import annotations

from pathlib import Path

import typer

from imr.cli.common import console, escape, handle_errors
from imr.core.strings import label


def register(app: typer.Typer) -> None:
    @app.command("init")
    @handle_errors
    def init(
        directory: Path = typer.Argument(Path(".")),
        lang: str = typer.Option("sv", "--lang"),
        name: str | None = typer.Option(None, "--name"),
    ) -> None:
        """Create a workspace (imr.yaml, records/, groups/, git); safe to run again."""
        from imr.workspace.create import init_workspace
        from imr.workspace.folder import open_workspace

        created = init_workspace(directory, lang=lang, name=name)
        root = directory.resolve()
        shown = open_workspace(root).lang
        if created:
            console().print(escape(label("cli", "init_created", shown, path=str(root), created=", ".join(created))))
        else:
            console().print(escape(label("cli", "init_nothing", shown, path=str(root))))
        for key, params in created.warnings:
            message = label("cli", key, shown, **params)
            console(stderr=True).print(escape(label("cli", "init_warning", shown, message=message)))
