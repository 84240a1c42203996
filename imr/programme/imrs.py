"""The IMR Scale (IMRS): the instrument as data, assessments in the record, change over time.

The items, their anchors and which of them may be "not applicable" live in
`curriculum/instruments/imrs.yaml`, so a ward can adjust the wording without touching code and
the interactive form, the check of a score list and the report all read the same source. An
assessment is accepted only whole: exactly one answer per item, each 1–5 or `na` where the
instrument allows it; anything else is refused before a byte is written.

The mean is over the answered items, because `na` means the item does not concern this
person (no prescribed medicine, no alcohol), not that the answer is missing. Client and
clinician ratings are different views, so change is counted against the first assessment by
the same rater.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.core import resources
from imr.core.errors import ImrError
from imr.core.yamlio import YamlProblem, load_file
from imr.programme.sessions import check_date
from imr.records.kinds import IMRS_ITEMS, IMRS_NA, IMRS_NOT_APPLICABLE, IMRS_SCORES, RATERS
from imr.records.state import ParticipantState
from imr.workspace import store
from imr.workspace.folder import Workspace

INSTRUMENT_FILE = "instruments/imrs.yaml"
NOT_APPLICABLE = IMRS_NA  # the item table (numbers, scores, which may be `na`) is the record schema's
SCORES = IMRS_SCORES
ITEMS = IMRS_ITEMS
LANGS = ("sv", "en")


@dataclass(frozen=True)
class Item:
    number: int
    topic: str
    title: dict[str, str]
    question: dict[str, dict[str, str]]  # rater -> lang -> text
    anchors: dict[int, dict[str, str]]  # score -> lang -> text
    not_applicable: bool
    not_applicable_text: dict[str, str]


@dataclass(frozen=True)
class Instrument:
    id: str
    title: dict[str, str]
    raters: dict[str, dict[str, str]]
    items: tuple[Item, ...]

    def allowed(self, number: int) -> list[str]:
        """The answers item `number` accepts, as typed: 1–5, and `na` where allowed."""
        item = self.items[number - 1]
        return [str(s) for s in SCORES] + ([NOT_APPLICABLE] if item.not_applicable else [])

    def label(self, field: dict[str, str], lang: str) -> str:
        return field.get(lang) or field.get("sv") or ""


def instrument_path(workspace_root: Path | None) -> Path:
    path = resources.find_file("curriculum", INSTRUMENT_FILE, workspace_root)
    if path is None:
        raise ImrError("imrs_instrument_missing", path=f"curriculum/{INSTRUMENT_FILE}")
    return path


def load_instrument(workspace_root: Path | None = None) -> Instrument:
    return _load(instrument_path(workspace_root))


@lru_cache(maxsize=4)
def _load(path: Path) -> Instrument:

    try:
        data = load_file(path)
    except YamlProblem as problem:
        raise ImrError("imrs_instrument_broken", path=str(path), line=problem.line, reason=problem.code) from None
    problems = instrument_problems(data)
    if problems:
        line, reason = problems[0]
        raise ImrError("imrs_instrument_broken", path=str(path), line=line, reason=reason)
    items = tuple(
        Item(
            number=raw["number"],
            topic=str(raw.get("topic") or ""),
            title=dict(raw["title"]),
            question={rater: dict(texts) for rater, texts in raw["question"].items()},
            anchors={int(score): dict(texts) for score, texts in raw["anchors"].items()},
            not_applicable=bool(raw.get("not_applicable")),
            not_applicable_text=dict(raw.get("not_applicable_text") or {}),
        )
        for raw in data["items"]
    )
    return Instrument(
        id=str(data.get("id") or "imrs"),
        title=dict(data["title"]),
        raters={k: dict(v) for k, v in data["raters"].items()},
        items=items,
    )


def instrument_problems(data: Any) -> list[tuple[int, str]]:
    """What is wrong with an instrument file, as (line, reason); empty when it is sound."""

    def texts(value: Any) -> bool:
        return isinstance(value, dict) and all(
            isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS
        )

    if not isinstance(data, dict):
        return [(1, "not a mapping")]
    line = getattr(data, "line", 1)
    out: list[tuple[int, str]] = []
    if not texts(data.get("title")):
        out.append((line, "title needs sv and en"))
    raters = data.get("raters")
    if not isinstance(raters, dict) or set(raters) != set(RATERS) or not all(texts(v) for v in raters.values()):
        out.append((line, f"raters must be {', '.join(RATERS)} with sv and en"))
    items = data.get("items")
    if not isinstance(items, list) or len(items) != len(IMRS_ITEMS):
        return [*out, (line, f"items must be a list of {len(IMRS_ITEMS)}")]
    may_be_na = f"{IMRS_NOT_APPLICABLE[0]}-{IMRS_NOT_APPLICABLE[-1]}"
    for index, raw in zip(IMRS_ITEMS, items, strict=True):
        where = getattr(raw, "line", line)
        if not isinstance(raw, dict) or raw.get("number") != index:
            out.append((where, f"item {index} is missing or out of order"))
            continue
        if not texts(raw.get("title")):
            out.append((where, f"item {index}: title needs sv and en"))
        question = raw.get("question")
        if not isinstance(question, dict) or not all(texts(question.get(r)) for r in RATERS):
            out.append((where, f"item {index}: a question per rater in sv and en"))
        anchors = raw.get("anchors")
        if (
            not isinstance(anchors, dict)
            or sorted(anchors) != list(SCORES)
            or not all(texts(v) for v in anchors.values())
        ):
            out.append((where, f"item {index}: anchors 1-5 in sv and en"))
        na = raw.get("not_applicable", False)
        # The record schema (imr.records.kinds) accepts `na` for those items only.
        if not isinstance(na, bool) or (na and index not in IMRS_NOT_APPLICABLE):
            out.append((where, f"item {index}: not_applicable is only possible for items {may_be_na}"))
        if na and not texts(raw.get("not_applicable_text")):
            out.append((where, f"item {index}: not_applicable_text in sv and en"))
    return out


def parse_scores(text: str, instrument: Instrument) -> list[int | str]:
    """`3,4,2,…,na` as typed on the command line into the list an entry stores."""
    parts = [part.strip() for part in str(text).split(",")]
    if parts == [""]:
        parts = []
    return check_scores(parts, instrument)


def check_scores(answers: list[Any], instrument: Instrument) -> list[int | str]:
    """Exactly one valid answer per item, or one clear error naming the first bad one."""
    count = len(instrument.items)
    if len(answers) != count:
        raise ImrError("imrs_wrong_count", count=len(answers), expected=count)
    scores: list[int | str] = []
    for number, raw in enumerate(answers, start=1):
        value = str(raw).strip().lower()
        allowed = instrument.allowed(number)
        if value not in allowed:
            raise ImrError("imrs_bad_score", item=number, value=str(raw)[:20], allowed=", ".join(allowed))
        scores.append(value if value == NOT_APPLICABLE else int(value))
    return scores


def mean(scores: list[Any]) -> float | None:
    """The mean of the answered items, to two decimals (None if nothing was answered)."""
    answered = [s for s in scores if isinstance(s, int) and not isinstance(s, bool)]
    return round(sum(answered) / len(answered), 2) if answered else None


def add_assessment(
    ws: Workspace,
    participant_id: str,
    *,
    rater: str,
    scores: list[Any],
    date: str | None = None,
    note: str | None = None,
    by: str | None = None,
) -> dict:

    signature = ws.signature(by)
    if rater not in RATERS:
        raise ImrError("imrs_bad_rater", rater=str(rater)[:40], allowed=", ".join(RATERS))
    clean = check_scores(list(scores), load_instrument(ws.root))
    day = check_date(date)
    store.load_record(ws, participant_id)
    entry = store.stamp({"kind": "imrs", "rater": rater, "scores": clean, "date": day, "note": note or None}, signature)
    store.append(ws, participant_id, [entry])
    return entry


def assessments(state: ParticipantState) -> list[dict[str, Any]]:
    """Every assessment in date order, with its mean and the change since the rater's first."""
    rows = []
    ordered = sorted(state.imrs, key=lambda e: (str(e.get("date", "")), e.number))
    first: dict[str, float | None] = {}
    for entry in ordered:
        scores = list(entry.get("scores") or [])
        rater = entry.get("rater")
        value = mean(scores)
        if rater not in first:
            first[rater] = value
            change = None
        else:
            base = first[rater]
            change = round(value - base, 2) if value is not None and base is not None else None
        rows.append(
            {
                "date": entry.get("date"),
                "rater": rater,
                "scores": scores,
                "mean": value,
                "answered": sum(1 for s in scores if isinstance(s, int)),
                "change": change,
                "by": entry.get("by"),
                "entry": entry.number,
                "note": entry.get("note"),
            }
        )
    return rows


def change_summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per rater: first and latest mean and the change between them (for `imrs show` and status)."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        rater = row["rater"]
        if rater not in out:
            out[rater] = {"first_date": row["date"], "first_mean": row["mean"], "count": 0}
        summary = out[rater]
        summary.update(
            {
                "latest_date": row["date"],
                "latest_mean": row["mean"],
                "count": summary["count"] + 1,
                "change": row["change"] if row["change"] is not None else 0.0,
            }
        )
    return out
