"""Goal forms: a new goal (with its first steps), one more step, a new status for a goal or step."""

from __future__ import annotations

from typing import Any

from imr.forms.checks import date_check, parse_date_answer, text_check
from imr.forms.model import Choice, Field, Form, thousands
from imr.records.kinds import GOAL_STATUS, MAX_TEXT

# Other words for a status, besides its key and each language's label.
STATUS_WORDS = {
    "active": ("aktiv", "aktivt", "pågår", "pågående", "öppen", "öppet", "active", "open"),
    "done": ("klar", "klart", "gjord", "gjort", "färdig", "färdigt", "uppnått", "uppnådd", "done", "finished"),
    "paused": ("pausad", "pausat", "vilar", "paus", "paused", "pause"),
    "revised": ("reviderad", "reviderat", "omformulerad", "omformulerat", "ändrad", "ändrat", "revised"),
    "dropped": ("avslutad", "avslutat", "struken", "struket", "släppt", "dropped", "stopped"),
}


def status_choices(form: Form) -> list[Choice]:
    return [Choice(key, form.t(f"status_{key}"), STATUS_WORDS[key]) for key in GOAL_STATUS]


def _load(ws: Any, participant_id: str):
    from imr.workspace import store

    return store.load_state(ws, participant_id)


def _common(form: Form, ws: Any, record: Any) -> list[Field]:
    """The date and the note every goal form ends with."""
    from imr.workspace import store

    return [
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
        Field(
            "note",
            "text",
            form.t("field_note_goal"),
            limit=MAX_TEXT,
            hint=form.t("hint_optional_text", limit=thousands(MAX_TEXT, form.lang)),
        ),
    ]


def _texts(form: Form, ws: Any, fields: list[Field]) -> None:
    for item in fields:
        if item.kind == "text":
            item.check = text_check(form, item.label, ws, limit=item.limit or MAX_TEXT)


def goal_add_form(ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None) -> Form:
    from imr.programme.goals import add_goal

    record, _ = _load(ws, participant_id)

    def save(form: Form) -> list[dict]:
        steps = [line.strip() for line in (form.value("steps") or "").splitlines() if line.strip()]
        return add_goal(
            ws, participant_id, form.value("text"), steps=steps, note=form.value("note"), by=by, date=form.value("date")
        )

    form = Form("goal-add", lang or ws.lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_goal_add", id=participant_id)
    fields = [
        Field("text", "text", form.t("field_goal_text"), required=True, limit=MAX_TEXT, hint=form.t("hint_goal_text")),
        Field(
            "steps", "text", form.t("field_goal_steps"), limit=MAX_TEXT, multiline=True, hint=form.t("hint_goal_steps")
        ),
        *_common(form, ws, record),
    ]
    _texts(form, ws, fields)
    form.fields = fields
    return form


def goal_step_form(ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None) -> Form:
    from imr.programme.goals import add_step

    record, state = _load(ws, participant_id)

    def save(form: Form) -> dict:
        return add_step(
            ws,
            participant_id,
            form.value("goal"),
            form.value("text"),
            note=form.value("note"),
            by=by,
            date=form.value("date"),
        )

    form = Form("goal-step", lang or ws.lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_goal_step", id=participant_id)
    goals = [Choice(g.id, f"{g.id} {g.text}") for g in state.active_goals()]
    fields = [
        Field(
            "goal",
            "choice",
            form.t("field_goal"),
            required=True,
            choices=goals,
            default=goals[0].value if len(goals) == 1 else None,
            hint=form.t("hint_goal"),
        ),
        Field("text", "text", form.t("field_step_text"), required=True, limit=MAX_TEXT),
        *_common(form, ws, record),
    ]
    _texts(form, ws, fields)
    form.fields = fields
    return form


def goal_update_form(ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None) -> Form:
    from imr.programme.goals import update_goal

    record, state = _load(ws, participant_id)

    def save(form: Form) -> dict:
        return update_goal(
            ws,
            participant_id,
            form.value("target"),
            form.value("status"),
            text=form.value("text") if form.value("status") == "revised" else None,
            note=form.value("note"),
            by=by,
            date=form.value("date"),
        )

    form = Form("goal-update", lang or ws.lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_goal_update", id=participant_id)
    targets: list[Choice] = []
    for goal in state.goals.values():
        targets.append(Choice(goal.id, f"{goal.id} {goal.text} ({form.t('status_' + goal.status)})"))
        for step in goal.steps:
            targets.append(Choice(step.id, f"{step.id} {step.text} ({form.t('status_' + step.status)})"))
    fields = [
        Field(
            "target",
            "step",
            form.t("field_goal_target"),
            required=True,
            choices=targets,
            hint=form.t("hint_goal_target"),
            parse=lambda text: _target(form, text),
        ),
        Field(
            "status",
            "choice",
            form.t("field_status"),
            required=True,
            choices=status_choices(form),
            hint=form.t("hint_status"),
        ),
        Field(
            "text",
            "text",
            form.t("field_goal_new_text"),
            required=True,
            limit=MAX_TEXT,
            when=lambda f: f.value("status") == "revised",
        ),
        *_common(form, ws, record),
    ]
    _texts(form, ws, fields)
    form.fields = fields
    return form


def _target(form: Form, text: str) -> str:
    """A goal or step label in any letter case (`gk7m.1`), one of the record's."""
    from imr.forms.model import FieldProblem

    wanted = text.strip().upper()
    for choice in form.field("target").choices:
        if choice.value.upper() == wanted:
            return choice.value
    raise FieldProblem(
        form.t("answer_goal_target", choices=", ".join(c.value for c in form.field("target").choices) or "–")
    )
