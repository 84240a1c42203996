"""`imr report --ward/--wards`: two small wards built with the CLI, a missing folder and a folder
that is not a workspace; the summary table checked against values counted by hand."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import Imr, commit_past_the_hook, log_last_entry_twice, shared_workspaces
from render_support import pdf_text

SINCE, UNTIL = "2026-02-02", "2026-03-01"  # four ISO weeks, Monday to Sunday


def _norr(imr: Imr) -> None:
    """Group `mandag` (n-01..n-03): 1.1 on 02-02 all present, 1.2 on 02-09 n-03 absent; n-04
    individual 1.1 on 02-18; n-05 enrolled only. n-01 IMRS client 2 → 3. n-02's 1.2 is then
    logged a second time by hand (a duplicate)."""
    for pid in ("n-01", "n-02", "n-03"):
        imr.ok("patient", "add", pid, "--format", "group")
    for pid in ("n-04", "n-05"):
        imr.ok("patient", "add", pid, "--format", "individual")
    imr.ok("group", "create", "mandag", "--weekday", "måndag")
    imr.ok("group", "add", "mandag", "n-01", "n-02", "n-03")
    imr.ok("session", "log", "--group", "mandag", "--module", "1", "--session", "1", "--date", "2026-02-02")
    imr.ok(
        "session",
        "log",
        "--group",
        "mandag",
        "--module",
        "1",
        "--session",
        "2",
        "--date",
        "2026-02-09",
        "--absent",
        "n-03",
    )
    imr.ok("session", "log", "n-04", "--module", "1", "--session", "1", "--date", "2026-02-18")
    imr.ok("imrs", "add", "n-01", "--rater", "client", "--scores", ",".join(["2"] * 15), "--date", "2026-02-02")
    imr.ok("imrs", "add", "n-01", "--rater", "client", "--scores", ",".join(["3"] * 15), "--date", "2026-02-23")
    imr.commit_all("a month on Norr")
    log_last_entry_twice(imr, "n-02", "2026-02-09")
    commit_past_the_hook(imr, "hand edit")


def _soder(imr: Imr) -> None:
    """s-01 individual, one session a week: 1.1 to 1.4 on 02-03, 02-10, 02-17, 02-24."""
    imr.ok("patient", "add", "s-01", "--format", "individual")
    for number, day in enumerate(("2026-02-03", "2026-02-10", "2026-02-17", "2026-02-24"), start=1):
        imr.ok("session", "log", "s-01", "--module", "1", "--session", str(number), "--date", day)
    imr.commit_all("a month on Söder")


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    with shared_workspaces(tmp_path_factory, "region") as (base, runner):
        mp = runner.monkeypatch
        runner.ok("init", str(base / "norr"), "--name", "Avdelning Norr")
        runner.ok("init", str(base / "soder"), "--name", "Söder")
        (base / "tom").mkdir()
        _norr(Imr(base / "norr", mp))
        _soder(Imr(base / "soder", mp))
        (base / "wards.yaml").write_text(
            "wards:\n  - norr\n  - path: soder\n    name: Avdelning Söder\n  - borta\n  - tom\n", encoding="utf-8"
        )
        yield runner


def _snapshot(root):
    return {
        str(p): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".imr-cache" not in p.parts and ".git" not in p.parts
    }


def test_summary_table_counts_by_hand(region):
    from imr.reports.wards import build_wards, read_manifest

    before = _snapshot(region.root)
    wards = build_wards(
        read_manifest(region.root / "wards.yaml"),
        since=date.fromisoformat(SINCE),
        until=date.fromisoformat(UNTIL),
        lang="sv",
    )
    assert _snapshot(region.root) == before, "the wards are only read"
    norr, soder, borta, tom = wards
    assert (norr.name, soder.name) == ("Avdelning Norr", "Avdelning Söder")
    assert (borta.problem, tom.problem) == ("ward_missing", "ward_not_workspace")
    assert borta.report is None and tom.report is None
    # Norr: 5 participants, n-05 has nothing in the period; held: the group's 1.1 and 1.2 and
    # n-04's 1.1 (weeks 1, 2, 3 of 4); attended 3 + 2 + 1 (n-02's double log once), n-03 absent
    # once: 6 of 7; no session for 14+ days on 03-01: n-01, n-02 (02-09), n-03 (02-02), n-05.
    assert norr.summary == {
        "participants": 5,
        "active": 4,
        "sessions": 3,
        "weeks_with_session": 3,
        "weeks": 4,
        "attendance": 86,
        "quiet": 4,
        "integrity": 1,
        "unreadable": 0,
        "imrs": {"client": {"n": 1, "mean_change": 1.0}, "clinician": {"n": 0, "mean_change": None}},
    }
    assert soder.summary == {
        "participants": 1,
        "active": 1,
        "sessions": 4,
        "weeks_with_session": 4,
        "weeks": 4,
        "attendance": 100,
        "quiet": 0,
        "integrity": 0,
        "unreadable": 0,
        "imrs": {"client": {"n": 0, "mean_change": None}, "clinician": {"n": 0, "mean_change": None}},
    }


def test_cache_is_used_until_a_record_changes(region, tmp_path, monkeypatch):
    import shutil

    from imr.reports.wards import Ward, build_wards

    ward = tmp_path / "soder"
    shutil.copytree(region.root / "soder", ward)
    period = {"since": date.fromisoformat(SINCE), "until": date.fromisoformat(UNTIL), "lang": "sv"}
    first = build_wards([Ward(path=ward)], **period)[0]
    again = build_wards([Ward(path=ward)], **period)[0]
    assert not first.cached and again.cached and again.summary == first.summary
    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    Imr(ward, monkeypatch).ok("session", "log", "s-01", "--module", "2", "--session", "1", "--date", "2026-02-26")
    changed = build_wards([Ward(path=ward)], **period)[0]
    assert not changed.cached and changed.summary["sessions"] == 5


def test_html_has_the_table_then_each_ward_and_nothing_external(region):
    out = region.root / "region.html"
    result = region.ok("report", "--wards", "wards.yaml", "--since", SINCE, "--until", UNTIL, "-o", str(out))
    assert "Mappen ”borta” finns inte" in result.output and "”tom” är ingen imr-mapp" in result.output
    html = out.read_text(encoding="utf-8")
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', html))
    assert "<script" not in html and "<link" not in html
    table = html[html.index('<table class="wards">') : html.index("</table>", html.index('<table class="wards">'))]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table)]
    assert cells[10:20] == ["Avdelning Norr", "5", "4", "3", "3 av 4", "86 %", "4", "1", "+1,00 (n=1)", "–"]
    assert cells[20:30] == ["Avdelning Söder", "1", "1", "4", "4 av 4", "100 %", "0", "0", "–", "–"]
    assert "Mappen" in table and "borta" in table and "”tom” är ingen imr-mapp" in table
    assert (
        html.index('<table class="wards">')
        < html.index("IMR-översikt: Avdelning Norr")
        < html.index("IMR-översikt: Avdelning Söder")
    )
    assert html.count('<section class="ward"') == 2
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "each ward's sections have their own ids"
    assert "Dubbel registrering: n-02" in html


def test_ward_options_and_refusals(region):
    out = region.root / "two.html"
    region.ok(
        "report",
        "--ward",
        "norr",
        "--ward",
        "soder",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--lang",
        "en",
        "-o",
        str(out),
    )
    html = out.read_text(encoding="utf-8")
    assert "IMR overview for several wards" in html and "2 of 2 wards" in html and "Söder" in html
    # A ward without goals (Söder) has no goals chart: its own report is made all the same.
    region.ok("-w", "soder", "report", "--since", SINCE, "--until", UNTIL, "-o", str(region.root / "soder.html"))
    region.refused("report", "--ward", "norr", "--group", "mandag")
    region.refused("report", "--ward", "norr", "--notes")
    region.refused("report", "--wards", "finns-inte.yaml")
    assert "ingen imr-mapp" in region("report", "--ward", "tom").output
    assert region("report", "--ward", "tom").exit_code == 1
    (region.root / "bad.yaml").write_text("wards: norr\n", encoding="utf-8")
    region.refused("report", "--wards", "bad.yaml")


def test_pdf_has_the_summary_then_one_section_per_ward(region):
    out = region.root / "region.pdf"
    region.ok("report", "--wards", "wards.yaml", "--since", SINCE, "--until", UNTIL, "--format", "pdf", "-o", str(out))
    pages = [re.sub(r"\s+", " ", page) for page in pdf_text(out.read_bytes())]
    assert "Sammanställning" in pages[0] and "borta" in pages[0]
    assert not (region.root / ".imr-cache").exists(), "nothing is written where the report is saved"
    norr = next(n for n, p in enumerate(pages) if "IMR-översikt: Avdelning Norr" in p)
    soder = next(n for n, p in enumerate(pages) if "IMR-översikt: Avdelning Söder" in p)
    assert norr > 0 and soder == norr + 1 and len(pages) == soder + 1, "one page per ward"
    assert all(
        "Nyckeltal" in pages[n] and "Programtrohet" in pages[n] and "Utan träff 14+ dagar 4" in pages[norr]
        for n in (norr, soder)
    )
    _summary_is_two_tables_within_the_text_width(out.read_bytes())


def _summary_is_two_tables_within_the_text_width(data: bytes) -> None:
    """The summary: one row per ward in a table (activity), then the IMRS changes in another,
    every word and rule of them inside the text column (A4, 35 mm margins)."""
    import pymupdf

    page = pymupdf.open(stream=data)[0]
    mm = 72 / 25.4
    left, right = 35 * mm, (210 - 35) * mm
    words = page.get_text("words")
    heading = next(w for w in words if w[4] == "Sammanställning")
    below = [w for w in words if heading[3] < w[1] < 270 * mm]
    assert below and all(left - 0.5 <= w[0] and w[2] <= right + 0.5 for w in below), "a cell leaves the column"
    rules = [d["rect"] for d in page.get_drawings() if d["rect"].y0 > heading[3]]
    assert rules and all(left - 1 <= r.x0 and r.x1 <= right + 1 for r in rules)

    def row(name: str, table: int) -> list[str]:  # the words on the line of a ward's name, in order
        y = [w for w in words if w[4] == name][table][1]
        return [w[4] for w in sorted(words, key=lambda w: w[0]) if abs(w[1] - y) < 2]

    # Norr: 5 participants, 4 active, 3 sessions, 3 of 4 weeks, 86 %, 4 quiet, 1 finding; IMRS +1,00 (n=1).
    assert row("Norr", 0) == ["Avdelning", "Norr", "5", "4", "3", "3", "av", "4", "86", "%", "4", "1"]
    assert row("Norr", 1) == ["Avdelning", "Norr", "+1,00", "(n=1)", "–"]
    headers = [w[4] for w in words if w[1] < next(w for w in words if w[4] == "Norr")[1] and w[1] > heading[3]]
    assert "Deltagare" in headers and "Avvikelser" in headers
