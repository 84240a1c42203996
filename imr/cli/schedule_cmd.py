"""`imr schedule`: a group's coming meetings and the session each covers, as a table or a calendar file."""

from __future__ import annotations

from pathlib import Path

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace


def register(app: typer.Typer) -> None:
    @app.command("schedule")
    @handle_errors
    def schedule(
        group: str = typer.Option(..., "--group"),
        weeks: int = typer.Option(8, "--weeks"),
        ics: str | None = typer.Option(None, "--ics"),
    ) -> None:
        """Coming meetings on the group's weekday with the session each covers; closed days in imr.yaml are skipped."""
        from rich.table import Table

        from imr.programme.schedule import coming_meetings, ics_text
        from imr.render.output import check_output_path, write_output

        ws = workspace()
        plan = coming_meetings(ws, group, weeks)
        table = Table(title=t("schedule_title", group=plan["group"], weeks=weeks))
        for key in ("schedule_col_date", "schedule_col_session", "schedule_col_title"):
            table.add_column(t(key))
        for meeting in plan["meetings"]:
            if meeting["closed"]:
                table.add_row(meeting["date"], "–", escape(t("schedule_closed")))
            else:
                table.add_row(meeting["date"], meeting["session"], escape(meeting["title"]))
        out = console()
        out.print(table)
        if ics:
            path = check_output_path(Path(ics), create_parent=False, ws=ws, force=True)
            write_output(path, ics_text(plan, t("schedule_summary")).encode("utf-8"))
            out.print(escape(t("schedule_saved", path=str(path))))
