"""Content checks of the curriculum: sections, worksheets, links, placeholders, terms, readability.

The loader (`imr.curriculum.model`) already reports missing files and bad YAML; this module reads
the Markdown and holds it to the format in `curriculum/README.md`, so that a ward never
prints a handout with a missing section or a link to a worksheet that is not there.

The glossary is checked here too: a participant who meets "handouten" in one session and
"bladet" in the next has to wonder whether they are two things, so every word the glossary
lists under `avoid` is reported with file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from imr.core.yamlio import YamlProblem, load_file
from imr.curriculum.model import Curriculum, _relative, raw_blocks
from imr.curriculum.prefill import FILL_KEY, KINDS, WORKSHEET_KIND, is_fill_key
from imr.records.findings import Finding

if TYPE_CHECKING:
    from imr.curriculum.lix import Readability

LEADER_SECTIONS = [
    "checkin",
    "review",
    "homework-review",
    "goals",
    "agenda",
    "material",
    "summary",
    "homework",
    "strategies",
    "formats",
    "forensic",
]
HANDOUT_SECTIONS = ["questions", "strategies", "takeaway"]
# The last session of every module closes the module: review questions for the participant,
# and for the leader what commonly goes wrong and how to adapt the module.
MODULE_END_HANDOUT_SECTIONS = ["review-questions"]
MODULE_END_LEADER_SECTIONS = ["difficulties", "adaptations"]
REVIEW_QUESTIONS = (3, 5)
MAX_LIX = 40.0
MIN_LEADER_WORDS = 300
MIN_HANDOUT_WORDS = 250

_SECTION = re.compile(r"^##\s+.*\{#([\w-]+)[^}]*\}\s*$", re.MULTILINE)
_WORKSHEET = re.compile(r"^:{3,}\s*\{[^}]*\.worksheet[^}]*\}", re.MULTILINE)
_WORKSHEET_ID = re.compile(r"#(ab-[\w-]+)")
_PLACEHOLDER = re.compile(r"\b(TODO|FIXME|XXX|lorem ipsum|lorem)\b", re.IGNORECASE)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)
_HEADING2 = re.compile(r"^##\s+(.*)$", re.MULTILINE)
_SECTION_ID = re.compile(r"\{#([\w-]+)[^}]*\}\s*$")

# What a participant reads to learn, as opposed to questions, exercises and summaries.
NOT_INFORMATION = frozenset(HANDOUT_SECTIONS + MODULE_END_HANDOUT_SECTIONS)

# The band the Swedish texts are held to (documented in curriculum/README.md, "Readability").
# Per handout, and over all handouts pooled ("overall"); None means no bound on that side.
BAND = {
    "handout": {
        "lix": (None, 40.0),
        "info_lix": (22.0, 36.0),
        "sentence_words": (8.5, 15.0),
        "short_share": (None, 0.15),
    },
    "overall": {
        "median_lix": (None, 35.0),
        "info_lix": (25.0, 33.0),
        "sentence_words": (9.0, 15.0),
        "short_share": (None, 0.10),
    },
}


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

    worksheet_ids = _worksheet_ids(texts, workspace_root, findings)
    for role, path, text in texts:
        shown = _relative(path, workspace_root)
        findings.extend(_section_problems(role, text, shown))
        for match in _PLACEHOLDER.finditer(text):
            findings.append(
                Finding(shown, line_of(text, match.start()), "curriculum_placeholder", {"text": match.group(0)})
            )
        findings.extend(_link_problems(path, text, shown, worksheet_ids))
        if strict:
            findings.extend(_length_problems(role, text, shown))
    findings.extend(crisis_box_problems(curriculum, texts, workspace_root))
    if strict:
        # Text quality, like readability: a ward's own wording must not block the pre-commit
        # hook that guards the records, so these run with `imr check --strict`.
        findings.extend(_module_end_problems(curriculum, workspace_root))
        findings.extend(glossary_problems(curriculum, workspace_root))
    return findings


def _worksheet_ids(
    texts: list[tuple[str, Path, str]], workspace_root: Path | None, findings: list[Finding]
) -> dict[str, str]:
    """Every worksheet id and the file that first has it; a worksheet without an id, or with an
    id another file has, is added to `findings`."""
    worksheet_ids: dict[str, str] = {}
    for _role, path, text in texts:
        shown = _relative(path, workspace_root)
        for match in _WORKSHEET.finditer(text):
            id_match = _WORKSHEET_ID.search(match.group(0))
            line = line_of(text, match.start())
            if not id_match:
                findings.append(Finding(shown, line, "worksheet_without_id"))
                continue
            wid = id_match.group(1)
            if wid in worksheet_ids and worksheet_ids[wid] != shown:
                findings.append(
                    Finding(shown, line, "worksheet_duplicate_id", {"id": wid, "other": worksheet_ids[wid]})
                )
            worksheet_ids.setdefault(wid, shown)
    return worksheet_ids


def _section_problems(role: str, text: str, shown: str) -> list[Finding]:
    """The sections a leader's guide or a handout must have, in order; a handout's worksheet."""
    findings = []
    ids = _SECTION.findall(text)
    required = LEADER_SECTIONS if role == "leader" else HANDOUT_SECTIONS
    for name in required:
        if name not in ids:
            findings.append(Finding(shown, 0, "curriculum_missing_section", {"section": name}))
    if role == "leader":
        present = [s for s in ids if s in LEADER_SECTIONS]
        if present != [s for s in LEADER_SECTIONS if s in present]:
            findings.append(Finding(shown, 0, "curriculum_section_order"))
    else:
        if not _WORKSHEET.search(text):
            findings.append(Finding(shown, 0, "curriculum_no_worksheet"))
        findings.extend(_prefill_problems(text, shown))
    return findings


def _link_problems(path: Path, text: str, shown: str, worksheet_ids: dict[str, str]) -> list[Finding]:
    """Links to a worksheet nobody has, or to a file that is not there."""
    findings = []
    for match in _LINK.finditer(text):
        target = match.group(1)
        line = line_of(text, match.start())
        if target.startswith("#"):
            if target.startswith("#ab-") and target[1:] not in worksheet_ids:
                findings.append(Finding(shown, line, "curriculum_broken_worksheet_link", {"target": target}))
        elif not re.match(r"[a-z]+:", target) and not (path.parent / target.split("#")[0]).exists():
            findings.append(Finding(shown, line, "curriculum_broken_link", {"target": target}))
    return findings


def _length_problems(role: str, text: str, shown: str) -> list[Finding]:
    """`--strict`: a handout too hard to read (LIX), a text too short to be the session's."""
    from imr.curriculum.lix import markdown_readability  # lazy: 2 ms on a warm imr check

    findings = []
    stats = markdown_readability(text)
    if role == "handout" and stats.lix > MAX_LIX:
        findings.append(Finding(shown, 0, "curriculum_lix_high", {"lix": stats.lix, "max": MAX_LIX}))
    minimum = MIN_LEADER_WORDS if role == "leader" else MIN_HANDOUT_WORDS
    if stats.words < minimum:
        findings.append(Finding(shown, 0, "curriculum_too_short", {"words": stats.words, "min": minimum}))
    return findings


