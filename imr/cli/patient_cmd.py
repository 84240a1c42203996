"""`imr patient add|list|show`."""

from __future__ import annotations

import typer

from imr.cli import complete
from imr.cli.common import accepted, console, escape, handle_errors, lang, print_json, t, value, workspace

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    participant: str = typer.Argument(...),
    variant: str | None = typer.Option(None, "--variant"),
    format: str | None = typer.Option(None, "--format"),
    leader: str | None = typer.Option(None, "--leader"),
    by: str | None = typer.Option(None, "--by"),
    module_order: str | None = typer.Option(None, "--module-order"),
    date: str | None = typer.Option(None, "--date"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Enrol a participant: creates records/ID.yaml with an enrolment entry."""
    from imr.cli.ask import interactive
    from imr.programme.participants import add_participant  # lazy: 23 ms on imr --help and the module's other commands

    if interactive() and not yes and not module_order:
        from imr.cli.ask import run_form
        from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands

        ws = workspace()
        ws.signature(by)
        form = build_form(ws, "patient-add", participant, by=by, lang=lang())
        entry = run_form(
            form, {"id": participant, "variant": variant, "format": format, "leader": leader, "date": date}
        )
        if entry is not None:
            console().print(
                escape(
                    t(
                        "added_participant",
                        id=form.value("id"),
                        variant=value("variant", entry["variant"]),
                        format=value("format", entry["format"]),
                    )
                )
            )
        return

    order = None
    if module_order:
        try:
            order = [int(x) for x in module_order.split(",") if x.strip()]
        except ValueError:
            from imr.cli.i18n import bad_usage  # lazy: 2 ms on imr --help and the module's other commands

            raise bad_usage("usage_module_order", "--module-order") from None
    ws = workspace()
    variant, format = accepted("variant", variant), accepted("format", format)
    entry = add_participant(
        ws, participant, variant=variant, format=format, leader=leader, by=by, module_order=order, date=date
    )
    console().print(
        escape(
            t(
                "added_participant",
                id=participant,
                variant=value("variant", entry["variant"]),
                format=value("format", entry["format"]),
            )
        )
    )


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """All participants with variant, format and attendance."""
    from rich.table import Table  # lazy: 18 ms on imr --help and the module's other commands

    from imr.programme.participants import (
        list_participants,
    )  # lazy: 23 ms on imr --help and the module's other commands

    rows = list_participants(workspace())
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print(escape(t("no_participants")))
        return
    table = Table(title=t("participants"))
    for key in ("id", "variant", "format", "leader", "sessions_held", "last_date"):
        table.add_column(t(key))
    for row in rows:
        if "error" in row:
            table.add_row(escape(row["id"]), escape(row["error"]), "", "", "", "")
            continue
        table.add_row(
            *(
                escape(_shown(k, row.get(k)))
                for k in ("id", "variant", "format", "leader", "sessions_held", "last_date")
            )
        )
    console().print(table)


def _shown(key: str, raw) -> str:
    if key in ("variant", "format"):
        return value(key, raw)
    return t("none") if raw is None else str(raw)


@app.command("show")
@handle_errors
def show(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One participant: profile, attendance, goals with their history, and the log."""
    from rich.table import Table  # lazy: 18 ms on imr --help and the module's other commands

    from imr.cli.goal_cmd import history_line
    from imr.programme.participants import summary  # lazy: 23 ms on imr --help and the module's other commands

    data = summary(workspace(), participant)
    if as_json:
        print_json(data)
        return
    out = console()
    out.print(f"[bold]{escape(data['id'])}[/]")
    for key in (
        "variant",
        "format",
        "leader",
        "enrolled",
        "sessions_held",
        "sessions_missed",
        "last_date",
        "next_session",
    ):
        out.print(f"  {escape(t(key))}: {escape(_shown(key, data.get(key)))}")
    if data["goals"]:
        out.print(f"[bold]{escape(t('goals'))}[/]")
        for goal in data["goals"]:
            out.print(
                f"  {escape(goal['id'])} {escape('[' + value('status', goal['status']) + ']')} {escape(goal['text'])}"
            )
            for step in goal["steps"]:
                out.print(
                    f"     {escape(step['id'])} {escape('[' + value('status', step['status']) + ']')} {escape(step['text'])}"
                )
            for item in goal["history"]:
                out.print("       " + history_line(item))
    table = Table(title=t("log"))
    for key in ("entry", "kind", "session", "session_date", "by", "at"):
        table.add_column(t(key), no_wrap=True)
    table.add_column(t("note"), ratio=1, min_width=24, overflow="fold")
    for row in data["log"]:
        note = row.get("note") or ""
        if row.get("target"):
            note = t(
                "corrects",
                entry=row["target"],
                kind=value("kind", row.get("target_kind") or "?"),
                date=row.get("target_date") or "?",
            ) + (f" {note}" if note else "")
        table.add_row(
            f"{row['number']} {row['entry']}" if not str(row["entry"]).startswith("#") else str(row["number"]),
            escape(value("kind", row["kind"])),
            escape(row.get("session") or ""),
            escape(row.get("date") or ""),
            escape(row["by"]),
            escape(str(row["at"] or "")[:16].replace("T", " ")),
            escape(note),
        )
    out.print(table)
