"""The relapse plan (handout 7.4) as a card: one A4 page of its own, nine fields, a crisis box.

Each field has a row budget: room for a realistic plan (three short items in the lists one
reads first, two in the others) and always at least one blank row to add to by hand. Whether
a plan's items fit is measured here, before rendering, with the widths of the printed font
(Atkinson Hyperlegible Italic at the card's size, read from the shipped font file), so an
item that would push the card onto a second page is reported by name at render time instead
of silently printing two pages. The card is driven only by the plan state it is given
(`current_plan`, which may be the union of a fork), never by the record itself.

The crisis box says what to do on the ward, on leave (call the ward), at home after discharge
(the clinic) and in acute danger (112). The ward and the clinic are named by role from
`imr.yaml` (`crisis: {ward: …, clinic: …}`), never by a person or a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from imr.core import resources
from imr.curriculum.prefill import RELAPSE_SECTIONS

# Rows per field (items plus at least one blank row), in the order of the worksheet.
BUDGET = {
    "triggers": 4,
    "warning_signs": 4,
    "actions": 4,
    "calming": 3,
    "not_wanted": 3,
    "helpers": 4,
    "emergency": 3,
    "kept_at": 2,
    "copies": 3,
}
# The card's rows of fields: two side by side, or one across the card.
LAYOUT = (
    ("triggers", "warning_signs"),
    ("actions",),
    ("calming", "not_wanted"),
    ("helpers", "emergency"),
    ("kept_at", "copies"),
)

# Geometry shared with page.typ's imr-card (keep in step): text width and type size.
CARD_WIDTH_MM = 170.0
GUTTER_MM = 8.0
INSET_MM = 2.0
SIZE_PT = 13.0
PT_PER_MM = 72 / 25.4

_PHONE_LIKE = re.compile(r"\d[\d\s-]{3,}\d")

assert set(BUDGET) == set(RELAPSE_SECTIONS)


@dataclass
class Overflow:
    section: str
    label: str
    needed: int
    room: int


def column_width_mm(across: bool) -> float:
    return (CARD_WIDTH_MM if across else (CARD_WIDTH_MM - GUTTER_MM) / 2) - 2 * INSET_MM


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, float], float]:
    """Advance widths of the italic face in em, by code point (and the width of a fallback)."""
    from fontTools.ttLib import TTFont  # matplotlib's dependency, so always installed with imr

    path = resources.builtin_dir("templates") / "render" / "fonts" / "AtkinsonHyperlegible-Italic.ttf"
    font = TTFont(str(path), lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] / units for code, name in font.getBestCmap().items()}
    return widths, max(widths.get(ord("m"), 0.8), 0.8)


def text_width_mm(text: str, size_pt: float = SIZE_PT) -> float:
    widths, fallback = _advances()
    return sum(widths.get(ord(ch), fallback) for ch in text) * size_pt / PT_PER_MM


def wrapped_lines(text: str, width_mm: float) -> int:
    """How many lines `text` takes at the card's size in a column `width_mm` wide (greedy wrap,
    as Typst breaks a line without hyphenation)."""
    count = 0
    for paragraph in str(text).splitlines() or [""]:
        line = 0.0
        count += 1
        space = text_width_mm(" ")
        for word in paragraph.split():
            w = text_width_mm(word)
            if line and line + space + w > width_mm:
                count += 1
                line = w
            else:
                line = line + space + w if line else w
            while line > width_mm:  # a word longer than the line breaks anywhere
                count += 1
                line -= width_mm
    return count


def items_of(plan: dict[str, Any] | None, section: str) -> list[str]:
    value = (plan or {}).get(section)
    if value is None:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value if str(v).strip()]


def overflows(plan: dict[str, Any] | None, label: Callable[[str], str]) -> list[Overflow]:
    """The fields whose items need more rows than the card keeps for them (less one blank row)."""
    out = []
    for row in LAYOUT:
        width = column_width_mm(len(row) == 1)
        for section in row:
            needed = sum(wrapped_lines(item, width) for item in items_of(plan, section))
            room = BUDGET[section] - 1
            if needed > room:
                out.append(Overflow(section, label(f"card_{section}"), needed, room))
    return out


def _role(config: dict[str, Any], key: str, default: str) -> str:
    """A role from `imr.yaml` (`crisis: {ward: …, clinic: …}`); a value that looks like a phone
    number or is not short text falls back to the default: the card names roles, not numbers."""
    crisis = config.get("crisis")
    value = crisis.get(key) if isinstance(crisis, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value) > 60 or _PHONE_LIKE.search(value):
        return default
    return value.strip()


def card_context(plan: dict[str, Any] | None, config: dict[str, Any], label: Callable[..., str]) -> dict[str, Any]:
    """What card.md.j2 shows: the rows of fields with their items and budgets, and the crisis box."""
    number = {section: i for i, section in enumerate(RELAPSE_SECTIONS, start=1)}
    rows = []
    for row in LAYOUT:
        fields = []
        for section in row:
            items = items_of(plan, section)
            needed = sum(wrapped_lines(item, column_width_mm(len(row) == 1)) for item in items)
            fields.append(
                {
                    "key": section,
                    "label": label("card_field", n=number[section], label=label(f"card_{section}")),
                    "entries": items,
                    "rows": max(BUDGET[section], needed + 1),
                    # Blank rows left under the items once they wrap (Typst counts this itself; the
                    # DOCX writes one paragraph per item and this many empty rows, so a wrapped item
                    # does not make the card a row taller than its budget).
                    "blank": max(BUDGET[section], needed + 1) - needed,
                }
            )
        rows.append(fields)
    ward = _role(config, "ward", label("card_ward_default"))
    clinic = _role(config, "clinic", label("card_clinic_default"))
    crisis = [
        {"title": label("card_on_ward"), "text": label("card_on_ward_do", ward=ward, clinic=clinic)},
        {"title": label("card_on_leave"), "text": label("card_on_leave_do", ward=ward, clinic=clinic)},
        {"title": label("card_at_home"), "text": label("card_at_home_do", ward=ward, clinic=clinic)},
        {"title": label("card_danger"), "text": label("card_danger_do", ward=ward, clinic=clinic)},
    ]
    return {
        "title": label("card_title"),
        "made_label": label("card_made"),
        "made": (plan or {}).get("date") or "",
        "review_label": label("card_review"),
        "rows": rows,
        "crisis_title": label("card_crisis_title"),
        "crisis": crisis,
    }
