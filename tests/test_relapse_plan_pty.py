"""`imr relapse-plan ID` in a real pseudo-terminal: the relapse-plan form asked like a session log.

The options only pre-fill; every other section is asked with what it holds offered for editing;
a summary and a confirm follow; a refused answer is asked again alone with the text typed; Ctrl-D
saves nothing.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import posix_only
from test_ask_pty import answer, finish, spawn, wait_raw
from test_relapse_plan import current

pexpect = pytest.importorskip("pexpect")

pytestmark = posix_only

# The sections after the triggers, in order, with what Enter does: an empty section ends at once,
# one with items (offered on the lines for editing) at a second Enter.
LATER_SECTIONS = [
    (r"Tidiga varningstecken", ""),
    (r"Det här gör jag när", "\n"),
    (r"lugna ner mig", ""),
    (r"Det här vill jag inte", ""),
    (r"Vem som hjälper", ""),
    (r"Vid kris", ""),
    (r"Här finns planen", ""),
    (r"kopia av planen", ""),
]


@pytest.fixture
def planned(enrolled):
    enrolled.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--action", "Ringa kontaktpersonen")
    return enrolled


def versions(imr):
    return [e for e in yaml.safe_load(imr.record("p-01").read_text())["log"] if e["kind"] == "relapse-plan"]


def test_an_item_added_through_the_questions_is_saved_with_the_rest_kept(planned):
    before = planned.record("p-01").read_bytes()
    child = spawn(planned, "relapse-plan", "p-01", "--date", "2026-02-03")
    # the current item is on the line to edit: one more item, then Enter twice ends the section
    answer(child, r"satt igång symtom", "\nStress\n")
    for pattern, text in LATER_SECTIONS:
        answer(child, pattern, text)
    answer(child, r"Anteckning", "")
    child.expect("Det här sparas:")
    child.expect("Sömnbrist; Stress")
    child.expect("Datum: 2026-02-03")
    answer(child, r"Spara\?", "j")
    child.expect("p-01")
    finish(child)
    after = planned.record("p-01").read_bytes()
    assert after.startswith(before)  # appended, never rewritten
    assert versions(planned)[-1]["date"] == "2026-02-03"
    plan = current(planned)
    assert plan["version"] == 2 and plan["triggers"] == ["Sömnbrist", "Stress"]
    assert plan["actions"] == ["Ringa kontaktpersonen"], "a section kept with Enter is carried over"


def test_a_refused_name_is_asked_again_alone_and_the_other_answers_are_kept(planned):
    child = spawn(planned, "relapse-plan", "p-01", "--trigger", "Stress", "--helper", "mamma Eva: ringer mig")
    for pattern, text in LATER_SECTIONS[:4]:  # the triggers came with an option: not asked
        answer(child, pattern, text)
    child.expect("namn")  # the privacy guard's finding, at the question it belongs to
    child.expect(r"Vem som hjälper")
    wait_raw(child)
    child.sendcontrol("u")  # the refused text is on the line for editing; clear it
    child.send("kontaktpersonen: ringer mig\r\r")
    for pattern, text in LATER_SECTIONS[5:]:
        answer(child, pattern, text)
    answer(child, r"Datum", "")
    answer(child, r"Anteckning", "")
    child.expect("Sömnbrist; Stress")
    answer(child, r"Spara\?", "")
    finish(child)
    plan = current(planned)
    assert plan["triggers"] == ["Sömnbrist", "Stress"] and plan["helpers"] == ["kontaktpersonen: ringer mig"]
    assert "Eva" not in planned.record("p-01").read_text()


@pytest.mark.parametrize("key", ["d", "c"])
def test_ctrl_d_or_ctrl_c_at_a_question_saves_nothing(planned, key):
    before = planned.snapshot()
    child = spawn(planned, "relapse-plan", "p-01", "--trigger", "Stress")
    answer(child, r"Tidiga varningstecken", "Sover dåligt\n")
    answer(child, r"Det här gör jag när", "\n")
    child.expect(r"lugna ner mig")  # an empty line: Ctrl-D there is the end, as Ctrl-C
    wait_raw(child)
    child.sendcontrol(key)
    finish(child, 130)
    assert planned.snapshot() == before and len(versions(planned)) == 1


def test_ja_saves_the_options_without_asking(planned):
    child = spawn(planned, "relapse-plan", "p-01", "--trigger", "Stress", "--ja")
    child.expect("p-01")
    finish(child)
    assert current(planned)["triggers"] == ["Sömnbrist", "Stress"]
