"""`imr session next|log` and `imr absent`: the weekly loop of plan, run, log."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, lang, t, workspace
from imr.cli.i18n import bad_usage
from imr.cli.session_next import show_next
from imr.core.errors import ImrError

app = typer.Typer(no_args_is_help=True)


def _one_target(participant: str | None, group: str | None) -> None:
    """Exactly one of PARTICIPANT and --group; anything else is a usage error (exit 2)."""
    if (participant is None) == (group is None):
        raise bad_usage("usage_one_target", "PARTICIPANT / --group")


@app.command("next")
def next_(
    participant: str | None = typer.Argument(None, metavar="PARTICIPANT", autocompletion=complete.participants),
    group: str | None = typer.Option(None, "--group", autocompletion=complete.groups),
    as_json: bool = typer.Option(False, "--json"),
    render: str | None = typer.Option(None, "--render", metavar="FORMAT"),
) -> None:
    """Today's plan: the eight steps of the next session, with the record's homework and goals."""
    _one_target(participant, group)
    show_next(participant, group, as_json, render)


@app.command("log")
@handle_errors
def log(
    ids: list[str] = typer.Argument(None, metavar="ID", autocompletion=complete.participants),
    group: str | None = typer.Option(None, "--group", autocompletion=complete.groups),
    module: int | None = typer.Option(None, "--module"),
    session: int | None = typer.Option(None, "--session"),
    date: str | None = typer.Option(None, "--date"),
    by: str | None = typer.Option(None, "--by"),
    homework_review: list[str] = typer.Option([], "--homework-review"),
    homework: str | None = typer.Option(None, "--homework"),
    note: str | None = typer.Option(None, "--note"),
    step_done: list[str] = typer.Option([], "--step-done"),
    absent: bool = typer.Option(False, "--absent"),
    edit: bool = typer.Option(False, "--edit"),
    handout: bool | None = typer.Option(None, "--handout/--no-handout"),
    significant_other: bool = typer.Option(False, "--significant-other"),
    significant_other_member: list[str] = typer.Option([], "--significant-other-member", metavar="ID"),
    again: bool = typer.Option(False, "--again"),
    yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
) -> None:
    """Record the session (or an absence) as a new signed entry at the end of the record.

    In a terminal, what the flags do not give is asked, then a summary and a confirm; --ja (or no
    terminal) saves without asking. With --group, one entry goes into every member's record
    (`session`, or `absent` for those named after --absent), all or nothing.
    """
    from imr.programme.sessions import SessionLog  # lazy: 25 ms on imr --help and the module's other commands

    ids = list(ids or [])
    if group is None:
        if len(ids) != 1:
            raise bad_usage("usage_one_participant", "PARTICIPANT")
        if len(homework_review) > 1 or any(":" in v for v in homework_review) or significant_other_member:
            raise bad_usage("usage_per_member", "--homework-review")
        _log_one(
            ids[0],
            {
                "session": _session_flag(module, session),
                "date": date,
                "present": None,
                "homework_review": homework_review[0] if homework_review else None,
                "homework": homework,
                "note": note,
                "steps_done": ", ".join(step_done) if step_done else None,
                "handout": None if handout is None else ("ja" if handout else "nej"),
                "significant_other": "ja" if significant_other else None,
            },
            by=by,
            absent=absent,
            edit=edit,
            again=again,
            yes=yes,
        )
        return
    if ids and not absent:
        raise bad_usage("usage_group_ids_after_absent", "--absent")
    elif absent and not ids:
        raise bad_usage("usage_group_absent_needs_ids", "--absent")
    elif significant_other:
        raise bad_usage("usage_group_significant_other", "--significant-other")
    default_review = next((v for v in homework_review if ":" not in v), None)
    per_member = {v.partition(":")[0].strip(): v.partition(":")[2].strip() for v in homework_review if ":" in v}
    entry = SessionLog(
        module=module,
        session=session,
        date=date,
        by=by,
        homework_review=default_review,
        homework_reviews=per_member,
        homework=homework,
        note=note,
        steps_done=tuple(step_done),
        absent=False,
        absent_ids=tuple(ids),
        handout=handout,
        significant_other=significant_other,
        significant_others=tuple(significant_other_member),
        again=again,
    )
    _log_group(group, entry, edit=edit, yes=yes)


def _session_flag(module: int | None, session: int | None) -> str | None:
    if (module is None) != (session is None):
        raise ImrError("module_and_session_together")
    return None if module is None else f"{module}.{session}"


@handle_errors
def _log_group(group: str, log, *, edit: bool, yes: bool = False) -> None:
    from imr.cli.ask import interactive
    from imr.programme.group_meetings import (
        log_group_session,
    )  # lazy: 2 ms on imr --help and the module's other commands

    ws = workspace()
    if interactive() and not yes:
        from imr.cli.ask import run_form
        from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands

        form = build_form(ws, "group-meeting", group, by=log.by, lang=lang())
        result = run_form(form, _group_prefill(log), accept=("logged_that_day",) if log.again else ())
        if result is None:
            return
    elif edit:
        from dataclasses import replace

        planned = log_group_session(ws, group, log, dry_run=True)
        log = replace(log, note=_note(t("editor_template", session=planned["session"], id=group), log.note or ""))
        with _keep_refused_note(ws, log.note):
            result = log_group_session(ws, group, log)
    else:
        result = log_group_session(ws, group, log)
    console().print(
        escape(
            t(
                "group_logged",
                name=group,
                session=result["session"],
                date=result["date"],
                present=len(result["present"]),
                total=len(result["present"]) + len(result["absent"]),
                absent=", ".join(result["absent"]) or t("none"),
            )
        )
    )


def _group_prefill(log) -> dict:
    """The group flags as answers of the group-meeting form."""
    prefill: dict = {
        "session": _session_flag(log.module, log.session),
        "date": log.date,
        "homework": log.homework,
        "note": log.note,
        "handout": None if log.handout is None else ("ja" if log.handout else "nej"),
    }
    for raw in log.absent_ids:
        for pid in (p.strip() for p in str(raw).split(",") if p.strip()):
            prefill[f"present:{pid}"] = "nej"
    for pid, review in log.homework_reviews.items():
        prefill[f"review:{pid}"] = review
    for pid in log.significant_others:
        prefill[f"significant_other:{pid}"] = "ja"
    if log.homework_review:
        prefill["homework_review"] = log.homework_review
    return prefill


@handle_errors
def _log_one(
    participant: str, prefill: dict, *, by: str | None, absent: bool, edit: bool, again: bool, yes: bool
) -> None:
    from imr.cli.ask import interactive, run_form
    from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands
    from imr.forms.targets import participant_id

    ws = workspace()
    participant = participant_id(ws, participant)
    ws.signature(by)  # no signature: say so before the questions, not after them
    form = build_form(ws, "absence" if absent else "session-log", participant, by=by, lang=lang())
    if absent:
        prefill = {k: prefill[k] for k in ("session", "date", "note")}
    asking = interactive() and not yes
    if edit:
        if prefill.get("session"):
            form.set("session", prefill["session"])
        note = _note(t("editor_template", session=form.value("session"), id=participant), prefill.get("note") or "")
        prefill["note"] = note
        problem = form.set("note", note)
        if problem and not asking:
            from imr.core.errors import ImrError
            from imr.workspace.editor import (
                keep_refused_text,
            )  # lazy: 2 ms on imr --help and the module's other commands

            path = keep_refused_text(note, ws.root)
            raise ImrError("form_field_refused_kept", field=form.field("note").label, problem=problem, path=str(path))
    entry = run_form(form, prefill, ask=not yes, accept=("logged_that_day",) if again else ())
    if entry is None:
        return
    key = "logged_absent" if entry["kind"] == "absent" else "logged_session"
    console().print(
        escape(
            t(key, id=participant, session=f"{entry['module']}.{entry['session']}", date=entry["date"], by=entry["by"])
        )
    )


def _note(template: str, initial: str) -> str:
    """The note from the user's editor; with no editor on this computer, asked in the terminal."""
    from imr.workspace.editor import note_from_editor  # lazy: 2 ms on imr --help and the module's other commands

    try:
        return note_from_editor(template, initial)
    except ImrError as err:
        if err.code != "editor_missing" or not sys.stdin.isatty():
            raise
    from imr.cli.ask import _prompt

    console().print(escape(t("note_prompt_intro")))
    text = _prompt(t("note_prompt") + ": ", initial or "", multiline=True)
    if not text.strip():
        raise ImrError("editor_aborted")
    return text.strip()


@contextmanager
def _keep_refused_note(ws, note: str | None) -> Iterator[None]:
    """A note written in the editor and refused by the privacy guard is kept in a private file."""
    from imr.workspace.store import PersonalDataRefused

    try:
        yield
    except PersonalDataRefused as refused:
        from imr.core.errors import ImrError
        from imr.workspace.editor import keep_refused_text  # lazy: 2 ms on imr --help and the module's other commands

        path = keep_refused_text(note or refused.refused_text, ws.root)
        raise ImrError("pii_refused_kept", **refused.params, path=str(path)) from None


def register_absent(root: typer.Typer) -> None:
    @root.command("absent")
    @handle_errors
    def absent(
        participant: str = typer.Argument(..., autocompletion=complete.participants),
        module: int | None = typer.Option(None, "--module"),
        session: int | None = typer.Option(None, "--session"),
        date: str | None = typer.Option(None, "--date"),
        by: str | None = typer.Option(None, "--by"),
        note: str | None = typer.Option(None, "--note"),
        yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
    ) -> None:
        """Record that the participant missed the planned session."""
        _log_one(
            participant,
            {"session": _session_flag(module, session), "date": date, "note": note},
            by=by,
            absent=True,
            edit=False,
            again=False,
            yes=yes,
        )
