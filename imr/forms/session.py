"""The session-log form (one participant) and the absence form."""

from __future__ import annotations

from typing import Any

from imr.core.errors import ImrError
from imr.forms.checks import (
    date_check,
    parse_date_answer,
    parse_session_answer,
    session_check,
    session_label,
    text_check,
)
from imr.forms.model import Choice, Field, Form, FormWarning, thousands
from imr.records.ids import SessionRef
from imr.records.kinds import HOMEWORK_REVIEW, MAX_TEXT, SESSION_LIKE
from imr.records.record import Record
from imr.records.state import ParticipantState, effective_entries

# Other words people use for a homework review, besides each language's label and the key.
REVIEW_WORDS = {
    "done": ("gjord", "gjort", "klar", "klart", "färdig", "färdigt", "done", "finished", "complete"),
    "partly": ("delvis", "delvis gjord", "delvis gjort", "halvt", "partly", "partly done", "partial", "partially"),
    "not-done": ("inte gjord", "inte gjort", "ej gjord", "ej gjort", "ogjord", "not done", "not"),
    "none": ("ingen", "inga", "ingen hemuppgift", "none", "no homework", "-"),
}


def review_choices(form: Form) -> list[Choice]:
    return [Choice(key, form.t(f"review_{key}"), REVIEW_WORDS[key]) for key in HOMEWORK_REVIEW]


def session_choices(ws: Any, state: ParticipantState | None) -> list[Choice]:
    """Every session of the programme, in the participant's module order."""
    order = ws.curriculum.order(state.module_order if state else None)
    return [Choice(str(ref), session_label(ws.curriculum, str(ref))) for ref in order]


def open_step_choices(state: ParticipantState) -> list[Choice]:
    """The steps still open, of every open goal (the current one of each first)."""
    out: list[Choice] = []
    for goal in state.active_goals():
        for step in goal.steps:
            if step.is_open:
                out.append(Choice(step.id, f"{step.id} {step.text}"))
    return out


def previous_homework(state: ParticipantState) -> str | None:
    last = state.last_session
    value = last.get("homework") if last is not None else None
    return value if isinstance(value, str) and value.strip() else None


def logged_that_day(record: Record, day: str) -> list[Any]:
    """Sessions and absences already in the record on that date, whatever their number."""
    return [e for e in effective_entries(record) if e.kind in SESSION_LIKE and e.get("date") == day]


def _given_bool(form: Form, key: str) -> bool | None:
    """A yes/no only when someone answered it (a front end that shows a field sets its answer, the
    suggestion included): fidelity counts what was recorded, not a default nobody saw."""
    return bool(form.answers[key]) if key in form.answers else None


def _when_present(form: Form) -> bool:
    return bool(form.value("present"))


def session_log_form(
    ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None, absence: bool = False
) -> Form:
    """Log one session (or, with `absence`, an absence) for one participant."""
    from imr.programme.planning import next_session
    from imr.programme.sessions import SessionLog, log_session
    from imr.workspace import store

    lang = lang or ws.lang
    record, state = store.load_state(ws, participant_id)
    planned = next_session(state, ws.curriculum)

    def save(form: Form) -> dict:
        ref = SessionRef.parse(form.value("session"))
        came = not absence and bool(form.value("present"))
        log = SessionLog(
            module=ref.module,
            session=ref.session,
            date=form.value("date"),
            by=by,
            homework_review=form.answers.get("homework_review") if came else None,
            homework=form.value("homework") if came else None,
            note=form.value("note"),
            steps_done=tuple(form.value("steps_done") or ()) if came else (),
            absent=not came,
            handout=_given_bool(form, "handout") if came else None,
            significant_other=bool(form.value("significant_other")) if came else False,
            again="logged_that_day" in form.accepted,
        )
        return log_session(ws, participant_id, log)

    def warnings(form: Form) -> list[FormWarning]:
        day = form.value("date")
        found = logged_that_day(record, day) if day else []
        if not found:
            return []
        first = found[-1]
        session = f"{first.get('module')}.{first.get('session')}"
        kind = form.kind(first.kind)
        return [
            FormWarning(
                "logged_that_day",
                form.t(
                    "warn_logged_that_day",
                    id=participant_id,
                    date=day,
                    kind=kind,
                    session=session,
                    by=first.get("by", ""),
                    entry=first.id,
                ),
                form.t("ask_log_again"),
            )
        ]

    action = "absence" if absence else "session-log"
    form = Form(action, lang, "", [], save, warnings, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_absence" if absence else "title_session_log", id=participant_id)
    before = previous_homework(state)
    steps = open_step_choices(state)
    fields = [
        Field(
            "session",
            "session",
            form.t("field_session"),
            required=True,
            default=str(planned) if planned else None,
            choices=session_choices(ws, state),
            hint=form.t("hint_session"),
            parse=parse_session_answer(form),
            check=session_check(form, ws.curriculum),
            show=lambda v: session_label(ws.curriculum, v),
        ),
        Field(
            "date",
            "date",
            form.t("field_date"),
            required=True,
            default=store.today(),
            hint=form.t("hint_date"),
            parse=parse_date_answer(form),
            check=date_check(form, record),
        ),
    ]
    if not absence:
        fields += [
            Field("present", "bool", form.t("field_present"), required=True, default=True),
            Field(
                "homework_review",
                "choice",
                form.t("field_homework_review_was", homework=before) if before else form.t("field_homework_review"),
                default=None if before else "none",
                choices=review_choices(form),
                hint=form.t("hint_homework_review"),
                when=_when_present,
            ),
            Field(
                "homework",
                "text",
                form.t("field_homework"),
                limit=MAX_TEXT,
                when=_when_present,
                hint=form.t("hint_optional_text", limit=thousands(MAX_TEXT, lang)),
            ),
        ]
    fields.append(
        Field(
            "note",
            "text",
            form.t("field_note"),
            limit=MAX_TEXT,
            multiline=True,
            hint=form.t("hint_note", limit=thousands(MAX_TEXT, lang)),
        )
    )
    if not absence:
        fields += [
            Field("handout", "bool", form.t("field_handout"), default=True, when=_when_present),
            Field("significant_other", "bool", form.t("field_significant_other"), default=False, when=_when_present),
            Field(
                "steps_done",
                "multichoice",
                form.t("field_steps_done"),
                default=[],
                choices=steps,
                hint=form.t("hint_steps_done"),
                when=lambda f: _when_present(f) and bool(steps),
            ),
        ]
    for item in fields:
        if item.kind == "text":
            item.check = text_check(form, item.label, ws, limit=item.limit or MAX_TEXT)
    form.fields = fields
    if planned is None and not absence:
        form.field("session").hint = ImrError("programme_complete", id=participant_id).message(lang)
    return form
