"""The report opened in a real browser: every chart is drawn and the page logs no errors.

Debian's `chromium` (installed by .ci/run when it runs as root) takes headless screenshots. To
know where each chart is without running a script in the page, a copy of the report gets one
extra style sheet that hides everything but the charts and stacks them in fixed bands; each
band must then hold drawn (non-white) pixels. Skipped, with the reason, when no browser exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_report import SINCE, UNTIL, month, ws  # noqa: F401  (the month workspace fixture)

BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium installed (apt-get install chromium)")
BAND = 700  # px per chart band: taller than any chart in the month report


def _screenshot(page: Path, png: Path, height: int) -> str:
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={page.parent / 'profile'}",
            f"--window-size=1000,{height}",
            f"--screenshot={png}",
            "--enable-logging=stderr",
            "--v=0",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert png.is_file(), done.stderr[-2000:]
    return done.stderr


def _ink_per_band(png: Path, bands: int) -> list[int]:
    from matplotlib.image import imread

    pixels = imread(str(png))[:, :, :3]
    ink = (pixels < 0.9).any(axis=2)
    return [int(ink[i * BAND : (i + 1) * BAND].sum()) for i in range(bands)]


def test_every_chart_is_drawn_and_the_console_is_clean(month, tmp_path):
    page = tmp_path / "rapport.html"
    month.ok("report", "--since", SINCE, "--until", UNTIL, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    log = _screenshot(page, tmp_path / "page.png", 1800)
    assert "Uncaught" not in log and "Refused to" not in log and "net::ERR" not in log

    charts = re.findall(r'<figure[^>]* id="(chart-[a-z0-9-]+)"', html)
    assert {re.sub(r"-\d+$", "", c) for c in charts} == {
        "chart-regularity",
        "chart-attendance",
        "chart-goals",
        "chart-outcomes",
        "chart-fidelity",
    }
    style = ["* { visibility: hidden !important; } body { margin: 0 !important; }"]
    for index, chart in enumerate(charts):
        style.append(
            f"#{chart}, #{chart} * {{ visibility: visible !important; }} "
            f"#{chart} {{ position: absolute !important; left: 0; top: {index * BAND}px; margin: 0; "
            f"border: 0 !important; }} #{chart} figcaption {{ display: none; }}"
        )
    isolated = tmp_path / "charts.html"
    isolated.write_text(html.replace("</head>", "<style>" + "\n".join(style) + "</style></head>", 1), encoding="utf-8")
    _screenshot(isolated, tmp_path / "charts.png", BAND * len(charts))
    ink = _ink_per_band(tmp_path / "charts.png", len(charts))
    blank = [chart for chart, count in zip(charts, ink, strict=False) if count < 200]
    assert not blank, f"charts with nothing drawn: {blank} ({ink})"
