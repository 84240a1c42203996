"""What `imr status` and `imr check` need from each record, computed once per version of its bytes.

Both commands look at every record in the workspace, and on a region's workspace (a thousand
participants, tens of thousands of entries) parsing and checking them is most of the work. The
result for one record depends only on its bytes, the shape of the curriculum (which sessions,
modules and variants exist) and the code of `imr` itself, so it is kept in
`.imr-cache/summaries.json` under those three keys: a record whose bytes changed is parsed and
checked again, and a change to the curriculum's shape or to any `imr` module starts afresh.
Like every cache here it is never the source of truth and is safe to delete.

Many stale records at once (a fresh clone, a deleted cache, a large `git pull`) are parsed and
checked in parallel worker processes, one per core; YAML construction is pure Python and
would otherwise use a single core.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imr.cache import CACHE_DIR, digest, write_json
from imr.findings import Finding

_VERSION = 1
# Below this many stale records, starting worker processes costs more than it saves.
PARALLEL_FROM = 64


@dataclass
class Summary:
    """One record file as the whole-workspace commands see it.

    `problem` is set when the file cannot be read as a record at all; then `findings` holds just
    that problem and there is no `row`. `row` is the status row without the fields that depend
    on today's date; `since` is the date those are counted from.
    """

    path: Path
    findings: list[Finding]
    problem: Finding | None = None
    row: dict[str, Any] | None = None
    since: str | None = None


def summaries(ws, curriculum) -> list[Summary]:
    """A summary of every `records/*.yaml`, in file-name order, from the cache where it is fresh."""
    records_dir = ws.records_dir
    if not records_dir.is_dir():
        return []
    cache_path = ws.root / CACHE_DIR / "summaries.json"
    context = _context(curriculum)
    cached = _read_cache(cache_path, context)
    paths = sorted(records_dir.glob("*.yaml"))
    keys: dict[str, str] = {}
    payloads: dict[str, list] = {}
    stale: list[Path] = []
    for path in paths:
        try:
            key = digest(path.read_bytes())
        except OSError:
            key = ""
        keys[path.name] = key
        hit = cached.get(path.name)
        if key and hit and hit[0] == key:
            payloads[path.name] = hit[1]
        else:
            stale.append(path)
    for name, key, payload in _summarise_all(stale, curriculum):
        keys[name], payloads[name] = key, payload
    out = []
    for path in paths:
        try:
            out.append(_from_payload(path, payloads[path.name]))
        except (KeyError, IndexError, TypeError, ValueError):  # a tampered cache entry
            _, keys[path.name], payload = _summarise(path, curriculum)
            payloads[path.name] = payload
            stale.append(path)
            out.append(_from_payload(path, payload))
    if stale or len(cached) != len(paths):
        fresh = {p.name: [keys[p.name], payloads[p.name]] for p in paths if keys[p.name]}
        write_json(cache_path, {"version": _VERSION, "context": context, "files": fresh})
    return out


def _context(curriculum) -> str:
    """What, besides a record's bytes, its summary depends on: curriculum shape and imr's code."""
    shape = {
        "variants": sorted(curriculum.variants),
        "sessions": [[m.number, [s.number for s in m.sessions]] for m in curriculum.modules],
    }
    package = Path(__file__).resolve().parent
    code = []
    for source in sorted(package.rglob("*.py")):
        try:
            stat = source.stat()
        except OSError:
            continue
        code.append([str(source.relative_to(package)), stat.st_size, stat.st_mtime_ns])
    return digest(json.dumps([_VERSION, shape, code], sort_keys=True).encode())


def _read_cache(path: Path, context: str) -> dict[str, list]:
    try:
        data = json.loads(path.read_bytes())
        if data.get("version") == _VERSION and data.get("context") == context:
            files = data["files"]
            return files if isinstance(files, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {}


# The curriculum a forked worker uses; set in the parent just before the workers start, so
# they inherit it instead of receiving it pickled.
_WORKER_CURRICULUM = None


def _summarise_all(paths: list[Path], curriculum) -> list[tuple[str, str, list]]:
    workers = _worker_count(len(paths))
    if workers < 2:
        return [_summarise(path, curriculum) for path in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_CURRICULUM
    _WORKER_CURRICULUM = curriculum
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunk = max(1, len(paths) // (workers * 8))
            return list(pool.map(_summarise_in_worker, paths, chunksize=chunk))
    except OSError:  # no processes to be had (a locked-down host): do it here instead
        return [_summarise(path, curriculum) for path in paths]
    finally:
        _WORKER_CURRICULUM = None


def _worker_count(stale: int) -> int:
    # Forking is only safe and cheap on Linux; elsewhere the records are read in this process.
    if stale < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, 8)


def _summarise_in_worker(path: Path) -> tuple[str, str, list]:
    return _summarise(path, _WORKER_CURRICULUM)


def _summarise(path: Path, curriculum) -> tuple[str, str, list]:
    """Parse and check one record: its name, the digest of the bytes read, a JSON-ready payload."""
    from imr.records import RecordProblem, parse_record_bytes

    shown = f"records/{path.name}"
    try:
        raw = path.read_bytes()
    except OSError:
        return path.name, "", [_finding_json(Finding(shown, 0, "file_unreadable")), [], None, None]
    key = digest(raw)
    try:
        record = parse_record_bytes(raw, path, shown)
    except RecordProblem as exc:
        return path.name, key, [_finding_json(exc.finding), [], None, None]
    findings = _record_findings(record, shown, curriculum)
    row, since = None, None
    from imr.ids import is_valid_id

    if is_valid_id(path.stem):
        from imr.state import derive_state
        from imr.status import participant_row

        row, since = participant_row(derive_state(record), curriculum)
    return path.name, key, [None, [_finding_json(f) for f in findings], _jsonable(row), since]


def _record_findings(record, shown: str, curriculum) -> list[Finding]:
    from imr.entries import free_texts
    from imr.goals import goal_reference_problems
    from imr.pii import find_pii
    from imr.records import validate_record

    findings = validate_record(record, shown, curriculum)
    findings.extend(goal_reference_problems(record, shown))
    for entry in record.entries:
        for text in free_texts(entry.data):
            hit = find_pii(text)
            if hit:
                findings.append(Finding(shown, entry.line, f"pii_found_{hit.kind}"))
                break
    return findings


def _from_payload(path: Path, payload: list) -> Summary:
    problem_json, findings_json, row, since = payload
    if problem_json is not None:
        problem = _finding_from(problem_json)
        return Summary(path=path, findings=[problem], problem=problem)
    if row is not None and not isinstance(row, dict):
        raise TypeError("row")
    if since is not None and not isinstance(since, str):
        raise TypeError("since")
    return Summary(path=path, findings=[_finding_from(f) for f in findings_json], row=row, since=since)


def _finding_json(finding: Finding) -> list:
    return [finding.path, finding.line, finding.code, _jsonable(finding.params)]


def _finding_from(data: list) -> Finding:
    path, line, code, params = data
    if not (isinstance(path, str) and isinstance(line, int) and isinstance(code, str) and isinstance(params, dict)):
        raise TypeError("finding")
    return Finding(path, line, code, params)


def _jsonable(value: Any) -> Any:
    """Record data as JSON keeps it: anything YAML may hold that JSON cannot becomes text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
