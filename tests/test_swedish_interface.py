"""The Swedish interface says nothing in English: help pages, usage errors, values, numbers."""

import re
from pathlib import Path

import pytest
import typer
import yaml

from imr.cli.app import build_app
from imr.core.strings import number, plural

STRINGS = Path(__file__).resolve().parent.parent / "templates" / "strings"

# Words that mean the English interface leaked into the Swedish one. Command and option names
# (`imr group`, `--group`) are English by design and are masked before the scan.
ENGLISH = [
    "Usage",
    "Error",
    "Options",
    "Arguments",
    "Commands",
    "Show",
    "help",
    "done",
    "partly",
    "individual",
    "group",
    "general",
    "schizophrenia",
    "enrolled",
    "session",
    "goal-update",
    "active",
    "clinician",
    "client",
    "overdue",
    "Invalid",
    "Missing",
    "default",
    "required",
    "Participant",
    "Record",
    "Try",
]


def _english_words(text: str) -> list[str]:
    masked = re.sub(r"(?m)^  [a-z][a-z-]*(?=  )", " ", text)  # the list of commands
    masked = re.sub(r"imr(?: [a-z][a-z-]*)+", " ", masked)  # command lines
    masked = re.sub(r"--?[a-zA-Z][\w-]*", " ", masked)  # options
    masked = re.sub(r"[\w./-]*\.(?:yaml|md|pdf|png|svg)\b", " ", masked)  # file names
    masked = re.sub(r"\$[A-Z]+|[A-Z_]{4,}", " ", masked)  # environment variables
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", masked)]


def _leaf_paths(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _leaf_paths(sub, (*path, name))


def test_every_help_page_is_swedish(monkeypatch):
    monkeypatch.delenv("IMR_LANG", raising=False)
    runner = typer.testing.CliRunner()
    root = typer.main.get_command(build_app())
    paths = list(_leaf_paths(root))
    assert len(paths) > 30
    for path in paths:
        out = runner.invoke(build_app(path[0] if path else None), [*path, "--help"], terminal_width=200).output
        assert "Användning:" in out, (path, out)
        assert _english_words(out) == [], (path, _english_words(out), out)


def test_help_in_english_with_lang_option_and_environment(monkeypatch):
    runner = typer.testing.CliRunner()
    out = runner.invoke(build_app("session"), ["--lang", "en", "session", "log", "--help"]).output
    assert "Usage:" in out and "Record the session" in out and "Options" in out
    monkeypatch.setenv("IMR_LANG", "en")
    assert "Usage:" in runner.invoke(build_app("check"), ["check", "--help"]).output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["session", "log", "--bogus"], "Flaggan --bogus finns inte."),
        (["session", "log", "--module", "x", "p-01"], "Ogiltigt värde för --module: ange ett heltal"),
        (["session", "next"], "Ogiltigt värde för DELTAGARE / --group: ange antingen"),
        (["sesion"], "Kommandot ”sesion” finns inte."),
        (["session", "log", "p-01", "--note"], "Flaggan --note behöver ett värde"),
        (["patient", "show"], "PARTICIPANT saknas"),
        (["--lang", "xx", "check"], "Ogiltigt värde för --lang: välj sv eller en."),
    ],
)
def test_usage_errors_are_swedish(args, expected, monkeypatch):
    monkeypatch.delenv("IMR_LANG", raising=False)
    result = typer.testing.CliRunner().invoke(build_app(), args)
    assert result.exit_code == 2
    assert "Fel:" in result.output
    assert expected.replace("PARTICIPANT", "DELTAGARE") in result.output, result.output
    assert _english_words(result.output) == [], result.output


def test_usage_error_in_english_with_lang_en(monkeypatch):
    result = typer.testing.CliRunner().invoke(build_app(), ["--lang", "en", "session", "log", "--bogus"])
    assert result.exit_code == 2 and "Usage: imr session log" in result.output
    assert "Error: No such option: --bogus." in result.output


