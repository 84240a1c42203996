"""A finding: one problem in one file at one line, reported by `imr check` and friends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imr.core.strings import strings
from imr.records.pii import comments, find_pii


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "sv") -> str:

        table = strings(lang).get("findings", {})
        template = table.get(self.code, self.code)
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError):
            text = template
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {text}"

    def to_json(self) -> list:
        """As caches keep it; params that JSON cannot hold become text."""
        return [self.path, self.line, self.code, jsonable(self.params)]

    @classmethod
    def from_json(cls, data: list) -> Finding:
        """Back from `to_json`; TypeError or ValueError if `data` is not one (a tampered cache)."""
        path, line, code, params = data
        if not (isinstance(path, str) and isinstance(line, int) and isinstance(code, str) and isinstance(params, dict)):
            raise TypeError("not a finding")
        return cls(path, line, code, params)


def jsonable(value: Any) -> Any:
    """Record data as JSON keeps it: anything YAML may hold that JSON cannot becomes text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def comment_findings(text: str, shown: str, allow: frozenset[str], house: str = "") -> list[Finding]:
    """Personal data in YAML comments (hand-written lines no reader of the file uses): whole-line
    comments, comments after a `- ` item, after a list item or after a value; `house` is the
    header comment imr itself writes, never scanned. Records and group files alike."""
    if house and text.startswith(house) and "#" not in text[len(house) :]:
        return []  # imr's own header and no other comment: the usual file
    out = []
    for number, comment in comments(text, frozenset(house.splitlines())):
        hit = find_pii(comment, allow)
        if hit:
            out.append(Finding(shown, number, f"pii_found_{hit.kind}"))
    return out
