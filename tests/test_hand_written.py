"""Every hand-written place scanned, and names kept out of identifiers (issue 26, parts 3 and 4).

Each case is a place a person (or a hand edit pushed from another clone) can put text that the
scanner used to skip: `by:` and `leader:` values, comments after `- ` items and values, group
files' comments and leaders, nested values and keys, imr.yaml's keys, nested values, comments
and allow-list. And identifiers that become file names: ids, group names, signatures.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import REPO, Imr

PHONE = "070-123 45 67"


def _codes(imr) -> set[tuple[str, str]]:
    result = imr("check", "--json")
    return {(f["path"], f["code"]) for f in json.loads(result.output)}


def _append(imr, path: str, text: str) -> None:
    target = imr.root / path
    target.write_bytes(target.read_bytes() + text.encode("utf-8"))


ENTRY = "- kind: note\n  id: abcd2345\n  at: '2026-03-02T10:00:00+01:00'\n  by: KL\n  text: Samtal.\n"


@pytest.mark.parametrize(
    "tail, kind",
    [
        (ENTRY.replace("by: KL", "by: Anna Svensson"), "name"),
        (ENTRY.replace("by: KL", "by: KL 070-1234567"), "phone"),
        (ENTRY.replace("- kind: note", f"- kind: note  # ring {PHONE}"), "phone"),
        (ENTRY.replace("  text: Samtal.", "  text: Samtal. # Kalle Andersson"), "name"),
        (ENTRY + f"# {PHONE}\n", "phone"),
        (ENTRY + "  extra:\n    inner:\n    - anna@example.se\n", "email"),
        (ENTRY + f"  '{PHONE}': x\n", "phone"),
    ],
)
def test_every_hand_written_place_in_a_record_is_scanned(enrolled, tail, kind):
    _append(enrolled, "records/p-01.yaml", tail)
    assert ("records/p-01.yaml", f"pii_found_{kind}") in _codes(enrolled)


def test_a_leader_in_a_profile_is_scanned(enrolled):
    tail = "- kind: profile\n  id: abcd2346\n  at: '2026-03-02T10:00:00+01:00'\n  by: KL\n  leader: Kalle Andersson\n"
    _append(enrolled, "records/p-01.yaml", tail)
    assert ("records/p-01.yaml", "pii_found_name") in _codes(enrolled)


@pytest.mark.parametrize(
    "tail, kind",
    [
        ("# ring 070-123 45 67\n", "phone"),
        ("- kind: member-added  # Kalle Andersson\n  at: '2026-03-02T10:00:00+01:00'\n  by: KL\n  id: p-01\n", "name"),
        ("- kind: member-added\n  at: '2026-03-02T10:00:00+01:00'\n  by: Anna Svensson\n  id: p-01\n", "name"),
    ],
)
def test_every_hand_written_place_in_a_group_file_is_scanned(enrolled, tail, kind):
    enrolled.ok("group", "create", "tisdag", "--leader", "AB")
    _append(enrolled, "groups/tisdag.yaml", tail)
    assert ("groups/tisdag.yaml", f"pii_found_{kind}") in _codes(enrolled)


def test_group_leaders_written_by_hand_are_scanned(enrolled):
    enrolled.ok("group", "create", "tisdag", "--leader", "AB")
    path = enrolled.root / "groups" / "tisdag.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- AB", "- Kalle Andersson"), encoding="utf-8")
    assert ("groups/tisdag.yaml", "pii_found_name") in _codes(enrolled)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("extra:\n  note:\n    deep: 070-123 45 67\n", "phone"),
        ("'anna@example.se': 1\n", "email"),
        ("extra: sv # Kalle Andersson ringer\n", "name"),
        ("allowed_words:\n- 070-123 45 67\n", "phone"),
        ("allowed_words:\n- Kalle Andersson\n", "name"),
    ],
)
def test_every_hand_written_place_in_imr_yaml_is_scanned(enrolled, text, kind):
    _append(enrolled, "imr.yaml", "\n" + text)
    assert ("imr.yaml", f"pii_found_{kind}") in _codes(enrolled)


def test_a_temp_named_file_in_records_is_scanned(enrolled):
    (enrolled.root / "records" / ".p-01.yaml.tmp-0123456789abcdef").write_text(f"note: {PHONE}\n", encoding="utf-8")
    codes = _codes(enrolled)
    assert ("records/.p-01.yaml.tmp-0123456789abcdef", "pii_found_phone") in codes


def test_the_allow_list_means_the_same_to_the_writer_and_the_check(enrolled):
    note = "Vi ses på Liseberg varje vecka."
    enrolled.refused("group", "create", "tisdag", "--note", note)  # -berg: surname-shaped
    _append(enrolled, "imr.yaml", "\nallowed_words:\n- Liseberg\n")
    enrolled.ok("group", "create", "tisdag", "--note", note)
    enrolled.ok("check")  # used to refuse the note the writer had accepted, for ever


# ---- identifiers ------------------------------------------------------------------------


@pytest.mark.parametrize("pid", ["kalle-andersson", "anna", "p-eriks", "lindqvist-01"])
def test_a_participant_id_with_a_name_is_refused(imr, pid):
    result = imr.refused("patient", "add", pid)
    assert not (imr.root / "records" / f"{pid}.yaml").exists()
    assert result.output.startswith("Fel:")


def test_a_group_name_with_a_name_is_refused(enrolled):
    enrolled.refused("group", "create", "evas-grupp")
    assert not (enrolled.root / "groups" / "evas-grupp.yaml").exists()


@pytest.mark.parametrize("by", ["Anna Svensson", "Kalle", "Eva L", "Andersson"])
def test_a_signature_with_a_name_is_refused(enrolled, by):
    enrolled.refused("session", "log", "p-01", "--date", "2026-03-01", "--by", by)


def test_a_signature_in_git_config_with_a_name_is_refused(enrolled, monkeypatch):
    monkeypatch.delenv("IMR_SIGNATURE")
    enrolled.git("config", "imr.signature", "Kalle Andersson")
    enrolled.refused("session", "log", "p-01", "--date", "2026-03-01")


@pytest.mark.parametrize("by", ["KL", "M.A", "AB2", "EL", "JS"])
def test_initials_and_short_codes_pass(enrolled, by):
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--by", by)


def test_the_allow_list_lets_a_real_word_through_in_a_group_name(enrolled):
    enrolled.refused("group", "create", "lindberg")
    _append(enrolled, "imr.yaml", "\nallowed_words:\n- Lindberg\n")
    enrolled.ok("group", "create", "lindberg")


@pytest.mark.parametrize(
    "value", ["kalle-andersson", "anna", "evas-grupp", "Anna Svensson", "Kalle Andersson", "hos-anderssons"]
)
def test_identifier_name_finds_names(value):
    from imr.records.pii import identifier_name

    assert identifier_name(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "p-01",
        "demo-01",
        "demo-03",
        "n-01",
        "s-01",
        "a-01",
        "tisdag",
        "mandag",
        "grupp-torsdag-2",
        "torsdag",
        "dag-grupp",
        "KL",
        "M.A",
        "AB",
        "norr",
        "soder",
    ],
)
def test_identifier_name_passes_ids_and_initials(value):
    from imr.records.pii import identifier_name

    assert identifier_name(value) is None


def test_the_demo_workspace_still_passes_check(tmp_path, monkeypatch):
    result = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "records", "groups", "imr.yaml"],
        capture_output=True,
        text=True,
        check=True,
    )
    import shutil

    for name in result.stdout.split():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    demo = Imr(tmp_path, monkeypatch)
    checked = demo("check", "--json")
    pii = [f for f in json.loads(checked.output) if f["code"].startswith("pii_")]
    assert pii == []


def test_a_memo_shared_by_many_entries_still_finds_each_hit():
    """hand_written_hit remembers the keys and values it found clean; an entry made of them
    alone is passed at once, and anything new in an entry (a value, a key, a signature, a
    nested list) is still looked at."""
    from imr.records.pii import hand_written_hit

    memo: dict = {}
    entry = {"kind": "session", "by": "AB", "module": 1, "handout": True, "note": "Vi övade."}
    assert hand_written_hit([entry, dict(entry)], frozenset(), memo) is None
    assert hand_written_hit({**entry, "note": "Ring 070-123 45 67."}, frozenset(), memo).kind == "phone"
    assert hand_written_hit({**entry, "Kalle Andersson": 1}, frozenset(), memo).kind == "name"
    assert hand_written_hit({**entry, "by": "Kalle Andersson"}, frozenset(), memo).kind == "name"
    assert hand_written_hit({**entry, "steps": ["Ring 070-123 45 67."]}, frozenset(), memo).kind == "phone"
    assert hand_written_hit({**entry, "module": 1.5, "session": True}, frozenset(), memo) is None
    assert hand_written_hit([entry], frozenset(), memo) is None


_TEXTS = [
    "Vi övade.",
    "AB",
    "KL",
    "done",
    "abcd2345",
    "bcde3456",
    "abc\ndefg",  # (texts as long as an id that are none: a line break, seven digits, a phone number, a name)
    "1234567a",
    "07012345",
    "Kalle An",
    "2026-03-02T10:00:00+01:00",
    "2026-03-02",
    "Ring 070-123 45 67.",
    "Kalle Andersson",
    "anna@example.se",
    "Bra vecka",
    "19121212-1212",
    "",
]
_KEYS = ["kind", "by", "leader", "leaders", "group", "note", "steps", "id", "at", "Kalle Andersson", "module"]


def _values():
    from hypothesis import strategies as st

    scalar = st.sampled_from(_TEXTS) | st.integers(-2, 3) | st.booleans() | st.none() | st.just(1.5)
    return st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=2),
        max_leaves=4,
    )


def test_a_list_of_entries_finds_what_each_entry_finds_alone():
    """`hand_written_hit` over a record's entries passes them all in one set operation when
    every key and value is clean already (`_all_entries_clean`); whatever the entries hold and
    whatever the shared memo remembers, it finds what the entries walked one by one (each with
    a memo of its own) find: the first refused hit, else the first warning."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from imr.records.pii import hand_written_hit

    entry = st.dictionaries(st.sampled_from(_KEYS), _values(), max_size=5)
    memo: dict = {}

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(st.lists(entry | _values(), max_size=4), min_size=1, max_size=4))
    def check(records):
        for entries in records:
            expected = None
            for item in entries:
                hit = hand_written_hit(item, frozenset({"bra"}))
                if hit is not None and hit.severity == "refuse":
                    expected = hit
                    break
                expected = expected or hit
            assert hand_written_hit(entries, frozenset({"bra"}), memo) == expected

    check()


@pytest.mark.parametrize("text", ["Kalle An", "07012345", "abc\ndefg", "abcd2345"])
def test_a_text_as_long_as_an_entry_id_is_scanned_as_the_entry_alone_finds(text):
    """A record's entry ids are told clean together (`_all_entries_clean`); a text of an id's
    length that is no id is still found, or passed, as walking its entry alone does."""
    from imr.records.pii import hand_written_hit

    memo: dict = {}
    entries = [{"kind": "session", "by": "AB", "note": "Vi övade.", "id": f"abcd{n:04d}"} for n in range(3)]
    assert hand_written_hit(entries, frozenset(), memo) is None  # (the memo now knows every key and value)
    entries.append({"kind": "session", "by": "AB", "note": text, "id": "abcd9999"})
    assert hand_written_hit(entries, frozenset(), memo) == hand_written_hit(entries[-1], frozenset())
