"""Validation of the identifiers users type: participant ids, group names, session refs.

Ids become file names (`records/<id>.yaml`), so the pattern is deliberately narrow: ASCII
lower-case letters, digits and dashes. That shuts out path tricks (`..`, `/`), Unicode
look-alikes and anything a shell or a file system might reinterpret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr.core.errors import ImrError

ENTRY_ID = re.compile(r"[0-9a-hjkmnp-tv-z]{8}")  # an entry's id: 8 characters of Crockford's base 32
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_SESSION_REF = re.compile(r"(\d{1,2})\.(\d{1,2})")


def check_participant_id(value: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ImrError("bad_participant_id", id=_shown(value))
    return value


def check_group_name(value: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ImrError("bad_group_name", name=_shown(value))
    return value


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def _shown(value: object) -> str:
    """A printable, bounded rendering of what the user typed, for error messages."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True, order=True)
class SessionRef:
    module: int
    session: int

    def __str__(self) -> str:
        return f"{self.module}.{self.session}"

    @classmethod
    def parse(cls, text: str) -> SessionRef:
        match = _SESSION_REF.fullmatch(str(text).strip())
        if not match:
            raise ImrError("bad_session_ref", ref=_shown(text))
        return cls(int(match.group(1)), int(match.group(2)))
