"""The one reader of dates people type, for every `--date`, `--since` and `--until`, every form
answer and imr web's forms.

Staff write `2026-11-26`, `26/11`, `26/11/2026`, `idag`, `igår`, `i torsdags` (the last Thursday
before today) or in English `today`, `yesterday`, `last thursday`. Anything else is refused with
one sentence (`bad_date`) that shows what can be written. Reading is all this module does: each
command keeps its own rules (not in the future, not before the participant's enrolment, not
before 1900 in a record) where they are.
"""

from __future__ import annotations

from datetime import date, timedelta

from imr.core.errors import ImrError

_WEEKDAYS = {
    "måndags": 0,
    "tisdags": 1,
    "onsdags": 2,
    "torsdags": 3,
    "fredags": 4,
    "lördags": 5,
    "söndags": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_TODAY = ("idag", "i dag", "today")
_YESTERDAY = ("igår", "i går", "yesterday")

# A day/month/year answer's year is written in full: `26/11/26` is a slip, not the year 26.
_FULL_YEAR = 1900


def parse_date(value: object, today: date | None = None) -> date:
    """The day `value` names (`today` defaults to the computer's date); raises ImrError("bad_date")."""
    today = today or date.today()
    text = " ".join(str(value).strip().casefold().split())
    if text in _TODAY:
        return today
    if text in _YESTERDAY:
        return today - timedelta(days=1)
    words = text.split(" ")
    if len(words) == 2 and words[0] in ("i", "last") and words[1] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[words[1]]) % 7 or 7
        return today - timedelta(days=back)
    try:
        return _written_out(text, today)
    except (TypeError, ValueError):
        raise ImrError("bad_date", date=str(value)[:40]) from None


def _written_out(text: str, today: date) -> date:
    """`26/11`, `26/11/2026` or exactly `2026-11-26` (raises ValueError otherwise)."""
    if "/" in text:
        parts = [int(p) for p in text.split("/")]
        if len(parts) == 2:
            return date(today.year, parts[1], parts[0])
        if len(parts) == 3 and parts[2] >= _FULL_YEAR:
            return date(parts[2], parts[1], parts[0])
        raise ValueError(text)
    parsed = date.fromisoformat(text)
    if parsed.isoformat() != text:
        raise ValueError(text)  # Python 3.11 also reads `20261126` and week dates: not what staff write
    return parsed
