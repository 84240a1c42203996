"""The kind registry is complete: every entry kind the writer can write has its label, its
wording in `imr diff` (and imr web's *Ändringar*) in Swedish and English, a fold that exists and
references that name real fields; and every table that names a kind names it the same way.

Adding a kind to `imr.records.kinds.KINDS` or to a group file's `GROUP_SCHEMA` without its
wording fails here, not in front of a supervisor."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imr.programme.groups import GROUP_SCHEMA, validate_group_entry
from imr.records.kinds import (
    KINDS,
    PROFILE_KINDS,
    REF_FIELDS,
    SESSION_LIKE,
    kind_label,
    validate_entry,
)
from imr.records.state import ParticipantState
from imr.reports.diff_text import SUFFIXES, Context, Words, describe, diff_key, worded, written_kinds

STRINGS = Path(__file__).resolve().parent.parent / "templates" / "strings"
LANGS = ("sv", "en")


def own_strings(lang: str) -> dict:
    """One language's strings files as written (no falling back to Swedish: English must be there)."""
    merged: dict = {}
    for path in sorted((STRINGS / lang).glob("*.yaml")):
        for section, table in (yaml.safe_load(path.read_text("utf-8")) or {}).items():
            if isinstance(table, dict):
                merged.setdefault(section, {}).update(table)
    return merged


@pytest.fixture(scope="module", params=LANGS)
def lang_strings(request) -> tuple[str, dict]:
    return request.param, own_strings(request.param)


# One valid entry of every kind the writer writes, as `imr diff` gets it. A new kind needs one
# here too (the test below says so), so its wording is seen filled in, not just present.
SAMPLES: dict[str, dict] = {
    "enrolled": {"variant": "general", "format": "individual"},
    "profile": {"leader": "CD"},
    "session": {"module": 2, "session": 1, "date": "2026-01-05", "group": "tisdag"},
    "absent": {"module": 2, "session": 1, "date": "2026-01-05"},
    "correction": {"target": "aaaa1111", "note": "Fel datum.", "void": True},
    "goal": {"goal": "G1", "text": "Gå på bakgruppen", "steps": ["Fråga"]},
    "goal-step": {"goal": "aaaa1111", "step": "G1.2", "text": "Gå dit"},
    "goal-update": {"status": "done", "target": "aaaa1111"},
    "relapse-plan": {"triggers": ["Sömnbrist"]},
    "imrs": {"rater": "client", "scores": [3] * 15, "date": "2026-01-05"},
    "contact": {"date": "2026-01-05", "who": "syster"},
    "group-created": {"leaders": ["AB"], "weekdays": ["tuesday"]},
    "group-changed": {"weekdays": ["friday"]},
    "member-added": {"id": "p-01", "date": "2026-01-05"},
    "member-removed": {"id": "p-01"},
}


def test_every_written_kind_has_a_sample():
    assert set(written_kinds()) == set(KINDS) | set(GROUP_SCHEMA)
    assert set(SAMPLES) == set(written_kinds()), "add a sample entry for the new kind"


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_samples_are_valid_entries(kind: str):
    entry = {"kind": kind, "at": "2026-01-05T10:00:00+01:00", "by": "AB", **SAMPLES[kind]}
    problems = validate_entry(entry) if kind in KINDS else validate_group_entry(entry)
    assert problems == []


def test_every_written_kind_has_diff_wording(lang_strings):
    """The diff wording (and the extra sentences a kind's wording uses) exist in this language's
    own file, and `imr diff` has a builder for the kind."""
    lang, table = lang_strings
    cli = table["cli"]
    for kind in written_kinds():
        assert worded(kind), f"imr diff has no words for {kind}: add it to imr/reports/diff_text.py"
        key = diff_key(kind)
        assert key in cli, f"{lang}: {key} missing in templates/strings/{lang}/supervision.yaml (cli)"
        for suffix in SUFFIXES.get(kind, ()):
            assert key + suffix in cli, f"{lang}: {key + suffix} missing"


