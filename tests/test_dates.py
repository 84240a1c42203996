"""The one reader of typed dates (`imr.core.dates`) and every place a user types one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from imr.core.dates import parse_date
from imr.core.errors import ImrError

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-26", date(2026, 11, 26)),
        ("  2026-01-05 ", date(2026, 1, 5)),
        ("1850-03-01", date(1850, 3, 1)),  # reading only: the records' 1900 floor is their own rule
        ("26/11", date(2026, 11, 26)),
        ("3/1", date(2026, 1, 3)),
        ("26/11/2025", date(2025, 11, 26)),
        ("idag", THURSDAY),
        ("i dag", THURSDAY),
        ("IDAG", THURSDAY),
        ("today", THURSDAY),
        ("igår", THURSDAY - timedelta(days=1)),
        ("i  går", THURSDAY - timedelta(days=1)),
        ("Yesterday", THURSDAY - timedelta(days=1)),
        ("i torsdags", THURSDAY - timedelta(days=7)),  # the last Thursday before today, never today
        ("i onsdags", THURSDAY - timedelta(days=1)),
        ("i fredags", THURSDAY - timedelta(days=6)),
        ("i Måndags", date(2026, 11, 23)),
        ("i söndags", date(2026, 11, 22)),
        ("last thursday", THURSDAY - timedelta(days=7)),
        ("last monday", date(2026, 11, 23)),
    ],
)
def test_what_staff_type_is_read(typed, day):
    assert parse_date(typed, today=THURSDAY) == day


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "imorgon",
        "i förrgår",  # accepted by no reader before: still refused
        "2026-02-30",
        "20261126",  # Python 3.11 reads it; staff do not write it
        "2026-W48-4",
        "2026-11-26T10:00",
        "26/11/26",  # a two-digit year is a slip, not the year 26
        "32/1",
        "26/11/2026/1",
        "26.11.2026",
        "torsdags",
        "i torsdag",
        "next thursday",
    ],
)
def test_anything_else_is_refused_with_one_sentence_in_either_language(typed):
    with pytest.raises(ImrError) as caught:
        parse_date(typed, today=THURSDAY)
    assert caught.value.code == "bad_date"
    swedish, english = caught.value.message("sv"), caught.value.message("en")
    assert "igår" in swedish and "yesterday" in english
    assert len(swedish.splitlines()) == len(english.splitlines()) == 1


# -- every surface: `igår` is accepted wherever a date is typed --------------------------------


def _yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


def _written(before: dict[str, bytes], after: dict[str, bytes]) -> str:
    return "".join(data.decode("utf-8") for path, data in after.items() if before.get(path) != data)


@pytest.mark.parametrize(
    "args",
    [
        ["patient", "add", "p-02", "--variant", "schizophrenia", "--date", "igår"],
        ["session", "log", "p-01", "--date", "igår", "--yes"],
        ["absent", "p-01", "--date", "igår", "--yes"],
        ["goal", "add", "p-01", "Laga mat", "--date", "igår", "--yes"],
        ["imrs", "add", "p-01", "--rater", "clinician", "--scores", "3,3,3,2,3,4,3,3,3,3,3,3,2,2,na", "--date", "igår"],
        ["relapse-plan", "p-01", "--trigger", "Sömnbrist", "--date", "igår"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_every_date_option_that_writes_reads_igar(enrolled, args):
    before = enrolled.snapshot()
    enrolled.ok(*args)
    assert f"date: '{_yesterday()}'" in _written(before, enrolled.snapshot())


def test_group_member_dates_read_igar(enrolled):
    enrolled.ok("group", "create", "grupp-a")
    before = enrolled.snapshot()
    enrolled.ok("group", "add", "grupp-a", "p-01", "--date", "igår")
    assert f"'{_yesterday()}'" in _written(before, enrolled.snapshot())


def test_render_date_reads_igar_and_weekdays(enrolled):
    """`imr render --date igår` was refused with a sentence suggesting `igår` (issue 29)."""
    markdown = enrolled.ok("render", "handout", "1.1", "--for", "p-01", "--date", "igår", "-o", "-").stdout
    assert _yesterday() in markdown
    thursday = parse_date("i torsdags").isoformat()
    bundle = enrolled.ok("render", "bundle", "--for", "p-01", "--date", "i torsdags", "-o", "-").stdout
    assert thursday in bundle
    enrolled.refused("render", "handout", "1.1", "--for", "p-01", "--date", "i förrgår")


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--since", "i torsdags", "--until", "igår", "--format", "html", "-o", "-"],
        ["export", "--since", "igår", "-o", "export"],
        ["fidelity", "--since", "igår"],
        ["diff", "--since", "i torsdags", "--until", "igår"],
    ],
    ids=lambda args: args[0],
)
def test_since_and_until_read_what_staff_type(enrolled, args):
    enrolled.commit_all()
    enrolled.ok(*args)


def test_a_form_answer_reads_igar_and_keeps_the_records_rules(enrolled):
    from imr.forms import build_form
    from imr.workspace.folder import open_workspace

    ws = open_workspace(enrolled.root)
    form = build_form(ws, "goal-add", "p-01")
    assert form.set("date", "igår") is None and form.value("date") == _yesterday()
    assert form.set("date", "i torsdags") is None
    assert "igår" in (form.set("date", "i förrgår") or "")
    assert form.set("date", "1850-03-01")  # read, then refused by the records' own rule
    assert form.set("date", (date.today() + timedelta(days=1)).isoformat())  # not in the future