def sections(text: str) -> list[tuple[str | None, str]]:
    """The level-2 sections of a Markdown text as (id, text); text before the first heading has id None."""
    out: list[tuple[str | None, str]] = []
    starts = [m.start() for m in _HEADING2.finditer(text)]
    if not starts or starts[0] > 0:
        out.append((None, text[: starts[0] if starts else len(text)]))
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        heading = text[start : text.find("\n", start) if "\n" in text[start:end] else end]
        found = _SECTION_ID.search(heading)
        out.append((found.group(1) if found else None, text[start:end]))
    return out


def _module_end_problems(curriculum: Curriculum, workspace_root: Path | None) -> list[Finding]:
    """The last session of each module closes it (review questions; difficulties and adaptations)."""
    out = []
    for module in curriculum.modules:
        if not module.sessions:
            continue
        last = module.sessions[-1]
        texts = [(last.leader_path, MODULE_END_LEADER_SECTIONS, "forensic")] if last.leader_path else []
        texts += [(path, MODULE_END_HANDOUT_SECTIONS, "takeaway") for path in last.handout_paths.values()]
        for path, required, after in texts:
            shown = _relative(path, workspace_root)
            found = sections(path.read_text(encoding="utf-8"))
            ids = [sid for sid, _ in found]
            for name in required:
                if name not in ids:
                    out.append(
                        Finding(shown, 0, "curriculum_missing_end_section", {"section": name, "module": module.number})
                    )
                elif after in ids and ids.index(name) < ids.index(after):
                    out.append(Finding(shown, 0, "curriculum_end_section_order", {"section": name, "after": after}))
            for sid, body in found:
                if sid == "review-questions":
                    count = len(_LIST_ITEM.findall(body))
                    low, high = REVIEW_QUESTIONS
                    if not low <= count <= high:
                        out.append(
                            Finding(
                                shown, 0, "curriculum_review_questions_count", {"count": count, "min": low, "max": high}
                            )
                        )
    return out


