"""Reading and appending participant records in a workspace, by participant id.

This is the only module that knows that a participant lives in `records/<id>.yaml`; all
writes go through `imr.records.writer`, all checks of new entries through `imr.records.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.files import check_regular
from imr.core.strings import label
from imr.records import writer
from imr.records.findings import Finding
from imr.records.ids import check_participant_id, is_valid_id
from imr.records.kinds import free_texts, validate_entry
from imr.records.parsed import read_one
from imr.records.pii import find_pii, hand_written_hit, identifier_name, identifier_problem
from imr.records.record import Record, RecordProblem, date_problems, new_entry_id, new_record_text, record_from_data
from imr.records.state import ParticipantState, derive_state
from imr.workspace.folder import Workspace


def now_timestamp() -> str:
    """Local time with its UTC offset, to the second (as Swedish records expect)."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def today() -> str:
    return date.today().isoformat()


def record_ids(ws: Workspace) -> list[str]:
    if not ws.records_dir.is_dir():
        return []
    return sorted(p.stem for p in ws.records_dir.glob("*.yaml") if is_valid_id(p.stem))


def load_record(ws: Workspace, participant_id: str) -> Record:

    path = ws.record_path(participant_id)
    try:
        return read_one(path, ws.root, shown=f"records/{path.name}")
    except FileNotFoundError:
        raise ImrError("unknown_participant", id=participant_id) from None
    except RecordProblem as problem:
        f = problem.finding
        raise ImrError(
            "record_broken", where=f"{f.path}:{f.line}", reason=f.message(ws.lang).split(": ", 1)[-1]
        ) from None


def load_state(ws: Workspace, participant_id: str) -> tuple[Record, ParticipantState]:
    record = load_record(ws, participant_id)
    return record, derive_state(record)


def stamp(entry: dict, by: str) -> dict:
    """An entry with `kind` first, then `at` and `by`, then its own fields in order."""
    out = {"kind": entry["kind"], "at": now_timestamp(), "by": by}
    out.update({k: v for k, v in entry.items() if k != "kind" and v is not None})
    return out


def check_new_entry(entry: dict, ws: Workspace, validate=None, record: Record | None = None) -> dict:
    """Refuse an entry that does not fit its schema, the date rules or the PII rules, before any write.

    `validate` defaults to the record schema; group files pass their own. With `record` (the
    file as it is under the lock), dates are also held to the participant's enrolment.
    """

    problems = (validate or validate_entry)(entry)
    if problems:
        code, params = problems[0]
        raise ImrError("invalid_entry", reason=_finding_text(code, params, ws.lang))
    check_dates(entry, record)
    check_personal_data(free_texts(entry), ws)
    names = [entry.get("by"), entry.get("leader"), entry.get("group"), *(entry.get("leaders") or [])]
    for value in names:
        if isinstance(value, str):
            check_identifier(value, ws, "signature")
    # every other hand-written place (nested values, keys), by the same function `imr check` uses
    hit = hand_written_hit(entry, ws.allowed_words)
    if hit:
        raise PersonalDataRefused(hit, ws.lang, "")
    return entry


def check_personal_data(texts: list[str], ws: Workspace) -> None:
    """Refuse free text that holds personal data, with a sentence that says how to write it."""

    allow = ws.allowed_words
    for text in texts:
        hit = find_pii(text, allow)
        if hit:
            raise PersonalDataRefused(hit, ws.lang, text)


class PersonalDataRefused(ImrError):
    """Free text the guard refused; carries the text so an editor session can keep it for the user."""

    def __init__(self, hit, lang: str, text: str) -> None:
        super().__init__("pii_refused", what=hit.label(lang), text=hit.masked(), advice=hit.advice(lang))
        self.refused_text = text


_DATE_ERRORS = {"entry_date_future": "future_date", "entry_date_before_enrolment": "date_before_enrolment"}


def check_dates(entry: dict, record: Record | None) -> None:
    """Refuse a new entry whose dates `imr check` would report (see `records.date_problems`)."""
    for code, params in date_problems(entry, record.enrolment_day() if record is not None else None):
        raise ImrError(_DATE_ERRORS[code], **params)


