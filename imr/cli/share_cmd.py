"""`imr share PLACE`: make the shared copy the colleagues clone and `imr sync` with."""

from __future__ import annotations

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace


def register(root: typer.Typer) -> None:
    @root.command("share")
    @handle_errors
    def share_(place: str = typer.Argument(..., metavar="PLACE"), by: str | None = typer.Option(None, "--by")) -> None:
        """Make the shared copy: a folder (a bare repository is made there) or a git URL."""
        from imr.gates.share import share

        ws = workspace()
        result = share(ws, place, ws.signature(by))
        console().print(escape(t("share_done", place=result.place, branch=result.branch)))
