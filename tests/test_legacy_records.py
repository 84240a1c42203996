"""Records written before format 2 keep working: a month of a ward's records made by the first
version of imr (tests/testdata/legacy-month, written with the code at commit 9b74f41) reads,
plans, reports and renders as it did, and takes new entries without a byte of it changing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import Imr

LEGACY = Path(__file__).parent / "testdata" / "legacy-month"
PEOPLE = ("m-01", "m-02", "m-03", "m-04")
SESSION_KEYS = ("session", "module", "sessions_held", "complete", "missed_since_last")
STATUS_KEYS = (
    "next_session",
    "sessions_attended",
    "sessions_missed",
    "last_session",
    "last_session_date",
    "active_goals",
    "imrs_mean",
    "group",
)


@pytest.fixture
def legacy(imr: Imr) -> Imr:
    for folder in ("records", "groups"):
        shutil.rmtree(imr.root / folder, ignore_errors=True)
        shutil.copytree(LEGACY / folder, imr.root / folder)
    imr.commit_all("a month of records from the first version")
    return imr


def test_a_month_of_old_records_checks_clean(legacy: Imr):
    result = legacy("check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("pid", PEOPLE)
def test_the_plan_is_what_the_first_version_planned(legacy: Imr, pid: str):
    old = json.loads((LEGACY / f"next-{pid}.json").read_text(encoding="utf-8"))
    new = json.loads(legacy.ok("session", "next", pid, "--json").output)
    assert {k: new[k] for k in SESSION_KEYS} == {k: old[k] for k in SESSION_KEYS}
    for key in ("session", "date", "homework", "by"):
        assert (new["last_session"] or {}).get(key) == (old["last_session"] or {}).get(key)
    assert new["goals"] == old["goals"], "labels, wording and current steps unchanged"


def test_status_is_what_the_first_version_reported(legacy: Imr):
    old = {row["id"]: row for row in json.loads((LEGACY / "status.json").read_text(encoding="utf-8"))}
    new = {row["id"]: row for row in json.loads(legacy.ok("status", "--json").output)}
    assert {pid: {k: new[pid][k] for k in STATUS_KEYS} for pid in PEOPLE} == {
        pid: {k: old[pid][k] for k in STATUS_KEYS} for pid in PEOPLE
    }


def test_old_records_render_and_take_new_entries_without_changing_a_byte(legacy: Imr):
    before = {pid: legacy.record(pid).read_bytes() for pid in PEOPLE}
    assert "Sova bättre" in legacy.ok("render", "handout", "1.3", "--for", "m-01", "--format", "md", "-o", "-").stdout
    legacy.ok("session", "log", "m-01", "--date", "2026-11-26", "--step-done", "G1.2", "--note", "Ny post.")
    legacy.ok("goal", "step", "m-03", "G1", "Gå till affären")
    legacy.ok("correct", "m-03", "5", "--note", "Fel dag igen.", "--set", "date=2026-11-20")
    legacy.ok(
        "session", "log", "--group", "onsdag", "--date", "2026-11-27", "--module", "1", "--session", "4", "--again"
    )
    legacy.ok("relapse-plan", "m-01", "--remove-helper", "kontaktperson: följer upp", "--helper", "sjuksköterskan")
    for pid in PEOPLE:
        assert legacy.record(pid).read_bytes().startswith(before[pid]), pid
    check = legacy("check")
    assert check.exit_code == 0, check.output
    diff = legacy("diff", "--strict")
    assert diff.exit_code == 0 and "VARNING" not in diff.output