def test_every_written_kind_has_one_label(lang_strings):
    """`values.kind` names every kind; the report's and the forms' tables, where they name a kind,
    name it the same way (one name per kind: no `målstatus` beside `måluppdatering`)."""
    lang, table = lang_strings
    labels = table["values"]["kind"]
    for kind in written_kinds():
        assert labels.get(kind), f"{lang}: values.kind.{kind} missing"
        assert kind_label(kind, lang) == labels[kind]
    for section in ("forms", "web"):  # the report reads values.kind itself
        for key, text in table.get(section, {}).items():
            if key.startswith("kind_") and key[5:] in labels:
                assert text == labels[key[5:]], (
                    f"{lang}: {section}.{key} is {text!r}, values.kind says {labels[key[5:]]!r}"
                )
    assert set(labels) == set(written_kinds())


def test_registry_folds_and_references_exist():
    for name, kind in KINDS.items():
        assert kind.name == name
        assert callable(getattr(ParticipantState, kind.fold, None)), f"{name}: no ParticipantState.{kind.fold}"
        assert kind.diff == diff_key(name)
        for ref in kind.refs:
            assert ref in kind.fields, f"{name}: reference {ref!r} is not one of its fields"
    assert set(REF_FIELDS) == {ref for kind in KINDS.values() for ref in kind.refs}


def test_kind_families_cover_the_registry():
    from imr.records import kinds

    names = ("ENROLLED", "PROFILE", "SESSION", "ABSENT", "CORRECTION", "GOAL", "GOAL_STEP", "GOAL_UPDATE")
    names += ("RELAPSE_PLAN", "IMRS", "CONTACT")
    assert sorted(getattr(kinds, name) for name in names) == sorted(KINDS)  # one constant per kind, spelled right
    families = [set(SESSION_LIKE), set(PROFILE_KINDS)]
    assert all(family <= set(KINDS) for family in families)
    assert sum(len(family) for family in families) == len(set().union(*families))  # no kind in two
    assert ["kind"] not in SESSION_LIKE  # a hand edit's odd `kind` is simply not one of them


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_kind_is_told_in_words(kind: str, lang: str):
    """Filled in, the wording is a sentence: not the kind's bare name, no key, no placeholder."""
    entry = {"kind": kind, "at": "2026-01-05T10:00:00+01:00", "by": "AB", **SAMPLES[kind]}
    target = {"kind": "goal-step", "id": "aaaa1111", "goal": "G1", "step": "G1.1", "text": "x"}
    text = describe(3, entry, Words(lang), Context([target, entry]))
    what = text.split(": ", 1)[1]
    assert what.split(";")[0].strip() != kind
    assert "diff_" not in text and "{" not in text and "weekday_" not in text


def test_imrs_items_are_declared_once():
    """The instrument file words exactly the items the record schema accepts, `na` where it does."""
    from imr.programme.imrs import ITEMS, load_instrument
    from imr.records.kinds import IMRS_NOT_APPLICABLE

    instrument = load_instrument()
    assert tuple(item.number for item in instrument.items) == ITEMS
    assert tuple(item.number for item in instrument.items if item.not_applicable) == IMRS_NOT_APPLICABLE
    sixteen = {"kind": "imrs", "at": "2026-01-05T10:00:00+01:00", "by": "AB", "rater": "client", "date": "2026-01-05"}
    assert validate_entry({**sixteen, "scores": [3] * len(ITEMS)}) == []
    assert validate_entry({**sixteen, "scores": [3] * (len(ITEMS) + 1)}) != []
    assert validate_entry({**sixteen, "scores": ["na"] + [3] * (len(ITEMS) - 1)}) != []


def test_a_number_found_fine_never_passes_a_boolean_or_the_reverse():
    """validate_entry remembers the whole numbers each check passed; `True` is `1` to a set,
    and still never passes where a number must stand, nor `1` where a yes/no must."""
    from imr.records.kinds import validate_entry

    base = {"kind": "session", "at": "2026-03-02T10:00:00+01:00", "by": "KL", "date": "2026-03-02"}
    assert validate_entry({**base, "module": 1, "session": 1, "handout": True}) == []
    assert validate_entry({**base, "module": True, "session": 1})
    assert validate_entry({**base, "module": 1, "session": 1, "handout": 1})
    assert validate_entry({**base, "module": 1, "session": 0})
