"""The report's data as a self-contained HTML page (the PDF: `imr.reports.report_pdf`).

Every output is drawn from one view (`imr.reports.report_view.ReportView`): the report's data
with every sentence already put into words from templates/strings/<lang>/report.yaml, so the
HTML template and the PDF's Typst only arrange it. The HTML template is imr's own (never a
workspace override: a page that a manager opens in a browser must not carry a workspace's
markup) and renders in Jinja's sandbox with HTML autoescaping, so record text cannot become
markup; the charts are the only trusted strings, drawn in `imr.reports.report_svg`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr.core import resources
from imr.core.strings import number, strings
from imr.records.kinds import kind_label
from imr.render.documents import Document, Part
from imr.reports import report_svg
from imr.reports.report_view import (
    AttendanceGroup,
    AttendanceRow,
    Changes,
    Charts,
    Fidelity,
    Headings,
    OutcomePerson,
    Outcomes,
    PersonLine,
    Regularity,
    ReportView,
    WardPageView,
    WardRow,
    WardSection,
    WardsView,
)
from imr.workspace.folder import Workspace

SECTIONS = ("integrity", "regularity", "attendance", "behind", "goals", "outcomes", "fidelity", "changes")

Words = Callable[..., str]


def report_words(ws: Workspace, lang: str) -> Words:
    """The report's wording (templates/strings/<lang>/report.yaml) as a function of key and values."""

    table = strings(lang, ws.root).get("report", {})

    def t(key: str, **params: Any) -> str:
        text = table.get(key, key)
        return text.format(**params) if params else text

    return t


def build_view(
    ws: Workspace,
    report: dict[str, Any],
    lang: str | None = None,
    charts: bool = True,
    left_out: frozenset[str] = frozenset(),
) -> ReportView:
    """Headings, sentences and table cells in words; SVG charts when `charts`, but none of the
    charts `left_out` names ("regularity", "goals", "outcomes": what the PDF cannot print)."""
    language = lang or ws.lang
    t = report_words(ws, language)
    integrity, notes_lines = _integrity(report, t)
    view = ReportView(
        lang=language,
        title=t("title", ward=report["workspace"]),
        subtitle=t("subtitle", since=report["since"], until=report["until"], count=report["participants"]),
        group_line=t("group_only", group=report["group"]) if report.get("group") else "",
        privacy=t("privacy_notes") if "notes" in report else t("privacy"),
        headings=Headings(**{name: t(f"{name}_title") for name in (*SECTIONS, "notes")}),
        integrity=integrity,
        integrity_none=t("integrity_none"),
        integrity_notes=notes_lines + _oversight(report, t),
        integrity_notes_heading=t("oversight_title"),
        regularity=_regularity(report["regularity"], t),
        attendance=[_attendance_group(group, t, charts) for group in report["attendance"]],
        attendance_legend=t("attendance_legend"),
        attendance_legend_text=t("attendance_legend_text"),
        attendance_none=t("attendance_none"),
        behind=[PersonLine(person["id"], _behind_text(person, t)) for person in report["behind"]],
        behind_none=t("behind_none"),
        goals=[_goals_line(p, report, t) for p in report["goals"]],
        goals_legend=t("goals_legend"),
        goals_none=t("goals_none"),
        outcomes=_outcomes(report["outcomes"], t, language, charts and "outcomes" not in left_out),
        fidelity=_fidelity(report, t, language),
        changes=_changes(report["changes"], t, language, ws.root),
        footer=t("footer"),
        notes=[f"{n['date']} {n['id']}: {n['note']}" for n in report["notes"]] if "notes" in report else None,
    )
    if charts:  # a ward may have none of one
        view.charts = Charts(
            regularity="".join(report_svg.regularity_chart(chunk, t) for chunk in _week_chunks(report["regularity"]))
            if report["regularity"]["rows"] and "regularity" not in left_out
            else "",
            goals=report_svg.goals_chart(report["goals"], report["since"], report["until"], t)
            if report["goals"] and "goals" not in left_out
            else "",
            fidelity=report_svg.fidelity_chart(report["fidelity"], t) if report["fidelity"]["items"] else "",
        )
    return view


