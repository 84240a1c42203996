"""`imr imrs add|show`: the IMR Scale, answered item by item or given as a list of scores."""

from __future__ import annotations

from pathlib import Path

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, lang, print_json, t, value, workspace
from imr.core.errors import ImrError
from imr.core.strings import number

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    rater: str | None = typer.Option(None, "--rater"),
    scores: str | None = typer.Option(None, "--scores"),
    date: str | None = typer.Option(None, "--date"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Record one IMRS assessment (all 15 items, or nothing is saved), with a summary to confirm."""
    from imr.cli.ask import run_form
    from imr.forms import build_form  # lazy: 3 ms on imr --help and the module's other commands
    from imr.forms.targets import participant_id
    from imr.programme import imrs  # lazy: 26 ms on imr --help and the module's other commands

    ws = workspace()
    participant = participant_id(ws, participant)
    ws.signature(by)
    instrument = imrs.load_instrument(ws.root)
    prefill: dict = {"rater": rater, "date": date, "note": note}
    if scores is not None:
        for number, score in enumerate(imrs.parse_scores(scores, instrument), start=1):
            prefill[f"item_{number}"] = str(score)
    form = build_form(ws, "imrs", participant, by=by, lang=lang())
    entry = run_form(form, prefill, ask=not yes)
    if entry is None:
        return
    console().print(
        escape(
            t(
                "imrs_saved",
                id=participant,
                rater=value("rater", entry["rater"]),
                date=entry["date"],
                mean=_number(imrs.mean(entry["scores"])),
            )
        )
    )


def _number(value) -> str:
    return "–" if value is None else number(value, lang())


def _signed(value) -> str:
    return "" if value is None else ("+" if value > 0 else "") + _number(value)


@app.command("show")
@handle_errors
def show(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    as_json: bool = typer.Option(False, "--json"),
    chart: Path | None = typer.Option(None, "--chart"),
) -> None:
    """Assessments over time: mean of answered items and change since the first one per rater."""
    from imr.programme import imrs  # lazy: 26 ms on imr --help and the module's other commands
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
    from rich.table import Table  # lazy: 18 ms on imr --help and the module's other commands

    instrument = imrs.load_instrument(ws.root)
    table = Table(title=t("imrs_table_title", id=participant))
    for key in ("imrs_col_date", "imrs_col_rater", "imrs_col_mean", "imrs_col_change", "imrs_col_scores"):
        table.add_column(t(key))
    for row in rows:
        rater = instrument.label(instrument.raters.get(row["rater"], {}), ws.lang) or row["rater"]
        table.add_row(
            escape(row["date"]),
            escape(rater),
            _number(row["mean"]),
            _signed(row["change"]) or "–",
            escape(" ".join(str(s) for s in row["scores"])),
        )
    out.print(table)
    for rater, summary in imrs.change_summary(rows).items():
        if summary["count"] > 1:
            out.print(
                escape(
                    t(
                        "imrs_change_line",
                        rater=instrument.label(instrument.raters.get(rater, {}), ws.lang),
                        first=_number(summary["first_mean"]),
                        first_date=summary["first_date"],
                        latest=_number(summary["latest_mean"]),
                        latest_date=summary["latest_date"],
                        change=_signed(summary["change"]),
                    )
                )
            )
    if chart is not None:
        out.print(escape(t("imrs_chart_written", path=str(chart))))


def _write_chart(rows: list, path: Path, ws, participant: str) -> None:
    from imr.programme import imrs  # lazy: 26 ms on imr --help and the module's other commands
    from imr.render.imrs_chart import trend_chart

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ImrError("imrs_chart_format", format=fmt or path.name[:20], allowed="png, svg")
    if not rows:
        raise ImrError("imrs_chart_empty", id=participant)
    instrument = imrs.load_instrument(ws.root)
    labels = {
        "title": t("imrs_chart_title", id=participant),
        "axis": t("imrs_chart_axis"),
        **{r: instrument.label(v, ws.lang) for r, v in instrument.raters.items()},
    }
    from imr.render.output import (
        check_output_path,
        write_output,
    )  # lazy: 6 ms on imr --help and the module's other commands

    # The same rules as `render -o`: never into records/, groups/, .git/ or onto imr.yaml, never
    # through a link (a chart replaces what it is named over, as before).
    target = check_output_path(path, create_parent=False, ws=ws, force=True)
    data = trend_chart(rows, fmt, labels=labels)
    try:
        write_output(target, data)
    except ImrError:
        raise ImrError("imrs_chart_write_failed", path=str(path)) from None
