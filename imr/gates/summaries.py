"""What `imr status` and `imr check` need from each record, computed once per version of its bytes.

Both commands look at every record in the workspace, and on a region's workspace (a thousand
participants, tens of thousands of entries) parsing and checking them is most of the work. The
result for one record depends only on its bytes, the shape of the curriculum (which sessions,
modules and variants exist) and the code of `imr` itself, so it is kept in
`.imr-cache/summaries.json` under those three keys: a record whose bytes changed is parsed and
checked again, and a change to the curriculum's shape or to any `imr` module starts afresh.
Like every cache here it is never the source of truth and is safe to delete. `imr fidelity`
keeps its per-record facts the same way, in `.imr-cache/fidelity.json` (`fidelity_facts`).

Many stale records at once (a fresh clone, a deleted cache, a large `git pull`) are parsed and
checked on every core (`imr.records.parallel`).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from imr.core.cache import CACHE_DIR, code_fingerprint, digest, place, read_json, stamp, unchanged, write_json
from imr.core.errors import ImrError
from imr.core.files import read_regular_stat
from imr.records.findings import Finding, jsonable
from imr.records.findings import comment_findings as _comment_findings
from imr.records.ids import is_valid_id
from imr.records.parallel import PARALLEL_FROM, map_paths, paused_gc
from imr.records.pii import SCANNER_VERSION

_VERSION = 4


@dataclass
class Summary:
    """One record file as the whole-workspace commands see it.

    `problem` is set when the file cannot be read as a record at all; then `findings` holds just
    that problem and there is no `row`. `row` is the status row without the fields that depend
    on today's date; `since` is the date those are counted from.
    """

    name: str  # the file's name in `folder` (a Path for each of a region's records is made only when asked for)
    findings: list[Finding]
    problem: Finding | None = None
    row: dict[str, Any] | None = None
    since: str | None = None
    folder: Path | None = None

    @property
    def path(self) -> Path:
        return Path(self.name) if self.folder is None else self.folder / self.name


def summaries(ws, curriculum, full: bool = True) -> list[Summary]:
    """A summary of every `records/*.yaml`, in file-name order, from the cache where it is fresh.

    `full`: every record's bytes are hashed to know whether its cached summary is fresh (what
    the gates need: the hook, `imr check --since`, `--full`, sync). Without it (`imr status`,
    a plain `imr check`), a record whose stat is the one it had when it was hashed is trusted
    without being read (`imr.core.cache.stamp`).
    """
    out = []
    folder = ws.records_dir
    for name, payload in _payloads(ws, curriculum, full=full):
        try:
            out.append(_from_payload(name, folder, payload))
        except (KeyError, IndexError, TypeError, ValueError):  # a tampered cache entry: read the file
            out.append(_from_payload(name, folder, _summarise(folder / name, (curriculum, ws.allowed_words))[2]))
    return out


def fidelity_facts(ws, curriculum, full: bool = False) -> list[tuple[Path, str | None, Any]]:
    """Each record's fidelity facts (`imr.gates.record_facts.person_facts` over every dated entry), or the
    code of the problem that stops it being read.

    Kept in `.imr-cache/fidelity.json`, under the same keys and signature as the status rows
    (and trusted no more than they are), but apart from them: `imr fidelity` loads neither the
    findings nor the rows, and `imr status` not the facts. A warm run builds no entries; what
    the facts mean, and when they hold, is for `imr.reports.fidelity` to judge.
    """
    out = []
    folder = ws.records_dir
    for name, payload in _payloads(ws, curriculum, "fidelity", full=full):
        path = folder / name
        try:
            problem, facts = payload
            out.append((path, str(problem[2]) if problem is not None else None, facts if problem is None else None))
        except (IndexError, TypeError, ValueError):  # a tampered cache entry: the caller reads the file
            out.append((path, None, None))
    return out


def _payloads(ws, curriculum, kind: str = "summaries", full: bool = True) -> list[tuple[str, list]]:
    """Every record's name and payload in file-name order: cached where its bytes are unchanged, made
    (on every core, when many) where not; the cache is rewritten when anything changed."""

    with paused_gc():  # the cache alone is a few hundred thousand small objects on a region's workspace
        return _payloads_now(ws, curriculum, kind, full)


def _payloads_now(ws, curriculum, kind: str, full: bool) -> list[tuple[str, list]]:
    records_dir = ws.records_dir
    if not records_dir.is_dir():
        return []
    cache_path = ws.root / CACHE_DIR / f"{kind}.json"
    make = _summary_read if kind == "summaries" else _fidelity_read
    allow = ws.allowed_words
    context = _context(curriculum, allow)
    here = place(records_dir)
    cached, cached_place = _read_cache(cache_path, context)
    trust_stat = not full and here is not None and cached_place == here
    folder = str(records_dir)
    names = record_names(records_dir)
    keys: dict[str, str] = {}
    payloads: dict[str, list] = {}
    stamps: dict[str, list[int] | None] = {}
    stale: list[str] = []
    changed = cached_place != here  # the stamps are rewritten for this folder
    now = time.time_ns()  # before any stat below: see imr.core.cache.stamp
    for name in names if cached else ():  # on a first run every file is stale: no need to read it here
        hit = cached.get(name)
        path = os.path.join(folder, name)
        try:
            stat = os.lstat(path)
        except OSError:
            stat = None
        if stat is None or not S_ISREG(stat.st_mode):
            key = ""
        elif trust_stat and hit and unchanged(stat, hit[2]):
            keys[name], payloads[name], stamps[name] = hit[0], hit[1], hit[2]
            continue
        else:
            try:
                with open(path, "rb") as handle:
                    key = digest(handle.read())
            except OSError:
                key = ""
            stamps[name] = stamp(stat, now)
            changed = changed or hit is None or hit[2] != stamps[name]
        keys[name] = key
        if key and hit and hit[0] == key:
            payloads[name] = hit[1]
        else:
            stale.append(name)
    if not cached:
        stale = names
    many = len(stale) >= PARALLEL_FROM  # (the writer's form pays for its compiling from about as many)

    if stale:  # what reading a record takes, imported (and compiled) once here rather than in every worker
        import imr.gates.integrity
        import imr.gates.record_facts
        import imr.programme.goals
        import imr.records.record
        import imr.records.state  # noqa: F401
        from imr.core.yamlio import writer_form

        if many:
            writer_form()
    for name, key, payload, made_stamp in map_paths(_stamped, stale, records_dir, make, (curriculum, allow), many):
        keys[name], payloads[name], stamps[name] = key, payload, made_stamp
        changed = changed or bool(key)
    kept = [name for name in names if keys[name]]
    if changed or cached.keys() != set(kept):
        fresh = {name: [keys[name], payloads[name], stamps.get(name)] for name in kept}
        write_json(cache_path, {"version": _VERSION, "context": context, "place": here, "files": fresh})
    return [(name, payloads[name]) for name in names]


def record_names(records_dir: Path) -> list[str]:
    """The names `sorted(records_dir.glob("*.yaml"))` gives, without making and comparing ten
    thousand Path objects: sorted as strings, as pathlib compares them (case-folded on
    Windows, where the match is case-insensitive too)."""
    fold = os.name == "nt"
    with os.scandir(records_dir) as listing:
        names = [entry.name for entry in listing if (entry.name.lower() if fold else entry.name).endswith(".yaml")]
    names.sort(key=str.lower if fold else None)
    return names


def _stamped(name: str, folder: Path, make, context: tuple, many: bool) -> tuple[str, str, list, list[int] | None]:
    """`make(folder / name, context)` with the stamp of the file as it was just before it was
    read (the stat `make` gives is of the open file, taken before its bytes were read). Names,
    not paths, go to the workers: a path is several times dearer to send and to receive."""
    now = time.time_ns()
    name, key, payload, stat = make(folder / name, context, many)
    return name, key, payload, stamp(stat, now) if stat is not None and key else None


def _context(curriculum, allow: frozenset[str]) -> str:
    """What, besides a record's bytes, its summary depends on: curriculum shape and imr's code."""
    shape = {
        "variants": sorted(curriculum.variants),
        "sessions": [[m.number, [s.number for s in m.sessions]] for m in curriculum.modules],
    }
    return digest(
        json.dumps([_VERSION, shape, code_fingerprint(), sorted(allow), SCANNER_VERSION], sort_keys=True).encode()
    )


def _read_cache(path: Path, context: str) -> tuple[dict[str, list], object]:
    """The cached entries (each `[digest, payload, stamp]`) and the place their stamps belong to."""
    data = read_json(path)
    try:
        if data.get("version") == _VERSION and data.get("context") == context:
            files = data["files"]
            if isinstance(files, dict) and all(isinstance(v, list) and len(v) == 3 for v in files.values()):
                return files, data.get("place")
    except (KeyError, TypeError, AttributeError):
        pass
    return {}, None


def _record_bytes(path: Path, shown: str) -> tuple[bytes | None, os.stat_result | None, list | None]:
    """A record file's bytes and the stat of the file read, or (None, None, the finding that
    says why it cannot be read, as JSON). `read_regular_stat` never follows a link and refuses
    anything but a regular file, so no stat is needed first; a file gone since the folder was
    listed is no regular file either."""
    try:
        raw, stat = read_regular_stat(path)
        return raw, stat, None
    except (ImrError, FileNotFoundError):
        return None, None, Finding(shown, 0, "not_regular_file_finding").to_json()
    except OSError:
        return None, None, Finding(shown, 0, "file_unreadable").to_json()


def _summarise(path: Path, context: tuple, many: bool = False) -> tuple[str, str, list]:
    """Parse and check one record: its name, the digest of the bytes read, a JSON-ready payload.
    `many`: one of many read at once (`imr.records.record.parse_record_bytes`)."""
    return _summary_read(path, context, many)[:3]  # type: ignore[return-value]


def _summary_read(path: Path, context: tuple, many: bool = False) -> tuple[str, str, list, os.stat_result | None]:
    """`_summarise`, and the stat of the file it read."""
    from imr.core.yamlio import decoded_as_is
    from imr.gates.record_facts import participant_row
    from imr.records.record import RecordProblem, parse_record_text, record_text
    from imr.records.state import derive_state

    curriculum, allow = context

    shown = f"records/{path.name}"
    raw, stat, unreadable = _record_bytes(path, shown)
    if raw is None:
        return path.name, "", [unreadable, [], None, None], None
    key = digest(raw)
    try:
        text = record_text(raw, shown)
        record = parse_record_text(text, path, shown, many, raw)
    except RecordProblem as exc:
        return path.name, key, [exc.finding.to_json(), [], None, None], stat
    findings = record_findings(record, shown, curriculum, allow)
    if not decoded_as_is(raw):  # the comments are scanned in the file's own text
        text = raw.decode("utf-8", "replace")
    findings.extend(comment_findings(text, shown, allow))
    row, since = None, None

    if is_valid_id(path.stem):
        row, since = participant_row(derive_state(record), curriculum)
    return path.name, key, [None, [f.to_json() for f in findings], jsonable(row), since], stat


def _fidelity_payload(path: Path, context: tuple, many: bool = False) -> tuple[str, str, list]:
    """One record's fidelity facts (or the problem that stops it being read), with the digest
    of the bytes read; the facts are None for a file that is not a participant's record."""
    return _fidelity_read(path, context, many)[:3]  # type: ignore[return-value]


