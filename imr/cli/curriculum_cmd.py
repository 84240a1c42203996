"""`imr curriculum list|show|stats`: read the programme without opening files by hand."""

from __future__ import annotations

import typer

from imr.cli.common import console, escape, handle_errors, print_json, t, workspace

app = typer.Typer(help="Browse the programme: modules, sessions, texts and readability.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json", help="As JSON.")) -> None:
    """All modules with their sessions."""
    from imr.curriculum_views import curriculum_list

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
    ref: str = typer.Argument(..., help="A module (3) or a session (3.2)."),
    as_json: bool = typer.Option(False, "--json", help="As JSON."),
    variant: str = typer.Option(None, "--variant", help="Show this diagnosis version of the handout."),
) -> None:
    """A module's sessions, or a session's metadata, leader guide and handout as Markdown."""
    from imr.curriculum_views import curriculum_show

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
    out.print(escape(data["leader_guide"]))
    out.print(f"[bold cyan]{escape(t('handout'))}[/]")
    out.print(escape(handout))


@app.command("stats")
@handle_errors
def stats(as_json: bool = typer.Option(False, "--json", help="As JSON.")) -> None:
    """Readability per handout: words, sentences, LIX, worst first."""
    from rich.table import Table

    from imr.curriculum_check import curriculum_stats

    rows = curriculum_stats(workspace().curriculum)
    if as_json:
        print_json(rows)
        return
    table = Table()
    for key in ("session", "variant", "words", "sentences", "lix", "title"):
        table.add_column(t(key) if key not in ("words", "sentences", "lix") else t(f"stat_{key}"))
    for row in rows:
        table.add_row(row["session"], escape(row["variant"]), str(row["words"]), str(row["sentences"]),
                      f"{row['lix']:.1f}", escape(row["title"]))
    console().print(table)
    if rows:
        lixes = sorted(r["lix"] for r in rows)
        mid = len(lixes) // 2
        median = lixes[mid] if len(lixes) % 2 else (lixes[mid - 1] + lixes[mid]) / 2
        console().print(escape(t("stat_summary", count=len(rows), median=f"{median:.1f}", worst=f"{lixes[-1]:.1f}")))


def _print_module(out, number: int, title: str, sessions: list[dict], summary: str | None = None) -> None:
    out.print(f"[bold]{number}. {escape(title)}[/]")
    if summary is not None:
        out.print(escape(summary))
    for session in sessions:
        out.print(f"   {escape(session['id']):<5} {escape(session['title'])}")
