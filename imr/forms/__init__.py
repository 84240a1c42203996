"""Forms: every staff action that writes, as fields a front end asks and one save.

The CLI's questions (`imr/cli/ask.py`) and `imr web` render the same form, so what is asked, what
is refused and what is saved cannot drift between them. No front-end code lives here (no typer,
rich or prompt_toolkit): the package sits just above the programme layer.

Building a form
---------------
    from imr.forms import build_form
    form = build_form(ws, "session-log", "demo-02", by=None, lang="sv")

`ws` is the open `Workspace`; the target is a participant id, or a group name for
"group-meeting" (`ACTIONS` lists every action and what its target is). Building reads the
record, so the choices come from it (sessions that exist, open steps, group members) and the
defaults too (today; the next session; `none` as homework review when there was no earlier
homework). It raises `ImrError` for an unknown participant or group. `by` is the signature
(None: `IMR_SIGNATURE`, the user's settings); `ws.signature(by)` says early when there is none.

Fields
------
`form.fields` (all) and `form.active_fields()` (those asked given the answers so far: homework
only for a participant who came; call it again after each answer). Each `Field` has:

- `key` (stable: `session`, `date`, `present`, `homework_review`, `homework`, `note`, `handout`,
  `significant_other`, `steps_done`; per member in a group meeting `present:ID`, `review:ID`,
  `significant_other:ID` with `field.member == ID`),
- `label` (in the form's language, from `templates/strings/<lang>/forms.yaml`), `hint` (what to
  type, one sentence),
- `kind`: choice, date, session, step, text, role, bool or multichoice,
- `required`, `default` (already normalised), `limit` (characters, text only), `multiline`,
- `choices`: `Choice(value, label, words)`; a front end shows `label` and posts `value`.

Answers
-------
A front end sets every field it showed, the suggestion included when the person kept it
(`form.set_value(key, form.field(key).default)`): the homework review and the handout are saved
only when answered, so `imr fidelity` counts what was recorded, not a default nobody saw.

`form.set(key, text)` reads what a person typed and returns None when kept, else one sentence
saying what to type instead (the other answers are untouched). Natural answers are normalised:
`j/ja/yes/y`, `n/nej/no` in any case; `gjort/klar/färdig` for done; `3,2` for 3.2; a step label
in any case; a choice by its label, key, number in the list or a unique beginning. Empty text
means the default (for a text field: nothing). `form.set_value(key, value)` takes an already
normalised value (a choice's `value`, a bool, a list). `form.value(key)` is the answer or the
default; `form.given(key)` whether it was answered.

Checks
------
`form.check(key)` is one field's problem as one sentence, or None: the session exists (a wrong
number names the module's sessions), the date rules (the one date parser; not in the future,
not before enrolment), the privacy guard per text field with its masked finding, the length
limit stated in characters, no control characters. `form.problems()` is every active field's.

Warnings
--------
`form.warnings()` lists `FormWarning(code, message, question)` the front end must ask about
before saving; `form.accept(code)` records a yes. `logged_that_day`: a session or absence is
already logged on that date (whatever its number); accepting it logs the session anyway (the
entry is then marked `again`, which `imr check` and the hook accept).

Summary and save
----------------
`form.title`, then `form.summary()`: (label, value as shown) for each active field, the date
included. `form.save()` writes through the one writer and returns what was written (the entry
dict; for a group meeting the meeting dict); it raises `ImrError` (its `.message(lang)` is one
sentence) when a field is wrong or the writer refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imr.forms.model import KINDS, Choice, Field, FieldProblem, Form, FormWarning

__all__ = ["ACTIONS", "KINDS", "Choice", "Field", "FieldProblem", "Form", "FormWarning", "build_form"]


def _session_log(ws: Any, target: str, **kw: Any) -> Form:
    from imr.forms.session import session_log_form

    return session_log_form(ws, target, **kw)


def _absence(ws: Any, target: str, **kw: Any) -> Form:
    from imr.forms.session import session_log_form

    return session_log_form(ws, target, absence=True, **kw)


def _group_meeting(ws: Any, target: str, **kw: Any) -> Form:
    from imr.forms.group import group_meeting_form

    return group_meeting_form(ws, target, **kw)


def _goal(name: str) -> Callable[..., Form]:
    def build(ws: Any, target: str, **kw: Any) -> Form:
        from imr.forms import goals

        return getattr(goals, name)(ws, target, **kw)

    return build


def _other(name: str, **fixed: Any) -> Callable[..., Form]:
    def build(ws: Any, target: str, **kw: Any) -> Form:
        from imr.forms import other

        return getattr(other, name)(ws, target, **fixed, **kw)

    return build


# action -> (what the target is, the builder)
ACTIONS: dict[str, tuple[str, Callable[..., Form]]] = {
    "session-log": ("participant", _session_log),
    "absence": ("participant", _absence),
    "group-meeting": ("group", _group_meeting),
    "goal-add": ("participant", _goal("goal_add_form")),
    "goal-step": ("participant", _goal("goal_step_form")),
    "goal-update": ("participant", _goal("goal_update_form")),
    "relapse-plan": ("participant", _other("relapse_plan_form")),
    "imrs": ("participant", _other("imrs_form")),
    "correction": ("participant", _other("correction_form")),
    "void": ("participant", _other("correction_form", void=True)),
    "patient-add": ("new participant id (may be empty)", _other("patient_add_form")),
}


def build_form(
    ws: Any, action: str, target: str, *, by: str | None = None, lang: str | None = None, **options: Any
) -> Form:
    """The form for `action` (a key of ACTIONS) about `target` (participant id or group name)."""
    if action not in ACTIONS:
        raise KeyError(action)
    return ACTIONS[action][1](ws, target, by=by, lang=lang or ws.lang, **options)
