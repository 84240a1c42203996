"""The report's PDF body written as Typst straight from the view: no Markdown, no pandoc.

A report over a region's records is a long document of short lines (1,000 participants make
about 130 pages). Going through Markdown, pandoc and imr.lua cost a second and a pandoc
process of about 170 MB beside imr for it, so the report writes the few constructs it uses
itself, in the form pandoc's Typst writer and imr.lua gave them (so the pages look the same):
headings, paragraphs, bullet lists, bold, the compact tables and the charts, with the same rule
for keeping a heading with the first lines under it (`keep_with_heading`, imr.lua's
`pass_keep`). The layout, the running header and footer and the charts stay in page.typ.

Every text is escaped here (`text`): a group name or a signature is shown as typed and can
never become Typst markup or code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# --- text ----------------------------------------------------------------------------------------

# Characters that start markup, code, math, a label, a reference or a comment in Typst text.
_SPECIAL = re.compile(r"([\\#\[\]<>@$*_`=~/])")
# Typst's shorthands for dashes and the soft hyphen: `--` and `-?` are typed hyphens.
_HYPHEN = re.compile(r"-(?=[-?])")
# What would open a list, an enumeration or a heading at the start of a line.
_LINE_START = re.compile(r"^(\d+[.)]|[-+])")
# Swedish quotation marks, as imr's Markdown path set them (imr.render.markdown.swedish_marks).
_SWEDISH = str.maketrans({'"': "”", "'": "’", "“": "”", "„": "”", "‘": "’"})


def text(value: object, lang: str = "sv", indent: str = "") -> str:
    """Plain text as Typst markup that shows exactly that text. Line breaks stay line breaks
    (blank lines fold, as in imr's Markdown escaping); `indent` continues a list item."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if lang == "sv":
        value = value.translate(_SWEDISH)
    lines = [" ".join(line.split()) for line in value.split("\n")]
    return f" \\\n{indent}".join(_line(line) for line in lines if line)


def _line(line: str) -> str:
    escaped = _HYPHEN.sub(r"\\-", _SPECIAL.sub(r"\\\1", line))
    return "\\" + escaped if _LINE_START.match(escaped) else escaped


def string(value: str) -> str:
    """A Typst string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- blocks --------------------------------------------------------------------------------------


@dataclass
class Inline:
    text: str
    strong: bool = False


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    inlines: list[Inline]


@dataclass
class Item:
    inlines: list[Inline]
    para: bool = False  # Markdown's paragraph item (a blank line after it): the list is loose


@dataclass
class BulletList:
    items: list[Item]


@dataclass
class Raw:
    typst: str


@dataclass
class Table:
    """A pipe table as the report's Markdown had it: `widths` are the separator's lengths."""

    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    align: list[str]
    widths: list[int]
    relative: bool  # a Markdown line longer than 72 characters: the table takes the text width


@dataclass
class Compact:
    tables: list[Table] = field(default_factory=list)


Block = Heading | Para | BulletList | Raw | Compact


def plain(value: object) -> list[Inline]:
    return [Inline(str(value))]


def bold(value: object, after: str = "") -> list[Inline]:
    return [Inline(str(value), strong=True)] + ([Inline(after)] if after else [])


def chart(name: str, like: str | None = None) -> Raw:
    return Raw(f"#imr-chart({string(name)}, like: {string(like or name)})")


# --- keeping a heading with what follows (imr.lua's pass_keep) -----------------------------------

LEAD_IN_ENDS = (":", "till exempel", "for example", "t.ex.")
CHARS_PER_LINE = 62  # 14 pt on 140 mm (page.typ)


def _flat(inlines: Iterable[Inline]) -> str:
    return " ".join("".join(i.text for i in inlines).replace("...", "…").split())


def _words(block: Block) -> str:
    if isinstance(block, Heading):
        return " ".join(block.text.split())
    if isinstance(block, Para):
        return _flat(block.inlines)
    if isinstance(block, BulletList):
        return "".join(_flat(item.inlines) for item in block.items)
    return ""


def _lines(blocks: list[Block]) -> int:
    return sum(max(1, math.ceil(len(_words(b)) / CHARS_PER_LINE)) for b in blocks)


def _lead_in(block: Block | None) -> bool:
    return isinstance(block, Para) and _words(block).rstrip().endswith(LEAD_IN_ENDS)


def _cut(items: BulletList, n: int) -> tuple[BulletList, BulletList | None]:
    if len(items.items) <= n:
        return items, None
    return BulletList(items.items[:n]), BulletList(items.items[n:])


def _group(blocks: list[Block], i: int) -> tuple[list[Block], BulletList | None, int]:
    """What to keep with blocks[i] (a heading, or a lead-in before a list): the paragraphs up
    to about three lines, or the first items of a list; the rest of a cut list separately."""
    block = blocks[i]
    heading = isinstance(block, Heading)
    group: list[Block] = [block]
    wanted = 3 if heading else 0
    j = i + 1
    while j < len(blocks):
        following = blocks[j]
        if isinstance(following, Para) and _lines(group) - heading < wanted:
            group.append(following)
            j += 1
            if _lead_in(following) and j < len(blocks) and isinstance(blocks[j], BulletList):
                wanted = 0
        elif isinstance(following, BulletList) and (_lead_in(group[-1]) or _lines(group) < wanted + 1):
            head, rest = _cut(following, max(2, wanted - (_lines(group) - heading)))
            return [*group, head], rest, j + 1
        else:
            break
    return group, None, j


def keep_with_heading(blocks: list[Block]) -> list[Block]:
    """Each heading kept on one page with the first lines under it, each lead-in with two
    items of its list; the rest of a cut list follows in its own block."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if not (isinstance(block, Heading) or (_lead_in(block) and isinstance(following, BulletList))):
            out.append(block)
            i += 1
            continue
        group, rest, i = _group(blocks, i)
        if len(group) == 1:
            out.append(block)  # a heading before a chart or a table: sticky in page.typ
            continue
        out.append(Raw("#block(breakable: false, width: 100%" + (", below: 0.8em" if rest else "") + ")["))
        out.extend(group)
        out.append(Raw("]"))
        if rest:
            out.extend([Raw("#block(above: 0.8em, width: 100%)["), rest, Raw("]")])
    return out


# --- writing -------------------------------------------------------------------------------------


def _inlines(inlines: list[Inline], lang: str, indent: str = "") -> str:
    out = []
    for index, inline in enumerate(inlines):
        words = text(inline.text, lang, indent)
        if index and not inline.strong and words.startswith("\\"):
            words = words[1:] if _LINE_START.match(words[1:]) else words  # not at a line's start
        out.append(f"#strong[{words}]" if inline.strong else words)
    return "".join(out)


def _table(table: Table, lang: str) -> str:
    if table.relative:
        total = sum(table.widths)
        columns = "(" + ", ".join(f"{round(w / total * 10000) / 100}%" for w in table.widths) + ")"
    else:
        columns = str(len(table.widths))
    header = "".join(f"[{_inlines(cell, lang)}], " for cell in table.header).rstrip(" ")
    rows = "".join(
        "    " + "".join(f"[{_inlines(cell, lang)}], " for cell in row).rstrip(" ") + "\n" for row in table.rows
    )
    return (
        "#figure(\n"
        "  align(center)[#table(\n"
        f"    columns: {columns},\n"
        f"    align: ({','.join(table.align)},),\n"
        f"    table.header({header}),\n"
        "    table.hline(),\n"
        f"{rows}"
        "  )]\n"
        "  , kind: table\n"
        "  )\n"
    )


def write(blocks: list[Block], lang: str) -> Iterable[str]:
    """The Typst of each block, in order (a generator: the body is joined once, at the end)."""
    for block in blocks:
        if isinstance(block, Heading):
            yield "=" * block.level + " " + text(block.text, lang) + "\n"
        elif isinstance(block, Para):
            yield _inlines(block.inlines, lang) + "\n\n"
        elif isinstance(block, BulletList):
            loose = any(item.para for item in block.items)
            gap = "\n" if loose else ""
            yield "".join(f"- {_inlines(item.inlines, lang, '  ')}\n{gap}" for item in block.items)
            if not loose:
                yield "\n"
        elif isinstance(block, Raw):
            yield block.typst + "\n"
        else:
            yield "#imr-compact()[\n" + "\n".join(_table(t, lang) for t in block.tables) + "\n]\n"


def document(blocks: list[Block], lang: str) -> str:
    """The body of a one-part document, between the part's markers as page.typ counts them."""
    start = "#imr-part-break(1)\n#set page(header: imr-header(1), footer: imr-footer(1))\n#imr-part-start(1)\n"
    end = '#metadata(none) <imr-end-1>\n#metadata("end") <imr-end>\n'
    return start + "".join(write(keep_with_heading(blocks), lang)) + end
