"""`imr session log ID` in a terminal asks the weekly loop's questions; without one it never asks."""

import json
import os
import sys

import pytest
import yaml
from conftest import posix_only
from test_ask_pty import wait_raw

pexpect = pytest.importorskip("pexpect")


def _spawn(imr, *args):
    env = {**os.environ, "IMR_SIGNATURE": "KL", "TERM": "dumb", "COLUMNS": "100"}
    env.pop("IMR_LANG", None)
    return pexpect.spawn(sys.executable, ["-m", "imr", *args], cwd=str(imr.root), env=env, encoding="utf-8", timeout=30)


def _last(imr, pid="p-01"):
    return yaml.safe_load(imr.record(pid).read_text())["log"][-1]


@posix_only
def test_questions_in_order_then_summary_then_saved(enrolled):
    enrolled.ok("goal", "add", "p-01", "Laga mat själv", "--step", "Handla till en måltid")
    step = next(e for e in yaml.safe_load(enrolled.record("p-01").read_text())["log"] if e["kind"] == "goal")
    child = _spawn(enrolled, "session", "log", "p-01")
    for pattern, answer in [
        (r"Vilken träff \(1\.1\)", ""),
        (r"Datum \(", "2026-02-03"),
        (r"Kom deltagaren \[j/n\] \(j\)", "j"),
        (r"Förra hemuppgiften \[gjord/delvis/inte gjord/ingen\] \(ingen\)", "kanske"),
        ("Välj ett av: gjord, delvis, inte gjord, ingen", "delvis"),
        ("Ny hemuppgift", "Skriv en inköpslista"),
        ("Anteckning", "Deltagaren berättade om veckan.\n"),
        ("dagens utdelningsblad", "j"),
        ("anhörig", "n"),
        (r"delmålet \w+\.1 Handla till en måltid klart", "j"),
    ]:
        child.expect(pattern)
        wait_raw(child)
        child.sendline(answer)
    child.expect("Det här sparas:")
    child.expect("Datum: 2026-02-03")
    child.expect("Förra hemuppgiften: delvis")
    child.expect(r"Spara\?")
    wait_raw(child)
    child.sendline("")
    child.expect("Sparat: träff 1.1 för p-01")
    child.expect(pexpect.EOF)
    entry = _last(enrolled)
    assert entry["kind"] == "session" and (entry["module"], entry["session"]) == (1, 1)
    assert entry["homework_review"] == "partly" and entry["homework"] == "Skriv en inköpslista"
    assert entry["handout"] is True and entry.get("significant_other") in (None, False)
    assert len(entry["steps_done"]) == 1 and entry["steps_done"][0] != step["id"]


@posix_only
def test_absent_and_declined_summary_writes_nothing(enrolled):
    before = enrolled.snapshot()
    child = _spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-03")
    for pattern, answer in [("Vilken träff", ""), ("Kom deltagaren", "n"), ("Anteckning", "")]:
        child.expect(pattern)
        wait_raw(child)
        child.sendline(answer)
    child.expect("Kom deltagaren: nej")
    child.expect(r"Spara\?")
    wait_raw(child)
    child.sendline("n")
    child.expect("Inget sparades.")
    child.expect(pexpect.EOF)
    assert enrolled.snapshot() == before


def test_without_a_terminal_it_logs_today_without_asking(enrolled):
    result = enrolled.ok("session", "log", "p-01")
    assert "Vilken träff" not in result.output and "Sparat: träff 1.1 för p-01" in result.output
    assert _last(enrolled)["kind"] == "session"


def test_without_a_terminal_missing_required_input_is_an_error(enrolled):
    result = enrolled("session", "log")
    assert result.exit_code == 2 and "Fel:" in result.output and "Vilken" not in result.output


@posix_only
def test_edit_without_any_editor_asks_for_the_note_in_the_terminal(enrolled, tmp_path):
    env = {**os.environ, "IMR_SIGNATURE": "KL", "TERM": "dumb", "PATH": str(tmp_path)}
    for name in ("VISUAL", "EDITOR", "IMR_LANG"):
        env.pop(name, None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "imr", "session", "log", "p-01", "--edit", "--date", "2026-03-01", "--ja"],
        cwd=str(enrolled.root),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Ingen textredigerare finns")
    child.expect("Anteckning")
    wait_raw(child)
    child.sendline("Skrivet i terminalen.\n")
    child.expect("Sparat: träff 1.1")
    child.expect(pexpect.EOF)
    assert _last(enrolled)["note"] == "Skrivet i terminalen."


@posix_only
def test_logging_the_same_session_twice_asks_in_a_terminal(enrolled):
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--module", "1", "--session", "1")
    before = enrolled.record("p-01").read_bytes()
    flags = ("--date", "2026-03-02", "--module", "1", "--session", "1", "--absent", "--note", "")
    child = _spawn(enrolled, "session", "log", "p-01", *flags)
    child.expect("redan en träff registrerad 2026-03-02: 1.1")
    child.expect(r"en till träff samma dag\? \[j/n\] \(n\)")
    wait_raw(child)
    child.sendline("")
    child.expect("Inget sparades")
    child.expect(pexpect.EOF)
    assert enrolled.record("p-01").read_bytes() == before
    child = _spawn(enrolled, "session", "log", "p-01", *flags)
    child.expect(r"en till träff samma dag\? \[j/n\] \(n\)")
    wait_raw(child)
    child.sendline("j")
    child.expect(r"Spara\?")
    wait_raw(child)
    child.sendline("j")
    child.expect("var frånvarande vid träff 1.1")
    child.expect(pexpect.EOF)
    assert enrolled.record("p-01").read_bytes().startswith(before) and _last(enrolled)["date"] == "2026-03-02"
    assert _last(enrolled)["again"] is True


@posix_only
def test_relapse_plan_edit_without_any_editor_asks_the_form(enrolled, tmp_path):
    enrolled.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--helper", "kontaktperson")
    env = {**os.environ, "IMR_SIGNATURE": "KL", "TERM": "dumb", "PATH": str(tmp_path)}
    for name in ("VISUAL", "EDITOR", "IMR_LANG"):
        env.pop(name, None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "imr", "relapse-plan", "p-01", "--edit"],
        cwd=str(enrolled.root),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    # the relapse-plan form's questions (imr/cli/ask.py), each section's items on the lines to edit
    questions = [
        (r"satt igång symtom", "\n"),  # triggers: kept (Enter twice)
        (r"Tidiga varningstecken", "Drar mig undan\n"),  # one new item
        (r"Det här gör jag när", ""),
        (r"lugna ner mig", ""),
        (r"Det här vill jag inte", ""),
        (r"Vem som hjälper", None),  # helpers: emptied
        (r"Vid kris", ""),
        (r"Här finns planen", "I pärmen på rummet"),
        (r"kopia av planen", ""),
        (r"Datum", ""),
        (r"Anteckning", ""),
        (r"Spara\?", "j"),
    ]
    for pattern, text in questions:
        child.expect(pattern)
        wait_raw(child)
        if text is None:
            child.sendcontrol("u")
            child.send("\r")
        else:
            child.sendline(text)
    child.expect("Version 2")
    child.expect(pexpect.EOF)
    plan = json.loads(enrolled.ok("relapse-plan", "p-01", "--json").output)
    assert plan["triggers"] == ["Sömnbrist"] and plan["warning_signs"] == ["Drar mig undan"]
    assert plan["helpers"] == [] and plan["kept_at"] == "I pärmen på rummet"