def _integrity(report: dict[str, Any], t: Words) -> tuple[list[str], list[str]]:
    """The findings (rewrites, duplicates) and the notes to look over (repairs, look-overs)."""
    integrity: list[str] = []
    notes_lines: list[str] = []
    for item in report["integrity"]:
        if item["kind"] == "repaired":
            notes_lines.append(
                t(
                    "integrity_repaired",
                    path=item["path"],
                    commit=item["commit"],
                    author=item.get("author") or "?",
                    repair=item.get("repair") or "?",
                    repair_author=item.get("repair_author") or "?",
                )
            )
        elif item["kind"] == "rewrite":
            integrity.append(_rewrite_line(item, t))
        else:
            own = f"integrity_{item['code']}"
            key = item["code"] if t(own) != own else "duplicate"  # a finding with its own report line
            params = {"session": "?", "date": "?", "first": "?", "second": "?", "first_by": "?", "second_by": "?"}
            (notes_lines if item["kind"] == "look" else integrity).append(t(f"integrity_{key}", **{**params, **item}))
    return integrity, notes_lines


def _rewrite_line(item: dict[str, Any], t: Words) -> str:
    line = t(
        "integrity_rewrite",
        path=item["path"],
        line=item["line"],
        commit=item["commit"] or t("not_committed"),
        date=item["date"] or "–",
    )
    if item.get("author"):
        line += " " + t("integrity_rewrite_by", author=item["author"], signed=item.get("signed") or "–")
    return line


def _oversight(report: dict[str, Any], t: Words) -> list[str]:
    oversight = report.get("oversight") or {}
    lines = [t("oversight_voided", **o) for o in oversight.get("voided", [])]
    lines += [t("oversight_late", **o) for o in oversight.get("late", [])]
    if oversight.get("no_goal"):
        lines.append(t("oversight_no_goal", ids=", ".join(o["id"] for o in oversight["no_goal"])))
    if oversight.get("no_rating"):
        lines.append(t("oversight_no_rating", ids=", ".join(o["id"] for o in oversight["no_rating"])))
    return lines


def _regularity(reg: dict[str, Any], t: Words) -> Regularity:
    return Regularity(
        intro=t("regularity_intro"),
        intro_text=t("regularity_intro_text"),
        rows=[
            t(
                "regularity_row",
                name=r["name"] if r["kind"] == "group" else t("individual_track", id=r["name"]),
                held=r["held"],
                met=r["weeks_met"],
                weeks=len(r["counts"]),
            )
            for r in reg["rows"]
        ],
        quiet_heading=t("quiet_heading", days=reg["quiet_days"]),
        quiet=[
            t("quiet_row", id=q["id"], last=q["last"], days=q["days"]) if q["last"] else t("quiet_never", id=q["id"])
            for q in reg["quiet"]
        ],
        none=t("regularity_none"),
    )


def _attendance_group(group: dict[str, Any], t: Words, charts: bool) -> AttendanceGroup:
    return AttendanceGroup(
        heading=t("attendance_group", group=group["group"], meetings=len(group["meetings"])),
        columns=[f"{m['date']} ({m['session']})" for m in group["meetings"]],
        rows=[
            AttendanceRow(
                id=m["id"],
                cells=[t(f"cell_{c}") if c else "·" for c in m["cells"]],
                letters=[t(f"letter_{c}") if c else "·" for c in m["cells"]],
                runs=m["runs"],
                sum=t("attendance_sum", present=m["present"], absent=m["absent"], caught_up=m["caught_up"]),
            )
            for m in group["members"]
        ],
        chart=report_svg.attendance_chart(group, t) if charts and group["meetings"] else "",
    )


def _behind_text(person: dict[str, Any], t: Words) -> str:
    parts = []
    if "absences" in person["reasons"]:
        parts.append(t("behind_absences", count=person["absence_run"]))
    if person["catch_up"]:
        parts.append(t("behind_catch_up", sessions=", ".join(person["catch_up"])))
    if "homework" in person["reasons"]:
        parts.append(t("behind_homework", rate=person["homework_rate"], count=person["homework_reviews"]))
    for goal in person["stale_goals"]:
        parts.append(
            t("behind_goal", goal=goal["goal"], days=goal["days"])
            if goal["days"] is not None
            else t("behind_goal_new", goal=goal["goal"])
        )
    return "; ".join(parts)


