"""`imr check`: every problem in the curriculum and the records, one finding per line.

Like `hledger check`, it is silent when all is well. Each record is checked on its own, so
one broken file does not hide problems in the others.
"""

from __future__ import annotations

from imr.curriculum_check import check_curriculum
from imr.findings import Finding
from imr.workspace import Workspace


def check_records(ws: Workspace, curriculum=None) -> list[Finding]:
    findings: list[Finding] = []
    if not ws.records_dir.is_dir():
        return findings
    from imr.summaries import summaries

    for summary in summaries(ws, curriculum if curriculum is not None else ws.curriculum):
        findings.extend(summary.findings)
    for path in sorted(ws.records_dir.iterdir()):
        if path.is_file() and path.suffix in (".yml", ".YAML", ".Yaml") or (path.suffix == ".yaml" and not _plain(path)):
            findings.append(Finding(f"records/{path.name}", 0, "record_bad_filename"))
    return findings


def _plain(path) -> bool:
    from imr.ids import is_valid_id

    return is_valid_id(path.stem)


def check_workspace(ws: Workspace, strict: bool = False) -> list[Finding]:
    from imr.curriculum import load_curriculum

    curriculum = load_curriculum(ws.lang, ws.root, use_cache=False)  # fresh, with line numbers
    findings = check_curriculum(curriculum, ws.root, strict=strict)
    findings.extend(check_records(ws, curriculum))
    from imr.groups import check_groups

    findings.extend(check_groups(ws))
    return findings
