"""The report's pictures as inline SVG, drawn here in Python so the page needs no script.

Each chart is a plain `<svg>` string with its own `role="img"` and a title, built from the
report's data only; every text that goes in is escaped for XML. Colours come from the
Okabe–Ito palette (safe for colour-blind readers) and every state also has a shape or a
letter, so nothing is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

GREEN, RED, AMBER, BLUE, ORANGE, GREY, INK = "#009E73", "#D55E00", "#E69F00", "#0072B2", "#CC79A7", "#BBBBBB", "#222222"
FONT = 'font-family="sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str], chart: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(chart)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: Any, size: int = 12, anchor: str = "start", fill: str = INK, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT} text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(str(text))}</text>'
    )


def regularity_chart(section: dict[str, Any], t: Callable[..., str]) -> str:
    """Rows (groups, individual tracks) × weeks; a cell per week with the count, gaps in red."""
    rows, weeks = section["rows"], section["weeks"]
    left, cell, top = 150, 44, 28
    width, height = left + cell * len(weeks) + 10, top + 30 * len(rows) + 10
    body = [
        _text(left + cell * i + cell / 2, 18, t("week_short", week=w["week"]), 11, "middle")
        for i, w in enumerate(weeks)
    ]
    for r, row in enumerate(rows):
        y = top + 30 * r
        label = row["name"] if row["kind"] == "group" else t("individual_track", id=row["name"])
        body.append(_text(left - 8, y + 18, label, 12, "end"))
        for i, count in enumerate(row["counts"]):
            gap = i in row["gaps"]
            fill = "#FBE3D6" if gap else "#D4EFE6"
            stroke = RED if gap else GREEN
            body.append(
                f'<rect x="{left + cell * i + 2}" y="{y + 2}" width="{cell - 4}" height="26" rx="3" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if gap else 1}"/>'
            )
            body.append(
                _text(
                    left + cell * i + cell / 2,
                    y + 20,
                    "–" if gap and not count else count,
                    13,
                    "middle",
                    RED if gap else INK,
                    "bold",
                )
            )
    return _svg(width, height, t("regularity_title"), body, "regularity")


def attendance_chart(group: dict[str, Any], t: Callable[..., str]) -> str:
    """Members × meetings: ● present, ✕ absent, ◐ absent and caught up; runs of absences framed red."""
    meetings, members = group["meetings"], group["members"]
    left, cell, top = 110, 40, 44
    width, height = left + cell * max(1, len(meetings)) + 10, top + 28 * len(members) + 10
    body = []
    for i, m in enumerate(meetings):
        x = left + cell * i + cell / 2
        body.append(_text(x, 16, m["date"][5:], 10, "middle"))
        body.append(_text(x, 32, m["session"], 10, "middle"))
    for r, member in enumerate(members):
        y = top + 28 * r
        body.append(_text(left - 8, y + 17, member["id"], 12, "end"))
        for i, state in enumerate(member["cells"]):
            x = left + cell * i
            if i in member["runs"]:
                body.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="24" fill="#FBE3D6" '
                    f'stroke="{RED}" stroke-width="2"/>'
                )
            cx, cy = x + cell / 2, y + 13
            if state == "present":
                body.append(f'<circle cx="{cx}" cy="{cy}" r="7" fill="{GREEN}"/>')
            elif state == "absent":
                body.append(
                    f'<path d="M{cx - 6},{cy - 6} L{cx + 6},{cy + 6} M{cx + 6},{cy - 6} L{cx - 6},{cy + 6}" '
                    f'stroke="{RED}" stroke-width="3"/>'
                )
            elif state == "caught_up":
                body.append(
                    f'<circle cx="{cx}" cy="{cy}" r="7" fill="none" stroke="{AMBER}" stroke-width="3"/>'
                    f'<path d="M{cx},{cy - 7} A7,7 0 0,1 {cx},{cy + 7} Z" fill="{AMBER}"/>'
                )
            else:
                body.append(f'<line x1="{cx - 5}" y1="{cy}" x2="{cx + 5}" y2="{cy}" stroke="{GREY}" stroke-width="2"/>')
    return _svg(width, height, t("attendance_title_group", group=group["group"]), body, "attendance")


def goals_chart(section: list[dict[str, Any]], since: str, until: str, t: Callable[..., str]) -> str:
    """One line per participant: ▲ a goal set, ● a step done, over the weeks up to the period's end."""
    starts = [d for p in section for d in p["started"] + p["steps_done_dates"]]
    first = date.fromisoformat(min([*starts, since]))
    last = date.fromisoformat(until)
    span = max(1, (last - first).days)
    left, right, top = 110, 20, 24
    width = 640
    height = top + 28 * len(section) + 24
    plot = width - left - right

    def x_of(day: str) -> float:
        return left + plot * (date.fromisoformat(day) - first).days / span

    body = [
        _text(left, 14, first.isoformat(), 10),
        _text(width - right, 14, last.isoformat(), 10, "end"),
        f'<rect x="{x_of(since):.1f}" y="{top - 4}" width="{max(1.0, x_of(until) - x_of(since)):.1f}" '
        f'height="{28 * len(section) + 4}" fill="#EEF4FA"/>',
    ]
    for r, person in enumerate(section):
        y = top + 28 * r + 12
        body.append(_text(left - 8, y + 4, person["id"], 12, "end"))
        body.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="{GREY}" stroke-width="1"/>')
        for day in person["started"]:
            cx = x_of(day)
            body.append(f'<path d="M{cx:.1f},{y - 7} L{cx + 6:.1f},{y + 5} L{cx - 6:.1f},{y + 5} Z" fill="{BLUE}"/>')
        for day in person["steps_done_dates"]:
            body.append(f'<circle cx="{x_of(day):.1f}" cy="{y}" r="6" fill="{GREEN}" stroke="white" stroke-width="1"/>')
    return _svg(width, height, t("goals_title"), body, "goals")


