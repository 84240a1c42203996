"""`imr report`: one self-contained page (or an A4 PDF) for supervisors and ward managers."""

from __future__ import annotations

from typing import Optional

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace


def register(app: typer.Typer) -> None:
    @app.command("report")
    @handle_errors
    def report(
        since: Optional[str] = typer.Option(None, "--since"),
        until: Optional[str] = typer.Option(None, "--until"),
        group: Optional[str] = typer.Option(None, "--group"),
        notes: bool = typer.Option(False, "--notes"),
        fmt: str = typer.Option("html", "--format"),
        output: Optional[str] = typer.Option(None, "-o", "--output"),
        lang: Optional[str] = typer.Option(None, "--lang"),
    ) -> None:
        """Overview for supervisors and managers: regularity, attendance, goals, IMRS, fidelity, integrity."""
        from datetime import date
        from pathlib import Path

        from imr.errors import ImrError
        from imr.render.output import check_output_path, write_output
        from imr.supervision.report import build_report
        from imr.supervision.report_render import render_html, render_pdf
        from imr.programme.sessions import check_date

        ws = workspace()
        kind = fmt.lower().lstrip(".")
        if kind not in ("html", "pdf"):
            raise ImrError("report_bad_format", format=fmt[:20])
        start = date.fromisoformat(check_date(since)) if since else None
        end = date.fromisoformat(check_date(until)) if until else None
        if lang is not None and lang not in ("sv", "en"):
            raise ImrError("report_bad_lang", lang=lang[:10])
        language = lang
        data = build_report(ws, since=start, until=end, group=group, notes=notes, lang=language)
        path = Path(output) if output else ws.out_dir / f"rapport-{data['until']}.{kind}"
        path = check_output_path(path, create_parent=output is None, ws=ws)
        body = render_html(ws, data, language) if kind == "html" else render_pdf(ws, data, language)
        write_output(path, body)
        console().print(escape(t("report_saved", path=str(path))))
