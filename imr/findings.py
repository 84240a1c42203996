"""A finding: one problem in one file at one line, reported by `imr check` and friends."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "sv") -> str:
        from imr.strings import strings

        table = strings(lang).get("findings", {})
        template = table.get(self.code, self.code)
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError):
            text = template
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {text}"