def _goals_line(p: dict[str, Any], report: dict[str, Any], t: Words) -> PersonLine:
    return PersonLine(
        p["id"],
        t(
            "goals_row",
            active=p["active"],
            done=sum(g["steps_done"] for g in p["goals"]),
            steps=sum(g["steps"] for g in p["goals"]),
            in_period=sum(1 for d in p["steps_done_dates"] if report["since"] <= d <= report["until"]),
        ),
    )


def _outcomes(out: dict[str, Any], t: Words, lang: str, charts: bool) -> Outcomes:
    return Outcomes(
        intro=t("outcomes_intro"),
        change=[
            t("outcomes_change", rater=t(f"rater_{rater}"), change=_signed(v["mean_change"], lang), n=v["n"])
            if v["n"]
            else t("outcomes_change_none", rater=t(f"rater_{rater}"))
            for rater, v in out["change"].items()
        ],
        people=[
            OutcomePerson(
                id=p["id"],
                points=", ".join(
                    f"{x['date']} {t('rater_' + x['rater'])} {number(x['mean'], lang)}" for x in p["points"]
                ),
                chart=report_svg.outcome_chart(p, t) if charts and p["points"] else "",
            )
            for p in out["participants"]
        ],
        none=t("outcomes_none"),
    )


def _fidelity(report: dict[str, Any], t: Words, lang: str) -> Fidelity:
    fid = report["fidelity"]
    return Fidelity(
        intro=t(
            "fidelity_intro",
            since=report["since"],
            until=report["until"],
            prev_since=report["previous"]["since"],
            prev_until=report["previous"]["until"],
        ),
        columns=[
            t("fidelity_col_item"),
            t("fidelity_col_previous"),
            t("fidelity_col_now"),
            t("fidelity_col_evidence"),
        ],
        rows=[
            [
                f"{i['item']}. {i['name']}" + (f" ({t('fidelity_indication')})" if i["basis"] == "indication" else ""),
                "–" if i["previous"] is None else str(i["previous"]),
                "–" if i["score"] is None else str(i["score"]),
                i["evidence"],
            ]
            for i in fid["items"]
        ],
        mean=t(
            "fidelity_mean",
            now=number(fid["mean"], lang) if fid["mean"] is not None else "–",
            before=number(fid["previous_mean"], lang) if fid["previous_mean"] is not None else "–",
        ),
    )


def _changes(changes: list[dict[str, Any]], t: Words, lang: str, root: Path) -> Changes:
    return Changes(
        columns=[t("changes_col_by"), t("changes_col_total"), t("changes_col_kinds")],
        rows=[
            [c["by"], str(c["total"]), ", ".join(f"{kind_label(k, lang, root)} {n}" for k, n in c["counts"].items())]
            for c in changes
        ],
        none=t("changes_none"),
    )


WEEKS_PER_ROW = 13  # a quarter: the week grid wraps in rows of this many weeks instead of scrolling


def _week_chunks(section: dict[str, Any]) -> list[dict[str, Any]]:
    """The regularity grid cut into quarters, each its own chart, so a long period wraps on
    screen and prints whole (no scrollbar, no week cut off at the page's edge)."""
    weeks = section["weeks"]
    chunks = []
    for start in range(0, max(1, len(weeks)), WEEKS_PER_ROW):
        end = start + WEEKS_PER_ROW
        rows = [
            {**row, "counts": row["counts"][start:end], "gaps": [g - start for g in row["gaps"] if start <= g < end]}
            for row in section["rows"]
        ]
        chunks.append({**section, "rows": rows, "weeks": weeks[start:end]})
    return chunks


def _signed(value: float | None, lang: str) -> str:
    """A change with its sign, as the reader writes numbers (`+0,79`, `−0,50` in Swedish)."""
    if value is None:
        return "–"
    return ("+" if value >= 0 else "") + number(value, lang)


