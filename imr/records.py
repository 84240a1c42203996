"""Participant records: parsing `records/<id>.yaml` and checking it as a whole.

A record is a short header followed by a `log:` list. The log is the only source of truth;
everything a command shows (current session, goals, plan) is derived from it in
`imr.state`. Corrections are entries too: they point at an earlier entry by its number
(1 = the first entry in the log), and the earlier entry stays as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr.errors import ImrError
from imr.findings import Finding
from imr.ids import is_valid_id
from imr.yamlio import YamlProblem, decode, parse_text

HEADER_COMMENT = (
    "# IMR record (pseudonymous). Append-only: add entries with `imr`, never change or\n"
    "# remove earlier lines; a mistake is fixed with `imr correct`.\n"
)


@dataclass
class Entry:
    number: int
    line: int
    data: dict

    @property
    def kind(self) -> str:
        return self.data.get("kind", "")

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class Record:
    id: str
    path: Path
    header: dict
    entries: list[Entry] = field(default_factory=list)

    def entry(self, number: int) -> Entry:
        if 1 <= number <= len(self.entries):
            return self.entries[number - 1]
        raise ImrError("unknown_entry", entry=number, id=self.id, count=len(self.entries))


class RecordProblem(Exception):
    """A record file that cannot be used at all; carries a finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def read_record(path: Path, shown: str | None = None) -> Record:
    shown = shown or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise
    except OSError:
        raise RecordProblem(Finding(shown, 0, "file_unreadable")) from None
    return parse_record_bytes(raw, path, shown)


def parse_record_bytes(raw: bytes, path: Path, shown: str | None = None) -> Record:
    """Parse a record from the bytes of its file (the bytes a cache key was computed from);
    raise RecordProblem with file:line when it is unusable."""
    shown = shown or str(path)
    try:
        data = parse_text(decode(raw))
    except YamlProblem as problem:
        raise RecordProblem(Finding(shown, problem.line, problem.code, problem.params)) from None
    return _record_from(data, path, shown)


def _record_from(data: Any, path: Path, shown: str) -> Record:
    if not isinstance(data, dict):
        raise RecordProblem(Finding(shown, 1, "record_not_mapping"))
    log = data.get("log")
    if not isinstance(log, list):
        raise RecordProblem(Finding(shown, getattr(data, "line", 1), "record_log_not_list"))
    header = {k: v for k, v in data.items() if k != "log"}
    record_id = header.get("id")
    entries = [Entry(number=i, line=getattr(item, "line", 0), data=item if isinstance(item, dict) else {"kind": None})
               for i, item in enumerate(log, start=1)]
    if not isinstance(record_id, str):
        record_id = path.stem
    return Record(id=record_id, path=path, header=header, entries=entries)


def validate_record(record: Record, shown: str, curriculum=None) -> list[Finding]:
    """Every problem in a parsed record: header, each entry's shape, its references."""
    from imr.entries import validate_entry

    findings: list[Finding] = []
    expected_id = record.path.stem
    if record.header.get("id") != expected_id or not is_valid_id(expected_id):
        findings.append(Finding(shown, 1, "record_id_mismatch", {"id": str(record.header.get("id")), "file": expected_id}))
    if not record.entries:
        findings.append(Finding(shown, 1, "record_empty"))
    elif record.entries[0].kind != "enrolled":
        findings.append(Finding(shown, record.entries[0].line, "record_first_not_enrolled"))
    for entry in record.entries:
        for code, params in validate_entry(entry.data):
            findings.append(Finding(shown, entry.line, code, params))
        findings.extend(_reference_problems(record, entry, shown, curriculum))
    return findings


def _reference_problems(record: Record, entry: Entry, shown: str, curriculum) -> list[Finding]:
    data = entry.data
    out: list[Finding] = []
    kind = entry.kind
    if kind == "correction":
        target = data.get("target")
        if isinstance(target, int) and not (1 <= target < entry.number):
            out.append(Finding(shown, entry.line, "correction_bad_target", {"target": target}))
        elif isinstance(target, int) and isinstance(data.get("set"), dict):
            from imr.entries import validate_entry

            merged = dict(record.entries[target - 1].data)
            merged.update(data["set"])
            for key in ("kind", "at", "by"):
                if key in data["set"]:
                    out.append(Finding(shown, entry.line, "correction_protected_field", {"field": key}))
            for code, params in validate_entry(merged):
                out.append(Finding(shown, entry.line, code, params))
    if curriculum is not None:
        if kind in ("session", "absent") and isinstance(data.get("module"), int) and isinstance(data.get("session"), int):
            from imr.ids import SessionRef

            if not curriculum.has_session(SessionRef(data["module"], data["session"])):
                out.append(Finding(shown, entry.line, "entry_unknown_session", {"ref": f"{data['module']}.{data['session']}"}))
        if kind in ("enrolled", "profile") and isinstance(data.get("variant"), str) and data["variant"] not in curriculum.variants:
            out.append(Finding(shown, entry.line, "entry_unknown_variant", {"variant": data["variant"]}))
        if kind in ("enrolled", "profile") and isinstance(data.get("module_order"), list):
            known = {m.number for m in curriculum.modules}
            for number in data["module_order"]:
                if number not in known:
                    out.append(Finding(shown, entry.line, "entry_unknown_module", {"module": number}))
    return out


def log_file_text(comment: str, header: dict, entries: list[dict]) -> str:
    """A new append-only file (record or group): comment, header, then the `log:` list last."""
    from imr.yamlio import dump

    return comment + dump(header) + "log:\n" + dump(entries)


def new_record_text(participant_id: str, first_entry: dict) -> str:
    return log_file_text(HEADER_COMMENT, {"id": participant_id}, [first_entry])
