"""`imr sync`: one command instead of git add, commit, pull, check and push."""

from __future__ import annotations

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace
from imr.core.strings import plural


def register(root: typer.Typer) -> None:
    @root.command("sync")
    @handle_errors
    def sync_(by: str | None = typer.Option(None, "--by")) -> None:
        """Commit your new entries, fetch the others', check, and send when all is well."""
        from imr.gates.sync import sync

        ws = workspace()
        result = sync(ws, ws.signature(by))
        ok = result.outcome == "sync_done"
        if result.committed and not ok:
            console().print(escape(t("sync_committed_locally")))
        params = dict(result.params)
        if ok:  # `1 ändrad fil skickad`, never `1 ändrade filer`
            params["sent"] = plural(params["sent"], t("sync_sent_one"), t("sync_sent_many"))
            params["received"] = plural(params["received"], t("sync_received_one"), t("sync_received_many"))
        console(stderr=not ok).print(escape(t(result.outcome, **params)), style=None if ok else "yellow")
        if not ok:
            raise typer.Exit(1)
