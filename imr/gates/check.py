"""`imr check`: every problem in the curriculum and the records, one finding per line.

Like `hledger check`, it is silent when all is well. Each record is checked on its own, so
one broken file does not hide problems in the others.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from imr.core.cache import CACHE_DIR, code_fingerprint, digest, read_json, write_json
from imr.core.files import is_own_temp, is_regular, read_regular
from imr.core.resources import search_path
from imr.core.yamlio import MAX_FILE_BYTES
from imr.curriculum.check import check_curriculum, curriculum_override_findings
from imr.curriculum.model import load_curriculum
from imr.gates.summaries import summaries
from imr.programme.groups import check_groups
from imr.records.findings import Finding
from imr.records.ids import is_valid_id
from imr.records.pii import comments, find_pii, hand_written_hit, identifier_name, identifier_problem
from imr.render.templating import override_findings
from imr.workspace.folder import Workspace


def check_records(ws: Workspace, curriculum=None, full: bool = True) -> list[Finding]:
    """Every record's findings; `full=False` trusts a record whose stat is unchanged since it
    was hashed (`imr.gates.summaries`), which only a plain `imr check` may do."""
    findings: list[Finding] = []
    if not ws.records_dir.is_dir():
        return findings

    for summary in summaries(ws, curriculum if curriculum is not None else ws.curriculum, full=full):
        findings.extend(summary.findings)
    findings.extend(stray_files(ws, "records"))
    return findings


def _curriculum_findings(ws: Workspace, strict: bool, full: bool) -> tuple[list[Finding], Any]:
    """The curriculum's findings and the curriculum the records are checked against.

    The gates (`full`) always load the curriculum afresh, with line numbers, and check it. A
    plain `imr check` keeps the findings in the cache under what they depend on
    (`_curriculum_key`): checking the programme's texts is most of a warm check's time and
    they seldom change between two checks."""
    if not full:
        key = _curriculum_key(ws, strict)
        path = ws.root / CACHE_DIR / "curriculum-check.json"
        data = read_json(path)
        if isinstance(data, dict) and data.get("key") == key:
            try:
                return [Finding(**found) for found in data["findings"]], ws.curriculum
            except (KeyError, TypeError):
                pass
    curriculum = load_curriculum(ws.lang, ws.root, use_cache=False)  # fresh, with line numbers
    findings = check_curriculum(curriculum, ws.root, strict=strict)
    if not full:
        try:
            kept = [{"path": f.path, "line": f.line, "code": f.code, "params": f.params} for f in findings]
            json.dumps(kept)  # only plain values are kept; anything else is checked afresh next time
        except (TypeError, ValueError):
            return findings, curriculum
        write_json(path, {"key": key, "findings": kept})
    return findings, curriculum


def _curriculum_key(ws: Workspace, strict: bool) -> str:
    """What the curriculum's findings depend on: every curriculum and template file (path, size,
    modification time; read afresh on every call, for a long-running `imr web` too), imr's code,
    `imr.yaml`, the language and `strict`."""
    files = []
    for folder in [*search_path("curriculum", ws.root), *search_path("templates", ws.root), ws.root / "imr.yaml"]:
        for source in _tree(str(folder)):
            try:
                stat = os.lstat(source)
            except OSError:
                continue
            files.append([source, stat.st_size, stat.st_mtime_ns, stat.st_mode])
    return digest(json.dumps([code_fingerprint(), files, ws.lang, strict]).encode())


def _tree(top: str) -> list[str]:
    """`top` and, for a folder, everything below it (links listed, not followed), in a fixed
    order: os.walk on strings, several times quicker than Path.rglob over a few hundred files."""
    if not os.path.isdir(top):
        return [top]
    found: list[str] = []
    for here, folders, names in os.walk(top, followlinks=False):
        folders.sort()
        found.extend(os.path.join(here, name) for name in sorted(folders + names))
    return found


def stray_files(ws: Workspace, folder: str) -> list[Finding]:
    """Files in records/ or groups/ that are not `<id>.yaml` (copies, backups, subfolders, other
    formats, temp files whatever their name): reported, and scanned for personal data, since git
    would carry them like records. Links are never followed."""

    findings: list[Finding] = []
    base = ws.root / folder
    if not base.is_dir():
        return findings
    # The links among the top folder's entries, from the folder listing itself (no stat per
    # file: a region's records/ is ten thousand of them).
    with os.scandir(base) as listing:
        top_links = {entry.name for entry in listing if entry.is_symlink()}
    for current, dirs, files in os.walk(base, followlinks=False):
        here = Path(current)
        top = here == base
        for name in sorted(files + [d for d in dirs if (here / d).is_symlink()]):
            if top and name.endswith(".yaml") and is_valid_id(name[: -len(".yaml")]) and name not in top_links:
                continue  # temp-looking names are reported too: a link can be named like one
            if top and name == ".gitkeep":
                continue
            path = here / name
            relative = path.relative_to(ws.root).as_posix()
            if top and is_own_temp(path):
                findings.append(Finding(relative, 0, "record_temp_file"))  # the next write removes it
            else:
                findings.append(
                    Finding(relative, 0, "record_stray_file" if folder == "records" else "group_stray_file")
                )
            if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                hit = find_pii(line, ws.allowed_words)
                if hit:
                    findings.append(Finding(relative, number, f"pii_found_{hit.kind}"))
                    break
    return findings


def config_findings(ws: Workspace) -> list[Finding]:
    """imr.yaml is shared by every clone: no personal data in any value (at any depth), key or
    comment, and no one's signature in it. `allowed_words` may hold words that look like names
    (that is what it is for), but no number, address or full name of a person."""

    findings: list[Finding] = []
    path = ws.root / "imr.yaml"
    allow = ws.allowed_words
    for key, value in ws.config.items():
        if key == "signature":
            findings.append(Finding("imr.yaml", 0, "config_signature_shared"))
            hit = identifier_problem(str(value)) or identifier_name(str(value), allow)
            if hit:
                findings.append(Finding("imr.yaml", 0, f"pii_found_{hit.kind}"))
        if key == "allowed_words":
            for item in value if isinstance(value, list) else [value]:
                hit = _allowed_word_problem(item)
                if hit:
                    findings.append(Finding("imr.yaml", getattr(value, "line", 0), f"pii_found_{hit.kind}"))
            continue
        hit = hand_written_hit({key: value}, allow)
        if hit:
            findings.append(Finding("imr.yaml", 0, f"pii_found_{hit.kind}"))
    if is_regular(path):
        text = read_regular(path).decode("utf-8", "replace")
        for number, comment in comments(text):
            hit = find_pii(comment, allow)
            if hit:
                findings.append(Finding("imr.yaml", number, f"pii_found_{hit.kind}"))
    return findings


def _allowed_word_problem(item: object):
    """An allow-list entry that holds a number, an address, an invisible character or a person's
    full name (a first name next to another word): the list lets words through, never people."""
    if not isinstance(item, str):
        return None
    hit = find_pii(item)
    if hit is not None and hit.kind != "name":
        return hit
    words = item.split()
    if len(words) >= 2 and identifier_name(item):
        return identifier_name(item)
    return None


def check_workspace(ws: Workspace, strict: bool = False, full: bool = True) -> list[Finding]:
    """Every finding in the workspace. `full` (the default, and what every gate uses: the hook,
    `--since`, sync, CI) hashes every record; only a plain `imr check` passes False and trusts
    records whose stat is unchanged since they were hashed."""

    findings, curriculum = _curriculum_findings(ws, strict, full)
    findings.extend(check_records(ws, curriculum, full=full))

    findings.extend(check_groups(ws))
    findings.extend(stray_files(ws, "groups"))
    findings.extend(config_findings(ws))

    findings.extend(override_findings(ws.root))
    # links and raw HTML/Typst blocks always; the list of overridden files with --strict (a
    # ward's own curriculum is a feature, and the hook must not refuse every commit for it)
    findings.extend(
        f
        for f in curriculum_override_findings(ws.root)
        if strict or f.code in ("curriculum_override_link", "curriculum_raw_block")
    )
    return findings