def _environment():
    """imr's own report templates in Jinja's sandbox, HTML-escaped (see the module's docstring)."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(resources.builtin_dir("templates") / "render")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.clear()
    return env


def _html_view(ws: Workspace, report: dict[str, Any], lang: str | None, prefix: str = "") -> ReportView:
    from markupsafe import Markup

    view = build_view(ws, report, lang)
    view.prefix = prefix
    charts = view.charts
    view.charts = Charts(Markup(charts.regularity), Markup(charts.goals), Markup(charts.fidelity))
    for group in view.attendance:
        group.chart = Markup(group.chart)
    for person in view.outcomes.people:
        person.chart = Markup(person.chart)
    return view


def render_html(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> bytes:
    """One HTML file with inline CSS and inline SVG: no script, no link, no image file."""
    return _environment().get_template("report.html.j2").render(v=_html_view(ws, report, lang)).encode("utf-8")


# A ward's page in the region's report lists at most this many findings and people by name;
# the rest is a count, and the ward's own `imr report` has them all.
PAGE_LIST = 3


def ward_page_view(
    ws: Workspace, report: dict[str, Any], lang: str | None = None, charts: bool = True, prefix: str = "w-"
) -> WardPageView:
    """One ward on one page for a regional coordinator: findings first, the key figures, sessions
    per week for the whole ward, who is slipping (counted), and the fidelity items now and before.

    The coordinator compares wards; the names of tracks and people are the ward's own business
    and its own report (`imr report` in the ward) has every line.
    """
    from imr.reports.wards import summary_row

    language = lang or ws.lang
    full = build_view(ws, report, language, charts=False)
    words = strings(language).get("wards", {})

    def w(key: str, **params: Any) -> str:
        text = words.get(key, key)
        return text.format(**params) if params else text

    def capped(lines: list[str]) -> list[str]:
        extra = len(lines) - PAGE_LIST
        return lines[:PAGE_LIST] + ([w("page_more", count=extra)] if extra > 0 else [])

    row = summary_row(report)
    imrs = {
        rater: _signed(v["mean_change"], language) + f" (n={v['n']})" if v["n"] else "–"
        for rater, v in row["imrs"].items()
    }
    figures = [
        (w("col_participants"), str(row["participants"])),
        (w("col_active"), str(row["active"])),
        (w("col_sessions"), str(row["sessions"])),
        (w("col_weeks"), w("weeks_cell", met=row["weeks_with_session"], weeks=row["weeks"])),
        (w("col_attendance"), "–" if row["attendance"] is None else w("percent", value=row["attendance"])),
        (w("col_quiet"), str(row["quiet"])),
        (w("col_integrity"), str(row["integrity"])),
        (w("col_imrs_client"), imrs["client"]),
        (w("col_imrs_clinician"), imrs["clinician"]),
    ]
    weeks = report["regularity"]["weeks"]
    totals = [sum(r["counts"][i] for r in report["regularity"]["rows"]) for i in range(len(weeks))]
    week_row = {
        "name": w("page_all_sessions"),
        "kind": "group",
        "counts": totals,
        "gaps": [i for i, n in enumerate(totals) if n == 0],
    }
    t = report_words(ws, language)
    chart = report_svg.regularity_chart({"rows": [week_row], "weeks": weeks}, t) if charts and weeks else ""
    behind = report["behind"]
    ids = ", ".join(p["id"] for p in behind[:PAGE_LIST]) + (" …" if len(behind) > PAGE_LIST else "")
    return WardPageView(
        lang=language,
        prefix=prefix,
        title=full.title,
        name=report["workspace"],  # the printed page's heading: its running header has the title
        subtitle=full.subtitle,
        integrity_heading=full.headings.integrity,
        integrity=capped(full.integrity),
        integrity_none=full.integrity_none,
        figures_heading=w("page_figures"),
        figures=figures,
        weeks_heading=w("page_weeks"),
        weeks=", ".join(f"{t('week_short', week=wk['week'])}: {n}" for wk, n in zip(weeks, totals, strict=False)),
        chart=chart,
        behind_heading=full.headings.behind,
        behind=w("page_behind", count=len(behind), ids=ids) if behind else full.behind_none,
        fidelity_heading=full.headings.fidelity,
        fidelity_columns=full.fidelity.columns[:3],
        fidelity=[r[:3] for r in full.fidelity.rows],
        fidelity_mean=full.fidelity.mean,
    )


def render_ward_page(ws: Workspace, report: dict[str, Any], lang: str | None = None, prefix: str = "w-") -> str:
    """One ward's page of the region's HTML report (the chart is imr's own SVG, drawn in Python)."""
    from markupsafe import Markup

    view = ward_page_view(ws, report, lang, charts=True, prefix=prefix)
    view.chart = Markup(view.chart)
    return _environment().get_template("report_ward_page.html.j2").render(v=view)


# --- several wards -------------------------------------------------------------------------------


def wards_view(wards: list, lang: str, since: str, until: str) -> WardsView:
    """The summary table across wards, in words; a ward that could not be read is one line."""
    table = strings(lang).get("wards", {})

    def t(key: str, **params: Any) -> str:
        text = table.get(key, key)
        return text.format(**params) if params else text

    rows = []
    for position, ward in enumerate(wards, start=1):
        if ward.report is None:
            rows.append(WardRow(name=ward.name, anchor="", problem=problem_line(ward, lang)))
            continue
        row = ward.summary
        imrs = [
            t("imrs_cell", change=_signed(row["imrs"][rater]["mean_change"], lang), n=row["imrs"][rater]["n"])
            if row["imrs"][rater]["n"]
            else "–"
            for rater in ("client", "clinician")
        ]
        rows.append(
            WardRow(
                name=ward.name,
                flat_name=" ".join(str(ward.name).split()),
                anchor=f"ward-{position}",
                problem="",
                cells=[
                    str(row["participants"]),
                    str(row["active"]),
                    str(row["sessions"]),
                    t("weeks_cell", met=row["weeks_with_session"], weeks=row["weeks"]),
                    "–" if row["attendance"] is None else t("percent", value=row["attendance"]),
                    str(row["quiet"]),
                    str(row["integrity"]),
                    *imrs,
                ],
            )
        )
    good = sum(1 for w in wards if w.report is not None)
    columns = [
        t(f"col_{name}")
        for name in (
            "ward",
            "participants",
            "active",
            "sessions",
            "weeks",
            "attendance",
            "quiet",
            "integrity",
            "imrs_client",
            "imrs_clinician",
        )
    ]
    return WardsView(
        lang=lang,
        title=t("title"),
        subtitle=t("subtitle", since=since, until=until, wards=good, total=len(wards)),
        privacy=t("privacy"),
        summary_heading=t("summary_heading"),
        legend=t("legend"),
        more=t("page_full"),
        columns=columns,
        # The PDF's summary as two tables that fit A4 upright: activity, then the IMRS changes.
        activity_columns=columns[:8],
        imrs_columns=[columns[0], *columns[8:]],
        rows=rows,
        footer=t("footer"),
    )


def problem_line(ward, lang: str) -> str:
    """Why a ward is not in the report, in one sentence."""
    table = strings(lang).get("wards", {})
    key = f"problem_{ward.problem}" if f"problem_{ward.problem}" in table else "problem_other"
    return table.get(key, key).format(path=str(ward.path))


def render_wards_html(wards: list, lang: str, since: str, until: str) -> bytes:
    """The summary table, then each ward's page (rendered with the ward, in its worker)."""
    from markupsafe import Markup

    view = wards_view(wards, lang, since, until)
    view.sections = [
        WardSection(anchor=f"ward-{n}", html=Markup(w.section))
        for n, w in enumerate(wards, start=1)
        if w.report is not None and w.section
    ]
    return _environment().get_template("report_wards.html.j2").render(v=view).encode("utf-8")


def render_wards_pdf(wards: list, lang: str, since: str, until: str, base: Workspace) -> bytes:
    """The summary on the first page, then one part (from a new page) per ward."""
    from imr.render.pipeline import render_document  # Markdown, pandoc, DOCX: not for one ward's report

    view = wards_view(wards, lang, since, until)
    parts = [
        Part(
            template="report_wards.md.j2",
            header_left=view.title,
            header_right=view.subtitle,
            context={"v": view},
            sender=view.footer,
        )
    ]
    for ward in wards:
        if ward.report is None:
            continue
        ws = Workspace(root=ward.path.resolve(), config={"language": lang})
        ward_view = ward_page_view(ws, ward.report, lang, charts=False)
        parts.append(
            Part(
                template="report_ward_page.md.j2",
                header_left=ward_view.title,
                header_right=ward_view.subtitle,
                context={"v": ward_view},
                sender=view.footer,
            )
        )
    document = Document(
        name="rapport-avdelningar", title=view.title, lang=lang, parts=parts, date=until, subject=view.subtitle
    )
    return render_document(base, document, "pdf").data
