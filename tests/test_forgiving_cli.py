"""Forgiving commands (issue 23): suggestions for typos, -h and help, Swedish aliases, group set,
--date on every form, and typer's own words in Swedish."""

from __future__ import annotations

import yaml


def _log(imr, pid="p-01"):
    return yaml.safe_load(imr.record(pid).read_text())["log"]


def test_mistyped_commands_get_a_suggestion(imr):
    for args, suggestion in (
        (["sesion", "next", "p-01"], "Menade du ”imr session”?"),
        (["session", "nexy", "p-01"], "Menade du ”imr session next”?"),
        (["statsu"], "Menade du ”imr status”?"),
    ):
        result = imr(*args)
        assert result.exit_code == 2 and suggestion in result.output, result.output


def test_help_words_and_h(imr):
    for args in (["-h"], ["help"], ["hjälp"]):
        result = imr(*args)
        assert (
            result.exit_code == 0
            and "Användning: imr" in result.output
            and "imr anteckna" in " ".join(result.output.split())
        )
    result = imr("hjälp", "session")
    assert result.exit_code == 0 and "Användning: imr session" in result.output
    assert "Användning: imr session log" in imr("session", "log", "-h").output


def test_swedish_aliases_for_the_weekly_verbs(enrolled):
    assert "Träff 1.1" in enrolled.ok("planera", "p-01").output
    assert "Träff 1.1" in enrolled.ok("session", "nästa", "p-01").output
    enrolled.ok("anteckna", "p-01", "--date", "2026-02-03")
    assert _log(enrolled)[-1]["kind"] == "session"
    enrolled.ok("frånvaro", "p-01", "--date", "2026-02-04")
    assert _log(enrolled)[-1]["kind"] == "absent"


def test_mistyped_and_capitalised_participant_ids(enrolled):
    result = enrolled.refused("session", "next", "p-1")
    assert "Menade du ”p-01”?" in result.output
    assert "Träff 1.1" in enrolled.ok("session", "next", "P-01").output
    enrolled.ok("session", "log", "P-01", "--date", "2026-02-03")
    assert "Menade du ”p-01”?" in enrolled.refused("goal", "add", "p-1", "Mål").output


def test_extra_arguments_are_said_in_swedish(enrolled):
    result = enrolled("session", "next", "demo", "02")
    assert result.exit_code == 2 and "För många ord på raden: 02." in result.output
    assert "unexpected" not in result.output


def test_an_id_split_by_a_space_is_suggested_joined_with_a_dash(enrolled):
    """`imr session next demo 02` said only "För många ord på raden: 02."."""
    result = enrolled("session", "next", "p", "01")
    assert result.exit_code == 2 and "För många ord på raden: 01. Menade du ”p-01”?" in result.output
    assert "Menade du ”p-01”?" in enrolled("goal", "add", "P", "01", "Gå ut varje dag").output
    assert "Menade du ”p-01”?" in enrolled("relapse-plan", "p", "01", "--history").output
    assert "Did you mean “p-01”?" in enrolled("--lang", "en", "imrs", "show", "p", "01").output
    assert "Menade du" not in enrolled("session", "next", "p", "02").output  # no such participant: no guess


def test_group_set_gives_a_weekday_and_leader_later(enrolled):
    enrolled.ok("group", "create", "torsdag")
    assert enrolled.refused("group", "set", "torsdag").output
    out = enrolled.ok("group", "set", "torsdag", "--weekday", "torsdag", "--leader", "AB").output
    assert "torsdag" in out and "AB" in out
    shown = enrolled.ok("group", "show", "torsdag").output
    assert "torsdag" in shown.split("Dagar:")[1].splitlines()[0] and "AB" in shown
    enrolled.refused("group", "set", "torsdag", "--weekday", "torsdag", "--leader", "AB")
    enrolled.ok("check")


def test_dates_on_every_form(enrolled):
    enrolled.ok("goal", "add", "p-01", "Sova bättre", "--step", "Lägga mig 23", "--date", "2026-02-01")
    goal, step = _log(enrolled)[-2:]
    assert goal["date"] == step["date"] == "2026-02-01"
    enrolled.ok("goal", "step", "p-01", goal["goal"], "Ingen skärm", "--date", "igår")
    assert _log(enrolled)[-1]["date"]
    enrolled.ok("goal", "update", "p-01", step["step"], "--status", "klart", "--date", "2026-02-10")
    assert _log(enrolled)[-1]["date"] == "2026-02-10" and _log(enrolled)[-1]["status"] == "done"
    enrolled.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--date", "2026-02-11")
    assert _log(enrolled)[-1]["date"] == "2026-02-11"
    for args in (
        ("goal", "add", "p-01", "Mål", "--date", "2099-01-01"),
        ("goal", "add", "p-01", "Mål", "--date", "2025-12-01"),
        ("relapse-plan", "p-01", "--trigger", "X", "--date", "2025-12-01"),
        ("goal", "update", "p-01", step["step"], "--status", "active", "--date", "i morgon"),
    ):
        enrolled.refused(*args)
    enrolled.ok("group", "create", "torsdag")
    enrolled.refused("group", "add", "torsdag", "p-01", "--date", "2025-12-01")
    enrolled.ok("group", "add", "torsdag", "p-01", "--date", "2026-02-12")
    enrolled.ok("group", "remove", "torsdag", "p-01", "--date", "2026-03-12")
    group = yaml.safe_load((enrolled.root / "groups" / "torsdag.yaml").read_text())["log"]
    assert [e.get("date") for e in group[-2:]] == ["2026-02-12", "2026-03-12"]
    enrolled.ok("check")


def test_ja_and_no_terminal_save_without_asking(enrolled):
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-03", "--ja")
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-04")  # CliRunner: no terminal
    assert [e["date"] for e in _log(enrolled)[-2:]] == ["2026-02-03", "2026-02-04"]
    result = enrolled.refused("session", "log", "p-01", "--note", "a" * 4001)
    assert "4\u00a0001 tecken" in result.output and "högst 4\u00a0000" in result.output
