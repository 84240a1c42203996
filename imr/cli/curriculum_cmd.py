"""`imr curriculum list|show|stats`: read the programme without opening files by hand."""

from __future__ import annotations

import re

import typer

from imr.cli.common import console, escape, handle_errors, lang, print_json, t, value, workspace
from imr.core.strings import number

app = typer.Typer(no_args_is_help=True)


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """All modules with their sessions."""
    from imr.curriculum.views import curriculum_list  # lazy: 12 ms on imr --help and the module's other commands

    data = curriculum_list(workspace().curriculum)
    if as_json:
        print_json(data)
        return
    out = console()
    for module in data:
        _print_module(out, module["number"], module["title"], module["sessions"])


@app.command("show")
@handle_errors
def show(
    ref: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json"),
    variant: str = typer.Option(None, "--variant"),
) -> None:
    """A module's sessions, or a session's metadata, leader guide and handout as Markdown."""
    from imr.curriculum.views import curriculum_show  # lazy: 12 ms on imr --help and the module's other commands

    ws = workspace()
    data = curriculum_show(ws.curriculum, ref)
    if as_json:
        print_json(data)
        return
    out = console()
    if "session" not in data:
        _print_module(out, data["module"], data["title"], data["sessions"], data["summary"])
        return
    handout = data["handout"]
    if variant:
        ws.curriculum.check_variant(variant)
        handout = data.get("variants", {}).get(variant, handout)
    out.print(f"[bold]{escape(data['session'])} {escape(data['title'])}[/]  ({escape(data['module_title'])})")
    out.print()
    out.print(f"[bold cyan]{escape(t('leader_guide'))}[/]")
    out.print(escape(_without_anchors(data["leader_guide"])))
    out.print(f"[bold cyan]{escape(t('handout'))}[/]")
    out.print(escape(_without_anchors(handout)))


def _without_anchors(markdown: str) -> str:
    """Headings without their link anchors (`## 1. Incheckning {#checkin}`): the anchors are for the
    rendered documents, and in a terminal they are English words in a Swedish text."""
    return re.sub(r"[ \t]*\{#[\w-]+\}[ \t]*$", "", markdown, flags=re.MULTILINE)


@app.command("stats")
@handle_errors
def stats(
    modules: list[int] = typer.Option(None, "--module", "-m", metavar="M"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Readability per handout, worst LIX first, and for all of them: LIX, sentence length, short sentences."""
    from rich.table import Table  # lazy: 17 ms on imr --help and the module's other commands

    from imr.curriculum.check import curriculum_stats  # lazy: 4 ms on imr --help and the module's other commands

    data = curriculum_stats(workspace().curriculum, modules or None)
    if as_json:
        print_json(data)
        return
    figures = ("words", "lix", "info_lix", "sentence_words", "short_share")
    table = Table()
    for key in ("session", "variant", *figures, "title"):
        table.add_column(t(f"stat_{key}") if key in figures else t(key), justify="right" if key in figures else "left")
    for row in data["handouts"]:
        cells = [_figure(name, row[name], name in row["out_of_band"]) for name in figures]
        table.add_row(row["session"], escape(value("variant", row["variant"])), *cells, escape(row["title"]))
    out = console()
    out.print(table)
    overall = data["overall"]
    if overall["handouts"]:
        from imr.curriculum.lix import SHORT_SENTENCE_WORDS

        shown = {
            name: _figure(name, overall[name], name in overall["out_of_band"])
            for name in ("median_lix", "info_lix", "sentence_words", "short_share")
        }
        out.print(t("stat_overall", count=overall["handouts"], short_words=SHORT_SENTENCE_WORDS, **shown))
    out.print(escape(t("stat_band", handout=_band(data["band"]["handout"]), overall=_band(data["band"]["overall"]))))


def _figure(name: str, value: float, outside: bool = False) -> str:
    """A figure as shown (shares in per cent), red when it is outside the band."""
    text = (
        f"{value * 100:.0f} %" if name == "short_share" else str(value) if name == "words" else number(value, lang(), 1)
    )
    return f"[red]{text}[/]" if outside else text


def _limit(name: str, value: float) -> str:
    text = f"{value * 100:g} %" if name == "short_share" else f"{value:g}"
    return text.replace(".", ",") if lang() == "sv" else text


def _band(limits: dict) -> str:
    parts = []
    for name, (low, high) in limits.items():
        label = t("stat_lix") if name == "median_lix" else t(f"stat_{name}")
        low_text = _limit(name, low) if low is not None else None
        high_text = _limit(name, high) if high is not None else None
        parts.append(f"{label} {low_text}–{high_text}" if low_text and high_text else f"{label} ≤ {high_text}")
    return ", ".join(parts)


def _print_module(out, number: int, title: str, sessions: list[dict], summary: str | None = None) -> None:
    out.print(f"[bold]{number}. {escape(title)}[/]")
    if summary is not None:
        out.print(escape(summary))
    for session in sessions:
        out.print(f"   {escape(session['id']):<5} {escape(session['title'])}")
