"""The forms asked in a real pseudo-terminal: each trap of issue 23 as a person met it.

Flags only pre-fill; every other question is asked; each answer is checked when given and only
that question is asked again; Ctrl-C and Ctrl-D at any question save nothing; `--ja` and no
terminal save without asking.
"""

from __future__ import annotations

import os
import sys
import termios
import time

import pytest
import yaml
from conftest import posix_only

pexpect = pytest.importorskip("pexpect")

pytestmark = posix_only


def spawn(imr, *args, lang=None):
    env = {**os.environ, "IMR_SIGNATURE": "KL", "TERM": "dumb", "COLUMNS": "200"}
    env.pop("IMR_LANG", None)
    if lang:
        env["IMR_LANG"] = lang
    return pexpect.spawn(
        sys.executable, ["-m", "imr", *args], cwd=str(imr.root), env=env, encoding="utf-8", timeout=30, maxread=20000
    )


def wait_raw(child) -> None:
    """Until the question reads keys one by one (prompt_toolkit has the terminal in raw mode), so a
    control key reaches it instead of the terminal's own line editor."""
    for _ in range(500):
        if not termios.tcgetattr(child.child_fd)[3] & termios.ICANON:
            return
        time.sleep(0.01)
    raise AssertionError("the question never took the terminal")


def answer(child, pattern, text):
    child.expect(pattern)
    wait_raw(child)
    child.sendline(text)


def last(imr, pid="p-01"):
    return yaml.safe_load(imr.record(pid).read_text())["log"][-1]


def finish(child, code=0):
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code, child.before
    assert "Traceback" not in child.before and "Internt fel" not in child.before


# The session-log questions for a participant's first session, in order, with an answer each.
FIRST_SESSION = [
    (r"Vilken träff \(1\.1\)", ""),
    (r"Datum \(\d{4}-\d\d-\d\d\)", "2026-02-03"),
    (r"Kom deltagaren \[j/n\] \(j\)", "ja"),
    (r"Förra hemuppgiften \[gjord/delvis/inte gjord/ingen\] \(ingen\)", ""),
    (r"Ny hemuppgift", "Läs bladet"),
    (r"Anteckning", "Bra träff.\n"),
    (r"dagens utdelningsblad \[j/n\] \(j\)", "J"),
    (r"anhörig eller vän", "Nej"),
    (r"Spara\?", ""),
]


def test_questions_summary_with_the_date_then_saved(enrolled):
    child = spawn(enrolled, "session", "log", "p-01")
    for pattern, text in FIRST_SESSION[:-1]:
        answer(child, pattern, text)
    child.expect("Det här sparas:")
    child.expect("Datum: 2026-02-03")
    child.expect("Förra hemuppgiften: ingen")
    answer(child, r"Spara\?", "")
    child.expect("Sparat: träff 1.1 för p-01")
    finish(child)
    entry = last(enrolled)
    assert (entry["module"], entry["session"], entry["date"]) == (1, 1, "2026-02-03")
    assert entry["homework_review"] == "none" and entry["homework"] == "Läs bladet"
    assert entry["note"] == "Bra träff." and entry["handout"] is True and "significant_other" not in entry


def test_a_flag_prefills_and_the_rest_is_still_asked(enrolled):
    """`--date igår` (the tour's own example) saved at once with only module, session and date."""
    child = spawn(enrolled, "session", "log", "p-01", "--date", "igår", "--note", "Från flaggan")
    answer(child, r"Vilken träff", "")
    answer(child, r"Kom deltagaren", "j")
    answer(child, r"Förra hemuppgiften", "")
    answer(child, r"Ny hemuppgift", "Skriv lista")
    answer(child, r"utdelningsblad", "j")
    answer(child, r"anhörig", "j")
    child.expect("Anteckning: Från flaggan")
    answer(child, r"Spara\?", "j")
    finish(child)
    entry = last(enrolled)
    assert entry["homework"] == "Skriv lista" and entry["note"] == "Från flaggan"
    assert entry["significant_other"] is True and entry["handout"] is True


