"""A trend chart of IMRS means over time, as PNG or SVG bytes for folders and reports.

The same assessments must give the same bytes (rendered documents are reproducible and
reviewed in git), so the chart fixes everything matplotlib would otherwise vary: the SVG id
salt, the metadata (no creation date, no version string), the backend and the font. It draws
with the object API on a private Figure and never touches pyplot's global state, so it is safe
to call from a renderer that makes many documents in one process.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from imr.core.errors import ImrError

FORMATS = ("png", "svg")
_STYLE = {"client": ("#1f5f8b", "o", "-"), "clinician": ("#b0542c", "s", "--")}


def trend_chart(
    rows: list[dict[str, Any]],
    fmt: str = "png",
    *,
    labels: dict[str, str] | None = None,
    width_cm: float = 16.0,
    height_cm: float = 8.0,
    dpi: int = 150,
) -> bytes:
    """Mean score (1–5) per assessment date, one line per rater.

    `rows` are `imr.programme.imrs.assessments()` rows; `labels` gives the title, the axis label and the
    rater names in the workspace's language (keys: title, axis, client, clinician).
    """

    if fmt not in FORMATS:
        raise ImrError("imrs_chart_format", format=str(fmt)[:10], allowed=", ".join(FORMATS))
    import matplotlib  # lazy: 181 ms on imr render handout
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # lazy: 100 ms on imr render handout
    from matplotlib.figure import Figure  # lazy: 113 ms on imr render handout

    labels = labels or {}
    settings = {
        "svg.hashsalt": "imr-imrs-chart",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "path.simplify": False,
    }
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]  # matplotlib types its keys as literals
        figure = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot(1, 1, 1)
        # A real time axis: three months between assessments look like three months.
        dates = sorted({str(row["date"]) for row in rows if row.get("mean") is not None})
        position = {day: date.fromisoformat(day).toordinal() for day in dates}
        for rater in ("client", "clinician"):
            points = [
                (position[str(r["date"])], r["mean"])
                for r in rows
                if r.get("rater") == rater and r.get("mean") is not None
            ]
            if not points:
                continue
            colour, marker, line = _STYLE[rater]
            axes.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                color=colour,
                marker=marker,
                linestyle=line,
                linewidth=1.6,
                label=labels.get(rater, rater),
            )
        axes.set_ylim(0.8, 5.2)
        axes.set_yticks([1, 2, 3, 4, 5])
        axes.set_xticks([position[day] for day in dates])
        axes.set_xticklabels(dates, rotation=30, ha="right", rotation_mode="anchor")
        if dates:
            first, last = position[dates[0]], position[dates[-1]]
            margin = max(7, (last - first) * 0.05)
            axes.set_xlim(first - margin, last + margin)
        axes.set_ylabel(labels.get("axis", "IMRS"))
        if labels.get("title"):
            axes.set_title(labels["title"])
        # Gridlines stay behind the data and never cross text: the legend sits outside the plot,
        # to its right, so no line runs through a rater's name.
        axes.set_axisbelow(True)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0)
        figure.tight_layout(pad=0.8)
        buffer = io.BytesIO()
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
