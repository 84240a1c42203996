"""Parsed records kept as JSON, for commands that need the entries themselves.

Parsing YAML into Python objects is the slow part of reading records, and most records have not
changed since the last run. `imr session next` reads one record through `read_one`; `imr
fidelity` reads them all through `read_all_records`. (`imr status` and `imr check` need less
than the entries and use `imr.summaries`.) Parsed records (header, entries and their line
numbers) are kept as JSON in `.imr-cache/`, keyed by path, size, mtime and a hash
of the file's bytes; a record whose bytes differ is parsed again with the strict loader. The
cache is never the source of truth: it is rebuilt when stale or broken and safe to delete.
"""

from __future__ import annotations

import json
from pathlib import Path

from imr.cache import CACHE_DIR, digest as _digest, write_json
from imr.records import Entry, Record, RecordProblem, read_record
from imr.yamlio import LineDict

_VERSION = 1


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
    """Every `*.yaml` in records/, parsed or with the problem that stops it being read."""
    cache_path = workspace_root / CACHE_DIR / "records.json"
    try:
        cached = json.loads(cache_path.read_bytes())
        files = cached["files"] if cached.get("version") == _VERSION else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        files = {}
    fresh: dict[str, list] = {}
    dirty = False
    out: list[tuple[Path, Record | RecordProblem]] = []
    for path in sorted(records_dir.glob("*.yaml")):
        shown = f"records/{path.name}"
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        digest = _digest(raw)
        hit = files.get(path.name)
        if hit and hit[0] == digest:
            try:
                out.append((path, _from_json(path, hit[1])))
                fresh[path.name] = hit
                continue
            except (ValueError, TypeError, KeyError):
                pass
        try:
            record = read_record(path, shown)
        except RecordProblem as problem:
            out.append((path, problem))
            dirty = True
            continue
        out.append((path, record))
        try:
            fresh[path.name] = [digest, _to_json(record)]
        except (TypeError, ValueError):
            pass
        dirty = True
    if dirty or len(fresh) != len(files):
        write_json(cache_path, {"version": _VERSION, "files": fresh})
    return out


def read_one(path: Path, workspace_root: Path | None, shown: str) -> Record:
    """One record, from `.imr-cache/records/<file>.json` when its bytes are unchanged.

    The single-record cache lets `imr session next` answer without importing or running the
    YAML parser at all; a record whose hash differs is parsed strictly and cached again.
    Raises FileNotFoundError and RecordProblem like `read_record`.
    """
    if workspace_root is None:
        return read_record(path, shown)
    raw = path.read_bytes()
    digest = _digest(raw)
    cache_path = workspace_root / CACHE_DIR / "records" / f"{path.name}.json"
    try:
        cached = json.loads(cache_path.read_bytes())
        if cached[0] == _VERSION and cached[1] == digest:
            return _from_json(path, cached[2])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        pass
    record = read_record(path, shown)
    write_json(cache_path, [_VERSION, digest, _to_json(record)])
    return record
