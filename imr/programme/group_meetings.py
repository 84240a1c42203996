"""A group's meetings: what `group show` tells, and logging one meeting for every member.

These need the group's place in the programme (`imr.programme.group_planning`), which in turn
reads the group file (`imr.programme.groups`); kept apart so each module imports only downwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imr.core.errors import ImrError
from imr.programme.goals import require_steps
from imr.programme.group_planning import group_progress
from imr.programme.groups import FIDELITY_MAX_MEMBERS, Group, read_group
from imr.programme.sessions import SessionLog, check_date, parse_homework_review, refuse_if_logged, session_entry
from imr.records.ids import SessionRef
from imr.records.record import Record
from imr.records.state import derive_state
from imr.workspace import store
from imr.workspace.folder import Workspace


def describe_group(ws: Workspace, name: str) -> dict[str, Any]:
    """What `group show` tells: leaders, days, members with their place, and the log."""
    group = read_group(ws, name)
    progress = group_progress(ws, group)
    members = []
    for pid in group.members:
        state = progress.states.get(pid)
        members.append(
            {
                "id": pid,
                "joined": group.joined.get(pid, "")[:10] or None,
                "variant": state.variant if state else None,
                "sessions_held": len(state.sessions) if state else None,
                "sessions_missed": len(state.absences) if state else None,
            }
        )
    last = progress.last_meeting
    return {
        "name": group.name,
        "created": group.created,
        "created_by": group.created_by,
        "leaders": group.leaders,
        "weekdays": group.weekdays,
        "size": len(group.members),
        "over_fidelity": len(group.members) > FIDELITY_MAX_MEMBERS,
        "members": members,
        "sessions_held": len(progress.held),
        "last_session": ({"session": str(last.ref), "date": last.date} if last else None),
        "next_session": (str(progress.next_ref) if progress.next_ref else None),
        "log": [
            {"kind": e.get("kind"), "at": e.get("at"), "by": e.get("by"), "id": e.get("id"), "note": e.get("note")}
            for e in group.log
        ],
    }


def parse_steps_done(values: list[str], members: list[str]) -> dict[str, list[str]]:
    """`p-01:G1.2` per step done in a group session, grouped per member."""
    out: dict[str, list[str]] = {}
    for value in values:
        pid, sep, step = str(value).partition(":")
        pid, step = pid.strip(), step.strip()
        if not sep or not pid or not step:
            raise ImrError("group_step_format", value=str(value)[:40])
        if pid not in members:
            raise ImrError("group_step_not_member", id=pid[:40])
        out.setdefault(pid, []).append(step)
    return out


def _per_member(
    values: list[str] | tuple[str, ...], members: list[str], error: str
) -> tuple[str | None, dict[str, str]]:
    """`VALUE` (a default for everyone present) and `ID:VALUE` items, checked against the members."""
    default: str | None = None
    per: dict[str, str] = {}
    for raw in values:
        pid, sep, value = str(raw).partition(":")
        if not sep:
            default = str(raw).strip()
            continue
        pid, value = pid.strip(), value.strip()
        if pid not in members:
            raise ImrError(error, id=pid[:40])
        per[pid] = value
    return default, per


def log_group_session(ws: Workspace, name: str, log: SessionLog, *, dry_run: bool = False) -> dict[str, Any]:
    """One entry in every member's record, `session` or `absent`, written all or nothing.

    Everything is checked before anything is written: the group, every absent id, every step,
    every member's record and every entry; then, under the lock, that no member already has this
    meeting on this date (two leaders logging one meeting) and that the membership is what it
    was; then all records change in one transaction. Per-member facts (homework review, a
    relative who took part, steps done) go only to the members they name; absentees get none.
    `dry_run` checks everything and writes nothing (before a note is written in an editor).
    """
    signature = ws.signature(log.by)
    group = read_group(ws, name)
    if not group.members:
        raise ImrError("group_no_members", name=name)
    absent_ids = _absent_ids(log, group.members, name)
    steps = parse_steps_done(list(log.steps_done), group.members)
    reviews = {pid: parse_homework_review(v, ws.lang) for pid, v in log.homework_reviews.items()}
    for pid in reviews:
        if pid not in group.members:
            raise ImrError("group_step_not_member", id=pid[:40])
    default_review = parse_homework_review(log.homework_review, ws.lang) if log.homework_review else None
    for pid in list(steps) + list(reviews) + list(log.significant_others):
        if pid not in group.members:
            raise ImrError("group_step_not_member", id=pid[:40])
        if pid in absent_ids:
            raise ImrError("group_step_absent", id=pid)
    day = check_date(log.date)
    ref = _meeting_ref(ws, group, name, log)
    members = list(group.members)
    entries: dict[str, dict] = {}
    for pid in members:
        is_absent = pid in absent_ids
        entries[pid] = session_entry(
            ws,
            pid,
            ref=ref,
            log=SessionLog(
                date=day,
                note=None if is_absent else log.note,
                homework=None if is_absent else log.homework,
                handout=log.handout,
            ),
            by=signature,
            group=name,
            absent=is_absent,
            homework_review=None if is_absent else reviews.get(pid, default_review),
            significant_other=pid in log.significant_others,
        )

    if not dry_run:
        store.append_many(
            ws, {pid: _member_builder(ws, name, pid, entries[pid], steps.get(pid), log.again) for pid in members}
        )
    return {
        "group": name,
        "session": str(ref),
        "date": day,
        "by": signature,
        "present": [pid for pid in members if pid not in absent_ids],
        "absent": absent_ids,
    }


def _absent_ids(log: SessionLog, members: list[str], name: str) -> list[str]:
    """The members said to be absent (`p-01,p-02` or one at a time), each once, in order."""
    absent_ids: list[str] = []
    for raw in log.absent_ids:
        for pid in (part.strip() for part in str(raw).split(",")):
            if not pid:
                continue
            if pid not in members:
                raise ImrError("group_absent_not_member", id=pid[:40], name=name)
            if pid not in absent_ids:
                absent_ids.append(pid)
    return absent_ids


def _meeting_ref(ws: Workspace, group: Group, name: str, log: SessionLog) -> SessionRef:
    """The session the meeting was: the one given (module and session together), else the
    group's next."""
    if (log.module is None) != (log.session is None):
        raise ImrError("module_and_session_together")
    progress = group_progress(ws, group)
    if log.module is not None and log.session is not None:
        ref = SessionRef(log.module, log.session)
        ws.curriculum.session(ref)
        return ref
    planned = progress.next_ref
    if planned is None:
        raise ImrError("group_programme_complete", name=name)
    return planned


def _member_builder(
    ws: Workspace, name: str, pid: str, prepared: dict, steps: list[str] | None, again: bool
) -> Callable[[Record], list[dict]]:
    """Builds one member's entry under the lock: the membership unchanged, the steps done still
    the member's, the meeting not already logged."""

    def build(record: Record) -> list[dict]:
        if pid not in read_group(ws, name).members:
            raise ImrError("group_changed", name=name)
        entry = dict(prepared)
        if steps is not None:
            entry["steps_done"] = require_steps(derive_state(record), pid, steps)
        refuse_if_logged(record, entry, pid, again)
        return [entry]

    return build
