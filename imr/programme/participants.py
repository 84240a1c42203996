"""Enrolling participants and reading them back for `imr patient` and `imr status`."""

from __future__ import annotations

from typing import Any

from imr.core.errors import ImrError
from imr.programme.goals import describe_goals
from imr.programme.planning import next_session
from imr.programme.sessions import check_date
from imr.records.ids import check_participant_id
from imr.records.kinds import FORMATS
from imr.records.record import Entry, Record
from imr.records.state import ParticipantState, derive_state
from imr.workspace import store
from imr.workspace.folder import Workspace, check_signature


def add_participant(
    ws: Workspace,
    participant_id: str,
    *,
    variant: str | None = None,
    format: str | None = None,
    leader: str | None = None,
    by: str | None = None,
    module_order: list[int] | None = None,
    date: str | None = None,
) -> dict:
    """Enrol a participant. `date` is the day of enrolment when it is registered afterwards; the
    programme's clock refuses sessions dated before it."""
    check_participant_id(participant_id)
    signature = ws.signature(by)
    defaults = ws.defaults()
    variant = variant or defaults.get("variant") or "general"
    format = format or defaults.get("format") or "individual"
    if format not in FORMATS:
        raise ImrError("bad_format", format=format)
    ws.curriculum.check_variant(variant)
    if module_order:
        known = {m.number for m in ws.curriculum.modules}
        for number in module_order:
            if number not in known:
                raise ImrError("unknown_module", module=number)
    entry = store.stamp(
        {
            "kind": "enrolled",
            "variant": variant,
            "format": format,
            "leader": check_signature(leader) if leader else None,
            "module_order": module_order,
        },
        signature,
    )
    if date is not None:
        entry["date"] = check_date(date)
    store.create(ws, participant_id, entry)
    return entry


def summary(ws: Workspace, participant_id: str) -> dict[str, Any]:
    """What `patient show` tells: profile, attendance, goals with history, corrections."""

    record, state = store.load_state(ws, participant_id)
    nxt = next_session(state, ws.curriculum)
    return {
        "id": state.id,
        "variant": state.variant,
        "format": state.format,
        "leader": state.leader,
        "enrolled": state.enrolled_on,
        "entries": len(record.entries),
        "sessions_held": len(state.sessions),
        "sessions_missed": len(state.absences),
        "last_session": (
            f"{state.last_session.get('module')}.{state.last_session.get('session')}" if state.last_session else None
        ),
        "last_date": _last_attended(state),
        "next_session": str(nxt) if nxt else None,
        "goals": describe_goals(state),
        "relapse_plan_versions": state.relapse_plan_versions,
        "imrs": len(state.imrs),
        "log": [_log_row(record, e) for e in record.entries],
    }


def _log_row(record: Record, entry: Entry) -> dict[str, Any]:
    """One log line: the entry's id and number, its session date and its write time kept apart,
    and for a correction the entry it corrects."""
    row = {
        "entry": entry.id,
        "number": entry.number,
        "kind": entry.kind,
        "date": entry.get("date"),
        "at": entry.get("at"),
        "by": entry.get("by"),
        "session": (f"{entry.get('module')}.{entry.get('session')}" if entry.get("module") else None),
        "note": entry.get("note"),
        "target": None,
    }
    if entry.kind == "correction":
        target = record.resolve(entry.get("target"))
        row["target"] = target.id if target is not None else str(entry.get("target"))
        row["target_kind"] = target.kind if target is not None else None
        row["target_date"] = (target.get("date") or str(target.get("at", ""))[:10]) if target is not None else None
    return row


def list_participants(ws: Workspace) -> list[dict[str, Any]]:
    out = []
    for pid in store.record_ids(ws):
        try:
            record = store.load_record(ws, pid)
        except ImrError as err:
            out.append({"id": pid, "error": err.message(ws.lang)})
            continue
        state = derive_state(record)
        row: dict[str, Any] = {
            "id": pid,
            "variant": state.variant,
            "format": state.format,
            "leader": state.leader,
            "sessions_held": len(state.sessions),
            "last_date": _last_attended(state),
        }
        out.append(row)
    return out


def _last_attended(state: ParticipantState) -> str | None:
    """The date of the last session the participant came to: an absence is not "last seen"."""
    last = state.last_session
    return str(last.get("date")) if last is not None and last.get("date") is not None else None
