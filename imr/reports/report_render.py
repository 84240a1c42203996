"""The report's data as a self-contained HTML page or an A4 PDF with the same sections.

Both outputs are drawn from one "view": the report's data with every sentence already put
into words from templates/strings/<lang>/report.yaml, so the HTML and the Markdown templates
only arrange it. The HTML template is imr's own (never a workspace override: a page that a
manager opens in a browser must not carry a workspace's markup) and renders in Jinja's
sandbox with HTML autoescaping, so record text cannot become markup; the charts are the only
trusted strings, drawn in `imr.reports.report_svg`. The PDF goes through the usual pipeline
(Markdown escaped by `imr.render.escape` → pandoc → Typst).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imr.core import resources
from imr.core.strings import number, strings
from imr.render import typst_pdf
from imr.render.documents import Document, Part
from imr.render.escape import escape_markdown
from imr.render.pipeline import render_document
from imr.reports import report_svg, report_typst
from imr.reports.report_typst import Block, BulletList, Compact, Heading, Inline, Item, Para, Table, bold, chart, plain
from imr.workspace.folder import Workspace

SECTIONS = ("integrity", "regularity", "attendance", "behind", "goals", "outcomes", "fidelity", "changes")


def _labels(ws: Workspace, lang: str):

    table = strings(lang, ws.root).get("report", {})

    def t(key: str, **params: Any) -> str:
        text = table.get(key, key)
        return text.format(**params) if params else text

    return t


def build_view(ws: Workspace, report: dict[str, Any], lang: str | None = None, charts: bool = True) -> dict[str, Any]:
    """Headings, sentences and table cells in words; SVG charts when `charts`."""
    t = _labels(ws, lang or ws.lang)
    view: dict[str, Any] = {
        "lang": lang or ws.lang,
        "title": t("title", ward=report["workspace"]),
        "subtitle": t("subtitle", since=report["since"], until=report["until"], count=report["participants"]),
        "group_line": t("group_only", group=report["group"]) if report.get("group") else "",
        "privacy": t("privacy_notes") if "notes" in report else t("privacy"),
        "headings": {name: t(f"{name}_title") for name in (*SECTIONS, "notes")},
        "charts": {"regularity": "", "goals": "", "fidelity": ""},  # a ward may have none of one
        "prefix": "",
    }
    integrity = []
    notes_lines = []
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
            integrity.append(
                t(
                    "integrity_rewrite",
                    path=item["path"],
                    line=item["line"],
                    commit=item["commit"] or t("not_committed"),
                    date=item["date"] or "–",
                )
                + (
                    " " + t("integrity_rewrite_by", author=item["author"], signed=item.get("signed") or "–")
                    if item.get("author")
                    else ""
                )
            )
        else:
            own = f"integrity_{item['code']}"
            key = item["code"] if t(own) != own else "duplicate"  # a finding with its own report line
            (notes_lines if item["kind"] == "look" else integrity).append(
                t(
                    f"integrity_{key}",
                    **{
                        "session": "?",
                        "date": "?",
                        "first": "?",
                        "second": "?",
                        "first_by": "?",
                        "second_by": "?",
                        **item,
                    },
                )
            )
    view["integrity"] = integrity
    view["integrity_none"] = t("integrity_none")
    oversight = report.get("oversight") or {}
    notes_lines += [t("oversight_voided", **o) for o in oversight.get("voided", [])]
    notes_lines += [t("oversight_late", **o) for o in oversight.get("late", [])]
    if oversight.get("no_goal"):
        notes_lines.append(t("oversight_no_goal", ids=", ".join(o["id"] for o in oversight["no_goal"])))
    if oversight.get("no_rating"):
        notes_lines.append(t("oversight_no_rating", ids=", ".join(o["id"] for o in oversight["no_rating"])))
    view["integrity_notes"] = notes_lines
    view["integrity_notes_heading"] = t("oversight_title")

    reg = report["regularity"]
    view["regularity"] = {
        "intro": t("regularity_intro"),
        "intro_text": t("regularity_intro_text"),
        "rows": [
            t(
                "regularity_row",
                name=r["name"] if r["kind"] == "group" else t("individual_track", id=r["name"]),
                held=r["held"],
                met=r["weeks_met"],
                weeks=len(r["counts"]),
            )
            for r in reg["rows"]
        ],
        "quiet_heading": t("quiet_heading", days=reg["quiet_days"]),
        "quiet": [
            t("quiet_row", id=q["id"], last=q["last"], days=q["days"]) if q["last"] else t("quiet_never", id=q["id"])
            for q in reg["quiet"]
        ],
        "none": t("regularity_none"),
    }
    if charts and reg["rows"]:
        view["charts"]["regularity"] = "".join(report_svg.regularity_chart(chunk, t) for chunk in _week_chunks(reg))

    view["attendance"] = []
    for group in report["attendance"]:
        view["attendance"].append(
            {
                "heading": t("attendance_group", group=group["group"], meetings=len(group["meetings"])),
                "columns": [f"{m['date']} ({m['session']})" for m in group["meetings"]],
                "rows": [
                    {
                        "id": m["id"],
                        "cells": [t(f"cell_{c}") if c else "·" for c in m["cells"]],
                        "letters": [t(f"letter_{c}") if c else "·" for c in m["cells"]],
                        "runs": m["runs"],
                        "sum": t("attendance_sum", present=m["present"], absent=m["absent"], caught_up=m["caught_up"]),
                    }
                    for m in group["members"]
                ],
                "chart": report_svg.attendance_chart(group, t) if charts and group["meetings"] else "",
            }
        )
    view["attendance_legend"] = t("attendance_legend")
    view["attendance_legend_text"] = t("attendance_legend_text")
    view["attendance_none"] = t("attendance_none")

    behind = []
    for person in report["behind"]:
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
        behind.append({"id": person["id"], "text": "; ".join(parts)})
    view["behind"] = behind
    view["behind_none"] = t("behind_none")

    view["goals"] = [
        {
            "id": p["id"],
            "text": t(
                "goals_row",
                active=p["active"],
                done=sum(g["steps_done"] for g in p["goals"]),
                steps=sum(g["steps"] for g in p["goals"]),
                in_period=sum(1 for d in p["steps_done_dates"] if report["since"] <= d <= report["until"]),
            ),
        }
        for p in report["goals"]
    ]
    view["goals_legend"] = t("goals_legend")
    view["goals_none"] = t("goals_none")
    if charts and report["goals"]:
        view["charts"]["goals"] = report_svg.goals_chart(report["goals"], report["since"], report["until"], t)

    out = report["outcomes"]
    view["outcomes"] = {
        "intro": t("outcomes_intro"),
        "change": [
            t("outcomes_change", rater=t(f"rater_{rater}"), change=_signed(v["mean_change"], view["lang"]), n=v["n"])
            if v["n"]
            else t("outcomes_change_none", rater=t(f"rater_{rater}"))
            for rater, v in out["change"].items()
        ],
        "people": [
            {
                "id": p["id"],
                "points": ", ".join(
                    f"{x['date']} {t('rater_' + x['rater'])} {number(x['mean'], view['lang'])}" for x in p["points"]
                ),
                "chart": report_svg.outcome_chart(p, t) if charts and p["points"] else "",
            }
            for p in out["participants"]
        ],
        "none": t("outcomes_none"),
    }

    fid = report["fidelity"]
    view["fidelity"] = {
        "intro": t(
            "fidelity_intro",
            since=report["since"],
            until=report["until"],
            prev_since=report["previous"]["since"],
            prev_until=report["previous"]["until"],
        ),
        "columns": [
            t("fidelity_col_item"),
            t("fidelity_col_previous"),
            t("fidelity_col_now"),
            t("fidelity_col_evidence"),
        ],
        "rows": [
            [
                f"{i['item']}. {i['name']}" + (f" ({t('fidelity_indication')})" if i["basis"] == "indication" else ""),
                "–" if i["previous"] is None else str(i["previous"]),
                "–" if i["score"] is None else str(i["score"]),
                i["evidence"],
            ]
            for i in fid["items"]
        ],
        "mean": t(
            "fidelity_mean",
            now=number(fid["mean"], view["lang"]) if fid["mean"] is not None else "–",
            before=number(fid["previous_mean"], view["lang"]) if fid["previous_mean"] is not None else "–",
        ),
    }
    if charts and fid["items"]:
        view["charts"]["fidelity"] = report_svg.fidelity_chart(fid, t)

    view["changes"] = {
        "columns": [t("changes_col_by"), t("changes_col_total"), t("changes_col_kinds")],
        "rows": [
            [c["by"], str(c["total"]), ", ".join(f"{t('kind_' + k)} {n}" for k, n in c["counts"].items())]
            for c in report["changes"]
        ],
        "none": t("changes_none"),
    }
    if "notes" in report:
        view["notes"] = [f"{n['date']} {n['id']}: {n['note']}" for n in report["notes"]]
    view["footer"] = t("footer")
    return view


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


def _html_view(ws: Workspace, report: dict[str, Any], lang: str | None, prefix: str = "") -> dict[str, Any]:
    from markupsafe import Markup

    view = build_view(ws, report, lang)
    view["prefix"] = prefix
    view["charts"] = {k: Markup(v) for k, v in view["charts"].items()}
    for group in view["attendance"]:
        group["chart"] = Markup(group["chart"])
    for person in view["outcomes"]["people"]:
        person["chart"] = Markup(person["chart"])
    return view


def render_html(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> bytes:
    """One HTML file with inline CSS and inline SVG: no script, no link, no image file."""
    return _environment().get_template("report.html.j2").render(v=_html_view(ws, report, lang)).encode("utf-8")


# A ward's page in the region's report lists at most this many findings and people by name;
# the rest is a count, and the ward's own `imr report` has them all.
PAGE_LIST = 3


def ward_page_view(
    ws: Workspace, report: dict[str, Any], lang: str | None = None, charts: bool = True, prefix: str = "w-"
) -> dict[str, Any]:
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
    t = _labels(ws, language)
    chart = report_svg.regularity_chart({"rows": [week_row], "weeks": weeks}, t) if charts and weeks else ""
    return {
        "lang": language,
        "prefix": prefix,
        "title": full["title"],
        "name": report["workspace"],  # the printed page's heading: its running header has the title
        "subtitle": full["subtitle"],
        "integrity_heading": full["headings"]["integrity"],
        "integrity": capped(full["integrity"]),
        "integrity_none": full["integrity_none"],
        "figures_heading": w("page_figures"),
        "figures": figures,
        "weeks_heading": w("page_weeks"),
        "weeks": ", ".join(f"{t('week_short', week=wk['week'])}: {n}" for wk, n in zip(weeks, totals, strict=False)),
        "chart": chart,
        "behind_heading": full["headings"]["behind"],
        "behind": w(
            "page_behind",
            count=len(report["behind"]),
            ids=", ".join(p["id"] for p in report["behind"][:PAGE_LIST])
            + (" …" if len(report["behind"]) > PAGE_LIST else ""),
        )
        if report["behind"]
        else full["behind_none"],
        "fidelity_heading": full["headings"]["fidelity"],
        "fidelity_columns": full["fidelity"]["columns"][:3],
        "fidelity": [r[:3] for r in full["fidelity"]["rows"]],
        "fidelity_mean": full["fidelity"]["mean"],
    }


def render_ward_page(ws: Workspace, report: dict[str, Any], lang: str | None = None, prefix: str = "w-") -> str:
    """One ward's page of the region's HTML report (the chart is imr's own SVG, drawn in Python)."""
    from markupsafe import Markup

    view = ward_page_view(ws, report, lang, charts=True, prefix=prefix)
    view["chart"] = Markup(view["chart"])
    return _environment().get_template("report_ward_page.html.j2").render(v=view)


def report_pdf_document(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> tuple[Document, str]:
    """The same sections as the HTML page, with the same charts, as a Document (its header,
    footer and charts for page.typ) and its Typst body: each SVG travels to Typst as data
    (`Document.charts`), never as Typst code."""
    view = build_view(ws, report, lang, charts=True)
    charts: dict[str, str] = {}

    def keep(name: str, svg: str) -> list[str]:
        names = []
        for index, piece in enumerate(p for p in svg.split("</svg>") if p.strip()):
            key = f"{name}-{index + 1}"
            # Typst draws the SVG with imr's own font (a generic family could name a font it lacks).
            charts[key] = (piece + "</svg>").replace('font-family="sans-serif"', 'font-family="Atkinson Hyperlegible"')
            names.append(key)
        return names

    view["pdf_charts"] = {name: keep(name, svg) for name, svg in view["charts"].items() if svg}
    view["charts"] = {}  # each SVG is held once, in `charts`
    for index, group in enumerate(view.get("attendance") or [], start=1):
        group["pdf_charts"] = keep(f"attendance{index}", group.get("chart") or "")
        group["chart"] = ""
        group["pdf_tables"] = _attendance_tables(group)
    people = (view.get("outcomes") or {}).get("people") or []
    if len(people) <= PDF_PERSON_CHARTS:
        for index, person in enumerate(people, start=1):
            person["pdf_charts"] = keep(f"outcome{index}", person.get("chart") or "")
            person["chart"] = ""
    else:  # a region's worth of people: their points stay as lines, the charts stay on the HTML page
        for person in people:
            person["pdf_charts"] = []
        view["outcomes"]["charts_left_out"] = _labels(ws, view["lang"])(
            "outcomes_charts_left_out", n=len(people), most=PDF_PERSON_CHARTS
        )
    part = Part(
        template="",
        header_left=view["title"],
        header_right=view["subtitle"],
        context={},
        sender=view["footer"],
    )
    document = Document(
        name="rapport",
        title=view["title"],
        lang=view["lang"],
        parts=[part],
        date=report["until"],
        subject=view["subtitle"],
        charts=charts,
    )
    return document, report_typst.document(report_pdf_blocks(view), view["lang"])


def report_pdf_blocks(view: dict[str, Any]) -> list[report_typst.Block]:
    """The PDF's sections in order, as the report's Markdown had them."""
    return [
        *_pdf_opening(view),
        *_pdf_regularity(view),
        *_pdf_attendance(view),
        *_pdf_list_section(view, "behind", [bold(p["id"], ": " + p["text"]) for p in view["behind"]]),
        *_pdf_list_section(view, "goals", [bold(p["id"], ": " + p["text"]) for p in view["goals"]]),
        *_pdf_outcomes(view),
        *_pdf_fidelity(view),
        *_pdf_changes(view),
        *(_pdf_notes(view) if "notes" in view else []),
    ]


def _items(lines: list[list[Inline]]) -> BulletList:
    return BulletList([Item(line) for line in lines])


def _list_or(lines: list[list[Inline]], none: str) -> list[Block]:
    return [_items(lines)] if lines else [Para(plain(none))]


def _charts(names: list[str], like_first: bool = False) -> list[Block]:
    return [chart(name, names[0] if like_first else None) for name in names]


def _pdf_opening(v: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        Heading(1, v["title"]),
        Para(plain(v["subtitle"] + (f" · {v['group_line']}" if v["group_line"] else ""))),
        Para(plain(v["privacy"])),
        Heading(2, v["headings"]["integrity"]),
        *_list_or([bold(line) for line in v["integrity"]], v["integrity_none"]),
    ]
    if v["integrity_notes"]:
        blocks += [Heading(3, v["integrity_notes_heading"]), _items([plain(x) for x in v["integrity_notes"]])]
    return blocks


def _pdf_regularity(v: dict[str, Any]) -> list[Block]:
    reg = v["regularity"]
    blocks: list[Block] = [
        Heading(2, v["headings"]["regularity"]),
        Para(plain(reg["intro_text"])),
        *_charts(v["pdf_charts"].get("regularity", []), like_first=True),
        *_list_or([plain(line) for line in reg["rows"]], reg["none"]),
        Para(bold(reg["quiet_heading"])),
    ]
    if reg["quiet"]:
        blocks.append(_items([plain(line) for line in reg["quiet"]]))
    return blocks


def _pdf_attendance(v: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading(2, v["headings"]["attendance"]), Para(plain(v["attendance_legend_text"]))]
    for group in v["attendance"]:
        blocks += [
            Heading(3, group["heading"]),
            *_charts(group["pdf_charts"]),
            Compact([_attendance_table(table) for table in group["pdf_tables"]]),
        ]
    if not v["attendance"]:
        blocks.append(Para(plain(v["attendance_none"])))
    return blocks


# The attendance tables' separator in the report's Markdown: its lengths are the columns' widths.
_FIRST, _MEETING, _SUM = ":--------------", ":-----:", ":------------------------------------------------"


def _attendance_table(table: dict[str, Any]) -> Table:
    """One attendance table; its columns are as wide as their cells (pandoc's rule) unless a
    line of the Markdown table was longer than 72 characters."""
    columns, last = table["columns"], table["last"]
    header = [plain(""), *[plain(c) for c in columns], *([plain("")] if last else [])]
    rows = [
        [
            bold(row["id"]),
            *[bold(letter) if run else plain(letter) for letter, run in row["cells"]],
            *([plain(row["sum"])] if last else []),
        ]
        for row in table["rows"]
    ]
    lines = [
        "| |" + "".join(f" {escape_markdown(c)} |" for c in columns) + (" |" if last else ""),
        f"|{_FIRST}|" + f"{_MEETING}|" * len(columns) + (f"{_SUM}|" if last else ""),
        *(
            f"| **{escape_markdown(row['id'])}** |"
            + "".join(f" **{escape_markdown(x)}** |" if run else f" {escape_markdown(x)} |" for x, run in row["cells"])
            + (f" {escape_markdown(row['sum'])} |" if last else "")
            for row in table["rows"]
        ),
    ]
    return Table(
        header=header,
        rows=rows,
        align=["left", *["center"] * len(columns), *(["left"] if last else [])],
        widths=[len(_FIRST), *[len(_MEETING)] * len(columns), *([len(_SUM)] if last else [])],
        relative=max(len(line) for line in lines) > 72,
    )


def _pdf_list_section(v: dict[str, Any], name: str, lines: list[list[Inline]]) -> list[Block]:
    return [
        Heading(2, v["headings"][name]),
        *_charts(v["pdf_charts"].get(name, [])),
        *_list_or(lines, v[f"{name}_none"]),
    ]


def _pdf_outcomes(v: dict[str, Any]) -> list[Block]:
    out = v["outcomes"]
    items = [Item(plain(line)) for line in out["change"]]
    people = [Item(bold(p["id"], ": " + p["points"])) for p in out["people"]]
    if people:  # one list in the Markdown, a blank line between its two halves: a loose list
        items[-1].para = people[-1].para = True
    blocks: list[Block] = [Heading(2, v["headings"]["outcomes"]), Para(plain(out["intro"]))]
    if items or people:
        blocks.append(BulletList(items + people))
    if out.get("charts_left_out"):
        blocks.append(Para(plain(out["charts_left_out"])))
    for person in out["people"]:
        if person["pdf_charts"]:
            blocks += [Para(bold(person["id"])), *_charts(person["pdf_charts"])]
    return blocks


def _pdf_fidelity(v: dict[str, Any]) -> list[Block]:
    fid = v["fidelity"]
    table = Table(
        header=[plain(c) for c in fid["columns"]],
        rows=[[bold(r[0]), plain(r[1]), plain(r[2]), plain(r[3])] for r in fid["rows"]],
        align=["left", "center", "center", "left"],
        widths=[30, 14, 14, 54],
        relative=True,
    )
    return [
        Heading(2, v["headings"]["fidelity"]),
        Para(plain(fid["intro"])),
        *_charts(v["pdf_charts"].get("fidelity", [])),
        Compact([table]),
        Para(plain(fid["mean"])),
    ]


def _pdf_changes(v: dict[str, Any]) -> list[Block]:
    changes = v["changes"]
    if not changes["rows"]:
        return [Heading(2, v["headings"]["changes"]), Para(plain(changes["none"]))]
    table = Table(
        header=[plain(c) for c in changes["columns"]],
        rows=[[bold(r[0]), plain(r[1]), plain(r[2])] for r in changes["rows"]],
        align=["left", "right", "left"],
        widths=[15, 10, 71],
        relative=True,
    )
    return [Heading(2, v["headings"]["changes"]), Compact([table])]


def _pdf_notes(v: dict[str, Any]) -> list[Block]:
    return [Heading(2, v["headings"]["notes"]), _items([plain(line) for line in v["notes"]])]


# Each participant's IMR Scale chart is drawn in the PDF up to this many participants (a ward);
# beyond it, a report over a region's records would hold hundreds of SVG charts in Typst (about
# 200 MB at 1,000 participants), so the PDF keeps their points as lines and says so.
PDF_PERSON_CHARTS = 60

# The attendance matrix on A4 upright: at most this many meetings a table (the tables of a long
# period share the meetings evenly); the last one carries each person's sum.
PDF_MEETINGS = 8


def _attendance_tables(group: dict[str, Any]) -> list[dict[str, Any]]:
    """A group's matrix for the PDF, cut into tables narrow enough for the text column: the
    meetings as "MM-DD session" (the year is in the subtitle), letters in the cells, a letter in
    a run of absences in bold, each person's sum in the last table."""
    columns = [column[5:].replace(" (", " ").rstrip(")") for column in group["columns"]]
    count = max(1, -(-len(columns) // PDF_MEETINGS))
    size = -(-len(columns) // count) if columns else 0
    tables = []
    runs = {row["id"]: set(row["runs"]) for row in group["rows"]}
    for table in range(count):
        start, end = table * size, min(len(columns), (table + 1) * size)
        last = table == count - 1
        tables.append(
            {
                "columns": columns[start:end],
                "last": last,
                "rows": [
                    {
                        "id": row["id"],
                        "sum": row["sum"] if last else "",
                        "cells": [
                            (letter, index in runs[row["id"]])
                            for index, letter in enumerate(row["letters"][start:end], start=start)
                        ],
                    }
                    for row in group["rows"]
                ],
            }
        )
    return tables


@dataclass
class ReportPdf:
    """What Typst needs for the report's PDF: the document (header, footer, charts) and its body."""

    document: Document
    body: str


def pdf_source(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> ReportPdf:
    """The report's PDF before Typst: once it is made, the caller can let go of the report's
    data, so the records' objects are freed before Typst lays out the pages."""
    # (typst and its fonts load in the compile: a warm-up thread would hold its own malloc arena)
    return ReportPdf(*report_pdf_document(ws, report, lang))


def compile_report_pdf(ws: Workspace, source: ReportPdf) -> bytes:
    """The A4 PDF, compiled in one go with page.typ, the way the render pipeline compiles a
    document (the same inputs and labels)."""
    labels = strings(ws.lang, ws.root).get("render", {})
    inputs = typst_pdf.document_inputs(source.document, labels)
    source.document.charts = None  # the charts travel in `inputs` from here on
    pdf, _ = typst_pdf.compile_pdf(typst_pdf.typst_source(source.body, ws.root), inputs, ws.root)
    return pdf


def render_pdf(ws: Workspace, report: dict[str, Any], lang: str | None = None) -> bytes:
    """The A4 PDF: Typst written here from the view (no Markdown, no pandoc)."""
    return compile_report_pdf(ws, pdf_source(ws, report, lang))


# --- several wards -------------------------------------------------------------------------------


def wards_view(wards: list, lang: str, since: str, until: str) -> dict[str, Any]:
    """The summary table across wards, in words; a ward that could not be read is one line."""
    table = strings(lang).get("wards", {})

    def t(key: str, **params: Any) -> str:
        text = table.get(key, key)
        return text.format(**params) if params else text

    rows = []
    for position, ward in enumerate(wards, start=1):
        if ward.report is None:
            rows.append({"name": ward.name, "anchor": "", "problem": problem_line(ward, lang)})
            continue
        row = ward.summary
        imrs = [
            t("imrs_cell", change=_signed(row["imrs"][rater]["mean_change"], lang), n=row["imrs"][rater]["n"])
            if row["imrs"][rater]["n"]
            else "–"
            for rater in ("client", "clinician")
        ]
        rows.append(
            {
                "name": ward.name,
                "flat_name": " ".join(str(ward.name).split()),
                "anchor": f"ward-{position}",
                "problem": "",
                "cells": [
                    str(row["participants"]),
                    str(row["active"]),
                    str(row["sessions"]),
                    t("weeks_cell", met=row["weeks_with_session"], weeks=row["weeks"]),
                    "–" if row["attendance"] is None else t("percent", value=row["attendance"]),
                    str(row["quiet"]),
                    str(row["integrity"]),
                    *imrs,
                ],
            }
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
    return {
        "lang": lang,
        "title": t("title"),
        "subtitle": t("subtitle", since=since, until=until, wards=good, total=len(wards)),
        "privacy": t("privacy"),
        "summary_heading": t("summary_heading"),
        "legend": t("legend"),
        "more": t("page_full"),
        "columns": columns,
        # The PDF's summary as two tables that fit A4 upright: activity, then the IMRS changes.
        "activity_columns": columns[:8],
        "imrs_columns": [columns[0], *columns[8:]],
        "rows": rows,
        "footer": t("footer"),
    }


def problem_line(ward, lang: str) -> str:
    """Why a ward is not in the report, in one sentence."""
    table = strings(lang).get("wards", {})
    key = f"problem_{ward.problem}" if f"problem_{ward.problem}" in table else "problem_other"
    return table.get(key, key).format(path=str(ward.path))


def render_wards_html(wards: list, lang: str, since: str, until: str) -> bytes:
    """The summary table, then each ward's page (rendered with the ward, in its worker)."""
    from markupsafe import Markup

    view = wards_view(wards, lang, since, until)
    view["sections"] = [
        {"anchor": f"ward-{n}", "html": Markup(w.section)}
        for n, w in enumerate(wards, start=1)
        if w.report is not None and w.section
    ]
    return _environment().get_template("report_wards.html.j2").render(v=view).encode("utf-8")


def render_wards_pdf(wards: list, lang: str, since: str, until: str, base: Workspace) -> bytes:
    """The summary on the first page, then one part (from a new page) per ward."""
    view = wards_view(wards, lang, since, until)
    parts = [
        Part(
            template="report_wards.md.j2",
            header_left=view["title"],
            header_right=view["subtitle"],
            context={"v": view},
            sender=view["footer"],
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
                header_left=ward_view["title"],
                header_right=ward_view["subtitle"],
                context={"v": ward_view},
                sender=view["footer"],
            )
        )
    document = Document(
        name="rapport-avdelningar", title=view["title"], lang=lang, parts=parts, date=until, subject=view["subtitle"]
    )
    return render_document(base, document, "pdf").data
