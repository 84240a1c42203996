"""`imr report`: one self-contained page (or an A4 PDF) for supervisors and ward managers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from imr.cli.common import console, escape, handle_errors, t, workspace
from imr.cli.common import lang as interface_lang
from imr.core.errors import ImrError


def register(app: typer.Typer) -> None:
    @app.command("report")
    @handle_errors
    def report(
        since: str | None = typer.Option(None, "--since"),
        until: str | None = typer.Option(None, "--until"),
        group: str | None = typer.Option(None, "--group"),
        notes: bool = typer.Option(False, "--notes"),
        fmt: str = typer.Option("html", "--format"),
        output: str | None = typer.Option(None, "-o", "--output"),
        lang: str | None = typer.Option(None, "--lang"),
        ward: list[str] | None = typer.Option(None, "--ward", metavar="DIR"),
        wards: str | None = typer.Option(None, "--wards", metavar="FILE"),
    ) -> None:
        """Overview for supervisors and managers: regularity, attendance, goals, IMRS, fidelity, integrity."""
        import gc

        from imr.programme.sessions import check_date
        from imr.render.output import check_output_path, write_output
        from imr.reports.report import build_report
        from imr.reports.report_pdf import compile_report_pdf, pdf_source
        from imr.reports.report_render import render_html

        kind = fmt.lower().lstrip(".")
        if kind not in ("html", "pdf"):
            raise ImrError("report_bad_format", format=fmt[:20])
        start = date.fromisoformat(check_date(since)) if since else None
        end = date.fromisoformat(check_date(until)) if until else None
        if lang is not None and lang not in ("sv", "en"):
            raise ImrError("report_bad_lang", lang=lang[:10])
        language = lang
        if ward or wards:
            _several(ward or [], wards, start, end, group, notes, kind, output, language)
            return
        ws = workspace()
        data = build_report(ws, since=start, until=end, group=group, notes=notes, lang=language)
        path = Path(output) if output else ws.out_dir / f"rapport-{data['until']}.{kind}"
        path = check_output_path(path, create_parent=output is None, ws=ws)
        if kind == "html":
            body = render_html(ws, data, language)
        else:
            source = pdf_source(ws, data, language)
            del data  # the records' objects are freed before Typst lays out the pages
            gc.collect()
            body = compile_report_pdf(ws, source)
        write_output(path, body)
        console().print(escape(t("report_saved", path=str(path))))


def _several(
    folders: list[str],
    manifest: str | None,
    start,
    end,
    group: str | None,
    notes: bool,
    kind: str,
    output: str | None,
    lang: str | None,
) -> None:
    """`--ward DIR …` and/or `--wards FILE`: the summary table across wards, then each ward."""
    from imr.render.output import check_output_path, write_output
    from imr.reports.report import period
    from imr.reports.report_render import problem_line, render_ward_page, render_wards_html, render_wards_pdf
    from imr.reports.wards import Ward, build_wards, open_ward, read_manifest

    if group or notes:  # one ward's matters; a region's report has pseudonyms and counts only
        raise ImrError("wards_with_group" if group else "wards_with_notes")
    chosen = read_manifest(Path(manifest)) if manifest else []
    chosen += [Ward(path=Path(folder)) for folder in folders]
    language = lang or interface_lang()
    since, until = (day.isoformat() for day in period(start, end))
    path = Path(output) if output else Path.cwd() / f"rapport-avdelningar-{until}.{kind}"
    path = check_output_path(path, create_parent=False)
    done = build_wards(
        chosen, since=start, until=end, lang=language, section=render_ward_page if kind == "html" else None
    )
    readable = [item for item in done if item.report is not None]
    for item in done:
        if item.problem:
            console().print(escape(problem_line(item, language)))
    if not readable:
        raise ImrError("wards_none_readable")
    if kind == "html":
        body = render_wards_html(done, language, since, until)
    else:
        # The print pipeline runs in the first ward's folder (its caches), not where the file goes.
        body = render_wards_pdf(done, language, since, until, open_ward(readable[0].path))
    write_output(path, body)
    console().print(escape(t("report_saved", path=str(path))))
