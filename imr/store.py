"""Reading and appending participant records in a workspace, by participant id.

This is the only module that knows that a participant lives in `records/<id>.yaml`; all
writes go through `imr.writer`, all checks of new entries through `imr.entries`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from imr.errors import ImrError
from imr.ids import check_participant_id, is_valid_id
from imr.records import Record, RecordProblem, new_record_text
from imr.state import ParticipantState, derive_state
from imr.workspace import Workspace


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
    from imr.records_cache import read_one

    path = ws.record_path(participant_id)
    try:
        return read_one(path, ws.root, shown=f"records/{path.name}")
    except FileNotFoundError:
        raise ImrError("unknown_participant", id=participant_id) from None
    except RecordProblem as problem:
        f = problem.finding
        raise ImrError("record_broken", where=f"{f.path}:{f.line}", reason=f.message(ws.lang).split(": ", 1)[-1]) from None


def load_state(ws: Workspace, participant_id: str) -> tuple[Record, ParticipantState]:
    record = load_record(ws, participant_id)
    return record, derive_state(record)


def stamp(entry: dict, by: str) -> dict:
    """An entry with `kind` first, then `at` and `by`, then its own fields in order."""
    out = {"kind": entry["kind"], "at": now_timestamp(), "by": by}
    out.update({k: v for k, v in entry.items() if k != "kind" and v is not None})
    return out


def check_new_entry(entry: dict, ws: Workspace, validate=None) -> dict:
    """Refuse an entry that does not fit its schema or the PII rules, before any write.

    `validate` defaults to the record schema; group files pass their own.
    """
    from imr.entries import free_texts, validate_entry
    from imr.pii import find_pii

    problems = (validate or validate_entry)(entry)
    if problems:
        code, params = problems[0]
        raise ImrError("invalid_entry", reason=_finding_text(code, params, ws.lang))
    for text in free_texts(entry):
        hit = find_pii(text)
        if hit:
            raise ImrError("pii_in_text", what=hit.label(ws.lang))
    return entry


def _finding_text(code: str, params: dict, lang: str) -> str:
    from imr.findings import Finding

    return Finding("", 0, code, params).message(lang).split(": ", 1)[-1]


def append(ws: Workspace, participant_id: str, entries: list[dict]) -> None:
    path = ws.record_path(participant_id)
    if not path.exists():
        raise ImrError("unknown_participant", id=participant_id)
    from imr import writer

    for entry in entries:
        check_new_entry(entry, ws)
    writer.append_entries(path, entries, ws.lock_path)


def append_many(ws: Workspace, changes: dict[str, list[dict]]) -> None:
    """Append to several records as one all-or-nothing transaction (a group session)."""
    from imr import writer

    appends = []
    for participant_id, entries in changes.items():
        path = ws.record_path(participant_id)
        if not path.exists():
            raise ImrError("unknown_participant", id=participant_id)
        for entry in entries:
            check_new_entry(entry, ws)
        appends.append(writer.Append(path, entries))
    writer.write_changes(appends, ws.lock_path)


def create(ws: Workspace, participant_id: str, first_entry: dict) -> Path:
    check_participant_id(participant_id)
    path = ws.record_path(participant_id)
    if path.exists():
        raise ImrError("record_exists", path=participant_id)
    check_new_entry(first_entry, ws)
    ws.records_dir.mkdir(exist_ok=True)
    from imr import writer

    text = new_record_text(participant_id, first_entry)
    writer.write_changes([writer.Create(path, text, [first_entry])], ws.lock_path)
    return path
