"""The form model (imr/forms): fields, natural answers, one check per field, summary, save.

In-process on a real workspace; the terminal rendering is tested in test_ask_pty.py.
"""

from __future__ import annotations

import yaml

from imr.forms import ACTIONS, build_form
from imr.workspace.folder import find_workspace


def _ws(imr):
    return find_workspace(str(imr.root))


def _log(imr, pid="p-01"):
    return yaml.safe_load(imr.record(pid).read_text())["log"]


def test_session_form_fields_defaults_and_choices(enrolled):
    form = build_form(_ws(enrolled), "session-log", "p-01")
    keys = [f.key for f in form.active_fields()]
    assert keys[:3] == ["session", "date", "present"] and "note" in keys
    assert form.value("session") == "1.1"
    assert form.field("session").kind == "session"
    assert any(c.value == "3.2" for c in form.field("session").choices)
    assert form.value("homework_review") == "none"  # no earlier homework: `ingen` by default
    assert form.field("note").limit == 4000
    assert "steps_done" not in keys  # no open steps: not asked
    assert set(ACTIONS) >= {"session-log", "absence"}


def test_natural_answers_are_normalised(enrolled):
    form = build_form(_ws(enrolled), "session-log", "p-01")
    for typed, expected in (("JA", True), ("y", True), ("Nej", False), ("no", False), ("Yes", True)):
        assert form.set("present", typed) is None and form.value("present") is expected
    form.set("present", "ja")
    for typed in ("gjort", "Gjord", "klar", "färdig", "done"):
        assert form.set("homework_review", typed) is None and form.value("homework_review") == "done"
    assert form.set("session", "3,2") is None and form.value("session") == "3.2"
    assert form.set("date", "igår") is None


def test_one_field_refused_keeps_the_others(enrolled):
    form = build_form(_ws(enrolled), "session-log", "p-01")
    assert form.set("note", "Bra träff.") is None
    problem = form.set("session", "3.9")
    assert "3.1–3.3" in problem and "3.9" in problem
    problem = form.set("session", "13.1")
    assert "13" in problem and "modul" in problem.casefold()
    assert form.value("note") == "Bra träff." and form.value("session") == "1.1"
    assert "j eller n" in form.set("present", "kanske")
    assert "2099" in form.set("date", "2099-01-01")
    assert "före inskrivningen" in form.set("date", "2025-01-01")
    assert "går inte att läsa" in form.set("date", "i morgon bitti")


def test_text_checks_name_the_limit_and_the_masked_finding(enrolled):
    form = build_form(_ws(enrolled), "session-log", "p-01")
    long = form.set("note", "a" * 5000)
    assert "5\u00a0000" in long and "4\u00a0000" in long
    assert "styrtecken" in form.set("note", "text\x1b[Dmer")
    pii = form.set("note", "Ring 070-123 45 67 i morgon.")
    assert "telefonnummer" in pii and "070-123 45 67" not in pii
    assert form.value("note") is None


def test_summary_has_the_date_and_save_writes_once(enrolled):
    form = build_form(_ws(enrolled), "session-log", "p-01")
    form.set("date", "2026-02-03")
    form.set("homework", "Läs bladet")
    form.set("handout", "J")
    labels = dict(form.summary())
    assert labels["Datum"] == "2026-02-03" and labels["Ny hemuppgift"] == "Läs bladet"
    entry = form.save()
    assert entry["date"] == "2026-02-03" and entry["homework_review"] == "none" and entry["handout"] is True
    assert _log(enrolled)[-1]["id"] == entry["id"]


def test_a_session_that_day_is_a_warning_to_ask_about(enrolled):
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-03")
    form = build_form(_ws(enrolled), "session-log", "p-01")
    assert form.warnings() == []
    form.set("date", "2026-02-03")
    (warning,) = form.warnings()
    assert warning.code == "logged_that_day" and "1.1" in warning.message
    form.accept("logged_that_day")
    assert form.warnings() == []


def test_absence_form(enrolled):
    form = build_form(_ws(enrolled), "absence", "p-01")
    assert [f.key for f in form.active_fields()] == ["session", "date", "note"]
    form.set("date", "2026-02-03")
    entry = form.save()
    assert entry["kind"] == "absent" and entry["date"] == "2026-02-03"


def test_again_entries_pass_imr_check_and_the_hook(enrolled):
    """`--again` wrote an entry the pre-commit hook then refused as a duplicate (issue 23)."""
    enrolled.ok("session", "log", "p-01", "--module", "1", "--session", "1", "--date", "2026-02-03")
    enrolled.refused("session", "log", "p-01", "--module", "1", "--session", "1", "--date", "2026-02-03")
    enrolled.ok("session", "log", "p-01", "--module", "1", "--session", "1", "--date", "2026-02-03", "--again")
    assert _log(enrolled)[-1]["again"] is True
    enrolled.ok("check")
    enrolled.git("add", "-A")
    enrolled.ok("check", "--staged")
    enrolled.commit_all("two meetings on one day")  # the hook runs `imr check --staged`
    assert "two meetings" in enrolled.git("log", "-1", "--format=%s")