@pytest.mark.parametrize("flags", [["--again"], ["--group-less"], ["--module", "1", "--session", "1"]])
def test_no_flag_turns_the_questions_off(enrolled, flags):
    flags = [] if flags == ["--group-less"] else flags
    child = spawn(enrolled, "session", "log", "p-01", *flags)
    while child.expect([r"Vilken träff", r"Datum \(", r"Kom deltagaren"]) != 2:
        wait_raw(child)
        child.sendline("")
    wait_raw(child)
    child.sendcontrol("c")
    finish(child, 130)


def test_wrong_session_numbers_are_refused_at_the_question_and_the_rest_is_kept(enrolled):
    child = spawn(enrolled, "session", "log", "p-01", "--note", "Behålls")
    answer(child, r"Vilken träff", "3.9")
    child.expect("Träff 3.9 finns inte; modul 3 har träffarna 3.1–3.3.")
    answer(child, r"Vilken träff", "13.1")
    child.expect("Modul 13 finns inte")
    answer(child, r"Vilken träff", "3,2")
    answer(child, r"Datum", "")
    answer(child, r"Kom deltagaren", "Ja")
    answer(child, r"Förra hemuppgiften", "Gjord")
    answer(child, r"Ny hemuppgift", "")
    answer(child, r"utdelningsblad", "yes")
    answer(child, r"anhörig", "NO")
    child.expect("Anteckning: Behålls")
    answer(child, r"Spara\?", "ja")
    finish(child)
    entry = last(enrolled)
    assert (entry["module"], entry["session"], entry["homework_review"]) == (3, 2, "done")
    assert entry["note"] == "Behålls"


def test_natural_answers_and_an_id_in_capitals(enrolled):
    child = spawn(enrolled, "session", "log", "P-01", "--date", "2026-02-03")
    answer(child, r"Vilken träff", "")
    answer(child, r"Kom deltagaren", "yes")
    answer(child, r"Förra hemuppgiften", "klar")
    answer(child, r"Ny hemuppgift", "")
    answer(child, r"Anteckning", "")
    answer(child, r"utdelningsblad", "Y")
    answer(child, r"anhörig", "nej")
    answer(child, r"Spara\?", "J")
    finish(child)
    assert last(enrolled)["homework_review"] == "done"


def test_enter_on_the_homework_review_at_the_first_session_is_none(enrolled):
    """Enter on the homework question repeated it for ever, even at a first session."""
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-03", "--note", "x")
    answer(child, r"Vilken träff", "")
    answer(child, r"Kom deltagaren", "")
    answer(child, r"Förra hemuppgiften", "")
    child.expect(r"Ny hemuppgift")
    wait_raw(child)
    child.sendcontrol("c")
    finish(child, 130)


def test_an_arrow_key_in_a_note_edits_the_line(enrolled):
    """An arrow key used to reach the record as control characters and fail the save."""
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-03", "--ja")
    finish(child)  # --ja in a terminal: saved without a question
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-04", "--homework-review", "ingen")
    answer(child, r"Vilken träff", "")
    answer(child, r"Kom deltagaren", "")
    answer(child, r"Ny hemuppgift", "")
    child.expect(r"Anteckning")
    wait_raw(child)
    child.send("Bra dg")
    child.send("\x1b[D")  # left arrow: the cursor moves back one letter
    child.send("a")
    child.send("\r\r")
    answer(child, r"utdelningsblad", "")
    answer(child, r"anhörig", "")
    child.expect("Anteckning: Bra dag")
    answer(child, r"Spara\?", "")
    finish(child)
    assert last(enrolled)["note"] == "Bra dag"


def test_a_long_note_is_refused_with_the_limit_and_offered_back(enrolled):
    """A 5,000-character note was silently cut to 3,953 characters by the terminal."""
    before = enrolled.snapshot()
    child = spawn(enrolled, "session", "log", "p-01")
    for pattern, text in FIRST_SESSION[:5]:
        answer(child, pattern, text)
    child.expect("Anteckning")
    wait_raw(child)
    text = ("Mycket lång anteckning. " * 210)[:5000]
    for start in range(0, len(text), 500):
        child.send(text[start : start + 500])
    child.send("\r\r")
    child.expect("har 5\u00a0000 tecken, men högst 4\u00a0000 får plats; korta texten med 1\u00a0000 tecken")
    child.expect("Anteckning")  # asked again, with the text offered back for editing
    wait_raw(child)
    child.sendcontrol("c")
    finish(child, 130)
    assert enrolled.snapshot() == before


