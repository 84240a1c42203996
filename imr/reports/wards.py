"""`imr report --ward DIR --ward DIR` or `--wards FILE`: one report for a regional coordinator.

A coordinator follows many wards and wants to see first which of them hold sessions every
week and whose records need a look, then each ward's own report. Each ward's report is the
one `imr.reports.report.build_report` makes; this module only opens the wards, spreads
the work over the cores, keeps each ward's result in its own cache and adds a row per ward
to the summary table.

A ward is opened read-only: its `imr.yaml` is read, but no cache of the ward's is read or
written (`cache.leave_untouched`: its key could come with the folder), nothing is put in its
`.git/`, and an unfinished group write is not completed (that is for the ward's own staff to do with any
`imr` command). A folder that is missing or not a workspace is one line in the summary.

Cache: a region's report is made again and again for the same period, and most wards have
not changed in between. A ward's report data and its rendered section are kept with the
report's user (`<user cache folder>/wards/<hash of the ward's path>.json`, signed with the
user's own key, never in the ward), keyed by the bytes of
every file the report reads (records, groups, `imr.yaml`, the ward's own curriculum and
strings), the git commit the history check starts from, the period and options, and imr's
code. Any change to one of them makes that ward again; the cache is never the source of truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from imr.core import git, resources
from imr.core.cache import code_fingerprint, digest, leave_untouched, read_json, user_folder, write_json
from imr.core.errors import ImrError
from imr.core.files import check_workspace_folders, is_regular, read_regular
from imr.core.yamlio import YamlProblem, load_file
from imr.records import parallel
from imr.reports.report import build_report, period
from imr.workspace.folder import CONFIG_NAME, Workspace

_VERSION = 2  # 2: a ward is one page in the region's report
CACHE_NAME = "report-wards.json"
# What a ward's report reads besides imr.yaml; a change to any file below them makes it again.
_INPUT_FOLDERS = ("records", "groups", "curriculum", "templates")


@dataclass
class Ward:
    """One line of the manifest (or one `--ward`), and what became of it."""

    path: Path
    label: str | None = None  # the manifest's display name, if it gives one
    name: str = ""
    problem: str | None = None  # "ward_missing", "ward_not_workspace" or "ward_bad_config"
    report: dict[str, Any] | None = None
    section: str | None = None  # the rendered HTML section, when asked for
    summary: dict[str, Any] = field(default_factory=dict)
    cached: bool = False


def read_manifest(path: Path) -> list[Ward]:
    """Workspace folders listed in a small YAML file, relative to the file.

    Either a list, or `wards:` holding one; each item is a folder, or `{path: DIR, name: TEXT}`.
    """
    try:
        data = load_file(path)
    except OSError:
        raise ImrError("wards_manifest_missing", path=str(path)) from None
    except YamlProblem as problem:
        raise ImrError("wards_manifest_bad", path=f"{path}:{problem.line}") from None
    if isinstance(data, dict):
        data = data.get("wards")
    if not isinstance(data, list) or not data:
        raise ImrError("wards_manifest_bad", path=str(path))
    out = []
    for item in data:
        folder, label = (item.get("path"), item.get("name")) if isinstance(item, dict) else (item, None)
        if not isinstance(folder, str) or not folder.strip() or (label is not None and not isinstance(label, str)):
            raise ImrError("wards_manifest_bad", path=f"{path}:{getattr(item, 'line', 0) or ''}".rstrip(":"))
        out.append(Ward(path=path.parent / folder, label=label))
    return out


def open_ward(root: Path) -> Workspace:
    """The workspace at `root`, read without writing anything (see the module's docstring)."""
    if not root.is_dir():
        raise ImrError("ward_missing", path=str(root))
    if not (root / CONFIG_NAME).is_file():
        raise ImrError("ward_not_workspace", path=str(root))
    check_workspace_folders(root)  # a ward whose records/ is a link is not read through it
    try:
        config = load_file(root / CONFIG_NAME)
    except (OSError, YamlProblem):
        raise ImrError("ward_bad_config", path=str(root)) from None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ImrError("ward_bad_config", path=str(root))
    leave_untouched(root.resolve())
    return Workspace(root=root.resolve(), config=config)


def cache_path(root: Path) -> Path:
    """Where this user keeps the report cache of the ward at `root` (never in the ward)."""
    return user_folder("cache") / "wards" / f"{digest(str(root.resolve()).encode('utf-8'))}.json"


def build_wards(
    wards: list[Ward],
    *,
    since: date | None = None,
    until: date | None = None,
    group: str | None = None,
    notes: bool = False,
    lang: str | None = None,
    today: date | None = None,
    section: Callable[[Workspace, dict[str, Any], str | None, str], str] | None = None,
) -> list[Ward]:
    """Every ward's report (and its HTML section when `section` is given), from the cache where
    it is fresh and otherwise made on every core, plus its row of the summary table."""
    start, end = period(since, until, today)
    options = {
        "since": start.isoformat(),
        "until": end.isoformat(),
        "group": group,
        "notes": notes,
        "lang": lang,
        "section": section is not None,
    }
    todo: list[tuple[int, Workspace, str]] = []
    for index, ward in enumerate(wards):
        try:
            ws = open_ward(ward.path)
        except ImrError as exc:
            ward.problem, ward.name = exc.code, ward.label or ward.path.name
            continue
        ward.name = ward.label or ws.name
        key = _key(ws, {**options, "name": ward.name, "place": index})
        hit = read_json(cache_path(ws.root), own=True)
        if isinstance(hit, dict) and hit.get("key") == key and isinstance(hit.get("report"), dict):
            ward.report, ward.section, ward.cached = hit["report"], hit.get("section"), True
        else:
            todo.append((index, ws, key))
    job = (start, end, group, notes, lang, section)
    inputs = [(ws.root, ws.config, wards[i].name, f"ward-{i + 1}-") for i, ws, _ in todo]
    # one ward per worker from two wards on (a ward's own records are then read in its worker)
    for (index, ws, key), made in zip(todo, parallel.map_paths(_make, inputs, job, from_count=2), strict=False):
        ward = wards[index]
        if isinstance(made, str):  # an error code: the ward could not be read
            ward.problem = made
            continue
        ward.report, ward.section = made
        write_json(cache_path(ws.root), {"key": key, "report": ward.report, "section": ward.section}, own=True)
    for ward in wards:
        ward.summary = summary_row(ward.report) if ward.report is not None else {}
    return wards


def summary_row(report: dict[str, Any]) -> dict[str, Any]:
    """One ward's line in the summary table, from its report (nothing is counted twice)."""
    rows = report["regularity"]["rows"]
    weeks = len(report["regularity"]["weeks"])
    with_session = sum(1 for week in range(weeks) if any(row["counts"][week] for row in rows))
    totals = report["totals"]
    seen = totals["present"] + totals["absent"]
    return {
        "participants": report["participants"],
        "active": totals["active"],
        "sessions": sum(row["held"] for row in rows),
        "weeks_with_session": with_session,
        "weeks": weeks,
        "attendance": round(100 * totals["present"] / seen) if seen else None,
        "quiet": len(report["regularity"]["quiet"]),
        "integrity": sum(1 for item in report["integrity"] if item["kind"] in ("rewrite", "duplicate")),
        "imrs": report["outcomes"]["change"],
        "unreadable": len(report["unreadable"]),
    }


def _make(job_input: tuple[Path, dict, str, str], job: tuple) -> tuple[dict[str, Any], str | None] | str:
    """One ward's report (and section), in a worker process or here."""
    root, config, name, prefix = job_input
    start, end, group, notes, lang, section = job
    leave_untouched(root)  # also in a worker process: the ward's caches are neither read nor written
    ws = Workspace(root=root, config=config)
    try:
        report = build_report(ws, since=start, until=end, group=group, notes=notes, lang=lang)
        report["workspace"] = name  # the manifest's name for the ward, if it gives one
        return report, section(ws, report, lang, prefix) if section is not None else None
    except ImrError as exc:
        return exc.code


def _key(ws: Workspace, options: dict[str, Any]) -> str:
    """What a ward's report depends on: its files' bytes, its git commit, the options, imr."""
    files = []
    config = ws.root / CONFIG_NAME
    for path in [config] + [p for folder in _INPUT_FOLDERS for p in sorted((ws.root / folder).rglob("*"))]:
        try:
            if is_regular(path):
                files.append([str(path.relative_to(ws.root)), digest(read_regular(path))])
        except (OSError, ImrError):
            files.append([str(path), ""])
    code = code_fingerprint(resources.builtin_dir("templates"))
    return digest(json.dumps([_VERSION, code, _head(ws.root), options, files], sort_keys=True).encode())


def _head(root: Path) -> str:
    """The commit the history check reads back from ('' outside git)."""
    try:
        return git.text(root, "rev-parse", "-q", "--verify", "HEAD", timeout=30).strip()
    except ImrError:
        return ""
