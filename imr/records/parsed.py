"""Parsed records kept as JSON, for commands that need the entries themselves.

Parsing YAML into Python objects is the slow part of reading records, and most records have not
changed since the last run. `imr session next` reads one record through `read_one`; `imr
fidelity` reads them all through `read_all_records`. (`imr status` and `imr check` need less
than the entries and use `imr.gates.summaries`.) Parsed records (header, entries and their line
numbers) are kept as JSON in `.imr-cache/`, keyed by path, size, mtime and a hash
of the file's bytes; a record whose bytes differ is parsed again with the strict loader. The
cache is never the source of truth: it is rebuilt when stale or broken and safe to delete.
"""

from __future__ import annotations

from pathlib import Path

from imr.core.cache import CACHE_DIR, read_json, write_json
from imr.core.cache import digest as _digest
from imr.core.errors import ImrError
from imr.core.files import is_regular, read_regular
from imr.core.yamlio import LineDict
from imr.records.findings import Finding
from imr.records.parallel import PARALLEL_FROM, map_paths
from imr.records.record import Entry, Record, RecordProblem, parse_record_bytes, read_record

_VERSION = 2


def _to_json(record: Record) -> list:
    return [dict(record.header), [[e.line, e.data] for e in record.entries]]


def _from_json(path: Path, data: list) -> Record:
    header, entries = data
    out = []
    for number, (line, item) in enumerate(entries, start=1):
        if isinstance(item, dict):
            item = LineDict(item)
            item.line = line
        out.append(Entry(number=number, line=line, data=item))
    record_id = header.get("id") if isinstance(header.get("id"), str) else path.stem
    return Record(id=record_id, path=path, header=header, entries=out)


def read_all_records(records_dir: Path, workspace_root: Path) -> list[tuple[Path, Record | RecordProblem]]:
    """Every `*.yaml` in records/, parsed or with the problem that stops it being read.

    Records whose bytes are not in the cache are parsed on every core when there are many
    (`imr.records.parallel`); the cache is written here, by this process only.
    """

    cache_path = workspace_root / CACHE_DIR / "records.json"
    try:
        cached = read_json(cache_path)
        files = cached["files"] if cached.get("version") == _VERSION else {}
    except (KeyError, TypeError, AttributeError):
        files = {}
    fresh: dict[str, list] = {}
    found: dict[str, Record | RecordProblem] = {}
    paths = [p for p in sorted(records_dir.glob("*.yaml")) if is_regular(p)]
    misses = []
    for path in paths:
        try:
            key = _digest(read_regular(path))
        except (OSError, ImrError):
            key = None
        hit = files.get(path.name)
        if key and hit and hit[0] == key:
            try:
                found[path.name] = _from_json(path, hit[1])
                fresh[path.name] = hit
                continue
            except (ValueError, TypeError, KeyError):
                pass
        misses.append(path)
    for path, key, parsed in map_paths(_parse_for_cache, misses, len(misses) >= PARALLEL_FROM):
        if key is None:
            continue  # gone or unreadable since the listing
        if isinstance(parsed, list):
            found[path.name] = _from_json(path, parsed)
            fresh[path.name] = [key, parsed]
        else:
            found[path.name] = RecordProblem(Finding.from_json(parsed["problem"]))
    if misses or len(fresh) != len(files):
        write_json(cache_path, {"version": _VERSION, "files": fresh})
    return [(path, found[path.name]) for path in paths if path.name in found]


def _parse_for_cache(path: Path, many: bool = False) -> tuple[Path, str | None, list | dict]:
    """One record as the cache keeps it (or its problem), with the digest of the bytes parsed;
    `many`: one of many read at once (`imr.records.record.parse_record_bytes`)."""
    try:
        raw = read_regular(path)
    except (OSError, ImrError):
        return path, None, {}
    try:
        return path, _digest(raw), _to_json(parse_record_bytes(raw, path, f"records/{path.name}", many=many))
    except RecordProblem as problem:
        return path, _digest(raw), {"problem": problem.finding.to_json()}


def read_one(path: Path, workspace_root: Path | None, shown: str) -> Record:
    """One record, from `.imr-cache/records/<file>.json` when its bytes are unchanged.

    The single-record cache lets `imr session next` answer without importing or running the
    YAML parser at all; a record whose hash differs is parsed strictly and cached again.
    Raises FileNotFoundError and RecordProblem like `read_record`.
    """
    if workspace_root is None:
        return read_record(path, shown)

    raw = read_regular(path)
    digest = _digest(raw)
    cache_path = workspace_root / CACHE_DIR / "records" / f"{path.name}.json"
    try:
        cached = read_json(cache_path)
        if cached[0] == _VERSION and cached[1] == digest:
            return _from_json(path, cached[2])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        pass
    record = read_record(path, shown)
    write_json(cache_path, [_VERSION, digest, _to_json(record)])
    return record
