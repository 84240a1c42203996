"""Participant records: parsing `records/<id>.yaml` and checking it as a whole.

A record is a short header followed by a `log:` list. The log is the only source of truth;
everything a command shows (current session, goals, plan) is derived from it in
`imr.records.state`.

Format 2 (a `format: 2` line in the header): every entry carries a stable `id`, made at append
time under the workspace lock (eight random characters, e.g. `k3f9qa2m`), and every reference
between entries (a correction's target, a goal update, a step marked done, the relapse-plan
version a new one follows) names that id. Ids never depend on an entry's position, so a merge
that interleaves two clones' entries cannot make a reference point elsewhere.

Records written before format 2 (no `format:` line) are read as they always were: their entries
have no ids, and their references are positions (1 = the first entry) or goal labels. Their
bytes are never rewritten to migrate; new entries appended to them carry ids like any other.
An entry without an id is known by its position, written `#12`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from imr.core.errors import ImrError
from imr.core.files import read_regular
from imr.core.yamlio import YamlProblem, decode, decoded_as_is, dump, parse_text, quick_read
from imr.records.findings import Finding
from imr.records.ids import is_valid_id
from imr.records.kinds import PROFILE_KINDS, SESSION_LIKE, validate_entry

FORMAT = 2
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case: no i, l, o, u

HEADER_COMMENT = (
    "# IMR record (pseudonymous). Append-only: add entries with `imr`, never change or\n"
    "# remove earlier lines; a mistake is fixed with `imr correct`.\n"
)


class Entry:
    """One entry of a record's log: its position (from 1), the line it starts on, its fields.

    `kind` is asked for a dozen times per entry when a record is checked: kept, not looked up
    each time. The line of an entry of many read at once can be counted only when something
    asks for it (`lines`, a `_DashLines`): only a finding needs it, and most records have none.
    """

    __slots__ = ("_line", "_lines", "data", "kind", "number")

    def __init__(self, number: int, line: int, data: dict, lines: _DashLines | None = None) -> None:
        self.number = number
        self.data = data
        self.kind = data.get("kind", "")
        self._line = line
        self._lines = lines

    @property
    def line(self) -> int:
        if self._lines is not None:
            self._line = self._lines[self.number - 1]
            self._lines = None
        return self._line

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.number, self.line, self.data) == (other.number, other.line, other.data)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entry(number={self.number!r}, line={self.line!r}, data={self.data!r})"

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def id(self) -> str:
        """The stable id of a format-2 entry, or `#N` (its position) for an older one."""
        value = self.data.get("id")
        return value if isinstance(value, str) else f"#{self.number}"


@dataclass
class Record:
    id: str
    path: Path
    header: dict
    entries: list[Entry] = field(default_factory=list)

    @property
    def format(self) -> int:
        value = self.header.get("format")
        return value if isinstance(value, int) and not isinstance(value, bool) else 1

    def entry(self, ref: int | str) -> Entry:
        """The entry a user or a reference names: its id, a unique id prefix of four or more
        characters, `#N` or a plain number (its position in the log)."""
        text = str(ref).strip().lstrip("#")
        if text.isdigit():
            number = int(text)
            if 1 <= number <= len(self.entries):
                return self.entries[number - 1]
            raise ImrError("unknown_entry", entry=str(ref)[:20], id=self.id, count=len(self.entries))
        matches = [
            e
            for e in self.entries
            if isinstance(e.data.get("id"), str)
            and (e.data["id"] == text or (len(text) >= 4 and e.data["id"].startswith(text)))
        ]
        exact = [e for e in matches if e.data["id"] == text]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        raise ImrError("unknown_entry", entry=str(ref)[:20], id=self.id, count=len(self.entries))

    def resolve(self, ref: Any) -> Entry | None:
        """The entry a stored reference points at (an id, or an old record's position), or None."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.entries[ref - 1] if 1 <= ref <= len(self.entries) else None
        if isinstance(ref, str):
            for entry in self.entries:
                if entry.data.get("id") == ref:
                    return entry
        return None

    def enrolment_day(self) -> str | None:
        """The programme's first day: the enrolment's `date`, else the day it was written. Records
        from before format 2 could be registered afterwards, so there the earliest dated entry
        counts too (their sessions are never made invalid by the newer rule)."""
        if not self.entries or self.entries[0].kind != "enrolled":
            return None
        first = self.entries[0]
        day = first.get("date") if isinstance(first.get("date"), str) else str(first.get("at", ""))[:10]
        if self.format < FORMAT:
            dated = [e.get("date") for e in self.entries if isinstance(e.get("date"), str) and len(e.get("date")) == 10]
            day = min([day, *dated]) if day else (min(dated) if dated else None)
        return day if isinstance(day, str) and len(day) == 10 else None

    def ids(self) -> set[str]:
        return {e.data["id"] for e in self.entries if isinstance(e.data.get("id"), str)}


def new_entry_id(taken: set[str]) -> str:
    """Eight random characters, unique within the record (checked under the lock).

    The first is a letter: an id such as `12e45678`, `0x3fa9c2` or `0b1101ab` is a number to
    some YAML reader (so its record would need the strict reader, and the writer would quote
    it), and an id starting with digits has prefixes that read as an entry's number in
    `imr correct ID 63597`. Ids written before keep whatever shape they have."""
    while True:
        raw = int.from_bytes(os.urandom(5), "big")
        value = "".join(_ID_ALPHABET[(raw >> shift) & 31] for shift in range(35, -1, -5))
        if value not in taken and value[0].isalpha():
            return value


class RecordProblem(Exception):
    """A record file that cannot be used at all; carries a finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def read_record(path: Path, shown: str | None = None) -> Record:
    shown = shown or str(path)
    try:
        raw = read_regular(path)  # never through a link, never a FIFO or a folder
    except FileNotFoundError:
        raise
    except ImrError:
        raise RecordProblem(Finding(shown, 0, "not_regular_file_finding")) from None
    except OSError:
        raise RecordProblem(Finding(shown, 0, "file_unreadable")) from None
    return parse_record_bytes(raw, path, shown)


def parse_record_bytes(raw: bytes, path: Path, shown: str | None = None, many: bool = False) -> Record:
    """Parse a record from the bytes of its file (the bytes a cache key was computed from);
    raise RecordProblem with file:line when it is unusable. `many`: one of many records read
    at once (`yamlio.quick_read`)."""
    shown = shown or str(path)
    return parse_record_text(record_text(raw, shown), path, shown, many, raw)


def record_text(raw: bytes, shown: str) -> str:
    """A record file's bytes as text (`yamlio.decode`); RecordProblem when they are not."""
    try:
        return decode(raw)
    except YamlProblem as problem:
        raise RecordProblem(Finding(shown, problem.line, problem.code, problem.params)) from None


def parse_record_text(text: str, path: Path, shown: str, many: bool = False, raw: bytes | None = None) -> Record:
    """`parse_record_bytes` of the text `record_text` made of a file's bytes (`raw`, if given)."""
    try:
        quick = _quick_record_data(text, many, raw if raw is not None and decoded_as_is(raw) else None)
        data, lines = quick if quick is not None else (parse_text(text), None)
    except YamlProblem as problem:
        raise RecordProblem(Finding(shown, problem.line, problem.code, problem.params)) from None
    return record_from_data(data, path, shown, lines)


_LOG_KEY = re.compile(r"^log:[ \t]*(?:#.*)?$", re.MULTILINE)
_MARGIN = re.compile(r"\n(?=[^ \n])")  # a line that starts at the margin (from its line break: quick to find)


def _quick_record_data(
    text: str, many: bool = False, raw: bytes | None = None
) -> tuple[dict, list[int] | _DashLines] | None:
    """The record as `parse_text` reads it, from the quick reader (`yamlio.quick_read`), and the
    line each log entry starts on, found in the text; None where that is not certain (the caller
    then reads it the careful way). The entries are plain dicts (`parse_text` gives LineDicts
    that carry their lines), so none is copied.

    The entries' lines are the `- ` lines at the margin after `log:` (where the house style and
    every hand-edited record seen so far put them); anything else at the margin there ends the
    log, and a count that does not match the entries read leaves the record to the careful reader.
    """
    read = quick_read(text, many, raw)
    if read is None:
        return None
    data, writer_form = read
    if data.__class__ is not dict:
        return None
    log = data.get("log")
    if log.__class__ is not list:
        return None
    if log and writer_form:  # every entry a mapping on a `- ` line, and no other line so
        return data, _DashLines(text, len(log))
    if log:
        start = _LOG_KEY.search(text)
        if start is None:
            return None
        lines = []
        line, counted = 1, 0
        for mark in _MARGIN.finditer(text, start.end()):
            at = mark.end()
            if text.startswith("#", at):
                continue
            if not text.startswith("- ", at) or text[at + 2 : at + 3] in (" ", "#", "\n", ""):
                if text.startswith("-", at):
                    return None  # an entry that does not start on its dash's line
                break
            line += text.count("\n", counted, at)
            counted = at
            lines.append(line)
        if len(lines) != len(log):
            return None
        for item in log:
            if item.__class__ is not dict:
                return None
        return data, lines
    return data, []


class _DashLines:
    """The lines of a record's entries in the house writer's form (`_dash_lines`), counted the
    first time one is asked for. (The form has a `- ` line for each entry and no other: were
    the count ever another, the careful reader's lines are taken.)"""

    __slots__ = ("_count", "_lines", "_text")

    def __init__(self, text: str, count: int) -> None:
        self._text = text
        self._count = count
        self._lines: list[int] | None = None

    def _all(self) -> list[int]:
        if self._lines is None:
            lines = _dash_lines(self._text)
            if len(lines) != self._count:
                lines = [getattr(item, "line", 0) for item in parse_text(self._text)["log"]]
            self._lines = lines
            self._text = ""
        return self._lines

    def __getitem__(self, index: int) -> int:
        return self._all()[index]


def _dash_lines(text: str) -> list[int]:
    """The number of every line after the first that starts with `- ` (in the house writer's
    form, an entry's first line, and no other line does; the first line never does)."""
    lines = []
    line, counted = 1, 0
    at = text.find("\n- ")
    while at >= 0:
        line += text.count("\n", counted, at + 1)
        counted = at + 1
        lines.append(line)
        at = text.find("\n- ", counted)
    return lines


def record_from_data(data: Any, path: Path, shown: str, lines: list[int] | _DashLines | None = None) -> Record:
    """A record from what a reader gave: `parse_text`'s LineDicts, or plain dicts and the line
    each entry starts on (`lines`, from `_quick_record_data`)."""
    if not isinstance(data, dict):
        raise RecordProblem(Finding(shown, 1, "record_not_mapping"))
    log = data.get("log")
    if not isinstance(log, list):
        raise RecordProblem(Finding(shown, getattr(data, "line", 1), "record_log_not_list"))
    header = {k: v for k, v in data.items() if k != "log"}
    record_id = header.get("id")
    if isinstance(lines, _DashLines):
        entries = [Entry(i, 0, item, lines) for i, item in enumerate(log, start=1)]
    elif lines is not None:
        entries = [Entry(i, line, item) for i, (item, line) in enumerate(zip(log, lines, strict=True), start=1)]
    else:
        entries = [
            Entry(number=i, line=getattr(item, "line", 0), data=item if isinstance(item, dict) else {"kind": None})
            for i, item in enumerate(log, start=1)
        ]
    if not isinstance(record_id, str):
        record_id = path.stem
    return Record(id=record_id, path=path, header=header, entries=entries)


def validate_record(record: Record, shown: str, curriculum: Any = None) -> list[Finding]:
    """Every problem in a parsed record: header, each entry's shape, its references."""

    findings: list[Finding] = []
    expected_id = record.path.stem
    if record.header.get("id") != expected_id or not is_valid_id(expected_id):
        findings.append(
            Finding(shown, 1, "record_id_mismatch", {"id": str(record.header.get("id")), "file": expected_id})
        )
    if not record.entries:
        findings.append(Finding(shown, 1, "record_empty"))
    elif record.entries[0].kind != "enrolled":
        findings.append(Finding(shown, record.entries[0].line, "record_first_not_enrolled"))
    start = record.enrolment_day()
    today = date.today().isoformat()
    sessions = curriculum.session_pairs() if curriculum is not None else frozenset()
    for entry in record.entries:
        data = entry.data
        problems = validate_entry(data)
        if problems:
            for code, params in problems:
                findings.append(Finding(shown, entry.line, code, params))
        # (most entries are sessions that name one the curriculum has: nothing more to look at)
        kind = entry.kind
        if kind in _REFERRING_KINDS and (kind not in SESSION_LIKE or _unknown_session(data, sessions, curriculum)):
            findings.extend(_reference_problems(record, entry, shown, curriculum, sessions))
        day = data.get("date")
        if "set" in data or (day is not None and not (day.__class__ is str and (start or "") <= day <= today)):
            for code, params in date_problems(data, start, today):  # (a day between the two is fine: most)
                findings.append(Finding(shown, entry.line, code, params))
    return findings


def date_problems(entry: dict, start: str | None, today: str | None = None) -> list[tuple[str, dict]]:
    """The programme's clock, for a new entry and in `imr check` alike: no date (its own, or one a
    correction sets) in the future or, except the enrolment's, before the day of enrolment.
    `today` (ISO) is for a caller checking many entries at once."""
    today = today or date.today().isoformat()
    values = [entry.get("date")]
    if isinstance(entry.get("set"), dict):
        values.append(entry["set"].get("date"))
    out: list[tuple[str, dict]] = []
    for value in values:
        if not isinstance(value, str) or len(value) != 10:
            continue
        if value > today:
            out.append(("entry_date_future", {"date": value}))
        elif start and entry.get("kind") != "enrolled" and value < start:
            out.append(("entry_date_before_enrolment", {"date": value, "enrolled": start}))
    return out


# The kinds of entry that refer to another entry or to the curriculum (`_reference_problems`).
# (A tuple: a hand-edited `kind` may be a list, which no set can look up.)
_REFERRING_KINDS = ("correction", *SESSION_LIKE, *PROFILE_KINDS)


def _unknown_session(data: dict, sessions: frozenset[tuple[int, int]], curriculum: Any) -> bool:
    """Whether a session-like entry names a session the curriculum does not have."""
    module, number = data.get("module"), data.get("session")
    try:
        if (module, number) in sessions:
            return False  # (most: a session the curriculum has)
    except TypeError:  # a list or a mapping where a number should be
        pass
    return (
        curriculum is not None
        and isinstance(module, int)
        and isinstance(number, int)
        and (module, number) not in sessions
    )


def _reference_problems(
    record: Record, entry: Entry, shown: str, curriculum: Any, sessions: frozenset[tuple[int, int]]
) -> list[Finding]:
    data = entry.data
    out: list[Finding] = []
    kind = entry.kind
    if kind == "correction":
        target = record.resolve(data.get("target"))
        if target is not None and target.number < entry.number and isinstance(data.get("set"), dict):
            merged = dict(target.data)
            merged.update(data["set"])
            for key in ("kind", "at", "by", "id"):
                if key in data["set"]:
                    out.append(Finding(shown, entry.line, "correction_protected_field", {"field": key}))
            for code, params in validate_entry(merged):
                out.append(Finding(shown, entry.line, code, params))
    if curriculum is not None:
        if kind in SESSION_LIKE and _unknown_session(data, sessions, curriculum):
            out.append(
                Finding(shown, entry.line, "entry_unknown_session", {"ref": f"{data['module']}.{data['session']}"})
            )
        if (
            kind in PROFILE_KINDS
            and isinstance(data.get("variant"), str)
            and data["variant"] not in curriculum.variants
        ):
            out.append(Finding(shown, entry.line, "entry_unknown_variant", {"variant": data["variant"]}))
        if kind in PROFILE_KINDS and isinstance(data.get("module_order"), list):
            known = {m.number for m in curriculum.modules}
            for number in data["module_order"]:
                if number not in known:
                    out.append(Finding(shown, entry.line, "entry_unknown_module", {"module": number}))
    return out


def log_file_text(comment: str, header: dict, entries: list[dict]) -> str:
    """A new append-only file (record or group): comment, header, then the `log:` list last."""

    return comment + dump(header) + "log:\n" + dump(entries)


def new_record_text(participant_id: str, first_entry: dict) -> str:
    return log_file_text(HEADER_COMMENT, {"id": participant_id, "format": FORMAT}, [first_entry])


def day_of(value: Any) -> date | None:
    """The day an entry's `date` or `at` names (`2026-11-26`, `2026-11-26T14:03:00+01:00`), or None."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