def _fidelity_read(path: Path, context: tuple, many: bool = False) -> tuple[str, str, list, os.stat_result | None]:
    """`_fidelity_payload`, and the stat of the file it read."""
    from imr.gates.record_facts import person_facts
    from imr.records.record import RecordProblem, parse_record_bytes
    from imr.records.state import derive_state

    curriculum, _ = context

    shown = f"records/{path.name}"
    raw, stat, unreadable = _record_bytes(path, shown)
    if raw is None:
        return path.name, "", [unreadable, None], None
    key = digest(raw)
    try:
        record = parse_record_bytes(raw, path, shown, many=many)
    except RecordProblem as exc:
        return path.name, key, [exc.finding.to_json(), None], stat

    if not is_valid_id(path.stem):
        return path.name, key, [None, None], stat
    return path.name, key, [None, person_facts(record, derive_state(record), curriculum, None, None)], stat


def comment_findings(text: str, shown: str, allow: frozenset[str] = frozenset()) -> list[Finding]:
    """Personal data in a record's comments (the one scan in imr.records.findings)."""
    from imr.records.record import HEADER_COMMENT

    return _comment_findings(text, shown, allow, HEADER_COMMENT)


# What the personal-data scan found in each text already scanned in this process, for the
# allow-list it was scanned with. Most of a record's strings are in other records too (field
# names, kinds, signatures, dates, "done", homework given again), and scanning them is most of
# checking a record; the scan depends on the text and the allow-list alone. Emptied when full,
# so a region's hundreds of thousands of unique notes never pile up.
_SCANNED: dict = {}
_SCANNED_FOR: list[frozenset[str]] = []
_SCANNED_MAX = 100_000


