"""`imr imrs add|show`: the IMR Scale, answered item by item or given as a list of scores."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, print_json, t, workspace

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    rater: str = typer.Option(..., "--rater"),
    scores: Optional[str] = typer.Option(None, "--scores"),
    date: Optional[str] = typer.Option(None, "--date"),
    note: Optional[str] = typer.Option(None, "--note"),
    by: Optional[str] = typer.Option(None, "--by"),
) -> None:
    """Record one IMRS assessment (all 15 items, or nothing is saved)."""
    from imr.cli.common import accepted, value
    from imr.errors import ImrError
    from imr.programme import imrs
    from imr.programme.sessions import check_date
    from imr.records.kinds import RATERS
    from imr.workspace import store

    ws = workspace()
    rater = accepted("rater", rater) or rater
    if rater not in RATERS:
        raise ImrError("imrs_bad_rater", rater=rater[:40], allowed=", ".join(value("rater", r) for r in RATERS))
    instrument = imrs.load_instrument(ws.root)
    if scores is not None:
        answers = imrs.parse_scores(scores, instrument)
    else:
        # Everything that can fail is checked before fifteen questions are asked.
        ws.signature(by)
        check_date(date)
        store.load_record(ws, participant)
        answers = _ask(instrument, rater, ws.lang, participant)
    entry = imrs.add_assessment(ws, participant, rater=rater, scores=answers, date=date, note=note, by=by)
    console().print(escape(t("imrs_saved", id=participant, rater=instrument.label(instrument.raters[rater], ws.lang),
                             date=entry["date"], mean=_number(imrs.mean(entry["scores"])))))


def _ask(instrument, rater: str, lang: str, participant: str) -> list:
    """The interactive form: each item with its anchors; rich re-asks until the answer is valid."""
    from rich.prompt import Prompt

    from imr.errors import ImrError

    class _Answer(Prompt):
        illegal_choice_message = "[prompt.invalid.choice]" + escape(t("imrs_invalid_answer"))

    out = console()
    out.print(f"[bold]{escape(t('imrs_form_heading', title=instrument.label(instrument.title, lang), id=participant, rater=instrument.label(instrument.raters[rater], lang)))}[/]")
    out.print("[dim]" + escape(t("imrs_form_hint")) + "[/]")
    answers: list[int | str] = []
    total = len(instrument.items)
    for item in instrument.items:
        out.print()
        out.print(f"[bold cyan]{escape(t('imrs_item_heading', number=item.number, total=total, title=instrument.label(item.title, lang)))}[/]")
        out.print(escape(instrument.label(item.question[rater], lang)))
        for score in sorted(item.anchors):
            out.print(f"  [bold]{score}[/]  {escape(instrument.label(item.anchors[score], lang))}")
        if item.not_applicable:
            out.print(f"  [bold]na[/] {escape(instrument.label(item.not_applicable_text, lang))}")
        try:
            answer = _Answer.ask(escape(t("imrs_answer_prompt")), choices=instrument.allowed(item.number),
                                 console=out, show_choices=True)
        except EOFError:
            raise ImrError("imrs_form_incomplete", answered=len(answers), total=total) from None
        answers.append(answer)
    return answers


def _number(value) -> str:
    from imr.cli.common import lang
    from imr.strings import number

    return "–" if value is None else number(value, lang())


def _signed(value) -> str:
    return "" if value is None else ("+" if value > 0 else "") + _number(value)


@app.command("show")
@handle_errors
def show(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    as_json: bool = typer.Option(False, "--json"),
    chart: Optional[Path] = typer.Option(None, "--chart"),
) -> None:
    """Assessments over time: mean of answered items and change since the first one per rater."""
    from imr.programme import imrs
    from imr.workspace import store
    ws = workspace()
    _, state = store.load_state(ws, participant)
    rows = imrs.assessments(state)
    if chart is not None:
        _write_chart(rows, chart, ws, participant)
    if as_json:
        print_json(rows)
        return
    out = console()
    if not rows:
        out.print(escape(t("imrs_none", id=participant)))
        return
    from rich.table import Table

    instrument = imrs.load_instrument(ws.root)
    table = Table(title=t("imrs_table_title", id=participant))
    for key in ("imrs_col_date", "imrs_col_rater", "imrs_col_mean", "imrs_col_change", "imrs_col_scores"):
        table.add_column(t(key))
    for row in rows:
        rater = instrument.label(instrument.raters.get(row["rater"], {}), ws.lang) or row["rater"]
        table.add_row(escape(row["date"]), escape(rater), _number(row["mean"]), _signed(row["change"]) or "–",
                      escape(" ".join(str(s) for s in row["scores"])))
    out.print(table)
    for rater, summary in imrs.change_summary(rows).items():
        if summary["count"] > 1:
            out.print(escape(t("imrs_change_line", rater=instrument.label(instrument.raters.get(rater, {}), ws.lang),
                               first=_number(summary["first_mean"]), first_date=summary["first_date"],
                               latest=_number(summary["latest_mean"]), latest_date=summary["latest_date"],
                               change=_signed(summary["change"]))))
    if chart is not None:
        out.print(escape(t("imrs_chart_written", path=str(chart))))


def _write_chart(rows: list, path: Path, ws, participant: str) -> None:
    from imr.errors import ImrError
    from imr.programme import imrs
    from imr.render.imrs_chart import trend_chart

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ImrError("imrs_chart_format", format=fmt or path.name[:20], allowed="png, svg")
    if not rows:
        raise ImrError("imrs_chart_empty", id=participant)
    instrument = imrs.load_instrument(ws.root)
    labels = {"title": t("imrs_chart_title", id=participant), "axis": t("imrs_chart_axis"),
              **{r: instrument.label(v, ws.lang) for r, v in instrument.raters.items()}}
    from imr.render.output import check_output_path, write_output

    # The same rules as `render -o`: never into records/, groups/, .git/ or onto imr.yaml, never
    # through a link (a chart replaces what it is named over, as before).
    target = check_output_path(path, create_parent=False, ws=ws, force=True)
    data = trend_chart(rows, fmt, labels=labels)
    try:
        write_output(target, data)
    except ImrError:
        raise ImrError("imrs_chart_write_failed", path=str(path)) from None