def _find_text(curriculum: Curriculum, relative: str) -> Path | None:
    for root in curriculum.roots:
        if (root / relative).is_file():
            return root / relative
    return None


def glossary_problems(curriculum: Curriculum, workspace_root: Path | None = None) -> list[Finding]:
    """Words the glossary says to avoid, and required terms missing from a leader-guide section."""

    path = _find_text(curriculum, "glossary.yaml")
    if path is None:
        return []
    try:
        glossary = load_file(path)
    except YamlProblem as problem:
        return [Finding(_relative(path, workspace_root), problem.line, problem.code, problem.params)]
    if not isinstance(glossary, list):
        return [Finding(_relative(path, workspace_root), 0, "glossary_not_a_list")]
    avoid: list[tuple[re.Pattern, str]] = []
    required: list[tuple[str, str]] = []
    for entry in glossary:
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str):
            return [Finding(_relative(path, workspace_root), getattr(entry, "line", 0), "glossary_bad_entry")]
        for word in entry.get("avoid") or []:
            avoid.append((avoid_pattern(str(word)), entry["term"]))
        if entry.get("required_in"):
            required.append((entry["term"], str(entry["required_in"])))

    files = [s.leader_path for s in curriculum.sessions() if s.leader_path]
    files += [p for s in curriculum.sessions() for p in s.handout_paths.values()]
    files += [p for p in (_find_text(curriculum, f"{m.folder}/module.yaml") for m in curriculum.modules) if p]
    files += [p for p in (_find_text(curriculum, name) for name in ("programme.yaml", "leader-intro.md")) if p]
    out = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        shown = _relative(file, workspace_root)
        hits = [(m.start(), m.group(0), term) for pattern, term in avoid for m in pattern.finditer(text)]
        for start, word, term in sorted(hits):
            out.append(Finding(shown, line_of(text, start), "glossary_avoid", {"word": word, "term": term}))
    for session in curriculum.sessions():
        if not session.leader_path:
            continue
        found = dict(sections(session.leader_guide(document=False)))  # raw blocks are findings here
        for term, section in required:
            if section in found and term not in found[section]:
                out.append(
                    Finding(
                        _relative(session.leader_path, workspace_root),
                        0,
                        "glossary_term_missing",
                        {"term": term, "section": section},
                    )
                )
    return out


_FENCE_OPEN = re.compile(r"^(:{3,})\s*(\S.*)$")
_FENCE_CLOSE = re.compile(r"^:{3,}\s*$")
_CRISIS_CLASS = re.compile(r"^\{?\s*\.?crisis\b|\{[^}]*\.crisis\b")


def crisis_boxes(text: str) -> list[tuple[int, str]]:
    """The crisis boxes of a Markdown text as (line of the opening fence, text inside the box).

    Fenced divs nest; a line of colons alone closes the innermost open one, as in pandoc.
    """
    out = []
    stack: list[tuple[int, bool]] = []  # (index of the opening line, is a crisis box)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _FENCE_CLOSE.match(line):
            if stack:
                start, crisis = stack.pop()
                if crisis:
                    out.append((start + 1, "\n".join(lines[start + 1 : i])))
        elif opening := _FENCE_OPEN.match(line):
            stack.append((i, bool(_CRISIS_CLASS.search(opening.group(2)))))
    return sorted(out)


