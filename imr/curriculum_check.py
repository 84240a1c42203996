"""Content checks of the curriculum: sections, worksheets, links, placeholders, readability.

The loader (`imr.curriculum`) already reports missing files and bad YAML; this module reads
the Markdown and holds it to the format in `curriculum/README.md`, so that a ward never
prints a handout with a missing section or a link to a worksheet that is not there.
"""

from __future__ import annotations

import re
from pathlib import Path

from imr.curriculum import Curriculum, _relative
from imr.findings import Finding
from imr.lix import markdown_readability

LEADER_SECTIONS = ["checkin", "review", "homework-review", "goals", "agenda", "material", "summary",
                   "homework", "strategies", "formats", "forensic"]
HANDOUT_SECTIONS = ["questions", "strategies", "takeaway"]
MAX_LIX = 40.0
MIN_LEADER_WORDS = 300
MIN_HANDOUT_WORDS = 250

_SECTION = re.compile(r"^##\s+.*\{#([\w-]+)[^}]*\}\s*$", re.MULTILINE)
_WORKSHEET = re.compile(r"^:{3,}\s*\{[^}]*\.worksheet[^}]*\}", re.MULTILINE)
_WORKSHEET_ID = re.compile(r"#(ab-[\w-]+)")
_PLACEHOLDER = re.compile(r"\b(TODO|FIXME|XXX|lorem ipsum|lorem)\b", re.IGNORECASE)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def check_curriculum(curriculum: Curriculum, workspace_root: Path | None = None, strict: bool = False) -> list[Finding]:
    findings = list(curriculum.problems)
    texts: list[tuple[str, Path, str]] = []  # (role, path, text)
    for session in curriculum.sessions():
        if session.leader_path:
            texts.append(("leader", session.leader_path, session.leader_path.read_text(encoding="utf-8")))
        for path in session.handout_paths.values():
            texts.append(("handout", path, path.read_text(encoding="utf-8")))

    worksheet_ids: dict[str, str] = {}
    for role, path, text in texts:
        shown = _relative(path, workspace_root)
        for match in _WORKSHEET.finditer(text):
            id_match = _WORKSHEET_ID.search(match.group(0))
            line = line_of(text, match.start())
            if not id_match:
                findings.append(Finding(shown, line, "worksheet_without_id"))
                continue
            wid = id_match.group(1)
            if wid in worksheet_ids and worksheet_ids[wid] != shown:
                findings.append(Finding(shown, line, "worksheet_duplicate_id", {"id": wid, "other": worksheet_ids[wid]}))
            worksheet_ids.setdefault(wid, shown)

    for role, path, text in texts:
        shown = _relative(path, workspace_root)
        sections = _SECTION.findall(text)
        required = LEADER_SECTIONS if role == "leader" else HANDOUT_SECTIONS
        for name in required:
            if name not in sections:
                findings.append(Finding(shown, 0, "curriculum_missing_section", {"section": name}))
        if role == "leader":
            present = [s for s in sections if s in LEADER_SECTIONS]
            if present != [s for s in LEADER_SECTIONS if s in present]:
                findings.append(Finding(shown, 0, "curriculum_section_order"))
        else:
            if not _WORKSHEET.search(text):
                findings.append(Finding(shown, 0, "curriculum_no_worksheet"))
            findings.extend(_prefill_problems(text, shown))
        for match in _PLACEHOLDER.finditer(text):
            findings.append(Finding(shown, line_of(text, match.start()), "curriculum_placeholder", {"text": match.group(0)}))
        for match in _LINK.finditer(text):
            target = match.group(1)
            line = line_of(text, match.start())
            if target.startswith("#"):
                if target.startswith("#ab-") and target[1:] not in worksheet_ids:
                    findings.append(Finding(shown, line, "curriculum_broken_worksheet_link", {"target": target}))
            elif not re.match(r"[a-z]+:", target) and not (path.parent / target.split("#")[0]).exists():
                findings.append(Finding(shown, line, "curriculum_broken_link", {"target": target}))
        if strict:
            stats = markdown_readability(text)
            if role == "handout" and stats.lix > MAX_LIX:
                findings.append(Finding(shown, 0, "curriculum_lix_high", {"lix": stats.lix, "max": MAX_LIX}))
            minimum = MIN_LEADER_WORDS if role == "leader" else MIN_HANDOUT_WORDS
            if stats.words < minimum:
                findings.append(Finding(shown, 0, "curriculum_too_short", {"words": stats.words, "min": minimum}))
    return findings


def _prefill_problems(text: str, shown: str) -> list[Finding]:
    """A prefill kind or a line's `fill=` key that the renderer will never fill."""
    from imr.prefill import FILL_KEY, KINDS, WORKSHEET_KIND, is_fill_key

    out = []
    openings = [(m.start(), m.group(0)) for m in _WORKSHEET.finditer(text)]
    for start, fence in openings:
        kind = WORKSHEET_KIND.search(fence)
        if kind and kind.group(1) not in KINDS:
            out.append(Finding(shown, line_of(text, start), "worksheet_unknown_prefill",
                               {"kind": kind.group(1), "known": ", ".join(KINDS)}))
    for match in FILL_KEY.finditer(text):
        fence = next((f for start, f in reversed(openings) if start < match.start()), "")
        kind = WORKSHEET_KIND.search(fence)
        if kind is None or not is_fill_key(kind.group(1), match.group(1)):
            out.append(Finding(shown, line_of(text, match.start()), "worksheet_unknown_fill", {"key": match.group(1)}))
    return out


def curriculum_stats(curriculum: Curriculum) -> list[dict]:
    """Readability per handout, worst LIX first (for `imr curriculum stats`)."""
    rows = []
    for session in curriculum.sessions():
        for variant, path in session.handout_paths.items():
            r = markdown_readability(path.read_text(encoding="utf-8"))
            rows.append({"session": session.id, "variant": variant, "title": session.title,
                         "words": r.words, "sentences": r.sentences, "long_words": r.long_words, "lix": r.lix})
    rows.sort(key=lambda row: (-row["lix"], row["session"], row["variant"]))
    return rows
