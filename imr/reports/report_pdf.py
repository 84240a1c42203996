"""The report as an A4 PDF: the HTML page's sections, charts and tables, from the same view.

The body is Typst written from the view (`imr.reports.report_typst`), with the charts passed to
Typst as data (`Document.charts`, read by page.typ), never as Typst code; page.typ sets the
page, the running header and the footer as for every printed document. Made in two steps
(`pdf_source`, then `compile_report_pdf`), so that a caller can let go of the report's data
before Typst lays out the pages: at 1,000 participants the parsed records and the report hold
about 25 MB that Typst can then use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imr.core.strings import strings
from imr.records.parallel import paused_gc
from imr.render import typst_pdf
from imr.render.documents import Document, Part
from imr.render.escape import escape_markdown
from imr.reports import report_typst
from imr.reports.report_render import build_view, report_words
from imr.reports.report_typst import (
    Block,
    BulletList,
    Compact,
    Heading,
    Inline,
    Item,
    Para,
    Raw,
    Table,
    bold,
    chart,
    plain,
)
from imr.reports.report_view import AttendanceGroup, AttendanceTable, AttendanceTableRow, ReportView
from imr.workspace.folder import Workspace

# Each participant's IMR Scale chart is drawn in the PDF up to this many participants (a ward);
# beyond it, a report over a region's records would hold hundreds of SVG charts in Typst (about
# 200 MB at 1,000 participants), so the PDF keeps their points as lines and says so.
PDF_PERSON_CHARTS = 60

# A whole-ward chart (sessions per week, goals over time) has a row per track or participant and
# is one picture that cannot break across pages, so past a page's worth of rows it runs off the
# page. Past this many rows (a region's records) the PDF leaves it out and says so; its lines
# stay. At 1,000 participants the two charts cost Typst about 30 MB and 0.3 s.
PDF_CHART_ROWS = 60

# The attendance matrix on A4 upright: at most this many meetings a table (the tables of a long
# period share the meetings evenly); the last one carries each person's sum.
PDF_MEETINGS = 8


@dataclass
class ReportPdf:
    """What Typst needs for the report's PDF: the document (header, footer, charts) and its body."""

    document: Document
    body: str