def crisis_routes(curriculum: Curriculum) -> list[tuple[str, list[re.Pattern]]]:
    """The routes every crisis box must give, from `crisis_routes` in the programme file in effect.

    Each route is (label, patterns); a route is present when any of its patterns matches.
    The patterns are written like the glossary's `avoid` words (whole words, any case, `*`).
    """
    for root in curriculum.roots:
        path = root / "programme.yaml"
        if not path.is_file():
            continue
        try:
            programme = load_file(path)
        except YamlProblem:
            return []
        routes = programme.get("crisis_routes") if isinstance(programme, dict) else None
        if routes is None:
            continue
        out = []
        for route in routes if isinstance(routes, list) else []:
            if isinstance(route, dict) and isinstance(route.get("route"), str) and isinstance(route.get("match"), list):
                out.append((route["route"], [avoid_pattern(str(word)) for word in route["match"]]))
        return out
    return []


def crisis_box_problems(
    curriculum: Curriculum, texts: list[tuple[str, Path, str]], workspace_root: Path | None = None
) -> list[Finding]:
    """A crisis box that leaves out one of the routes (on the ward, on leave, at home, acute danger).

    Safety, not wording: a participant on leave who reads only "call your clinic" calls a place
    that does not know them tonight, so this runs in the plain `imr check` too.
    """
    routes = crisis_routes(curriculum)
    out = []
    for _role, path, text in texts:
        for line, box in crisis_boxes(text):
            for label, patterns in routes:
                if not any(pattern.search(box) for pattern in patterns):
                    out.append(
                        Finding(
                            _relative(path, workspace_root), line, "curriculum_crisis_route_missing", {"route": label}
                        )
                    )
    return out


def avoid_pattern(word: str) -> re.Pattern:
    """A glossary `avoid` word as a whole-word, case-blind pattern; `*` stands for any letters."""
    parts = [re.escape(part) for part in word.strip().split("*")]
    body = r"\w*".join(parts)
    body = r"\s+".join(body.split(r"\ "))  # a phrase may wrap over a line break
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _prefill_problems(text: str, shown: str) -> list[Finding]:
    """A prefill kind or a line's `fill=` key that the renderer will never fill."""

    out = []
    openings = [(m.start(), m.group(0)) for m in _WORKSHEET.finditer(text)]
    for start, fence in openings:
        kind = WORKSHEET_KIND.search(fence)
        if kind and kind.group(1) not in KINDS:
            out.append(
                Finding(
                    shown,
                    line_of(text, start),
                    "worksheet_unknown_prefill",
                    {"kind": kind.group(1), "known": ", ".join(KINDS)},
                )
            )
    for match in FILL_KEY.finditer(text):
        fence = next((f for start, f in reversed(openings) if start < match.start()), "")
        kind = WORKSHEET_KIND.search(fence)
        if kind is None or not is_fill_key(kind.group(1), match.group(1)):
            out.append(Finding(shown, line_of(text, match.start()), "worksheet_unknown_fill", {"key": match.group(1)}))
    return out


def handout_readability(text: str) -> tuple[Readability, Readability]:
    """(whole handout, running prose of its information sections).

    Headings and lists are short on purpose; counting them in the information LIX would push
    writers to turn lists into prose, so the target band is for the prose around them.
    """
    from imr.curriculum.lix import markdown_readability

    info = "\n".join(body for sid, body in sections(text) if sid not in NOT_INFORMATION)
    return markdown_readability(text), markdown_readability(info, prose_only=True)


def _figures(whole: Readability, info: Readability) -> dict:
    return {
        "words": whole.words,
        "sentences": whole.sentences,
        "long_words": whole.long_words,
        "lix": whole.lix,
        "info_lix": info.lix,
        "sentence_words": whole.mean_sentence_words,
        "short_share": whole.short_share,
    }


