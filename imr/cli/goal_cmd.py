"""`imr goal add|step|update|list`: recovery goals and their steps, each change a new entry."""

from __future__ import annotations

from typing import List, Optional

import typer

from imr.cli import complete
from imr.cli.common import accepted, console, escape, handle_errors, print_json, t, value, workspace

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    text: str = typer.Argument(...),
    step: List[str] = typer.Option([], "--step"),
    note: Optional[str] = typer.Option(None, "--note"),
    by: Optional[str] = typer.Option(None, "--by"),
) -> None:
    """Set a new recovery goal, optionally with its first steps."""
    from imr.programme.goals import add_goal

    entries = add_goal(workspace(), participant, text, steps=step, note=note, by=by)
    entry = entries[0]
    steps = [e["step"] for e in entries[1:]]
    key = "goal_added_steps" if steps else "goal_added"
    console().print(escape(t(key, id=participant, goal=entry["goal"], steps=", ".join(steps))))


@app.command("step")
@handle_errors
def step(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    goal: str = typer.Argument(...),
    text: str = typer.Argument(...),
    note: Optional[str] = typer.Option(None, "--note"),
    by: Optional[str] = typer.Option(None, "--by"),
) -> None:
    """Add a step to a goal; it gets the next number (G1.3 after G1.2)."""
    from imr.programme.goals import add_step

    entry = add_step(workspace(), participant, goal, text, note=note, by=by)
    console().print(escape(t("goal_step_added", id=participant, step=entry["step"], goal=entry["step"].rsplit(".", 1)[0])))


@app.command("update")
@handle_errors
def update(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    target: str = typer.Argument(..., metavar="GOAL[.STEP]"),
    status: str = typer.Option(..., "--status"),
    text: Optional[str] = typer.Option(None, "--text"),
    note: Optional[str] = typer.Option(None, "--note"),
    by: Optional[str] = typer.Option(None, "--by"),
) -> None:
    """Record a new status (and perhaps new wording) for a goal or step; the old one stays in the log."""
    from imr.programme.goals import check_target, update_goal

    status = accepted("status", status) or status
    update_goal(workspace(), participant, target, status, text=text, note=note, by=by)
    console().print(escape(t("goal_updated", id=participant, goal=check_target(target), status=t(f"goal_status_{status}"))))


@app.command("list")
@handle_errors
def list_(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every goal with its steps, status and history."""
    from imr.programme.goals import describe_goals
    from imr.workspace import store

    _, state = store.load_state(workspace(), participant)
    goals = describe_goals(state)
    if as_json:
        print_json(goals)
        return
    out = console()
    if not goals:
        out.print(escape(t("goal_none", id=participant)))
        return
    for goal in goals:
        status = escape(f"[{t('goal_status_' + goal['status'])}]")
        out.print(f"[bold]{escape(goal['id'])}[/] {status} {escape(goal['text'])}")
        for item in goal["steps"]:
            marker = "→ " if item["id"] == goal["current_step"] else "  "
            status = escape(f"[{t('goal_status_' + item['status'])}]")
            out.print(f"  {marker}{escape(item['id'])} {status} {escape(item['text'])}")
        for item in goal["history"]:
            out.print("     " + history_line(item))


def history_line(item: dict) -> str:
    """One step in a goal's history, as `goal list` and `patient show` print it: entry id (or an
    old record's number), when it was written, who signed, the kind and what it says."""
    detail = " ".join(value("status", item[k]) if k == "status" else str(item[k])
                      for k in ("target", "status", "text", "note") if item.get(k))
    written = str(item.get("at") or "")[:16].replace("T", " ")
    return (f"[dim]{escape(str(item['entry']))} {escape(written)} {escape(str(item['by']))} "
            f"{escape(value('kind', item['kind']))}: {escape(detail)}[/]")
