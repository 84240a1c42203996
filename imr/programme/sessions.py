"""Logging what happened in a session, an absence, or a correction of an earlier entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as _date

from imr.core.dates import parse_date
from imr.core.errors import ImrError
from imr.core.strings import strings
from imr.programme.goals import require_steps
from imr.programme.planning import next_session
from imr.records.ids import SessionRef
from imr.records.kinds import HOMEWORK_REVIEW, PROFILE_KINDS, SCHEMA, SESSION_LIKE, validate_entry
from imr.records.record import Entry, Record
from imr.records.state import derive_state, effective_entries
from imr.workspace import store
from imr.workspace.folder import Workspace

EARLIEST_YEAR = 1900  # no record date (an enrolment, a session) lies before it


def check_date(value: str | None) -> str:
    """The session date as `YYYY-MM-DD`: today by default, never in the future."""
    if value is None:
        return store.today()
    parsed = parse_date(value)
    if parsed.year < EARLIEST_YEAR:
        raise ImrError("bad_date", date=str(value)[:40])  # `0001-01-01`: a slip, never a date in a record
    if parsed > _date.today():
        raise ImrError("future_date", date=parsed.isoformat())
    return parsed.isoformat()


def resolve_session(ws: Workspace, participant_id: str, module: int | None, session: int | None) -> SessionRef:
    """The session to log: the planned one unless both module and session are given."""
    if (module is None) != (session is None):
        raise ImrError("module_and_session_together")
    if module is not None and session is not None:
        given = SessionRef(module, session)
        ws.curriculum.session(given)
        return given
    _, state = store.load_state(ws, participant_id)
    planned = next_session(state, ws.curriculum)
    if planned is None:
        raise ImrError("programme_complete", id=participant_id)
    return planned


@dataclass(frozen=True)
class SessionLog:
    """What a leader reports about one session, built once by the CLI and passed down whole.

    For a group, `homework_review` is the default for every member present and
    `homework_reviews` holds per-member values; `significant_others` names the members whose
    relative or friend took part; `absent_ids` the members who did not come. `handout` is None
    when nobody said whether the handout was given: fidelity counts only what was recorded.
    `again` allows logging a session that the record already has on that date.
    """

    module: int | None = None
    session: int | None = None
    date: str | None = None
    by: str | None = None
    homework_review: str | None = None
    homework_reviews: dict[str, str] = field(default_factory=dict)
    homework: str | None = None
    note: str | None = None
    steps_done: tuple[str, ...] = ()
    absent: bool = False
    absent_ids: tuple[str, ...] = ()
    handout: bool | None = None
    significant_other: bool = False
    significant_others: tuple[str, ...] = ()
    again: bool = False


def parse_homework_review(value: str, lang: str = "sv") -> str:
    """A homework review as typed, in Swedish or English (`gjord`, `delvis`, `inte gjord`, `done`)."""

    text = " ".join(str(value).replace("-", " ").replace("_", " ").split()).casefold()
    for key in HOMEWORK_REVIEW:
        names = {key.replace("-", " ")}
        for code in ("sv", "en"):
            label = strings(code).get("cli", {}).get(f"diff_review_{key}")
            if isinstance(label, str):
                names.add(label.casefold())
                names.add(label.casefold().removesuffix(" gjord").removesuffix(" done"))
        if text in names:
            return key
    shown = [strings(lang).get("cli", {}).get(f"diff_review_{k}", k) for k in HOMEWORK_REVIEW]
    raise ImrError("bad_homework_review", value=str(value)[:40], allowed=", ".join(shown))


def session_entry(
    ws: Workspace,
    participant_id: str,
    *,
    ref: SessionRef,
    log: SessionLog,
    by: str,
    group: str | None = None,
    absent: bool = False,
    homework_review: str | None = None,
    steps_done: list[str] | None = None,
    significant_other: bool = False,
) -> dict:
    """Build (not write) one session or absence entry; used for one participant and for groups."""
    day = check_date(log.date)
    if homework_review is not None and homework_review not in HOMEWORK_REVIEW:
        homework_review = parse_homework_review(homework_review, ws.lang)
    if absent:
        fields = {
            "kind": "absent",
            "module": ref.module,
            "session": ref.session,
            "date": day,
            "note": log.note or None,
            "group": group,
        }
    else:
        fields = {
            "kind": "session",
            "module": ref.module,
            "session": ref.session,
            "date": day,
            "group": group,
            "homework_review": homework_review,
            "homework": log.homework or None,
            "note": log.note or None,
            "steps_done": steps_done or None,
            "handout": log.handout,
            "significant_other": True if significant_other else None,
        }
    entry = store.stamp(fields, by)
    store.check_new_entry(entry, ws)
    return entry


def already_logged(record: Record, entry: dict) -> Entry | None:
    """An entry in the record for the same session on the same date (after corrections)."""

    for old in effective_entries(record):
        if (
            old.kind in SESSION_LIKE
            and old.get("module") == entry.get("module")
            and old.get("session") == entry.get("session")
            and old.get("date") == entry.get("date")
        ):
            return old
    return None


def refuse_if_logged(record: Record, entry: dict, participant_id: str, again: bool) -> None:
    """Refuse the same session on the same date twice; with `again` (the leader said it really was
    another meeting) the entry is marked `again: true`, which the duplicate check accepts."""
    old = already_logged(record, entry)
    if again:
        if old is not None:
            entry["again"] = True
        return
    if old is not None:
        raise ImrError(
            "session_already_logged",
            id=participant_id,
            session=f"{entry['module']}.{entry['session']}",
            date=entry["date"],
            by=old.get("by"),
            entry=old.id,
        )


def log_session(ws: Workspace, participant_id: str, log: SessionLog) -> dict:
    """Append one session or absence entry; `handout` and `significant_other` feed `imr fidelity`."""
    signature = ws.signature(log.by)
    ref = resolve_session(ws, participant_id, log.module, log.session)
    review = parse_homework_review(log.homework_review, ws.lang) if log.homework_review else None
    entry = session_entry(
        ws,
        participant_id,
        ref=ref,
        log=log,
        by=signature,
        absent=log.absent,
        homework_review=None if log.absent else review,
        significant_other=log.significant_other and not log.absent,
    )

    def build(record: Record) -> list[dict]:
        new = dict(entry)
        if log.steps_done and not log.absent:
            new["steps_done"] = require_steps(derive_state(record), participant_id, list(log.steps_done))
        refuse_if_logged(record, new, participant_id, log.again)
        return [new]

    return store.append(ws, participant_id, build=build)[0]


def correct(
    ws: Workspace,
    participant_id: str,
    target: str | int,
    *,
    note: str,
    by: str | None = None,
    void: bool = False,
    set_fields: dict | None = None,
) -> dict:
    """Append a correction; the corrected entry stays in the file, readable, as the law requires.

    The target is named by its entry id (or a unique prefix), or by its number in `patient show`;
    the correction stores the id, or the position for an entry of an older record that has none.
    """
    signature = ws.signature(by)
    if not note or not note.strip():
        raise ImrError("empty_note")

    def build(record: Record) -> list[dict]:
        original = record.entry(target)
        if original.kind == "enrolled" and void:
            raise ImrError("cannot_void_enrolment")
        if set_fields:
            _check_set_fields(ws, original, set_fields)
        reference: str | int = original.data["id"] if isinstance(original.data.get("id"), str) else original.number
        return [
            store.stamp(
                {
                    "kind": "correction",
                    "target": reference,
                    "note": note,
                    "void": True if void else None,
                    "set": set_fields or None,
                },
                signature,
            )
        ]

    return store.append(ws, participant_id, build=build)[0]


def _check_set_fields(ws: Workspace, original: Entry, set_fields: dict) -> None:

    for key in set_fields:
        if key in ("kind", "at", "by", "id"):
            raise ImrError("correction_protected", field=key)
        if key not in original.data and key not in _settable(original.kind):
            raise ImrError("correction_unknown_field", field=key, kind=original.kind)
    merged = dict(original.data)
    merged.update(set_fields)
    problems = validate_entry(merged)
    if problems:
        raise ImrError("correction_invalid", field=", ".join(str(p[1].get("field", "")) for p in problems))
    if original.kind in SESSION_LIKE:
        ws.curriculum.session(SessionRef(merged["module"], merged["session"]))
    if original.kind in PROFILE_KINDS and "variant" in set_fields:
        ws.curriculum.check_variant(merged["variant"])


def _settable(kind: str) -> set[str]:

    required, optional = SCHEMA.get(kind, ({}, {}))
    return set(required) | set(optional)
