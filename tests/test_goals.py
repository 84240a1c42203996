"""Recovery goals: set, step, update, follow up in the plan and the session log; only additions in git."""

import json

import pytest


def added_only(imr) -> None:
    diff = imr.git("diff", "--unified=0", "--", "records", "groups")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], diff


def goals_of(imr, pid="p-01"):
    return {g["id"]: g for g in json.loads(imr.ok("goal", "list", pid, "--json").output)}


def test_goal_lifecycle_appends_only(enrolled):
    imr = enrolled
    imr.commit_all()
    out = imr.ok("goal", "add", "p-01", "Bo i egen lägenhet", "--step", "Laga tre rätter", "--step", "Besöka boendestödet").output
    assert "G1" in out and "G1.1, G1.2" in out
    added_only(imr)
    imr.commit_all()
    assert "G1.3" in imr.ok("goal", "step", "p-01", "G1", "Öva på att handla").output
    imr.ok("goal", "add", "p-01", "Träffa min bror oftare")
    imr.ok("goal", "update", "p-01", "G1.1", "--status", "done", "--note", "Klarade det.")
    added_only(imr)

    goals = goals_of(imr)
    assert list(goals) == ["G1", "G2"]
    g1 = goals["G1"]
    assert [(s["id"], s["status"]) for s in g1["steps"]] == [("G1.1", "done"), ("G1.2", "active"), ("G1.3", "active")]
    assert g1["current_step"] == "G1.2"
    assert [h["kind"] for h in g1["history"]] == ["goal", "goal-step", "goal-update"]
    assert g1["history"][-1]["note"] == "Klarade det."
    assert imr("check").exit_code == 0, imr("check").output


def test_revised_goal_keeps_history_and_stays_in_follow_up(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Bo själv")
    imr.ok("goal", "update", "p-01", "G1", "--status", "revised", "--text", "Bo i träningslägenhet före sommaren")
    g1 = goals_of(imr)["G1"]
    assert g1["status"] == "revised" and g1["text"] == "Bo i träningslägenhet före sommaren"
    assert [h["text"] for h in g1["history"]] == ["Bo själv", "Bo i träningslägenhet före sommaren"]
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert [g["id"] for g in plan["goals"]] == ["G1"]
    assert "Bo själv" in imr.record("p-01").read_text(), "the old wording stays in the file"


def test_session_next_shows_open_goals_and_current_step(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Arbeta i trädgården", "--step", "Fråga om arbetsterapi", "--step", "Prova en dag")
    imr.ok("goal", "add", "p-01", "Sova bättre", "--step", "Lägga mig före elva")
    imr.ok("goal", "add", "p-01", "Paus-mål")
    imr.ok("goal", "update", "p-01", "G3", "--status", "paused")
    imr.ok("goal", "update", "p-01", "G1.1", "--status", "done")
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert [(g["id"], g["current_step"]["id"] if g["current_step"] else None) for g in plan["goals"]] == [
        ("G1", "G1.2"), ("G2", "G2.1")]
    text = imr.ok("session", "next", "p-01").output
    assert "G1: Arbeta i trädgården" in text and "G1.2: Prova en dag" in text
    assert "Paus-mål" not in text


def test_session_log_step_done_moves_the_current_step(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Gå ut varje dag", "--step", "Promenad runt huset", "--step", "Promenad till affären")
    imr.commit_all()
    imr.ok("session", "log", "p-01", "--date", "2026-03-02", "--step-done", "g1.1")
    added_only(imr)
    assert "steps_done:\n  - G1.1" in imr.record("p-01").read_text()
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["goals"][0]["current_step"]["id"] == "G1.2"
    history = goals_of(imr)["G1"]["history"]
    assert history[-1]["kind"] == "session" and history[-1]["target"] == "G1.1"


def test_patient_show_lists_goals_with_history(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Laga mat", "--step", "Handla [grönsaker]")
    imr.ok("goal", "update", "p-01", "G1.1", "--status", "done")
    out = imr.ok("patient", "show", "p-01").output
    assert "G1 [active] Laga mat" in out
    assert "G1.1 [done] Handla [grönsaker]" in out, "status and markup-like text are shown as text"
    assert "goal-update: G1.1 done" in out
    shown = json.loads(imr.ok("patient", "show", "p-01", "--json").output)
    assert shown["goals"][0]["steps"][0]["status"] == "done"


def test_goal_numbers_are_never_reused(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Första")
    imr.ok("correct", "p-01", "2", "--void", "--note", "Fel deltagare.")
    imr.ok("goal", "add", "p-01", "Andra")
    assert list(goals_of(imr)) == ["G2"]
    assert imr("check").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["goal", "update", "p-01", "G9", "--status", "done"],
        ["goal", "update", "p-01", "G1.9", "--status", "done"],
        ["goal", "update", "p-01", "X1", "--status", "done"],
        ["goal", "update", "p-01", "G1", "--status", "finished"],
        ["goal", "update", "p-01", "G1", "--status", "revised"],
        ["goal", "update", "p-01", "G1", "--status", "active"],
        ["goal", "update", "p-01", "G1", "--status", "done", "--text", "  "],
        ["goal", "step", "p-01", "G9", "Något"],
        ["goal", "step", "p-01", "G1.1", "Något"],
        ["goal", "step", "p-01", "G2", "Något"],
        ["goal", "step", "p-01", "G1", "   "],
        ["goal", "add", "p-01", "  "],
        ["goal", "add", "p-01", "Mål", "--step", ""],
        ["goal", "add", "p-01", "Ring mamma på 070-123 45 67"],
        ["goal", "add", "p-01", "Mål", "--step", "Mejla a.b@example.se"],
        ["goal", "add", "p-99", "Mål"],
        ["goal", "add", "p-01", "Mål", "--by", "  "],
        ["session", "log", "p-01", "--step-done", "G1.7"],
        ["session", "log", "p-01", "--step-done", "G1"],
    ],
)
def test_bad_goal_input_writes_nothing(enrolled, args):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Bo själv", "--step", "Titta på lägenheter")
    imr.ok("goal", "add", "p-01", "Avslutat mål")
    imr.ok("goal", "update", "p-01", "G2", "--status", "dropped")
    imr.refused(*args)


def test_check_finds_goal_references_that_do_not_exist(enrolled):
    imr = enrolled
    imr.ok("goal", "add", "p-01", "Bo själv")
    path = imr.record("p-01")
    path.write_text(path.read_text() + (
        "- kind: goal-update\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  goal: G4\n  status: done\n"
        "- kind: goal\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  goal: G1\n  text: Samma id igen\n"
        "- kind: goal-step\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  goal: G1\n  step: G2.1\n  text: Fel mål\n"))
    result = imr("check", "--json")
    codes = {f["code"] for f in json.loads(result.output)}
    assert result.exit_code == 1
    assert {"goal_unknown_ref", "goal_duplicate", "goal_step_mismatch"} <= codes
