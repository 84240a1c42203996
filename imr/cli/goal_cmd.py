"""`imr goal add|step|update|list`: recovery goals and their steps, each change a new entry."""

from __future__ import annotations

import typer

from imr.cli import complete
from imr.cli.common import accepted, console, escape, handle_errors, lang, print_json, t, value, workspace

app = typer.Typer(no_args_is_help=True)


def _run(action: str, participant: str, prefill: dict, by: str | None, yes: bool):
    """The goal form: flags pre-fill, the rest is asked in a terminal (none with --ja or no terminal)."""
    from imr.cli.ask import run_form
    from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands
    from imr.forms.targets import participant_id

    ws = workspace()
    participant = participant_id(ws, participant)
    ws.signature(by)
    form = build_form(ws, action, participant, by=by, lang=lang())
    result = run_form(form, prefill, ask=not yes)
    if action == "goal-update" and result is not None:
        result = {**result, "label": form.value("target")}
    return participant, result


@app.command("add")
@handle_errors
def add(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    text: str | None = typer.Argument(None, metavar="TEXT"),
    step: list[str] = typer.Option([], "--step"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
    date: str | None = typer.Option(None, "--date"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Set a new recovery goal, optionally with its first steps."""
    if any(not item.strip() for item in step):
        from imr.core.errors import ImrError

        raise ImrError("goal_empty_text")
    participant, entries = _run(
        "goal-add", participant, {"text": text, "steps": "\n".join(step) or None, "note": note, "date": date}, by, yes
    )
    if entries is None:
        return
    entry = entries[0]
    steps = [e["step"] for e in entries[1:]]
    key = "goal_added_steps" if steps else "goal_added"
    console().print(escape(t(key, id=participant, goal=entry["goal"], steps=", ".join(steps))))


@app.command("step")
@handle_errors
def step(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    goal: str | None = typer.Argument(None, metavar="GOAL"),
    text: str | None = typer.Argument(None, metavar="TEXT"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
    date: str | None = typer.Option(None, "--date"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Add a step to a goal; it gets the next number (G1.3 after G1.2)."""
    from imr.programme.goals import check_target  # lazy: 22 ms on imr --help and the module's other commands

    if goal is not None:
        goal = check_target(goal)
        if "." in goal:
            from imr.core.errors import ImrError

            raise ImrError("goal_step_needs_goal", goal=goal)
    participant, entry = _run(
        "goal-step", participant, {"goal": goal, "text": text, "note": note, "date": date}, by, yes
    )
    if entry is None:
        return
    console().print(
        escape(t("goal_step_added", id=participant, step=entry["step"], goal=entry["step"].rsplit(".", 1)[0]))
    )


@app.command("update")
@handle_errors
def update(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    target: str | None = typer.Argument(None, metavar="GOAL[.STEP]"),
    status: str | None = typer.Option(None, "--status"),
    text: str | None = typer.Option(None, "--text"),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = typer.Option(None, "--by"),
    date: str | None = typer.Option(None, "--date"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Record a new status (and perhaps new wording) for a goal or step; the old one stays in the log."""
    from imr.programme.goals import check_target  # lazy: 22 ms on imr --help and the module's other commands

    if target is not None:
        target = check_target(target)
    if status is not None:
        status = accepted("status", status) or status
    participant, entry = _run(
        "goal-update",
        participant,
        {"target": target, "status": status, "text": text, "note": note, "date": date},
        by,
        yes,
    )
    if entry is None:
        return
    shown = entry["label"]
    console().print(escape(t("goal_updated", id=participant, goal=shown, status=t(f"goal_status_{entry['status']}"))))


@app.command("list")
@handle_errors
def list_(
    participant: str = typer.Argument(..., autocompletion=complete.participants),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every goal with its steps, status and history."""
    from imr.programme.goals import describe_goals  # lazy: 22 ms on imr --help and the module's other commands
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
    detail = " ".join(
        value("status", item[k]) if k == "status" else str(item[k])
        for k in ("target", "status", "text", "note")
        if item.get(k)
    )
    written = str(item.get("at") or "")[:16].replace("T", " ")
    return (
        f"[dim]{escape(str(item['entry']))} {escape(written)} {escape(str(item['by']))} "
        f"{escape(value('kind', item['kind']))}: {escape(detail)}[/]"
    )
