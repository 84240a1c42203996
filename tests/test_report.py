"""`imr report`: a month on two groups and two individual tracks, built with the CLI and git,
and the report's numbers checked against values counted by hand from that month."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from conftest import Imr, commit_past_the_hook, log_last_entry_twice, shared_workspaces

SINCE, UNTIL = "2026-02-02", "2026-03-01"  # four ISO weeks, Monday to Sunday
ALL_TWO = ",".join(["2"] * 15)
ALL_THREE = ",".join(["3"] * 15)
ALL_FOUR = ",".join(["4"] * 15)
ALL_FIVE = ",".join(["5"] * 15)


def _month(imr: Imr) -> Imr:
    """The month the assertions below are counted from (weeks start 02-02, 02-09, 02-16, 02-23).

    tisdag (KL): 1.1 on 02-03 all present; 1.2 on 02-10 a-02, a-03 absent; 1.3 on 02-17 a-03 absent.
    a-02 catches up 1.2 on 02-12. torsdag (MN): 1.1 on 02-05, 1.2 on 02-12, both present.
    i-01 individual: 1.1 on 02-04, 1.2 on 02-18 (homework not done), 1.3 on 02-25 (partly).
    i-02 individual: never seen. a-01 finishes goal step .1 at 1.3. IMRS: a-01 client 2 → 3,
    clinician 2 → 4; b-01 client 3 → 5. Then by hand: b-02's 1.2 logged a second time (MN),
    and a comment line in i-02's record rewritten, each committed.
    """
    for pid in ("a-01", "a-02", "a-03", "b-01", "b-02"):
        imr.ok("patient", "add", pid, "--format", "group")
    for pid in ("i-01", "i-02"):
        imr.ok("patient", "add", pid, "--format", "individual")
    imr.ok("group", "create", "tisdag", "--weekday", "tisdag")
    imr.ok("group", "add", "tisdag", "a-01", "a-02", "a-03")
    imr.ok("group", "create", "torsdag", "--weekday", "torsdag")
    imr.ok("group", "add", "torsdag", "b-01", "b-02")
    imr.ok("goal", "add", "a-01", "Sova bättre", "--step", "Lägga mig före 23", "--step", "Inget kaffe efter 15")
    from imr.workspace.folder import open_workspace
    from imr.workspace.store import load_state

    _, state = load_state(open_workspace(imr.root), "a-01")
    label = next(iter(state.goals.values())).id
    log = ("session", "log", "--group")
    imr.ok(*log, "tisdag", "--module", "1", "--session", "1", "--date", "2026-02-03")
    imr.ok(*log, "tisdag", "--module", "1", "--session", "2", "--date", "2026-02-10", "--absent", "a-02", "a-03")
    imr.ok("session", "log", "a-02", "--module", "1", "--session", "2", "--date", "2026-02-12")
    imr.ok(
        *log,
        "tisdag",
        "--module",
        "1",
        "--session",
        "3",
        "--date",
        "2026-02-17",
        "--step-done",
        f"a-01:{label}.1",
        "--absent",
        "a-03",
    )
    imr.ok(*log, "torsdag", "--module", "1", "--session", "1", "--date", "2026-02-05", "--by", "MN")
    imr.ok(*log, "torsdag", "--module", "1", "--session", "2", "--date", "2026-02-12", "--by", "MN")
    imr.ok("session", "log", "i-01", "--module", "1", "--session", "1", "--date", "2026-02-04")
    imr.ok(
        "session",
        "log",
        "i-01",
        "--module",
        "1",
        "--session",
        "2",
        "--date",
        "2026-02-18",
        "--homework-review",
        "inte gjord",
    )
    imr.ok(
        "session",
        "log",
        "i-01",
        "--module",
        "1",
        "--session",
        "3",
        "--date",
        "2026-02-25",
        "--homework-review",
        "delvis",
        "--note",
        "<script>alert(1)</script> Ritade en karta",
    )
    for pid, rater, day, scores in (
        ("a-01", "client", "2026-02-03", ALL_TWO),
        ("a-01", "client", "2026-02-24", ALL_THREE),
        ("a-01", "clinician", "2026-02-03", ALL_TWO),
        ("a-01", "clinician", "2026-02-24", ALL_FOUR),
        ("b-01", "client", "2026-02-05", ALL_THREE),
        ("b-01", "client", "2026-02-26", ALL_FIVE),
    ):
        imr.ok("imrs", "add", pid, "--rater", rater, "--scores", scores, "--date", day)
    imr.commit_all("the month")
    log_last_entry_twice(imr, "b-02", "2026-02-12")
    i02 = imr.record("i-02")
    i02.write_text(i02.read_text(encoding="utf-8").replace("# IMR record", "# IMR-journal", 1), encoding="utf-8")
    imr.git("add", "-A")
    commit_past_the_hook(imr, "hand edits")
    return imr


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    with shared_workspaces(tmp_path_factory, "report") as (base, runner):
        runner.ok("init", str(base / "ws"), "--name", "Avdelning 7")
        runner.root = base / "ws"
        yield _month(runner)


@pytest.fixture
def ws(month, monkeypatch):
    monkeypatch.chdir(month.root)
    from imr.workspace.folder import open_workspace

    return open_workspace(month.root)


@pytest.fixture
def data(ws):
    from imr.reports.report import build_report

    return build_report(ws, since=date.fromisoformat(SINCE), until=date.fromisoformat(UNTIL))


def test_regularity_counts_sessions_per_week_and_marks_gaps(data):
    reg = data["regularity"]
    assert [w["monday"] for w in reg["weeks"]] == ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
    rows = {r["name"]: r for r in reg["rows"]}
    assert set(rows) == {"tisdag", "torsdag", "i-01", "i-02"}
    assert rows["tisdag"]["counts"] == [1, 1, 1, 0] and rows["tisdag"]["gaps"] == [3]
    assert rows["torsdag"]["counts"] == [1, 1, 0, 0] and rows["torsdag"]["gaps"] == [2, 3]
    assert rows["i-01"]["counts"] == [1, 0, 1, 1] and rows["i-01"]["gaps"] == [1]
    assert rows["i-02"]["counts"] == [0, 0, 0, 0]
    # Last session present: a-03 02-03 (26 days before 03-01), b-01/b-02 02-12 (17), i-02 never;
    # a-01 and a-02 02-17 (12) and i-01 02-25 (4) are within 14 days.
    assert [(q["id"], q["days"]) for q in reg["quiet"]] == [("a-03", 26), ("b-01", 17), ("b-02", 17), ("i-02", None)]


def test_attendance_matrix_with_catch_up_and_runs(data):
    groups = {g["group"]: g for g in data["attendance"]}
    tisdag = groups["tisdag"]
    assert [m["date"] for m in tisdag["meetings"]] == ["2026-02-03", "2026-02-10", "2026-02-17"]
    cells = {m["id"]: m["cells"] for m in tisdag["members"]}
    assert cells == {
        "a-01": ["present"] * 3,
        "a-02": ["present", "caught_up", "present"],
        "a-03": ["present", "absent", "absent"],
    }
    runs = {m["id"]: m["runs"] for m in tisdag["members"]}
    assert runs == {"a-01": [], "a-02": [], "a-03": [1, 2]}
    # The duplicate of b-02's 1.2 is one meeting, not two.
    assert len(groups["torsdag"]["meetings"]) == 2


def test_who_is_falling_behind(data):
    behind = {p["id"]: p for p in data["behind"]}
    assert set(behind) == {"a-03", "i-01"}
    assert behind["a-03"]["absence_run"] == 2 and behind["a-03"]["catch_up"] == ["1.2", "1.3"]
    assert behind["i-01"]["homework_rate"] == 0 and behind["i-01"]["homework_reviews"] == 2


def test_goals_and_outcomes(data):
    goals = {p["id"]: p for p in data["goals"]}
    assert set(goals) == {"a-01"}
    assert goals["a-01"]["active"] == 1 and goals["a-01"]["steps_done_dates"] == ["2026-02-17"]
    assert goals["a-01"]["goals"][0]["steps"] == 2 and goals["a-01"]["goals"][0]["steps_done"] == 1
    outcomes = data["outcomes"]
    # client: a-01 2 → 3 (+1), b-01 3 → 5 (+2): mean +1.5 over 2; clinician: a-01 2 → 4 over 1.
    assert outcomes["change"] == {"client": {"n": 2, "mean_change": 1.5}, "clinician": {"n": 1, "mean_change": 2.0}}
    a01 = next(p for p in outcomes["participants"] if p["id"] == "a-01")
    assert [(p["date"], p["rater"], p["mean"]) for p in a01["points"]] == [
        ("2026-02-03", "client", 2.0),
        ("2026-02-03", "clinician", 2.0),
        ("2026-02-24", "client", 3.0),
        ("2026-02-24", "clinician", 4.0),
    ]


def test_fidelity_this_period_against_the_previous(data):
    items = {i["item"]: i for i in data["fidelity"]["items"]}
    assert sorted(items) == [1, 2, 3, 4, 5, 6, 7, 11, 12, 13]  # 8–10 need observation
    assert items[3]["score"] == 1  # only module 1 held: none of the nine topic modules
    assert data["previous"] == {"since": "2026-01-05", "until": "2026-02-01"}


def test_integrity_duplicate_in_the_period_report(data):
    dupes = [i for i in data["integrity"] if i["kind"] == "duplicate"]
    assert [(d["id"], d["code"], d["session"], d["date"]) for d in dupes] == [
        ("b-02", "session_logged_twice", "1.2", "2026-02-12")
    ]
    assert not [i for i in data["integrity"] if i["kind"] == "rewrite"]  # committed today, not in February


def test_this_week_shows_the_rewrite_and_what_each_signature_wrote(ws):
    from imr.reports.report import build_report

    today = date.today()
    data = build_report(ws, since=today, until=today)
    rewrites = [i for i in data["integrity"] if i["kind"] == "rewrite"]
    assert [(r["path"], r["line"]) for r in rewrites] == [("records/i-02.yaml", 1)]
    changes = {c["by"]: c["counts"] for c in data["changes"]}
    # KL: 7 enrolments, 2 groups, 5 members added, 1 goal + 2 steps, tisdag 3 + 2 + 1 present
    # and 0 + 2 + 1 absent, a-02's catch-up, i-01's three sessions, six IMRS. MN: torsdag 2 + 2,
    # and the copy of b-02's 1.2.
    assert changes["KL"] == {
        "absent": 3,
        "enrolled": 7,
        "goal": 1,
        "goal-step": 2,
        "group-created": 2,
        "imrs": 6,
        "member-added": 5,
        "session": 10,
    }
    assert changes["MN"] == {"session": 5}


def test_html_is_self_contained_swedish_and_escaped(month):
    out = month.root / "rapport.html"
    month.ok("report", "--since", SINCE, "--until", UNTIL, "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', html))
    assert "<script" not in html and "<link" not in html
    assert "IMR-översikt: Avdelning 7" in html and "högre är bättre" in html
    assert "Dubbel registrering: b-02 träff 1.2 den 2026-02-12" in html
    assert "tisdag: 3 träffar, planen hölls 3 av 4 veckor" in html
    assert "deltagaren: förändring sedan första bedömningen i medel +1,50 (bygger på 2 deltagare" in html
    for chart in ("regularity", "attendance", "goals", "outcomes", "fidelity"):
        assert f'data-chart="{chart}"' in html
    assert "Ritade en karta" not in html  # notes only with --notes
    month.ok("report", "--since", SINCE, "--until", UNTIL, "--notes", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "Ritade en karta" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_english_and_refusals(month):
    out = month.root / "report-en.html"
    month.ok("report", "--since", SINCE, "--until", UNTIL, "--lang", "en", "-o", str(out))
    assert "higher is better" in out.read_text(encoding="utf-8")
    month.refused("report", "--since", UNTIL, "--until", SINCE)
    month.refused("report", "--format", "docx")
    month.refused("report", "--lang", "de")
    month.refused("report", "--group", "finns-inte")


def test_pdf_has_the_same_sections(month):
    import pymupdf

    out = month.root / "rapport.pdf"
    month.ok("report", "--since", SINCE, "--until", UNTIL, "--format", "pdf", "-o", str(out))
    text = " ".join(page.get_text() for page in pymupdf.open(out))
    text = re.sub(r"\s+", " ", text)
    for heading in (
        "Kontroll av journalerna",
        "Regelbundenhet",
        "Närvaro",
        "Vem halkar efter",
        "Mål",
        "Utfall: IMR-skalan",
        "Programtrohet (IMR-FS)",
        "Vad som ändrats, per signatur",
    ):
        assert heading in text
    assert "Dubbel registrering: b-02" in text


def test_pdf_has_the_html_tables_inside_the_text_column(month):
    """The PDF carries the HTML page's tables (attendance per group, IMR-FS items, entries per
    signature; the sections that are lists on the HTML page stay lists, which keeps a report of
    1,000 participants light): every word and every rule inside the 140 mm text column, the
    header row on each page a table runs over."""
    import pymupdf

    mm = 72 / 25.4
    out = month.root / "rapport-tabeller.pdf"
    month.ok("report", "--since", SINCE, "--until", UNTIL, "--format", "pdf", "-o", str(out))
    doc = pymupdf.open(out)
    for page in doc:
        for x0, _, x1, _, word, *_ in page.get_text("words"):
            assert 35 * mm - 0.5 <= x0 and x1 <= 175 * mm + 0.5, (page.number + 1, word)
        for drawing in page.get_drawings():
            rect = drawing["rect"]
            assert 35 * mm - 1 <= rect.x0 and rect.x1 <= 175 * mm + 1, (page.number + 1, rect)

    def lines(page) -> list[str]:
        rows: dict[int, list] = {}
        for w in page.get_text("words"):
            rows.setdefault(round(w[1]), []).append(w)
        return [" ".join(w[4] for w in sorted(row, key=lambda w: w[0])) for row in rows.values()]

    table_lines = [line for page in doc for line in lines(page)]
    assert "a-03 N F F 1 närvarande, 2 frånvarande (0 tagna igen)" in table_lines
    assert "02-03 02-10 02-17" in table_lines and "1.1 1.2 1.3" in table_lines
    evidence = [
        page
        for page in doc
        if (any(f"{item}." in page.get_text() for item in ("1", "7", "13")) and "Underlag" in page.get_text())
        or "13. Beteende" in page.get_text()
    ]
    assert evidence and all("Underlag" in page.get_text() and "perioden" in page.get_text() for page in evidence)
    text = " ".join(page.get_text() for page in doc)
    assert ("Signatur" in text and "Poster" in text) or "Inget skrevs i perioden" in text


def test_a_long_period_s_attendance_is_cut_into_tables_that_fit():
    from imr.reports.report_pdf import PDF_MEETINGS, attendance_tables
    from imr.reports.report_view import AttendanceGroup, AttendanceRow

    columns = [f"2026-{1 + n // 4:02d}-{1 + 7 * (n % 4):02d} (1.{n % 5 + 1})" for n in range(20)]
    row = AttendanceRow(id="a-01", cells=[], letters=["N"] * 19 + ["F"], runs=[19], sum="19 av 20")
    tables = attendance_tables(AttendanceGroup(heading="", columns=columns, rows=[row], chart=""))
    assert [len(t.columns) for t in tables] == [7, 7, 6] and all(len(t.columns) <= PDF_MEETINGS for t in tables)
    assert tables[0].columns[0] == "01-01 1.1" and [t.last for t in tables] == [False, False, True]
    assert tables[-1].rows[0].sum == "19 av 20" and tables[0].rows[0].sum == ""
    assert tables[-1].rows[0].cells[-1] == ("F", True) and tables[-1].rows[0].cells[0] == ("N", False)


def test_export_csv_tables_read_back(month):
    import csv

    folder = month.root / "tabeller"
    month.ok("export", "--format", "csv", "--since", SINCE, "-o", str(folder))

    def rows(name: str) -> list[dict[str, str]]:
        with open(folder / f"{name}.csv", newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    sessions = rows("sessions")
    # tisdag 3 + 1 + 2 present, a-02's catch-up, torsdag 2 + 2 and the unresolved copy, i-01 3.
    assert len(sessions) == 15
    assert {r["participant"] for r in sessions} == {"a-01", "a-02", "a-03", "b-01", "b-02", "i-01"}
    assert [r["homework_review"] for r in sessions if r["participant"] == "i-01"] == ["", "not-done", "partly"]
    attendance = rows("attendance")
    assert len(attendance) == 16  # 3 × 3 tisdag, 2 × 2 torsdag (the copy counts once), i-01's 3 on its own track
    assert [(r["group"], r["status"]) for r in attendance if r["participant"] == "i-01"] == [("", "present")] * 3
    assert sorted((r["participant"], r["session"], r["status"]) for r in attendance if r["status"] != "present") == [
        ("a-02", "1.2", "caught_up"),
        ("a-03", "1.2", "absent"),
        ("a-03", "1.3", "absent"),
    ]
    goals = rows("goals")
    assert [(r["step"] != "", r["status"], r["done_on"]) for r in goals] == [
        (False, "active", ""),
        (True, "done", "2026-02-17"),
        (True, "active", ""),
    ]
    items = rows("imrs_items")
    assert len(items) == 6 * 15 and {r["score"] for r in items if r["participant"] == "b-01"} == {"3", "5"}
    assert [r["item"] for r in rows("fidelity")] == [str(n) for n in range(1, 14)]
    text = "".join(
        (folder / f"{n}.csv").read_text(encoding="utf-8")
        for n in ("sessions", "attendance", "goals", "imrs_items", "fidelity")
    )
    assert "Ritade" not in text and "Sova" not in text  # no free text
    month.refused("export", "--format", "xlsx")


def test_export_parquet_reads_back_with_pyarrow(month):
    import pyarrow.parquet as pq

    folder = month.root / "parquet"
    month.ok("export", "--format", "parquet", "--since", SINCE, "-o", str(folder))
    items = pq.read_table(folder / "imrs_items.parquet")
    assert items.num_rows == 90 and str(items.schema.field("score").type) == "int64"
    sessions = pq.read_table(folder / "sessions.parquet").to_pylist()
    assert len(sessions) == 15 and sessions[0]["homework_review"] in (None, "done", "partly", "not-done", "none")
    assert sorted(r["module"] for r in sessions) == [1] * 15


def test_a_goal_that_has_not_moved_for_four_weeks_is_flagged(ws):
    from datetime import timedelta

    from imr.reports.report import build_report

    today = date.today()  # the goal was set today (its `at`): still fresh in 27 days, stale in 28
    fresh = build_report(ws, since=today, until=today + timedelta(days=27))
    stale = build_report(ws, since=today, until=today + timedelta(days=28))
    assert not any(p["stale_goals"] for p in fresh["behind"])
    flagged = {p["id"]: p["stale_goals"] for p in stale["behind"] if p["stale_goals"]}
    assert list(flagged) == ["a-01"] and flagged["a-01"][0]["days"] == 28


def test_the_pdf_leaves_out_each_participants_chart_past_a_wards_size(ws, data, monkeypatch):
    """At a region's size the PDF keeps each participant's IMRS points as lines and says the
    charts are on the HTML page (hundreds of SVG charts in Typst cost about 200 MB)."""
    from imr.reports import report_pdf

    drawn, body = report_pdf.report_pdf_document(ws, data, "sv")
    people = len(data["outcomes"]["participants"])
    assert people >= 2
    assert sum(name.startswith("outcome") for name in drawn.charts) >= people
    assert body.count('#imr-chart("outcome') >= people
    monkeypatch.setattr(report_pdf, "PDF_PERSON_CHARTS", people - 1)
    left_out, body = report_pdf.report_pdf_document(ws, data, "sv")
    assert not any(name.startswith("outcome") for name in left_out.charts) and "outcome" not in body
    assert f"Rapporten gäller {people} deltagare" in body
    # the other charts are still drawn
    assert any(name.startswith("regularity") for name in left_out.charts) and '#imr-chart("regularity-1"' in body


def test_the_pdf_leaves_out_a_whole_ward_chart_taller_than_it_can_print(ws, data, monkeypatch):
    """The sessions-per-week and goals charts have a row per track or participant and cannot
    break across pages: past PDF_CHART_ROWS rows (a region's records) they run off the page, so
    the PDF says where they are instead (the HTML page has them); their lines stay."""
    from imr.reports import report_pdf

    rows = len(data["regularity"]["rows"])
    _, body = report_pdf.report_pdf_document(ws, data, "sv")
    assert '#imr-chart("regularity-1"' in body and '#imr-chart("goals-1"' in body
    monkeypatch.setattr(report_pdf, "PDF_CHART_ROWS", min(rows, len(data["goals"])) - 1)
    left_out, body = report_pdf.report_pdf_document(ws, data, "sv")
    assert not any(name.startswith(("regularity", "goals")) for name in left_out.charts)
    assert f"Rapporten har {rows} rader" in body and "diagrammet finns bara i HTML" in body
    assert "#imr-chart(" in body and any(name.startswith("fidelity") for name in left_out.charts)


def test_a_chart_the_pdf_leaves_out_is_not_drawn(ws, data):
    """What the PDF cannot print is not drawn only to be dropped (a region's report drew a
    thousand IMRS charts and two page-high grids for nothing); the HTML page draws them all."""
    from imr.reports.report_render import build_view

    full = build_view(ws, data, "sv")
    assert full.charts.regularity and full.charts.goals and all(p.chart for p in full.outcomes.people)
    pdf = build_view(ws, data, "sv", left_out=frozenset({"regularity", "goals", "outcomes"}))
    assert not pdf.charts.regularity and not pdf.charts.goals and not any(p.chart for p in pdf.outcomes.people)
    assert pdf.charts.fidelity == full.charts.fidelity
    assert [p.points for p in pdf.outcomes.people] == [p.points for p in full.outcomes.people]


def test_a_participants_name_stays_with_their_chart_in_the_pdf(tmp_path):
    """On the demo ward the last IMRS chart did not fit under its name: the name stood alone at
    the foot of a page and the chart began the next. Each name and its chart are one block now."""
    import subprocess
    import sys
    from pathlib import Path

    import pymupdf

    repo = Path(__file__).resolve().parent.parent
    clone = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    out = tmp_path / "rapport.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "imr", "report", "--format", "pdf", "-o", str(out)],
        cwd=tmp_path,  # not the clone: `python -m` would import its copy of imr
        env={**os.environ, "IMR_WORKSPACE": str(clone)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pages = list(pymupdf.open(out))
    assert any("högre är bättre" in page.get_text() for page in pages)  # the demo ward has an IMRS chart
    for page in pages:
        lines = [line.strip() for line in page.get_text().splitlines() if line.strip()]
        body = lines[: next(i for i, line in enumerate(lines) if line.startswith("Gjord av imr"))]
        assert not re.fullmatch(r"demo-\d\d", body[-1]), f"page {page.number + 1} ends with a name alone"