def test_a_name_in_the_note_is_refused_there_and_nothing_else_is_lost(enrolled):
    child = spawn(enrolled, "session", "log", "p-01")
    for pattern, text in FIRST_SESSION[:5]:
        answer(child, pattern, text)
    answer(child, r"Anteckning", "Ring 070-123 45 67 i morgon.\n")
    child.expect("telefonnummer")
    child.expect("Anteckning")
    wait_raw(child)
    child.sendcontrol("u")  # the refused text is in the line for editing; clear it
    child.send("Ringde avdelningen.\r\r")
    answer(child, r"utdelningsblad", "")
    answer(child, r"anhörig", "")
    child.expect("Ny hemuppgift: Läs bladet")
    answer(child, r"Spara\?", "")
    finish(child)
    entry = last(enrolled)
    assert entry["note"].endswith("Ringde avdelningen.") and "070" not in entry["note"]
    assert entry["homework"] == "Läs bladet"


def test_a_session_already_logged_that_day_is_named_and_asked(enrolled):
    """A second log on the same day went through as the next session (1.2 after 1.1)."""
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-03")
    before = enrolled.snapshot()
    child = spawn(
        enrolled,
        "session",
        "log",
        "p-01",
        "--date",
        "2026-02-03",
        "--homework-review",
        "ingen",
        "--note",
        "",
        "--handout",
        "--homework",
        "",
    )
    answer(child, r"Vilken träff \(1\.2\)", "")
    answer(child, r"Kom deltagaren", "")
    answer(child, r"anhörig", "")
    child.expect(r"p-01 har redan en träff registrerad 2026-02-03: 1\.1")
    answer(child, r"Var det verkligen en till träff samma dag\? \[j/n\] \(n\)", "")
    child.expect("Inget sparades.")
    finish(child, 1)
    assert enrolled.snapshot() == before


def test_change_a_line_from_the_summary(enrolled):
    child = spawn(enrolled, "session", "log", "p-01")
    for pattern, text in FIRST_SESSION[:-1]:
        answer(child, pattern, text)
    answer(child, r"Spara\?", "5")
    child.expect(r"Ny hemuppgift")
    wait_raw(child)
    child.sendcontrol("u")  # the answer is offered back for editing; clear it
    child.sendline("Läs bladet igen")
    child.expect("Ny hemuppgift: Läs bladet igen")
    answer(child, r"Spara\?", "")
    finish(child)
    assert last(enrolled)["homework"] == "Läs bladet igen"


@pytest.mark.parametrize("key", ["c", "d"])
@pytest.mark.parametrize("at", range(len(FIRST_SESSION)))
def test_ctrl_c_and_ctrl_d_at_every_question_save_nothing(enrolled, key, at):
    before = enrolled.snapshot()
    child = spawn(enrolled, "session", "log", "p-01")
    for pattern, text in FIRST_SESSION[:at]:
        answer(child, pattern, text)
    child.expect(FIRST_SESSION[at][0])
    wait_raw(child)
    child.sendcontrol(key)
    child.expect("Avbrutet; inget sparades.")
    finish(child, 130)
    assert enrolled.snapshot() == before


def test_ja_in_a_terminal_saves_without_asking(enrolled):
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-03", "-y")
    child.expect("Sparat: träff 1.1 för p-01")
    finish(child)
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-04", "--yes")
    child.expect("Sparat: träff 1.2 för p-01")
    finish(child)


def test_english_questions(enrolled):
    child = spawn(enrolled, "session", "log", "p-01", "--date", "2026-02-03", lang="en")
    answer(child, r"Which session \(1\.1\)", "")
    answer(child, r"Did the participant come \[y/n\] \(y\)", "no")
    answer(child, r"Note", "")
    child.expect("Date: 2026-02-03")
    answer(child, r"Save\?", "y")
    finish(child)
    assert last(enrolled)["kind"] == "absent"


