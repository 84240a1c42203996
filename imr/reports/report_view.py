"""The report's view: every heading, sentence and table cell already in words, typed.

`imr.reports.report_render.build_view` makes a `ReportView` from `imr.reports.report.build_report`'s
data; the HTML template, the PDF's Typst (`imr.reports.report_typst`) and the region's ward pages
read it. Charts are SVG strings drawn by `imr.reports.report_svg` ("" where a section has none);
the HTML page marks them safe (`markupsafe.Markup`) just before its template reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Regularity:
    intro: str
    intro_text: str
    rows: list[str]  # one sentence per group or individual track
    quiet_heading: str
    quiet: list[str]  # who has had no session for a while, one sentence each
    none: str


@dataclass
class AttendanceRow:
    id: str
    cells: list[str]  # the HTML table's words: "närvarande", "·" where not a member then
    letters: list[str]  # the PDF's letters: N, F, T, ·
    runs: list[int]  # the indexes of cells in a run of absences
    sum: str


@dataclass
class AttendanceTableRow:
    id: str
    sum: str  # in the last table only
    cells: list[tuple[str, bool]]  # (letter, in a run of absences)


@dataclass
class AttendanceTable:
    """A part of a group's matrix narrow enough for the PDF's text column."""

    columns: list[str]
    last: bool
    rows: list[AttendanceTableRow]


@dataclass
class AttendanceGroup:
    heading: str
    columns: list[str]  # "YYYY-MM-DD (session)" per meeting
    rows: list[AttendanceRow]
    chart: str
    pdf_charts: list[str] = field(default_factory=list)  # the chart's names in `Document.charts`
    pdf_tables: list[AttendanceTable] = field(default_factory=list)


@dataclass
class PersonLine:
    id: str
    text: str


@dataclass
class OutcomePerson:
    id: str
    points: str  # "date rater mean, …"
    chart: str
    pdf_charts: list[str] = field(default_factory=list)


@dataclass
class Outcomes:
    intro: str
    change: list[str]  # one sentence per rater
    people: list[OutcomePerson]
    none: str
    charts_left_out: str = ""  # the PDF's sentence when it leaves each person's chart out


@dataclass
class Fidelity:
    intro: str
    columns: list[str]
    rows: list[list[str]]  # item, previous, now, evidence
    mean: str


@dataclass
class Changes:
    columns: list[str]
    rows: list[list[str]]  # signature, total, counts by kind
    none: str


@dataclass
class Charts:
    """The whole-ward charts as SVG ("" for none); the regularity one is one SVG per quarter."""

    regularity: str = ""
    goals: str = ""
    fidelity: str = ""


@dataclass
class Headings:
    integrity: str
    regularity: str
    attendance: str
    behind: str
    goals: str
    outcomes: str
    fidelity: str
    changes: str
    notes: str


@dataclass
class ReportView:
    lang: str
    title: str
    subtitle: str
    group_line: str
    privacy: str
    headings: Headings
    integrity: list[str]
    integrity_none: str
    integrity_notes: list[str]
    integrity_notes_heading: str
    regularity: Regularity
    attendance: list[AttendanceGroup]
    attendance_legend: str
    attendance_legend_text: str
    attendance_none: str
    behind: list[PersonLine]
    behind_none: str
    goals: list[PersonLine]
    goals_legend: str
    goals_none: str
    outcomes: Outcomes
    fidelity: Fidelity
    changes: Changes
    footer: str
    notes: list[str] | None = None  # only with `--notes`
    charts: Charts = field(default_factory=Charts)
    prefix: str = ""  # before every id on the page (a region's report holds many wards)
    pdf_charts: dict[str, list[str]] = field(default_factory=dict)  # section -> chart names in the PDF
    pdf_left_out: dict[str, str] = field(default_factory=dict)  # section -> why its chart is not in the PDF


@dataclass
class WardPageView:
    """One ward on one page of a region's report."""

    lang: str
    prefix: str
    title: str
    name: str
    subtitle: str
    integrity_heading: str
    integrity: list[str]
    integrity_none: str
    figures_heading: str
    figures: list[tuple[str, str]]
    weeks_heading: str
    weeks: str
    chart: str
    behind_heading: str
    behind: str
    fidelity_heading: str
    fidelity_columns: list[str]
    fidelity: list[list[str]]
    fidelity_mean: str


@dataclass
class WardRow:
    name: str
    anchor: str
    problem: str
    flat_name: str = ""
    cells: list[str] = field(default_factory=list)


@dataclass
class WardSection:
    anchor: str
    html: str


@dataclass
class WardsView:
    """The summary table across wards."""

    lang: str
    title: str
    subtitle: str
    privacy: str
    summary_heading: str
    legend: str
    more: str
    columns: list[str]
    activity_columns: list[str]
    imrs_columns: list[str]
    rows: list[WardRow]
    footer: str
    sections: list[WardSection] = field(default_factory=list)
