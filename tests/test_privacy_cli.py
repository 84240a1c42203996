"""The privacy guard at every place text reaches the records: refused on write, found by `imr check`.

The cases are the scanner's own table (tests/test_pii.py): each is refused when typed as a note,
and found by `imr check` when it was written into a record by hand, in a comment, a header, a stray
file or imr.yaml, so nothing depends on which door the text came through.
"""

from __future__ import annotations

import json

import pytest
from conftest import Imr
from test_pii import CLEAN_NOTES, FOUND_CASES

REFUSED = [(text, kind) for text, kind in FOUND_CASES if kind != "personnummer_check"]


@pytest.mark.parametrize("text,kind", REFUSED)
def test_every_case_is_refused_as_a_note(enrolled: Imr, text: str, kind: str):
    enrolled.refused("session", "log", "p-01", "--date", "2026-03-02", "--note", text)


def test_every_case_written_by_hand_is_a_finding(enrolled: Imr):
    """One hand-written entry per case; `imr check` reports each on its own line."""
    path = enrolled.record("p-01")
    with open(path, "a", encoding="utf-8") as handle:
        for number, (text, _kind) in enumerate(FOUND_CASES):
            quoted = json.dumps(text, ensure_ascii=False)
            handle.write(
                f"- id: {number:04d}abcd\n  kind: contact\n  at: '2026-02-01T10:00:00+01:00'\n  by: KL\n"
                f"  date: '2026-02-01'\n  who: kontaktperson\n  note: {quoted}\n"
            )
    findings = json.loads(enrolled("check", "--json").output)
    lines = {f["line"] for f in findings if f["code"].startswith("pii_found_")}
    starts = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.startswith("- id: ") and line.endswith("abcd")
    ]
    missing = [FOUND_CASES[i][0] for i, line in enumerate(starts) if line not in lines]
    assert missing == []


def test_clean_notes_pass(enrolled: Imr):
    for number, note in enumerate(CLEAN_NOTES[:40]):
        enrolled.ok(
            "session",
            "log",
            "p-01",
            "--date",
            "2026-03-02",
            "--module",
            "1",
            "--session",
            "1",
            "--note",
            note,
            *(["--again"] if number else []),
        )


@pytest.mark.parametrize(
    "args",
    [
        ["patient", "add", "121212-1212"],
        ["patient", "add", "191212121212"],
        ["patient", "add", "070-1234567"],
        ["group", "create", "121212-1212"],
        ["group", "create", "torsdag", "--leader", "070-1234567"],
        ["session", "log", "p-01", "--date", "2026-03-02", "--by", "070 123 45 67"],
        ["goal", "add", "p-01", "Träffa mamma Eva oftare"],
        ["session", "log", "p-01", "--date", "2026-03-02", "--note", "Träffade Kalle Andersson på gården."],
        ["relapse-plan", "p-01", "--helper", "mamma Eva: ringer mig"],
        ["session", "log", "p-01", "--date", "2026-03-02", "--note", "Mejl a\u200b.b@example.se"],
    ],
)
def test_identifiers_and_names_are_refused_everywhere(enrolled: Imr, args):
    enrolled.refused(*args)


def test_check_scans_comments_headers_stray_files_and_the_config(enrolled: Imr):
    root = enrolled.root
    record = enrolled.record("p-01")
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("id: p-01\n", "id: p-01\nnamn: Anna Svensson 121212-1212\n", 1)
        + "# ring pappa på 070-123 45 67\n",
        encoding="utf-8",
    )
    (root / "records" / "p-01.txt").write_text("Pnr 121212-1212\n", encoding="utf-8")
    (root / "records" / "old").mkdir()
    (root / "records" / "old" / "p-01.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "records" / "p-01.yaml.orig").write_text("x: 1\n", encoding="utf-8")
    config = root / "imr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "signature: KL\n# kontakt: a.b@example.se\n", encoding="utf-8"
    )
    findings = json.loads(enrolled("check", "--json").output)
    where = {(f["path"], f["code"]) for f in findings}
    assert ("records/p-01.yaml", "record_unknown_header") in where
    assert {("records/p-01.yaml", "pii_found_name"), ("records/p-01.yaml", "pii_found_personnummer")} & where
    assert ("records/p-01.yaml", "pii_found_phone") in where
    assert ("records/p-01.txt", "record_stray_file") in where and (
        "records/p-01.txt",
        "pii_found_personnummer",
    ) in where
    assert ("records/old/p-01.yaml", "record_stray_file") in where
    assert ("records/p-01.yaml.orig", "record_stray_file") in where
    assert ("imr.yaml", "config_signature_shared") in where and ("imr.yaml", "pii_found_email") in where


def test_the_allow_list_lets_a_place_name_through(enrolled: Imr):
    note = "Vi gick till Kvarnbacken och pratade med personal på Björkens avdelning Berglund."
    enrolled.refused("session", "log", "p-01", "--date", "2026-03-02", "--note", note)
    config = enrolled.root / "imr.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "allowed_words: [Berglund]\n", encoding="utf-8")
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--note", note)
    assert enrolled("check").exit_code == 0
