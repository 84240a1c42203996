"""From documents to bytes: Jinja → Markdown → pandoc → HTML / DOCX / Typst → PDF.

For PDF, all documents of one call go through a single pandoc process and then compile in
parallel threads; HTML and DOCX are one pandoc process per document (each is one file).
`progress(step, done, total)` lets the CLI show a progress bar without the library printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from imr.core.errors import ImrError
from imr.core.strings import strings
from imr.render import pandoc, typst_pdf
from imr.render.documents import Document
from imr.render.markdown import Progress, document_markdown
from imr.render.typst_pdf import warm_up
from imr.workspace.folder import Workspace

FORMATS = ("pdf", "docx", "html", "md")


@dataclass
class Rendered:
    document: Document
    data: bytes
    warnings: list[str] = field(default_factory=list)


def check_format(value: str) -> str:
    fmt = (value or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise ImrError("render_bad_format", format=str(value)[:20])
    return fmt


def render_documents(
    ws: Workspace, documents: list[Document], fmt: str, progress: Progress | None = None
) -> list[Rendered]:

    fmt = check_format(fmt)
    total_parts = sum(len(d.parts) for d in documents)
    done_parts = 0

    def part_done(step: str, done: int, total: int) -> None:
        if progress:
            progress("markdown", done_parts + done, total_parts)

    markdowns = []
    for document in documents:
        markdowns.append(document_markdown(ws, document, part_done))
        done_parts += len(document.parts)
    if fmt == "md":
        return [Rendered(d, m.encode("utf-8"), list(d.warnings)) for d, m in zip(documents, markdowns, strict=False)]

    labels = strings(ws.lang, ws.root).get("render", {})
    toc_title = labels.get("contents", "")
    if progress:
        progress("pandoc", 0, 1)
    if fmt in ("html", "docx"):
        out = []
        for document, markdown in zip(documents, markdowns, strict=False):
            data = pandoc.convert(
                markdown,
                fmt,
                lang=document.lang,
                title=document.title,
                workspace_root=ws.root,
                toc_title=toc_title,
                labels=labels,
                header=_running_header(document),
                sender=next((p.sender for p in document.parts if p.sender), ""),
            )
            if fmt == "html":  # the fonts are too large for a pandoc argument
                data = data.replace(b"/* imr-fonts */", pandoc.embedded_fonts_css().encode("ascii"), 1)
            if fmt == "docx":
                from imr.render.docx import finish_docx  # lazy: 4 ms on imr render handout (zipfile)

                data = finish_docx(data, document, labels)
            out.append(Rendered(document, data, list(document.warnings)))
        if progress:
            progress("pandoc", 1, 1)
        return out

    # typst and its fonts load in a thread while pandoc works (importing typst during the
    # Jinja stage would hold the interpreter that stage needs: about 4 ms more for a handout)
    warm_up(ws.root)
    bodies = pandoc.convert_many_to_typst(
        markdowns, lang=documents[0].lang if documents else ws.lang, workspace_root=ws.root, labels=labels
    )
    if progress:
        progress("pandoc", 1, 1)
        progress("typst", 0, len(documents))
    jobs = [
        (typst_pdf.typst_source(body, ws.root), typst_pdf.document_inputs(document, labels))
        for document, body in zip(documents, bodies, strict=False)
    ]
    results = typst_pdf.compile_many(
        jobs, ws.root, (lambda n: progress("typst", n, len(documents))) if progress else None
    )
    return [
        Rendered(d, pdf, list(d.warnings) + warnings) for d, (pdf, warnings) in zip(documents, results, strict=False)
    ]


def render_document(ws: Workspace, document: Document, fmt: str, progress: Progress | None = None) -> Rendered:
    return render_documents(ws, [document], fmt, progress)[0]


def _running_header(document: Document) -> str:
    """The line printed at the top of every page of an HTML or DOCX document: its title, and
    for personalised output the pseudonym, date and leader."""
    personal = next((p.personal_line for p in document.parts if p.personal_line), None)
    if personal and len({p.personal_line for p in document.parts if p.personal_line}) == 1:
        return f"{document.title} · {personal}"
    return document.title
