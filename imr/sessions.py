"""Logging what happened in a session, an absence, or a correction of an earlier entry."""

from __future__ import annotations

from datetime import date as _date

from imr import store
from imr.entries import HOMEWORK_REVIEW
from imr.errors import ImrError
from imr.ids import SessionRef
from imr.planning import next_session
from imr.workspace import Workspace


def check_date(value: str | None) -> str:
    if value is None:
        return store.today()
    try:
        parsed = _date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImrError("bad_date", date=str(value)[:40]) from None
    if parsed.isoformat() != value:
        raise ImrError("bad_date", date=value[:40])
    if parsed > _date.today():
        raise ImrError("future_date", date=value)
    return value


def resolve_session(ws: Workspace, participant_id: str, module: int | None, session: int | None) -> SessionRef:
    """The session to log: the planned one unless both module and session are given."""
    if (module is None) != (session is None):
        raise ImrError("module_and_session_together")
    if module is not None:
        ref = SessionRef(module, session)
        ws.curriculum.session(ref)
        return ref
    _, state = store.load_state(ws, participant_id)
    ref = next_session(state, ws.curriculum)
    if ref is None:
        raise ImrError("programme_complete", id=participant_id)
    return ref


def session_entry(ws: Workspace, participant_id: str, *, ref: SessionRef, date: str | None, by: str,
                  homework_review: str | None = None, homework: str | None = None,
                  note: str | None = None, steps_done: list[str] | None = None,
                  group: str | None = None, absent: bool = False, handout: bool | None = None,
                  significant_other: bool | None = None) -> dict:
    """Build (not write) one session or absence entry; used for one participant and for groups."""
    day = check_date(date)
    if homework_review is not None and homework_review not in HOMEWORK_REVIEW:
        raise ImrError("bad_homework_review", value=homework_review, allowed=", ".join(HOMEWORK_REVIEW))
    if absent:
        fields = {"kind": "absent", "module": ref.module, "session": ref.session, "date": day,
                  "note": note or None, "group": group}
    else:
        fields = {"kind": "session", "module": ref.module, "session": ref.session, "date": day,
                  "group": group, "homework_review": homework_review,
                  "homework": homework or None, "note": note or None,
                  "steps_done": steps_done or None, "handout": handout,
                  "significant_other": True if significant_other else None}
    entry = store.stamp(fields, by)
    store.check_new_entry(entry, ws)
    return entry


def log_session(ws: Workspace, participant_id: str, *, module: int | None = None, session: int | None = None,
                date: str | None = None, by: str | None = None, homework_review: str | None = None,
                homework: str | None = None, note: str | None = None, steps_done: list[str] | None = None,
                absent: bool = False, handout: bool | None = None, significant_other: bool | None = None) -> dict:
    """Append one session or absence entry; `handout` and `significant_other` feed `imr fidelity`."""
    signature = ws.signature(by)
    ref = resolve_session(ws, participant_id, module, session)
    if steps_done:
        from imr.goals import require_steps

        _, state = store.load_state(ws, participant_id)
        steps_done = require_steps(state, participant_id, steps_done)
    entry = session_entry(ws, participant_id, ref=ref, date=date, by=signature, homework_review=homework_review,
                          homework=homework, note=note, steps_done=steps_done, absent=absent,
                          handout=handout, significant_other=significant_other)
    store.append(ws, participant_id, [entry])
    return entry


def correct(ws: Workspace, participant_id: str, target: int, *, note: str, by: str | None = None,
            void: bool = False, set_fields: dict | None = None) -> dict:
    """Append a correction; the corrected entry stays in the file, readable, as the law requires."""
    signature = ws.signature(by)
    record = store.load_record(ws, participant_id)
    original = record.entry(target)
    if original.kind == "enrolled" and void:
        raise ImrError("cannot_void_enrolment")
    if set_fields:
        for key in set_fields:
            if key in ("kind", "at", "by"):
                raise ImrError("correction_protected", field=key)
            if key not in original.data and key not in _settable(original.kind):
                raise ImrError("correction_unknown_field", field=key, kind=original.kind)
        merged = dict(original.data)
        merged.update(set_fields)
        from imr.entries import validate_entry

        problems = validate_entry(merged)
        if problems:
            raise ImrError("correction_invalid", field=", ".join(str(p[1].get("field", "")) for p in problems))
        if original.kind in ("session", "absent"):
            ws.curriculum.session(SessionRef(merged["module"], merged["session"]))
        if original.kind in ("enrolled", "profile") and "variant" in set_fields:
            ws.curriculum.check_variant(merged["variant"])
    if not note or not note.strip():
        raise ImrError("empty_note")
    entry = store.stamp({"kind": "correction", "target": target, "note": note,
                         "void": True if void else None, "set": set_fields or None}, signature)
    store.append(ws, participant_id, [entry])
    return entry


def _settable(kind: str) -> set[str]:
    from imr.entries import SCHEMA

    required, optional = SCHEMA.get(kind, ({}, {}))
    return set(required) | set(optional)
