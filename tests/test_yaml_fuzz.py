"""One reading of every record (issue 26, part 6): the quick reader gives way to the strict one
wherever the two could differ, and the writer quotes what another reader could type otherwise.

A bounded round of tools/fuzz_yaml.py (mutated records and short scalars, a fixed seed, a few
seconds) runs here; the script runs as long as asked."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from imr.core.yamlio import dump, parse_text, quick_load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import fuzz_yaml


@pytest.mark.parametrize(
    "text",
    [
        'a: "\\ud83d\\ude00"\n',
        "a: _5\n",
        "a: 0_8\n",
        "a: 0X1F\n",
        "a: 0O17\n",
        "a: 0B11\n",
        "a: +_1\n",
        "- _5\n",
        "a: 1_000\n",
    ],
)
def test_texts_the_readers_read_differently_go_to_the_strict_reader(text):
    assert quick_load(text) is None


@pytest.mark.parametrize(
    "value",
    [
        "0X10",
        "_5",
        "0_8",
        "0O17",
        "0B11",
        "1:30",
        ".5",
        "1e3",
        "Yes",
        "off",
        "y",
        "~",
        "",
        "=",
        "<<",
        "a\u2028b",
        "x\x85",
    ],
)
def test_the_writer_quotes_what_another_reader_could_type_otherwise(value):
    import yaml_rs

    text = dump([{"note": value}])
    assert parse_text(text) == [{"note": value}]
    assert yaml_rs.loads(text, parse_datetime=False) == [{"note": value}], text
    assert quick_load(text) in (None, [{"note": value}])


def test_homework_0x10_and_note__5_stay_text_for_ever(enrolled):
    import shutil

    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--homework", "0X10", "--note", "_5")
    text = enrolled.record("p-01").read_text(encoding="utf-8")
    assert "homework: '0X10'" in text and "note: '_5'" in text
    shutil.rmtree(enrolled.root / ".imr-cache")  # the cache rebuilt, by the quick reader where it may
    enrolled.ok("check")
    from imr.records.record import read_record

    last = read_record(enrolled.record("p-01")).entries[-1].data
    assert last["homework"] == "0X10" and last["note"] == "_5"


def test_a_bounded_fuzz_round_finds_no_difference():
    rng = random.Random(26)
    problems: list[str] = []
    for _ in range(1500):
        problems.extend(fuzz_yaml.one_round(rng))
    assert problems == [], problems[:5]
