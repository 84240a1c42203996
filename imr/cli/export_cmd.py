"""`imr export`: tidy CSV tables (sessions, attendance, goals, IMRS items, fidelity) for evaluation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace
from imr.core.errors import ImrError


def register(app: typer.Typer) -> None:
    @app.command("export")
    @handle_errors
    def export(
        fmt: str = typer.Option("csv", "--format"),
        output: str | None = typer.Option(None, "-o", "--output"),
        since: str | None = typer.Option(None, "--since"),
    ) -> None:
        """Export tidy tables (CSV or Parquet) with pseudonymous ids and no free text, for R, Python or a spreadsheet."""
        from imr.programme.sessions import check_date
        from imr.render.output import check_output_path, write_output
        from imr.reports.export import FORMATS, csv_bytes, export_tables, parquet_bytes

        ws = workspace()
        kind = fmt.lower()
        if kind not in FORMATS:
            raise ImrError("export_bad_format", format=fmt[:20])
        encode = csv_bytes if kind == "csv" else parquet_bytes
        start = date.fromisoformat(check_date(since)) if since else None
        folder = Path(output) if output else ws.out_dir / f"export-{date.today().isoformat()}"
        tables = export_tables(ws, since=start)
        paths = {
            name: check_output_path(folder / f"{name}.{kind}", create_parent=True, ws=ws, force=True) for name in tables
        }
        data = {name: encode(table) for name, table in tables.items()}  # all encoded before any is written
        for name in tables:
            write_output(paths[name], data[name])
        console().print(escape(t("export_saved", path=str(folder), count=len(tables))))