def pdf_source(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> ReportPdf:
    """The report's PDF before Typst: once it is made, the caller can let go of the report's
    data, so the records' objects are freed before Typst lays out the pages. (Typst and its
    fonts load in the compile: a warm-up thread would hold a malloc arena of its own.)
    Made without the cyclic garbage collector, as the report's data is (`build_report`)."""
    with paused_gc():
        return ReportPdf(*report_pdf_document(ws, report, lang))


def compile_report_pdf(ws: Workspace, source: ReportPdf) -> bytes:
    """The A4 PDF, compiled in one go with page.typ, with the inputs and labels the render
    pipeline gives every document."""
    labels = strings(ws.lang, ws.root).get("render", {})
    inputs = typst_pdf.document_inputs(source.document, labels)
    source.document.charts = None  # the charts travel in `inputs` from here on
    pdf, _ = typst_pdf.compile_pdf(typst_pdf.typst_source(source.body, ws.root), inputs, ws.root)
    return pdf


def render_pdf(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> bytes:
    return compile_report_pdf(ws, pdf_source(ws, report, lang))


def report_pdf_document(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> tuple[Document, str]:
    """The document (its header, footer and charts for page.typ) and its Typst body. The charts
    it leaves out (see PDF_PERSON_CHARTS and PDF_CHART_ROWS) are not drawn at all."""
    rows = {"regularity": len(report["regularity"]["rows"]), "goals": len(report["goals"])}
    too_tall = {name: count for name, count in rows.items() if count > PDF_CHART_ROWS}
    people = len(report["outcomes"]["participants"])
    left_out = frozenset([*too_tall, *(["outcomes"] if people > PDF_PERSON_CHARTS else [])])
    view = build_view(ws, report, lang, charts=True, left_out=left_out)
    charts: dict[str, str] = {}

    def keep(name: str, svg: str) -> list[str]:
        names = []
        for index, piece in enumerate(p for p in svg.split("</svg>") if p.strip()):
            key = f"{name}-{index + 1}"
            # Typst draws the SVG with imr's own font (a generic family could name a font it lacks).
            charts[key] = (piece + "</svg>").replace('font-family="sans-serif"', 'font-family="Atkinson Hyperlegible"')
            names.append(key)
        return names

    drawn = {"regularity": view.charts.regularity, "goals": view.charts.goals, "fidelity": view.charts.fidelity}
    t = report_words(ws, view.lang)
    for name, count in too_tall.items():
        view.pdf_left_out[name] = t(f"{name}_chart_left_out", n=count, most=PDF_CHART_ROWS)
    view.pdf_charts = {name: keep(name, svg) for name, svg in drawn.items() if svg}
    for index, group in enumerate(view.attendance, start=1):
        group.pdf_charts = keep(f"attendance{index}", group.chart)
        group.pdf_tables = attendance_tables(group)
    if "outcomes" not in left_out:
        for index, person in enumerate(view.outcomes.people, start=1):
            person.pdf_charts = keep(f"outcome{index}", person.chart)
    else:  # a region's worth of people: their points stay as lines, the charts stay on the HTML page
        view.outcomes.charts_left_out = t("outcomes_charts_left_out", n=people, most=PDF_PERSON_CHARTS)
    part = Part(template="", header_left=view.title, header_right=view.subtitle, context={}, sender=view.footer)
    document = Document(
        name="rapport",
        title=view.title,
        lang=view.lang,
        parts=[part],
        date=report["until"],
        subject=view.subtitle,
        charts=charts,
    )
    return document, report_typst.document(report_pdf_blocks(view), view.lang)


def report_pdf_blocks(view: ReportView) -> list[Block]:
    """The PDF's sections in order, as the report's Markdown had them before."""
    return [
        *_opening(view),
        *_regularity(view),
        *_attendance(view),
        *_list_section(view.headings.behind, [], [bold(p.id, ": " + p.text) for p in view.behind], view.behind_none),
        *_list_section(
            view.headings.goals,
            [*_charts(view.pdf_charts.get("goals", [])), *_left_out(view, "goals")],
            [bold(p.id, ": " + p.text) for p in view.goals],
            view.goals_none,
        ),
        *_outcomes(view),
        *_fidelity(view),
        *_changes(view),
        *(_notes(view) if view.notes is not None else []),
    ]


def _items(lines: list[list[Inline]]) -> BulletList:
    return BulletList([Item(line) for line in lines])


def _list_or(lines: list[list[Inline]], none: str) -> list[Block]:
    return [_items(lines)] if lines else [Para(plain(none))]


def _charts(names: list[str], like_first: bool = False) -> list[Block]:
    return [chart(name, names[0] if like_first else None) for name in names]


def _opening(v: ReportView) -> list[Block]:
    blocks: list[Block] = [
        Heading(1, v.title),
        Para(plain(v.subtitle + (f" · {v.group_line}" if v.group_line else ""))),
        Para(plain(v.privacy)),
        Heading(2, v.headings.integrity),
        *_list_or([bold(line) for line in v.integrity], v.integrity_none),
    ]
    if v.integrity_notes:
        blocks += [Heading(3, v.integrity_notes_heading), _items([plain(x) for x in v.integrity_notes])]
    return blocks


def _regularity(v: ReportView) -> list[Block]:
    reg = v.regularity
    blocks: list[Block] = [
        Heading(2, v.headings.regularity),
        Para(plain(reg.intro_text)),
        *_charts(v.pdf_charts.get("regularity", []), like_first=True),
        *_left_out(v, "regularity"),
        *_list_or([plain(line) for line in reg.rows], reg.none),
        Para(bold(reg.quiet_heading)),
    ]
    if reg.quiet:
        blocks.append(_items([plain(line) for line in reg.quiet]))
    return blocks


def _attendance(v: ReportView) -> list[Block]:
    blocks: list[Block] = [Heading(2, v.headings.attendance), Para(plain(v.attendance_legend_text))]
    for group in v.attendance:
        blocks += [
            Heading(3, group.heading),
            *_charts(group.pdf_charts),
            Compact([_attendance_table(table) for table in group.pdf_tables]),
        ]
    if not v.attendance:
        blocks.append(Para(plain(v.attendance_none)))
    return blocks


# The attendance tables' separator in the report's Markdown: its lengths are the columns' widths.
_FIRST, _MEETING, _SUM = ":--------------", ":-----:", ":------------------------------------------------"


def _attendance_table(table: AttendanceTable) -> Table:
    """One attendance table; its columns are as wide as their cells (pandoc's rule for a pipe
    table) unless a line of the Markdown table was longer than 72 characters."""
    columns, last = table.columns, table.last
    header = [plain(""), *[plain(c) for c in columns], *([plain("")] if last else [])]
    rows = [
        [
            bold(row.id),
            *[bold(letter) if run else plain(letter) for letter, run in row.cells],
            *([plain(row.sum)] if last else []),
        ]
        for row in table.rows
    ]
    lines = [
        "| |" + "".join(f" {escape_markdown(c)} |" for c in columns) + (" |" if last else ""),
        f"|{_FIRST}|" + f"{_MEETING}|" * len(columns) + (f"{_SUM}|" if last else ""),
        *(
            f"| **{escape_markdown(row.id)}** |"
            + "".join(f" **{escape_markdown(x)}** |" if run else f" {escape_markdown(x)} |" for x, run in row.cells)
            + (f" {escape_markdown(row.sum)} |" if last else "")
            for row in table.rows
        ),
    ]
    return Table(
        header=header,
        rows=rows,
        align=["left", *["center"] * len(columns), *(["left"] if last else [])],
        widths=[len(_FIRST), *[len(_MEETING)] * len(columns), *([len(_SUM)] if last else [])],
        relative=max(len(line) for line in lines) > 72,
    )


def _list_section(heading: str, charts: list[Block], lines: list[list[Inline]], none: str) -> list[Block]:
    return [Heading(2, heading), *charts, *_list_or(lines, none)]


def _left_out(v: ReportView, section: str) -> list[Block]:
    return [Para(plain(v.pdf_left_out[section]))] if section in v.pdf_left_out else []


def _outcomes(v: ReportView) -> list[Block]:
    out = v.outcomes
    items = [Item(plain(line)) for line in out.change]
    people = [Item(bold(p.id, ": " + p.points)) for p in out.people]
    if items and people:  # one list in the Markdown, a blank line between its two halves: a loose list
        items[-1].para = people[-1].para = True
    blocks: list[Block] = [Heading(2, v.headings.outcomes), Para(plain(out.intro))]
    if items or people:
        blocks.append(BulletList(items + people))
    if out.charts_left_out:
        blocks.append(Para(plain(out.charts_left_out)))
    for person in out.people:
        if person.pdf_charts:  # the name never at a page's foot with its chart on the next page
            blocks += [Raw("#block(breakable: false, width: 100%)["), Para(bold(person.id))]
            blocks += [*_charts(person.pdf_charts), Raw("]")]
    return blocks


def _fidelity(v: ReportView) -> list[Block]:
    fid = v.fidelity
    table = Table(
        header=[plain(c) for c in fid.columns],
        rows=[[bold(r[0]), plain(r[1]), plain(r[2]), plain(r[3])] for r in fid.rows],
        align=["left", "center", "center", "left"],
        widths=[30, 14, 14, 54],
        relative=True,
    )
    return [
        Heading(2, v.headings.fidelity),
        Para(plain(fid.intro)),
        *_charts(v.pdf_charts.get("fidelity", [])),
        Compact([table]),
        Para(plain(fid.mean)),
    ]


def _changes(v: ReportView) -> list[Block]:
    changes = v.changes
    if not changes.rows:
        return [Heading(2, v.headings.changes), Para(plain(changes.none))]
    table = Table(
        header=[plain(c) for c in changes.columns],
        rows=[[bold(r[0]), plain(r[1]), plain(r[2])] for r in changes.rows],
        align=["left", "right", "left"],
        widths=[15, 10, 71],
        relative=True,
    )
    return [Heading(2, v.headings.changes), Compact([table])]


def _notes(v: ReportView) -> list[Block]:
    return [Heading(2, v.headings.notes), _items([plain(line) for line in v.notes or []])]


def attendance_tables(group: AttendanceGroup) -> list[AttendanceTable]:
    """A group's matrix for the PDF, cut into tables narrow enough for the text column: the
    meetings as "MM-DD session" (the year is in the subtitle), letters in the cells, a letter in
    a run of absences in bold, each person's sum in the last table."""
    columns = [column[5:].replace(" (", " ").rstrip(")") for column in group.columns]
    count = max(1, -(-len(columns) // PDF_MEETINGS))
    size = -(-len(columns) // count) if columns else 0
    runs = {row.id: set(row.runs) for row in group.rows}
    tables = []
    for table in range(count):
        start, end = table * size, min(len(columns), (table + 1) * size)
        last = table == count - 1
        rows = [
            AttendanceTableRow(
                id=row.id,
                sum=row.sum if last else "",
                cells=[(letter, i in runs[row.id]) for i, letter in enumerate(row.letters[start:end], start=start)],
            )
            for row in group.rows
        ]
        tables.append(AttendanceTable(columns=columns[start:end], last=last, rows=rows))
    return tables
