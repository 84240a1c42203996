"""A guard against personal data in free text: personnummer, phone numbers, e-mail addresses.

Records are pseudonymous (GDPR special category data), so identifiers that point straight at
a person are refused when written and reported by `imr check`. A personnummer is only
flagged when its Luhn check digit is right, so ordinary numbers do not raise false alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PNR = re.compile(r"(?<![\d+-])(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-]{5,16}\d(?![\w])")


@dataclass(frozen=True)
class PiiHit:
    kind: str  # personnummer | phone | email
    text: str

    def label(self, lang: str = "sv") -> str:
        from imr.strings import label

        return label("pii", self.kind, lang)


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _plausible_date(month: str, day: str) -> bool:
    m, d = int(month), int(day)
    # Samordningsnummer add 60 to the day.
    return 1 <= m <= 12 and (1 <= d <= 31 or 61 <= d <= 91)


def find_personnummer(text: str) -> str | None:
    for match in _PNR.finditer(text):
        _century, year, month, day, _sep, tail = match.groups()
        if _plausible_date(month, day) and luhn_ok(year + month + day + tail):
            return match.group(0)
    return None


def find_phone(text: str) -> str | None:
    for match in _PHONE.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if raw.startswith(("+46", "0046")):
            national = digits[2:] if raw.startswith("+") else digits[4:]
            if 7 <= len(national) <= 10:
                return raw
        elif raw.startswith("+") or raw.startswith("00"):
            if 8 <= len(digits) <= 15:
                return raw
        elif digits.startswith("0") and 8 <= len(digits) <= 11 and not _looks_like_date(raw):
            return raw
    return None


def _looks_like_date(raw: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()) is not None


def find_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def identifier_problem(value: str) -> PiiHit | None:  # interim; replaced by the privacy work
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7:
        return PiiHit("phone", value)
    return find_pii(value)


def find_pii(text: str, allow: frozenset = frozenset()) -> PiiHit | None:
    """The first personal identifier in a text, or None."""
    for kind, finder in (("personnummer", find_personnummer), ("email", find_email), ("phone", find_phone)):
        hit = finder(text)
        if hit:
            return PiiHit(kind, hit)
    return None