def _scanned(allow: frozenset[str]) -> dict:
    if [allow] != _SCANNED_FOR or len(_SCANNED) > _SCANNED_MAX:
        _SCANNED.clear()
        _SCANNED_FOR[:] = [allow]
    return _SCANNED


def record_findings(record, shown: str, curriculum, allow: frozenset[str] = frozenset()) -> list[Finding]:
    """Every finding in one parsed record: shape, references, dates, duplicates, personal data."""
    from imr.gates.integrity import duplicate_findings
    from imr.programme.goals import goal_reference_problems
    from imr.records.pii import hand_written_hit, identifier_name
    from imr.records.record import validate_record

    findings = validate_record(record, shown, curriculum)
    findings.extend(goal_reference_problems(record, shown))
    findings.extend(duplicate_findings(record, shown))
    scanned = _scanned(allow)  # a text seen before in this process (a key, a signature, a date) is scanned once
    # Every hand-written place: free text, by:/leader:, nested values, keys (one function with
    # the writer, so the allow-list means the same on both sides). All entries at once first:
    # nearly every record has nothing, and only one that has is looked at entry by entry.
    if hand_written_hit([entry.data for entry in record.entries], allow, scanned) is not None:
        for entry in record.entries:
            hit = hand_written_hit(entry.data, allow, scanned)
            if hit:
                findings.append(Finding(shown, entry.line, f"pii_found_{hit.kind}"))
    for key, _value in record.header.items():
        if key in ("id", "format"):
            continue
        findings.append(
            Finding(shown, getattr(record.header, "line", 1), "record_unknown_header", {"field": str(key)[:40]})
        )
    header_hit = hand_written_hit({k: v for k, v in record.header.items() if k != "id"}, allow, scanned)
    named = str(record.header.get("id", ""))
    stem = record.path.stem
    name_hit = identifier_name(named, allow) or (identifier_name(stem, allow) if stem != named else None)
    for hit in (header_hit, name_hit):
        if hit:
            findings.append(Finding(shown, 1, f"pii_found_{hit.kind}"))
    return findings


def _from_payload(name: str, folder: Path | None, payload: list) -> Summary:
    problem_json, findings_json, row, since = payload
    if problem_json is not None:
        problem = Finding.from_json(problem_json)
        return Summary(name, [problem], problem=problem, folder=folder)
    if row is not None and not isinstance(row, dict):
        raise TypeError("row")
    if since is not None and not isinstance(since, str):
        raise TypeError("since")
    return Summary(name, [Finding.from_json(f) for f in findings_json], row=row, since=since, folder=folder)