def out_of_band(figures: dict, scope: str) -> list[str]:
    """The names of the figures outside the documented band (scope "handout" or "overall")."""
    out = []
    for name, (low, high) in BAND[scope].items():
        value = figures.get(name)
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            out.append(name)
    return out


def curriculum_stats(curriculum: Curriculum, modules: list[int] | None = None) -> dict:
    """Readability per handout (worst LIX first) and over all of them, with the band (for `imr curriculum stats`).

    The overall figures pool every sentence, so a long handout weighs more than a short one;
    the band holds the handouts' median LIX rather than the pooled one.
    """
    from imr.curriculum.lix import EMPTY

    rows = []
    whole_total, info_total = EMPTY, EMPTY
    for session in curriculum.sessions():
        if modules and session.module not in modules:
            continue
        for variant, path in session.handout_paths.items():
            whole, info = handout_readability(path.read_text(encoding="utf-8"))
            whole_total, info_total = whole_total + whole, info_total + info
            row = {"session": session.id, "variant": variant, "title": session.title, **_figures(whole, info)}
            row["out_of_band"] = out_of_band(row, "handout")
            rows.append(row)
    rows.sort(key=lambda row: (-row["lix"], row["session"], row["variant"]))
    overall = {"handouts": len(rows), **_figures(whole_total, info_total)}
    import statistics  # lazy: 3 ms on every `imr check` (which reads the LIX figures from the cache)

    overall["median_lix"] = round(statistics.median(row["lix"] for row in rows), 1) if rows else 0.0
    overall["out_of_band"] = out_of_band(overall, "overall")
    band = {scope: {name: list(limits) for name, limits in figures.items()} for scope, figures in BAND.items()}
    return {"handouts": rows, "overall": overall, "band": band}


# --- Workspace curriculum overrides ----------------------------------------------------------
# Raw output blocks pass straight into a handout: a fenced ```{=html} or ```{=typst} block, an
# inline `…`{=html} span, or an HTML tag (`<script>`, `<iframe>`, `<!-- -->`) that pandoc passes
# through as raw HTML. imr's own curriculum has none; an override may not bring one.
_OVERRIDE_TEXT = (".md", ".yaml", ".yml", ".txt")


def curriculum_override_findings(workspace_root: Path | None) -> list[Finding]:
    """Files in a workspace's own `curriculum/`, listed like template overrides: one that
    replaces imr's file (`curriculum_override`), a new one (`curriculum_override_new`), a link
    (`curriculum_override_link`: never followed); and every raw HTML or Typst block in them
    (`curriculum_raw_block`), which would reach a printed handout unescaped."""
    import os

    from imr.core import resources
    from imr.core.errors import ImrError
    from imr.core.files import is_regular, read_regular

    if workspace_root is None:
        return []
    own = Path(workspace_root) / "curriculum"
    builtin = resources.builtin_dir("curriculum")
    if not own.is_dir() or os.path.islink(own) or own.resolve() == builtin.resolve():
        return []
    findings: list[Finding] = []
    for current, dirs, files in os.walk(own, followlinks=False):
        here = Path(current)
        for name in sorted(files + [d for d in dirs if (here / d).is_symlink()]):
            path = here / name
            relative = path.relative_to(own).as_posix()
            shown = f"curriculum/{relative}"
            if path.is_symlink() or not is_regular(path):
                findings.append(Finding(shown, 0, "curriculum_override_link", {"file": relative}))
                continue
            try:
                data = read_regular(path)
            except (OSError, ImrError):
                continue
            reference = builtin / relative
            try:
                same = is_regular(reference) and read_regular(reference) == data
            except (OSError, ImrError):
                same = False
            if same:
                continue
            code = "curriculum_override" if is_regular(reference) else "curriculum_override_new"
            findings.append(Finding(shown, 0, code, {"file": relative}))
            if name.endswith(_OVERRIDE_TEXT):
                text = data.decode("utf-8", "replace")
                for line, block in raw_blocks(text):
                    findings.append(Finding(shown, line, "curriculum_raw_block", {"block": block}))
    return findings