def _finding_text(code: str, params: dict, lang: str) -> str:
    """A refused new entry's reason, with the field as the person typing calls it (”anteckning”,
    not ”note”); `imr check` keeps the key as the file has it, for whoever fixes the file."""
    from imr.core.strings import strings

    if isinstance(params.get("field"), str):
        names = strings(lang).get("values", {}).get("field", {})
        params = {**params, "field": names.get(params["field"], params["field"])}

    return Finding("", 0, code, params).message(lang).split(": ", 1)[-1]


EntryBuilder = Callable[[Record], list[dict]]


def _builder(ws: Workspace, path: Path, entries: list[dict] | None, build: EntryBuilder | None):
    """The writer's callback: under the lock, build the entries from the record as it is now,
    give each a fresh id, and check them against that record."""

    def run(data) -> list[dict]:
        record = record_from_data(data, path, f"records/{path.name}")
        new = build(record) if build is not None else list(entries or [])
        taken = record.ids()
        out = []
        for entry in new:
            entry = with_id(entry, taken)
            taken.add(entry["id"])
            check_new_entry(entry, ws, record=record)
            out.append(entry)
        return out

    return run


def with_id(entry: dict, taken: set[str]) -> dict:
    """The entry with a fresh `id` as its first key (kept if it already has one)."""
    if isinstance(entry.get("id"), str):
        return entry
    out = {"id": new_entry_id(taken)}
    out.update(entry)
    return out


def append(
    ws: Workspace, participant_id: str, entries: list[dict] | None = None, *, build: EntryBuilder | None = None
) -> list[dict]:
    """Append entries to one record, or those `build(record)` makes under the lock; returns them."""
    path = _existing(ws, participant_id)
    change = writer.Append(path, build=_builder(ws, path, entries, build))
    writer.write_changes([change], ws.lock_path)
    return change.entries


def append_many(ws: Workspace, changes: dict[str, list[dict] | EntryBuilder]) -> dict[str, list[dict]]:
    """Append to several records as one all-or-nothing transaction (a group session).

    Each value is the entries for that record or a builder run under the lock.
    """
    appends: list[writer.Append | writer.Create] = []
    for participant_id, value in changes.items():
        path = _existing(ws, participant_id)
        if callable(value):
            appends.append(writer.Append(path, build=_builder(ws, path, None, value)))
        else:
            appends.append(writer.Append(path, build=_builder(ws, path, value, None)))
    writer.write_changes(appends, ws.lock_path)
    return {pid: change.entries for pid, change in zip(changes, appends, strict=False)}


def _existing(ws: Workspace, participant_id: str) -> Path:

    path = ws.record_path(participant_id)
    try:
        check_regular(path)
    except FileNotFoundError:
        raise ImrError("unknown_participant", id=participant_id) from None
    return path


def create(ws: Workspace, participant_id: str, first_entry: dict) -> Path:

    check_participant_id(participant_id)
    check_identifier(participant_id, ws, "participant")
    path = ws.record_path(participant_id)
    if check_regular(path, missing_ok=True):
        raise ImrError("record_exists", path=participant_id)
    first_entry = with_id(first_entry, set())
    check_new_entry(first_entry, ws)
    ws.records_dir.mkdir(exist_ok=True)
    text = new_record_text(participant_id, first_entry)
    writer.write_changes([writer.Create(path, text, [first_entry])], ws.lock_path)
    return path


def check_identifier(value: str, ws: Workspace, what: str) -> None:
    """Refuse an id, group name or signature shaped like a personnummer, phone number or e-mail,
    or holding a name (`kalle-andersson`, `evas-grupp`, `Anna Svensson`; the ward's allow-list
    lets real words through)."""

    hit = identifier_problem(value) or identifier_name(value, ws.allowed_words)
    if hit:
        raise ImrError(
            "pii_in_identifier",
            what=hit.label(ws.lang),
            value=hit.masked(),
            field=label("cli", f"identifier_{what}", ws.lang),
        )