def outcome_chart(person: dict[str, Any], t: Callable[..., str]) -> str:
    """IMRS mean (1–5, higher is better) over time: client solid, clinician dashed, dated points."""
    points = person["points"]
    days = sorted({date.fromisoformat(p["date"]) for p in points})
    first, span = days[0], max(1, (days[-1] - days[0]).days)
    left, top, width, height = 40, 24, 300, 170
    plot_w, plot_h = width - left - 30, height - top - 34

    def xy(point: dict[str, Any]) -> tuple[float, float]:
        day = date.fromisoformat(point["date"])
        x = left + 15 + (plot_w - 30) * ((day - first).days / span if len(days) > 1 else 0.5)
        return x, top + plot_h * (5 - point["mean"]) / 4

    body = [_text(4, 14, t("outcomes_axis"), 10)]
    for level in range(1, 6):
        y = top + plot_h * (5 - level) / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#E5E5E5"/>')
        body.append(_text(left - 6, y + 4, level, 10, "end"))
    for rater, colour, dash in (("client", BLUE, ""), ("clinician", ORANGE, ' stroke-dasharray="6,4"')):
        mine = [p for p in points if p["rater"] == rater]
        if not mine:
            continue
        coords = [xy(p) for p in mine]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for (x, y), _point in zip(coords, mine, strict=False):
            marker = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'
                if rater == "client"
                else f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
            )
            body.append(marker)
    for day in days:
        x, _ = xy({"date": day.isoformat(), "mean": 1})
        body.append(_text(x, height - 8, day.isoformat(), 9, "middle"))
    legend_y = height - 22
    body.append(f'<circle cx="{left + 4}" cy="{legend_y - 3}" r="4" fill="{BLUE}"/>')
    body.append(_text(left + 12, legend_y, t("rater_client"), 10))
    body.append(f'<rect x="{left + 104}" y="{legend_y - 7}" width="8" height="8" fill="{ORANGE}"/>')
    body.append(_text(left + 116, legend_y, t("rater_clinician"), 10))
    return _svg(width, height, t("outcomes_chart_title", id=person["id"]), body, "outcomes")


def fidelity_chart(section: dict[str, Any], t: Callable[..., str]) -> str:
    """Per item: the previous period's score (grey) above this period's (blue), on the 1–5 scale."""
    items = section["items"]
    left, top, scale = 60, 20, 70
    width, height = left + scale * 5 + 60, top + 34 * len(items) + 10
    body = [_text(left + scale * n, 14, n, 10, "middle") for n in range(1, 6)]
    for n in range(1, 6):
        body.append(
            f'<line x1="{left + scale * n}" y1="{top}" x2="{left + scale * n}" y2="{height - 8}" stroke="#E5E5E5"/>'
        )
    for r, item in enumerate(items):
        y = top + 34 * r
        body.append(_text(left - 8, y + 20, t("fidelity_item_short", item=item["item"]), 11, "end"))
        for offset, value, colour in ((4, item["previous"], GREY), (17, item["score"], BLUE)):
            if value is None:
                body.append(_text(left + 4, y + offset + 10, "–", 11))
                continue
            body.append(f'<rect x="{left}" y="{y + offset}" width="{scale * value}" height="11" fill="{colour}"/>')
            body.append(_text(left + scale * value + 6, y + offset + 10, value, 11))
    return _svg(width, height, t("fidelity_title"), body, "fidelity")
