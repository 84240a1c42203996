"""`imr merge-driver`: the merge driver through the whole command line (hidden).

Earlier versions of `imr init` registered this; `imr init .` now registers the quick entry
point `imr.merge_driver` instead (no typer at start-up). Both run the same merge.
"""

from __future__ import annotations

from pathlib import Path

import typer

from imr.cli.common import handle_errors, workspace
from imr.core.errors import ImrError


def register(app: typer.Typer) -> None:
    @app.command("merge-driver", hidden=True)
    @handle_errors
    def merge_driver(
        base: Path = typer.Argument(...),
        ours: Path = typer.Argument(...),
        theirs: Path = typer.Argument(...),
        shown: str = typer.Argument(""),
    ) -> None:
        """Git merge driver for records and group files: keeps both sides' appended entries."""
        from imr.gates.merge import merge_files

        try:  # only for the language of the message; git may run us anywhere
            workspace()
        except ImrError:
            pass
        try:
            outcome = merge_files(str(base), str(ours), str(theirs), shown)
        except OSError:
            raise ImrError("merge_unreadable", path=shown or str(ours)) from None
        if not outcome.clean:
            raise ImrError(outcome.reason or "merge_rewritten", path=shown or str(ours))