def test_imrs_asks_each_item_with_anchors_then_a_summary_and_a_confirm(enrolled):
    """`imrs add` saved after question 15 with no summary and no way back."""
    child = spawn(enrolled, "imrs", "add", "p-01", "--date", "2026-03-01")
    answer(child, r"Vem svarar \[deltagare/personal\]", "Personal")
    answers = ["4", "4", "3", "7", "4", "2", "4", "3", "3", "4", "4", "4", "3", "ej tillämpligt", "na", "5"]
    child.expect("Har inga egna mål just nu.")  # the anchors are shown
    answer(child, r"Fråga 1 av 15", answers[0])
    for _number, text in enumerate(answers[1:], start=2):
        if text == "7":
            answer(child, r"Fråga 4 av 15", text)
            child.expect(r"Svara med ett av 1, 2, 3, 4, 5")
            continue
        answer(child, r"Fråga \d+ av 15", text)
    answer(child, r"Anteckning", "")
    child.expect("Det här sparas:")
    child.expect(r"Vem svarar: personal")
    child.expect(r"na ")
    answer(child, r"Spara\?", "3")  # the way back: change question 1
    answer(child, r"Fråga 1 av 15", "5")
    answer(child, r"Spara\?", "j")
    child.expect("IMRS")
    finish(child)
    entry = last(enrolled)
    assert entry["rater"] == "clinician" and entry["scores"][:4] == [5, 4, 3, 4]
    assert entry["scores"][12:] == [3, "na", "na"] or entry["scores"][13] == "na"


def test_imrs_refuses_na_where_not_allowed_and_ctrl_c_saves_nothing(enrolled):
    before = enrolled.snapshot()
    child = spawn(enrolled, "imrs", "add", "p-01", "--rater", "deltagare")
    answer(child, r"Datum", "")
    answer(child, r"Fråga 1 av 15", "na")
    child.expect(r"Svara med ett av 1, 2, 3, 4, 5\.")
    answer(child, r"Fråga 1 av 15", "3")
    answer(child, r"Fråga 2 av 15", "3")
    child.expect(r"Fråga 3 av 15")
    wait_raw(child)
    child.sendcontrol("d")
    child.expect("Avbrutet; inget sparades.")
    finish(child, 130)
    assert enrolled.snapshot() == before


def test_group_meeting_asks_attendance_review_and_relative_per_member(enrolled):
    """A group meeting had no questions at all (one 187-keystroke line of 11 flags)."""
    enrolled.ok("patient", "add", "p-02")
    enrolled.ok("group", "create", "torsdag")
    enrolled.ok("group", "add", "torsdag", "p-01", "p-02")
    child = spawn(enrolled, "session", "log", "--group", "torsdag", "--date", "2026-02-05")
    answer(child, r"Vilken träff \(1\.1\)", "")
    answer(child, r"Kom p-01 \[j/n\] \(j\)", "ja")
    answer(child, r"p-01: förra hemuppgiften", "")
    answer(child, r"p-01: var en anhörig", "j")
    answer(child, r"Kom p-02", "nej")
    answer(child, r"Ny hemuppgift", "Läs bladet")
    answer(child, r"Anteckning om träffen", "Bra samtal.\n")
    answer(child, r"utdelningsblad", "")
    child.expect("Kom p-02: nej")
    answer(child, r"Spara\?", "")
    child.expect("torsdag")
    finish(child)
    first, second = last(enrolled, "p-01"), last(enrolled, "p-02")
    assert first["kind"] == "session" and first["significant_other"] is True and first["note"] == "Bra samtal."
    assert second["kind"] == "absent" and second["date"] == "2026-02-05"


def test_check_says_one_line_in_a_terminal_and_nothing_in_a_pipe(enrolled):
    child = spawn(enrolled, "check")
    child.expect("Allt stämmer.")
    finish(child)
    assert enrolled.ok("check").output == ""
