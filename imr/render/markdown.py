"""A document as one Markdown text: each part from its template, behind a part marker.

The markers (`::: {.imr-part n=K}` before each part, `::: {.imr-end}` after the last) are the
only structure added outside the templates; the pandoc filter uses them to start a new page with the part's header, to keep anchors unique per
part, and to find the worksheets a part's prefilled answers belong to.
"""

from __future__ import annotations

from collections.abc import Callable

from imr.core.strings import strings
from imr.render.documents import Document
from imr.render.templating import render_template
from imr.workspace.folder import Workspace

Progress = Callable[[str, int, int], None]


def document_markdown(ws: Workspace, document: Document, progress: Progress | None = None) -> str:

    labels = strings(ws.lang, ws.root).get("render", {})

    def label(key: str, **params: object) -> str:
        text = labels.get(key, key)
        return text.format(**params) if params else text

    chunks = []
    total = len(document.parts)
    for number, part in enumerate(document.parts, start=1):
        body = render_template(ws.root, part.template, part.context, label).strip("\n")
        chunks.append(f"::: {{.imr-part n={number}}}\n:::\n\n{body}\n")
        if progress:
            progress("markdown", number, total)
    chunks.append("::: {.imr-end}\n:::\n")
    text = "\n".join(chunks)
    return swedish_marks(text) if document.lang == "sv" else text


# Quotation marks in Swedish text are ”…” and ’: pairs typed "…" become them through pandoc's
# smart quotes (imr.lua), and here the rest: a quote in record text (escaped as \" by
# `escape_markdown`) and English marks typed into the curriculum. Done on the Markdown in one
# pass, much cheaper than visiting every word in the Lua filter.
_MARKS = str.maketrans({"“": "”", "„": "”", "‘": "’"})


def swedish_marks(text: str) -> str:
    return text.replace('\\"', "”").replace("\\'", "’").translate(_MARKS)
