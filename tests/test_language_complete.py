"""Swedish and English complete (issue 23): no English word of the issue's list in any Swedish
output or help page, and no Swedish word of it in English mode."""

from __future__ import annotations

import re

import pytest
import typer

from imr.cli.app import build_app

# What leaked into Swedish mode (issue 23), as whole words.
ENGLISH_IN_SWEDISH = [
    "active",
    "done",
    "paused",
    "revised",
    "dropped",
    "general",
    "schizophrenia",
    "bipolar",
    "note",
    "significant_other",
    "GOAL",
    "STEP",
    "checkin",
    "review",
    "client",
    "clinician",
    "Got",
    "unexpected",
    "completion",
    "installed",
    "partly",
    "Usage",
    "Error",
]
# What leaked into English mode.
SWEDISH_IN_ENGLISH = [
    "Behandlaren",
    "behandlare",
    "gjord",
    "delvis",
    "Incheckning",
    "Hemuppgiften",
    "Anteckning",
    "Fel",
    "Användning",
    "Sparat",
    "träff",
    "klart",
    "aktivt",
    "återfallsplan",
    "Återfallsplan",
    "schizofreni",
    "allmän",
    "deltagare",
    "Menade",
]


def _found(words, text):
    masked = re.sub(r"imr(?: [a-zåäö][a-zåäö-]*)+", " ", text)  # command lines
    masked = re.sub(r"--?[a-zA-Z][\w-]*", " ", masked)  # options
    masked = re.sub(r"[\w./-]*\.(?:yaml|md|pdf|png|svg|ics)\b", " ", masked)
    masked = re.sub(r"\$[A-Z]+|[A-Z_]{4,}(?![\w\[.])", " ", masked)
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", masked)]


@pytest.fixture
def busy(enrolled):
    imr = enrolled
    imr.ok("patient", "add", "p-02", "--variant", "bipolar")
    imr.ok("goal", "add", "p-01", "Sova bättre", "--step", "Lägga mig 23", "--date", "2026-02-01")
    imr.ok(
        "session",
        "log",
        "p-01",
        "--date",
        "2026-02-03",
        "--homework",
        "Läs bladet",
        "--note",
        "Bra.",
        "--significant-other",
        "--handout",
    )
    imr.ok("session", "log", "p-01", "--date", "2026-02-10", "--homework-review", "delvis")
    imr.ok("imrs", "add", "p-01", "--rater", "clinician", "--scores", "3,3,3,2,3,4,3,3,3,3,3,3,2,2,na")
    imr.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--helper", "kontaktperson")
    imr.ok("group", "create", "torsdag", "--weekday", "torsdag")
    imr.ok("group", "add", "torsdag", "p-02")
    return imr


COMMANDS = [
    ("patient", "show", "p-01"),
    ("patient", "list"),
    ("goal", "list", "p-01"),
    ("status",),
    ("imrs", "show", "p-01"),
    ("session", "next", "p-01"),
    ("group", "show", "torsdag"),
    ("group", "list"),
    ("relapse-plan", "p-01"),
    ("relapse-plan", "p-01", "--history"),
    ("fidelity",),
    ("check",),
    ("curriculum", "show", "3.2"),
    ("curriculum", "list"),
    ("session", "next", "--group", "torsdag"),
]
ERRORS = [
    ("session", "next", "p-01", "02"),
    ("sesion",),
    ("goal", "update", "p-01", "G1", "--status", "kanske"),
    ("session", "log", "p-01", "--note", "a" * 4001),
    ("imrs", "add", "p-01", "--rater", "mamma"),
    ("session", "log", "p-01", "--date", "2099-01-01"),
    ("session", "next", "p-1"),
]


def test_no_english_in_swedish_outputs(busy):
    for args in COMMANDS + ERRORS:
        out = busy(*args).output
        assert _found(ENGLISH_IN_SWEDISH, out) == [], (args, _found(ENGLISH_IN_SWEDISH, out), out)


def test_no_swedish_in_english_outputs(busy):
    for args in COMMANDS + ERRORS:
        if args[0] == "curriculum" or (args[:2] == ("session", "next") and "02" not in args):
            continue  # the curriculum's own texts are Swedish (there is no English curriculum yet)
        out = busy("--lang", "en", *args).output
        assert _found(SWEDISH_IN_ENGLISH, out) == [], (args, _found(SWEDISH_IN_ENGLISH, out), out)


def test_the_session_plan_is_english_in_english_mode(busy):
    out = busy("--lang", "en", "session", "next", "p-01").output
    for word in ("Check-in", "Homework", "Session 1.3"):
        assert word in out, (word, out)
    assert not _found(["Incheckning", "Hemuppgiften", "gjord", "delvis", "Anteckning"], out), out


def _leaf_paths(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _leaf_paths(sub, (*path, name))


@pytest.mark.parametrize("lang, words", [("sv", ENGLISH_IN_SWEDISH), ("en", SWEDISH_IN_ENGLISH)])
def test_every_help_page(monkeypatch, lang, words):
    monkeypatch.setenv("IMR_LANG", lang)
    runner = typer.testing.CliRunner()
    root = typer.main.get_command(build_app())
    for path in _leaf_paths(root):
        out = runner.invoke(build_app(path[0] if path else None), [*path, "--help"], terminal_width=200).output
        # Variant keys are what --variant takes, so help may name them.
        found = [w for w in _found(words, out) if w not in ("general", "schizophrenia", "bipolar")]
        assert found == [], (path, found, out)


def test_decimal_comma_in_swedish_figures(busy):
    fidelity = busy("fidelity").output
    assert re.search(r"Medelvärde[^\n]*\d,\d", fidelity) and not re.search(r"Medelvärde[^\n]*\d\.\d", fidelity)
    assert re.search(r"\d\.\d", busy("--lang", "en", "fidelity").output.split("Mean")[-1] or "1.0")
