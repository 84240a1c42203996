"""`imr status`: one row per participant with attendance, next session, goals and IMRS."""

from __future__ import annotations

import json
from datetime import date, timedelta

from conftest import Imr

from imr.workspace import store
from imr.workspace.folder import open_workspace


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def append(imr: Imr, pid: str, *entries: dict) -> None:
    store.append(open_workspace(imr.root), pid, list(entries))


def entry(kind: str, day: str, **fields) -> dict:
    return {"kind": kind, "at": f"{day}T10:00:00+01:00", "by": "KL", **fields}


def test_rows_in_json_with_id_first(enrolled: Imr):
    enrolled.ok("patient", "add", "p-02", "--format", "group")
    enrolled.ok("session", "log", "p-01", "--date", days_ago(30))
    enrolled.ok("absent", "p-01", "--date", days_ago(23))
    enrolled.ok("session", "log", "p-01", "--date", days_ago(20))
    append(
        enrolled,
        "p-01",
        entry("goal", days_ago(20), goal="G1", text="Sova bättre"),
        entry("goal", days_ago(20), goal="G2", text="Träffa en vän"),
        entry("goal-update", days_ago(19), goal="G2", status="done"),
        entry("imrs", days_ago(60), rater="client", date=days_ago(60), scores=[3] * 15),
        entry("imrs", days_ago(19), rater="client", date=days_ago(19), scores=[4] * 12 + [3, "na", "na"]),
    )
    append(enrolled, "p-02", entry("session", days_ago(2), module=1, session=1, date=days_ago(2), group="tisdag"))
    rows = json.loads(enrolled.ok("status", "--json").output)
    assert [row["id"] for row in rows] == ["p-01", "p-02"]
    assert all(next(iter(row)) == "id" for row in rows)
    one, two = rows
    assert one["variant"] == "schizophrenia" and one["format"] == "individual" and one["group"] is None
    assert one["next_session"] == "1.3" and one["complete"] is False
    assert (one["sessions_attended"], one["sessions_missed"]) == (2, 1)
    assert one["last_session"] == "1.2" and one["last_session_date"] == days_ago(20)
    assert one["days_since_session"] == 20 and one["overdue"] is True
    assert one["active_goals"] == 1
    assert one["imrs_mean"] == 3.92 and one["imrs_change"] == 0.92 and one["imrs_rater"] == "client"
    assert two["format"] == "group" and two["group"] == "tisdag"
    assert two["overdue"] is False and two["days_since_session"] == 2
    assert two["imrs_mean"] is None and two["imrs_change"] is None


def test_a_new_participant_is_overdue_only_after_two_weeks(imr: Imr):
    imr.ok("patient", "add", "p-01", "--date", "idag")
    row = json.loads(imr.ok("status", "--json").output)[0]
    assert row["last_session_date"] is None and row["days_since_session"] == 0 and row["overdue"] is False
    assert row["next_session"] == "1.1"


def test_table_shows_every_participant_and_flags_overdue(enrolled: Imr):
    enrolled.ok("patient", "add", "p-02", "--date", "idag")
    enrolled.ok("session", "log", "p-01", "--date", days_ago(15), "--note", "[red]ingen markup[/red]")
    out = enrolled.ok("status").output
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Id", "Version", "Form"]
    p01 = next(line for line in lines if line.startswith("p-01"))
    assert "1 träff, 0 missade" in p01 and "1.1 " + days_ago(15) in p01 and "(! 15 dagar sedan)" in p01
    p02 = next(line for line in lines if line.startswith("p-02"))
    assert "!" not in p02 and "1.1" in p02


def test_a_broken_record_gets_its_own_row(enrolled: Imr):
    enrolled.ok("patient", "add", "p-02")
    before = enrolled.snapshot()
    with open(enrolled.record("p-02"), "a", encoding="utf-8") as handle:
        handle.write("- kind: session\n  at: [oops\n")
    rows = json.loads(enrolled.ok("status", "--json").output)
    assert rows[0]["id"] == "p-01" and "error" not in rows[0]
    assert rows[1]["id"] == "p-02" and "records/p-02.yaml" in rows[1]["error"]
    assert "p-02" in enrolled.ok("status").output
    assert enrolled.snapshot()["records/p-01.yaml"] == before["records/p-01.yaml"]


def test_empty_workspace(imr: Imr):
    assert json.loads(imr.ok("status", "--json").output) == []
    assert "Inga deltagare" in imr.ok("status").output


def test_english_workspace_labels(tmp_path, monkeypatch):
    runner = Imr(tmp_path, monkeypatch)
    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    runner.ok("init", str(tmp_path / "en"), "--lang", "en")
    runner.root = tmp_path / "en"
    runner.ok("patient", "add", "p-01")
    out = runner.ok("status").output
    assert "Attendance" in out and "0 sessions, 0 missed" in out
