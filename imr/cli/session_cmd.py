"""`imr session next|log` and `imr absent`: the weekly loop of plan, run, log."""

from __future__ import annotations

from typing import List, Optional

import typer

from imr.cli.common import console, escape, handle_errors, print_json, t, workspace

app = typer.Typer(help="Plan today's session and log what happened.", no_args_is_help=True)


@app.command("next")
@handle_errors
def next_(
    participant: str = typer.Argument(..., help="Participant id."),
    as_json: bool = typer.Option(False, "--json", help="The plan as JSON."),
) -> None:
    """Today's plan: the eight steps of the next session, with the record's homework and goals."""
    from imr import store
    from imr.planning import build_plan

    ws = workspace()
    _, state = store.load_state(ws, participant)
    plan = build_plan(state, ws.curriculum, ws.lang, ws.root)
    if as_json:
        print_json(plan)
        return
    _print_plan(plan, ws)


def _print_plan(plan: dict, ws) -> None:
    from imr.cli.common import emit
    from imr.strings import strings

    labels = strings(ws.lang, ws.root)["plan"]
    if plan["complete"]:
        emit([("bold", f"{plan['participant']}: {labels['complete']}")])
        return
    lines: list[tuple[str | None, str]] = [
        ("bold", labels["heading"].format(session=plan["session"], title=plan["title"])),
        ("dim", labels["subheading"].format(
            participant=plan["participant"], module=plan["module"], module_title=plan["module_title"],
            number=plan["sessions_held"] + 1, total=plan["sessions_total"])),
    ]
    for step in plan["steps"]:
        lines.append((None, ""))
        lines.append(("bold cyan", step["label"]))
        lines.extend((None, f"  {line}") for line in step["lines"])
        if step.get("key_points"):
            lines.append(("bold", f"  {labels['key_points']}"))
            lines.extend((None, f"   • {point}") for point in step["key_points"])
    emit(lines)


@app.command("log")
@handle_errors
def log(
    participant: str = typer.Argument(..., help="Participant id."),
    module: Optional[int] = typer.Option(None, "--module", help="Module number (default: the planned session)."),
    session: Optional[int] = typer.Option(None, "--session", help="Session number within the module."),
    date: Optional[str] = typer.Option(None, "--date", help="Date of the session, YYYY-MM-DD (default: today)."),
    by: Optional[str] = typer.Option(None, "--by", help="Your signature (default: IMR_SIGNATURE or imr.yaml)."),
    homework_review: Optional[str] = typer.Option(None, "--homework-review", help="Last homework: done, partly, not-done or none."),
    homework: Optional[str] = typer.Option(None, "--homework", help="Homework agreed for next time."),
    note: Optional[str] = typer.Option(None, "--note", help="Session note, in plain Swedish the participant can read."),
    step_done: List[str] = typer.Option([], "--step-done", help="A goal step completed, e.g. G1.2 (repeatable)."),
    absent: bool = typer.Option(False, "--absent", help="The participant did not come."),
    edit: bool = typer.Option(False, "--edit", help="Write the note in your editor ($VISUAL or $EDITOR)."),
) -> None:
    """Record the session (or an absence) as a new signed entry at the end of the record."""
    from imr.sessions import log_session, resolve_session

    ws = workspace()
    if edit:
        from imr.editor import note_from_editor

        ref = resolve_session(ws, participant, module, session)
        note = note_from_editor(t("editor_template", session=str(ref), id=participant), note or "")
        module, session = ref.module, ref.session
    entry = log_session(ws, participant, module=module, session=session, date=date, by=by,
                        homework_review=homework_review, homework=homework, note=note,
                        steps_done=step_done or None, absent=absent)
    key = "logged_absent" if absent else "logged_session"
    console().print(escape(t(key, id=participant, session=f"{entry['module']}.{entry['session']}",
                             date=entry["date"], by=entry["by"])))


def register_absent(root: typer.Typer) -> None:
    @root.command("absent")
    @handle_errors
    def absent(
        participant: str = typer.Argument(..., help="Participant id."),
        module: Optional[int] = typer.Option(None, "--module", help="Module number (default: the planned session)."),
        session: Optional[int] = typer.Option(None, "--session", help="Session number within the module."),
        date: Optional[str] = typer.Option(None, "--date", help="Date, YYYY-MM-DD (default: today)."),
        by: Optional[str] = typer.Option(None, "--by", help="Your signature."),
        note: Optional[str] = typer.Option(None, "--note", help="Optional note, e.g. the reason."),
    ) -> None:
        """Record that the participant missed the planned session."""
        from imr.sessions import log_session

        ws = workspace()
        entry = log_session(ws, participant, module=module, session=session, date=date, by=by, note=note, absent=True)
        console().print(escape(t("logged_absent", id=participant, session=f"{entry['module']}.{entry['session']}",
                                 date=entry["date"])))
