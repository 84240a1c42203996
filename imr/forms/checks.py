"""Per-field checks, each the writer's own rule said as one sentence about one field.

The writer runs the same rules again when it saves (`store.check_new_entry`): the record's
validators (`kinds.text_problem`), the date rules (`records.date_problems`) and the privacy
guard (`pii.find_pii`). Here they run on one answer at a time, so the field that is wrong is
named while the rest of the form stays filled in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as _date
from typing import Any

from imr.core.dates import parse_date
from imr.core.errors import ImrError
from imr.forms.model import FieldProblem, Form, thousands
from imr.records.ids import SessionRef
from imr.records.kinds import MAX_TEXT, text_problem
from imr.records.pii import find_pii
from imr.records.record import Record


def text_check(form: Form, label: str, ws: Any, *, limit: int = MAX_TEXT) -> Callable[[Any], str | None]:
    """Free text: no control characters, at most `limit` characters, no personal data."""

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return form.t("answer_text")
        if len(value) > limit:
            return form.t(
                "text_too_long",
                field=label,
                length=thousands(len(value), form.lang),
                limit=thousands(limit, form.lang),
                over=thousands(len(value) - limit, form.lang),
            )
        code = text_problem(value)
        if code == "entry_control_chars":
            return form.t("text_control_chars", field=label)
        if code:
            return form.t("answer_text")
        hit = find_pii(value, ws.allowed_words)
        if hit:
            return ImrError(
                "pii_refused", what=hit.label(form.lang), text=hit.masked(), advice=hit.advice(form.lang)
            ).message(form.lang)
        return None

    return check


def parse_date_answer(form: Form) -> Callable[[str], str]:
    """A date as staff write it (the one date parser, `imr.core.dates`), stored as `YYYY-MM-DD`."""

    def parse(text: str) -> str:
        return parse_date(text).isoformat()

    return parse


def date_check(form: Form, record: Record | None) -> Callable[[Any], str | None]:
    """Not before 1900, not in the future, not before the participant's enrolment (the writer's
    date rules)."""
    from imr.programme.sessions import EARLIEST_YEAR
    from imr.workspace.store import check_dates

    def check(value: Any) -> str | None:
        try:
            day = parse_date(value)
        except ImrError as err:
            return err.message(form.lang)
        if day.year < EARLIEST_YEAR:
            return ImrError("bad_date", date=str(value)[:40]).message(form.lang)
        if day > _date.today():
            return ImrError("future_date", date=day.isoformat()).message(form.lang)
        try:
            check_dates({"date": day.isoformat()}, record)
        except ImrError as err:
            return err.message(form.lang)
        return None

    return check


def parse_session_answer(form: Form) -> Callable[[str], str]:
    """`3.2`, `3,2`, `3 2` or `3:2` as the session `3.2`."""

    def parse(text: str) -> str:
        cleaned = text.strip().replace(",", ".").replace(":", ".").replace(" ", ".")
        module, dot, session = cleaned.partition(".")
        if not (dot and module.isdigit() and session.isdigit()):
            raise FieldProblem(form.t("answer_session"))
        return str(SessionRef(int(module), int(session)))

    return parse


def session_check(form: Form, curriculum: Any) -> Callable[[Any], str | None]:
    """The session exists in the programme; a wrong number names the sessions the module has."""

    def check(value: Any) -> str | None:
        try:
            ref = SessionRef.parse(str(value))
        except ImrError:
            return form.t("answer_session")
        modules = {m.number: m for m in curriculum.modules}
        module = modules.get(ref.module)
        if module is None:
            numbers = sorted(modules)
            return form.t(
                "session_no_module",
                module=ref.module,
                first=numbers[0] if numbers else 1,
                last=numbers[-1] if numbers else 1,
            )
        numbers = [s.number for s in module.sessions]
        if ref.session not in numbers:
            return form.t(
                "session_not_in_module",
                module=ref.module,
                session=str(ref),
                first=f"{ref.module}.{min(numbers)}",
                last=f"{ref.module}.{max(numbers)}",
            )
        return None

    return check


def session_label(curriculum: Any, ref: str) -> str:
    try:
        return f"{ref} {curriculum.session(ref).title}"
    except ImrError:
        return ref
