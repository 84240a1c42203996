"""`imr group create|add|remove|show|list`: groups that go through the programme together."""

from __future__ import annotations

from typing import Any

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, print_json, t, workspace
from imr.cli.common import value as shown_value

app = typer.Typer(no_args_is_help=True)


@app.command("create")
@handle_errors
def create(
    name: str = typer.Argument(...),
    leader: list[str] = typer.Option([], "--leader"),
    weekday: list[str] = typer.Option([], "--weekday"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
) -> None:
    """Create a group file (groups/NAME.yaml)."""
    from imr.programme.groups import create_group  # lazy: 24 ms on imr --help and the module's other commands

    create_group(workspace(), name, leaders=leader, weekdays=weekday, note=note, by=by)
    console().print(escape(t("group_created", name=name)))


@app.command("set")
@handle_errors
def set_(
    name: str = typer.Argument(..., autocompletion=complete.groups),
    leader: list[str] = typer.Option([], "--leader"),
    weekday: list[str] = typer.Option([], "--weekday"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
) -> None:
    """Give a group new leaders or meeting days (what is not given stays as it was)."""
    from imr.forms.targets import group_name  # lazy: 3 ms on imr --help and the module's other commands
    from imr.programme.groups import read_group, set_group  # lazy: 24 ms on imr --help and the module's other commands

    ws = workspace()
    name = group_name(ws, name)
    set_group(ws, name, leaders=leader, weekdays=weekday, note=note, by=by)
    group = read_group(ws, name)
    console().print(
        escape(
            t(
                "group_set_done",
                name=name,
                leaders=", ".join(group.leaders) or t("none"),
                weekdays=", ".join(t(f"weekday_{d}") for d in group.weekdays) or t("none"),
            )
        )
    )


@app.command("add")
@handle_errors
def add(
    name: str = typer.Argument(..., autocompletion=complete.groups),
    participants: list[str] = typer.Argument(...),
    by: str | None = typer.Option(None, "--by"),
    date: str | None = typer.Option(None, "--date"),
) -> None:
    """Add participants to a group (more than 8 works, with a warning about fidelity)."""
    from imr.forms.targets import group_name, participant_id  # lazy: 3 ms on imr --help and the module's other commands
    from imr.programme.groups import (
        FIDELITY_MAX_MEMBERS,
        add_members,
    )  # lazy: 24 ms on imr --help and the module's other commands

    ws = workspace()
    name = group_name(ws, name)
    participants = [participant_id(ws, pid) for pid in participants]
    result = add_members(ws, name, participants, by=by, date=date)
    console().print(escape(t("group_members_added", name=name, ids=", ".join(participants), size=result["size"])))
    if result["over_fidelity"]:
        console(stderr=True).print(
            "[yellow]"
            + escape(t("group_over_fidelity", name=name, size=result["size"], max=FIDELITY_MAX_MEMBERS))
            + "[/]"
        )


@app.command("remove")
@handle_errors
def remove(
    name: str = typer.Argument(..., autocompletion=complete.groups),
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
    date: str | None = typer.Option(None, "--date"),
) -> None:
    """Take a participant out of a group (their record is not touched)."""
    from imr.forms.targets import group_name  # lazy: 3 ms on imr --help and the module's other commands
    from imr.programme.groups import remove_member  # lazy: 24 ms on imr --help and the module's other commands

    ws = workspace()
    name = group_name(ws, name)
    remove_member(ws, name, participant, note=note, by=by, date=date)
    console().print(escape(t("group_member_removed", name=name, id=participant)))


@app.command("show")
@handle_errors
def show(
    name: str = typer.Argument(..., autocompletion=complete.groups),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Leaders, meeting days, members and where the group is in the programme."""
    from rich.table import Table  # lazy: 21 ms on imr --help and the module's other commands

    from imr.programme.group_meetings import describe_group  # lazy: 5 ms on imr --help and the module's other commands

    ws = workspace()
    data = describe_group(ws, name)
    if as_json:
        print_json(data)
        return
    out = console()
    out.print(f"[bold]{escape(t('group_heading', name=data['name']))}[/]")
    days = ", ".join(t(f"weekday_{d}") for d in data["weekdays"])
    rows = [
        ("group_leaders", ", ".join(data["leaders"])),
        ("group_weekdays", days),
        ("group_created_on", data["created"]),
        ("group_size", str(data["size"])),
        ("group_sessions_held", str(data["sessions_held"])),
        (
            "group_last_session",
            f"{data['last_session']['session']} ({data['last_session']['date']})" if data["last_session"] else None,
        ),
        ("group_next_session", data["next_session"]),
    ]
    for key, value in rows:
        out.print(f"  {escape(t(key))}: {escape(value or t('none'))}")
    if data["over_fidelity"]:
        out.print("[yellow]" + escape(t("group_over_fidelity", name=name, size=data["size"], max=8)) + "[/]")
    if not data["members"]:
        out.print(escape(t("group_no_members_yet", name=name)))
        return
    table = Table(title=t("group_members"))
    for key in ("id", "group_joined", "variant", "sessions_held", "sessions_missed"):
        table.add_column(t(key))
    for member in data["members"]:
        shown = {**member, "variant": shown_value("variant", member["variant"]) if member["variant"] else None}
        table.add_row(
            *(
                escape(shown[k] if shown[k] is not None else t("none"))
                for k in ("id", "joined", "variant", "sessions_held", "sessions_missed")
            )
        )
    out.print(table)


@app.command("list")
@handle_errors
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """All groups with their size and leaders."""
    from imr.programme.groups import all_groups  # lazy: 24 ms on imr --help and the module's other commands

    groups = all_groups(workspace())
    rows: list[dict[str, Any]] = [
        {"name": g.name, "size": len(g.members), "leaders": g.leaders, "weekdays": g.weekdays} for g in groups
    ]
    if as_json:
        print_json(rows)
        return
    out = console()
    if not rows:
        out.print(escape(t("group_none")))
        return
    for row in rows:
        days = ", ".join(t(f"weekday_{d}") for d in row["weekdays"])
        out.print(
            escape(
                t(
                    "group_list_line",
                    name=row["name"],
                    size=row["size"],
                    leaders=", ".join(row["leaders"]) or t("none"),
                    weekdays=days or t("none"),
                )
            )
        )
