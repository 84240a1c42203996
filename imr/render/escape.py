"""The one escape function for text that comes from records into generated Markdown.

A note, a goal or a homework is typed by staff and may contain anything: `<script>`, a pandoc
raw block (`{=typst}`), LaTeX (`\\input`), Typst code (`#read("…")`), Markdown that would turn
into a heading or a list. In Markdown every ASCII punctuation character can be written with a
backslash in front and then means only itself, so escaping all of them turns any such text
into plain visible words: pandoc reads it as ordinary text and every writer (HTML, DOCX,
Typst) escapes it again for its own language. Curriculum Markdown is trusted and marked with
`Trusted`, so the Jinja environment can escape everything else by default.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Inside a line these only change typography (smart quotes, dashes, ellipses) or nothing at
# all, so they stay readable in the Markdown; at the start of a line they could begin a list.
_MID_LINE_SPECIAL = re.compile(r"([#$&*+<=>@\[\\\]^_`{|}~])")
# What can open a block at the start of a line: punctuation (`-`, `#`, `>`, `:::`, `[x]:`, `|`)
# and list numbers or letters (`1.`, `a)`, `iv.`).
_LINE_START = re.compile(r"([!-/:-@\[-`{-~]*)(\w*)([.)]?)")
_BLANK_RUN = re.compile(r"\n\s*\n+")
# Two or more hyphens would become an en or em dash (pandoc's smart typography), which changes
# what was typed: a command's `--for` must print as `--for`. Each hyphen of a run is escaped.
_HYPHEN_RUN = re.compile(r"-{2,}")


class Trusted(str):
    """Markdown written by the curriculum authors or by our templates: inserted as is."""


def escape_markdown(text: object) -> str:
    """Plain text from a record as Markdown that shows exactly that text and nothing more.

    Line breaks stay line breaks (a Markdown hard break), but a text can never start a new
    block: leading spaces (a code block) are dropped and blank lines are folded, so record
    text stays inside the list item or paragraph the template put it in.
    """
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = _BLANK_RUN.sub("\n", value.strip())
    lines = [_escape_line(line.strip()) for line in value.split("\n")]
    return "\\\n".join(line for line in lines if line)


def _escape_line(line: str) -> str:
    """Whatever could start a block at the line's start, and anywhere the marks that open
    inline syntax (`<`, `[`, `*`, `` ` ``, `{`, `$`, `\\`, …); plain punctuation stays readable."""
    start = _LINE_START.match(line)
    assert start is not None  # the pattern matches every line (all its parts are optional)
    lead, word, marker = start.groups()
    head = _PUNCTUATION.sub(r"\\\1", lead) + _MID_LINE_SPECIAL.sub(r"\\\1", word) + ("\\" + marker if marker else "")
    rest = _MID_LINE_SPECIAL.sub(r"\\\1", line[start.end() :])
    return head + _HYPHEN_RUN.sub(lambda run: "\\-" * len(run.group(0)), rest)
