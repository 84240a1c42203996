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
