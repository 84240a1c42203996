"""`imr session log ID` in a terminal with nothing else given: the questions of the weekly loop.

A nurse after a session should not need to remember eleven flags. The questions come in the
order the session went (which session, attendance, homework, note, handout, relative, steps),
each with the sensible default shown, then a summary to confirm; nothing is written before the
last yes. The answers become the same `SessionLog` the flags build, so the rules (signature,
privacy guard, double-logging check) are the library's, not repeated here.
"""

from __future__ import annotations

from typing import Any, Optional

from imr.cli.common import console, escape, t, workspace

REVIEWS = ("gjord", "delvis", "inte gjord", "ingen")


def _q(key: str, **params: Any) -> Any:
    """A question as plain text: a goal step's own words may contain [brackets]."""
    from rich.text import Text

    return Text(t(key, **params))


def _prompt_classes():
    """rich's prompts with the user's words: `j/n` in Swedish, and the re-ask messages."""
    from rich.prompt import Confirm as RichConfirm
    from rich.prompt import Prompt as RichPrompt

    class Prompt(RichPrompt):
        illegal_choice_message = "[prompt.invalid.choice]" + escape(t("ask_pick_one"))

    class Confirm(RichConfirm):
        choices = [t("ask_y"), t("ask_n")]
        validate_error_message = "[prompt.invalid]" + escape(t("ask_yes_no"))

    return Prompt, Confirm


def ask_session_log(participant: str, by: Optional[str]):
    """Ask, summarise, confirm; returns the SessionLog to write, or None when the user says no."""
    Prompt, Confirm = _prompt_classes()

    from imr.programme.planning import goal_follow_up
    from imr.programme.sessions import SessionLog, resolve_session
    from imr.workspace import store

    ws = workspace()
    out = console()
    ws.signature(by)  # no signature: say so before the questions, not after them
    planned = resolve_session(ws, participant, None, None)
    _, state = store.load_state(ws, participant)
    out.print(f"[bold]{escape(t('ask_heading', id=participant))}[/]")
    module, session = _ask_session(str(planned))
    came = Confirm.ask(_q("ask_came"), default=True, console=out)
    review = homework = None
    handout = None
    significant_other = False
    steps: list[str] = []
    if came:
        review = Prompt.ask(_q("ask_review"), choices=list(REVIEWS), console=out)
        homework = Prompt.ask(_q("ask_homework"), default="", show_default=False, console=out).strip() or None
    note = Prompt.ask(_q("ask_note"), default="", show_default=False, console=out).strip() or None
    if came:
        handout = Confirm.ask(_q("ask_handout"), default=True, console=out)
        significant_other = Confirm.ask(_q("ask_significant_other"), default=False, console=out)
        for goal in goal_follow_up(state):
            step = goal["current_step"]
            if step and Confirm.ask(_q("ask_step_done", id=step["id"], text=step["text"]), default=False, console=out):
                steps.append(step["id"])
    log = SessionLog(module=module, session=session, by=by, homework_review=review, homework=homework, note=note,
                     steps_done=tuple(steps), absent=not came, handout=handout,
                     significant_other=significant_other)
    _summary(out, participant, f"{module}.{session}", log)
    if not Confirm.ask(_q("ask_confirm"), default=True, console=out):
        out.print(escape(t("ask_nothing_saved")))
        return None
    return log


def _ask_session(default: str) -> tuple[int, int]:
    Prompt, _ = _prompt_classes()

    while True:
        answer = Prompt.ask(_q("ask_session"), default=default, console=console()).strip()
        module, dot, session = answer.partition(".")
        if dot and module.isdigit() and session.isdigit():
            return int(module), int(session)
        console().print(escape(t("ask_session_again")))


def _summary(out, participant: str, ref: str, log) -> None:
    yes, no = t("ask_yes"), t("ask_no")
    out.print(f"\n[bold]{escape(t('ask_summary', id=participant, session=ref))}[/]")
    rows = [(t("ask_sum_came"), no if log.absent else yes)]
    if not log.absent:
        rows += [(t("ask_sum_review"), log.homework_review or "–"), (t("ask_sum_homework"), log.homework or "–")]
    rows.append((t("ask_sum_note"), log.note or "–"))
    if not log.absent:
        rows += [(t("ask_sum_handout"), yes if log.handout else no),
                 (t("ask_sum_significant_other"), yes if log.significant_other else no),
                 (t("ask_sum_steps"), ", ".join(log.steps_done) or "–")]
    for label, value in rows:
        out.print(f"  {escape(label)}: {escape(value)}")