def test_main_outputs_are_swedish(enrolled):
    imr = enrolled
    imr.ok("patient", "add", "p-02", "--variant", "general", "--format", "group")
    imr.ok("goal", "add", "p-01", "Gå till affären själv", "--step", "Gå till hörnet")
    imr.ok("session", "log", "p-01", "--date", "2026-02-05", "--homework-review", "ingen", "--note", "Bra träff.")
    imr.ok("imrs", "add", "p-01", "--rater", "clinician", "--scores", "3,3,3,2,3,4,3,3,3,3,3,3,2,2,na")
    outputs = [
        imr.ok(*args).output
        for args in (
            ("patient", "show", "p-01"),
            ("patient", "list"),
            ("goal", "list", "p-01"),
            ("status",),
            ("imrs", "show", "p-01"),
            ("session", "next", "p-01"),
        )
    ]
    for out in outputs:
        assert _english_words(out) == [], (_english_words(out), out)
    show = outputs[0]
    for word in ("schizofreni", "individuell", "[aktivt]", "inskriven"):
        assert word in show, (word, show)
    assert "[aktivt]" in outputs[2]
    assert re.search(r"\d,\d", outputs[3]) and "personal" in outputs[3]


def test_plural_and_decimal_comma():
    assert plural(1, "grupp", "grupper") == "1 grupp"
    assert plural(2, "grupp", "grupper") == "2 grupper"
    assert plural(0, "missad", "missade") == "0 missade"
    assert number(2.79, "sv") == "2,79" and number(2.79, "en") == "2.79"
    assert number(3.0, "sv") == "3,00" and number(-0.5, "sv", 1) == "\u22120,5" and number(4, "sv", 0) == "4"


def _keys(data, prefix=""):
    out = set()
    for key, val in (data or {}).items():
        out.add(prefix + str(key))
        if isinstance(val, dict):
            out |= _keys(val, f"{prefix}{key}.")
    return out


def test_swedish_and_english_strings_have_the_same_keys():
    def merged(lang):
        keys = set()
        for path in sorted((STRINGS / lang).glob("*.yaml")):
            keys |= _keys(yaml.safe_load(path.read_text(encoding="utf-8")))
        return keys

    sv, en = merged("sv"), merged("en")
    assert sorted(sv - en) == [] and sorted(en - sv) == []


def test_status_shows_absences_in_a_row_and_patient_list_the_last_attended_day(enrolled):
    imr = enrolled
    imr.ok("session", "log", "p-01", "--date", "2026-02-05")
    imr.ok("absent", "p-01", "--date", "2026-02-12")
    imr.ok("absent", "p-01", "--date", "2026-02-19")
    row = next(line for line in imr.ok("status").output.splitlines() if line.startswith("p-01"))
    assert "1 träff, 2 missade (! 2 i rad)" in row
    listed = next(line for line in imr.ok("patient", "list").output.splitlines() if "p-01" in line)
    assert "2026-02-05" in listed and "2026-02-19" not in listed
    imr.ok("session", "log", "p-01", "--date", "2026-02-26")
    row = next(line for line in imr.ok("status").output.splitlines() if line.startswith("p-01"))
    assert "i rad" not in row


def test_swedish_strings_use_the_glossary_terms():
    """What a nurse reads on screen uses the curriculum's words (utdelningsblad, never handout).

    Commands, options and record field names stay as they are typed (`imr render handout`,
    `--handout`, `handout: true`), so they are masked before the glossary's avoid-words are sought.
    """
    from imr.curriculum.check import avoid_pattern

    glossary = yaml.safe_load(
        (STRINGS.parent.parent / "curriculum" / "sv" / "glossary.yaml").read_text(encoding="utf-8")
    )
    patterns = [(avoid_pattern(str(word)), entry["term"]) for entry in glossary for word in entry.get("avoid") or []]
    found = []
    for path in sorted((STRINGS / "sv").glob("*.yaml")):
        for number_, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#") or ":" not in line:
                continue
            text = line.split(":", 1)[1]
            text = re.sub(r"imr(?: [a-z][a-z-]*)+|--?[a-zA-Z][\w-]*|\{\w+\}|\b[a-z_]+: (?:true|false)\b", " ", text)
            found += [
                (path.name, number_, m.group(0), term) for pattern, term in patterns for m in pattern.finditer(text)
            ]
    assert found == []