def test_every_action_builds_with_labels_in_both_languages(enrolled):
    enrolled.ok("goal", "add", "p-01", "Laga mat", "--step", "Handla")
    enrolled.ok("group", "create", "torsdag")
    enrolled.ok("group", "add", "torsdag", "p-01")
    ws = _ws(enrolled)
    for action, (target_kind, _) in ACTIONS.items():
        target = "torsdag" if target_kind == "group" else ("p-02" if action == "patient-add" else "p-01")
        for lang in ("sv", "en"):
            form = build_form(ws, action, target, lang=lang)
            assert form.title and "{" not in form.title
            for item in form.fields:
                assert item.label and not item.label.startswith(("field_", "title_")), (action, item.key)
                assert item.kind in ("choice", "date", "session", "step", "text", "role", "bool", "multichoice")


def test_group_meeting_form_asks_per_member_and_saves_all_or_nothing(enrolled):
    enrolled.ok("patient", "add", "p-02")
    enrolled.ok("group", "create", "torsdag")
    enrolled.ok("group", "add", "torsdag", "p-01", "p-02")
    form = build_form(_ws(enrolled), "group-meeting", "torsdag")
    keys = [f.key for f in form.active_fields()]
    assert {"present:p-01", "review:p-01", "significant_other:p-02", "note"} <= set(keys)
    assert form.set("present:p-02", "nej") is None
    assert "review:p-02" not in [f.key for f in form.active_fields()]
    form.set("date", "2026-02-05")
    form.set("significant_other:p-01", "ja")
    form.set("note", "Bra samtal.")
    result = form.save()
    assert result["present"] == ["p-01"] and result["absent"] == ["p-02"]
    first, second = _log(enrolled, "p-01")[-1], _log(enrolled, "p-02")[-1]
    assert first["kind"] == "session" and first["significant_other"] is True and first["group"] == "torsdag"
    assert second["kind"] == "absent" and second["date"] == "2026-02-05"


def test_goal_forms_with_a_date(enrolled):
    ws = _ws(enrolled)
    form = build_form(ws, "goal-add", "p-01")
    assert "Fyll i" in form.check("text")
    form.set("text", "Sova bättre")
    form.set("steps", "Lägga mig kl 23\nIngen skärm efter 22")
    assert "före inskrivningen" in form.set("date", "2025-12-01")
    form.set("date", "2026-02-01")
    entries = form.save()
    assert entries[0]["date"] == "2026-02-01" and len(entries) == 3
    label = entries[0]["goal"]
    form = build_form(ws, "goal-update", "p-01")
    assert form.set("target", label.lower() + ".1") is None
    for typed in ("klar", "Klart", "färdig", "done"):
        assert form.set("status", typed) is None and form.value("status") == "done"
    form.set("date", "igår")
    entry = form.save()
    assert entry["status"] == "done" and entry["date"]
    form = build_form(ws, "goal-step", "p-01")
    assert form.value("goal") == label
    form.set("text", "Läsa en stund")
    assert form.save()["step"] == f"{label}.3"


def test_imrs_form_items_anchors_and_not_applicable(enrolled):
    form = build_form(_ws(enrolled), "imrs", "p-01")
    assert form.set("rater", "personal") is None and form.value("rater") == "clinician"
    assert form.set("rater", "Deltagare") is None and form.value("rater") == "client"
    item = form.field("item_1")
    assert len(item.choices) == 5 and item.choices[0].label.startswith("1 ")
    assert "na" not in [c.value for c in item.choices]
    assert "na" in [c.value for c in form.field("item_13").choices]
    assert form.set("item_1", "na") is not None
    for number in range(1, 16):
        assert form.set(f"item_{number}", "ej tillämpligt" if number == 14 else "3") is None
    form.set("date", "2026-02-01")
    summary = dict(form.summary())
    assert any(value.startswith("na ") for value in summary.values())
    entry = form.save()
    assert entry["scores"][13] == "na" and entry["scores"][0] == 3 and entry["rater"] == "client"


def test_relapse_plan_correction_void_and_patient_forms(enrolled):
    ws = _ws(enrolled)
    form = build_form(ws, "relapse-plan", "p-01")
    form.set("triggers", "Sömnbrist\nStress")
    form.set("date", "2026-02-01")
    entry = form.save()
    assert entry["triggers"] == ["Sömnbrist", "Stress"] and entry["date"] == "2026-02-01"
    assert build_form(ws, "relapse-plan", "p-01").value("triggers") == "Sömnbrist\nStress"
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-03")
    session = _log(enrolled)[-1]
    form = build_form(ws, "correction", "p-01")
    assert form.set("target", "nope") is not None
    assert form.set("target", session["id"]) is None
    assert "date" in [c.value for c in form.field("field").choices]
    form.set("field", "datum")
    form.set("value", "2026-02-02")
    form.set("note", "Fel dag.")
    assert form.save()["set"] == {"date": "2026-02-02"}
    form = build_form(ws, "void", "p-01")
    form.set("target", session["id"])
    form.set("note", "Dubbelregistrerad.")
    assert form.save()["void"] is True
    form = build_form(ws, "patient-add", "")
    assert form.set("id", "19121212-1212") is not None
    assert "finns redan" in (form.set("id", "p-01") or "") or form.set("id", "p-01") is not None
    assert form.set("id", "P-03") is None and form.value("id") == "p-03"
    form.set("variant", "schizofreni")
    form.set("date", "2026-01-05")
    assert form.save()["variant"] == "schizophrenia"
    assert enrolled.record("p-03").exists()
