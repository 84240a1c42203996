"""Records on disk: append-only writes, strict reading, and a catalogue of broken files.

Each broken file must give one finding with file:line from `imr check`, never a traceback,
and must not stop the other records from working.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.core.yamlio import load_file
from imr.records.record import read_record
from imr.records.writer import append_entries

GOOD_ENTRY = (
    "- kind: session\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  module: 1\n  session: 1\n  date: '2026-03-01'\n"
)


def write_second(imr, text: bytes | str) -> None:
    path = imr.root / "records" / "p-02.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def base_record(pid="p-02") -> str:
    return (
        f"id: {pid}\nlog:\n- kind: enrolled\n  at: '2026-03-01T09:00:00+01:00'\n  by: KL\n"
        "  variant: general\n  format: individual\n"
    )


CATALOGUE = [
    # (name, file content, expected line, words expected in the message)
    ("tab indent", base_record() + "- kind: session\n\tat: x\n", 9, "tabb"),
    ("unclosed quote", base_record() + "- kind: 'session\n", 8, "YAML"),
    ("duplicate key", base_record() + GOOD_ENTRY.replace("  by: KL\n", "  by: KL\n  by: AB\n"), 11, "två gånger"),
    (
        "alias",
        base_record().replace("  by: KL\n", "  by: &s KL\n") + GOOD_ENTRY.replace("by: KL", "by: *s"),
        0,
        "alias",
    ),
    ("impossible date", base_record() + GOOD_ENTRY.replace("date: '2026-03-01'", "date: 2026-02-30"), 8, "datum"),
    ("unknown kind", base_record() + "- kind: holiday\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n", 8, "holiday"),
    ("log not a list", "id: p-02\nlog:\n  kind: enrolled\n", 1, "lista"),
    ("not utf-8", (base_record() + '- kind: session\n  note: "').encode() + b"\xff\xfe\n", 9, "UTF-8"),
    ("missing signature", base_record() + GOOD_ENTRY.replace("  by: KL\n", ""), 8, "by"),
    ("timestamp without offset", base_record() + GOOD_ENTRY.replace("+01:00", ""), 8, "tidpunkt"),
    ("unknown session", base_record() + GOOD_ENTRY.replace("module: 1", "module: 14"), 8, "14.1"),
    ("id mismatch", base_record().replace("id: p-02", "id: p-03"), 1, "p-03"),
    (
        "correction of a later entry",
        base_record() + "- kind: correction\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  target: 5\n  note: fel\n",
        8,
        "post 5",
    ),
]


@pytest.mark.parametrize("name,content,line,words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_broken_record_catalogue(enrolled, name, content, line, words):
    write_second(enrolled, content)
    result = enrolled("check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines, name
    first = lines[0]
    assert first.startswith("records/p-02.yaml:" if line else "records/p-02.yaml"), first
    if line:
        assert first.startswith(f"records/p-02.yaml:{line}:"), first
    assert words.lower() in result.output.lower(), result.output
    # The other participant keeps working, and the broken one gives one clear sentence.
    enrolled.ok("session", "next", "p-01")
    broken = enrolled("session", "next", "p-02")
    if broken.exit_code:
        assert broken.exit_code == 1 and len(broken.output.strip().splitlines()) == 1


def test_bom_and_crlf_are_accepted(enrolled):
    text = base_record().replace("\n", "\r\n")
    write_second(enrolled, b"\xef\xbb\xbf" + text.encode())
    assert enrolled("check").exit_code == 0
    enrolled.ok("session", "next", "p-02")


def test_oversized_file_refused_before_parsing(enrolled):
    write_second(enrolled, base_record() + "# " + "x" * (5 * 1024 * 1024) + "\n")
    result = enrolled("check")
    assert result.exit_code == 1 and "MB" in result.output


def test_append_to_broken_record_is_refused_and_file_kept(enrolled):
    content = base_record() + "- kind: 'session\n"
    write_second(enrolled, content)
    result = enrolled("session", "log", "p-02", "--date", "2026-03-01")
    assert result.exit_code == 1
    assert (enrolled.root / "records" / "p-02.yaml").read_text() == content


def test_hand_comments_survive_appends(enrolled):
    path = enrolled.record("p-01")
    path.write_text(path.read_text() + "# Handledarens kommentar: bra start.\n")
    before = path.read_bytes()
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01")
    after = path.read_bytes()
    assert after.startswith(before)
    assert b"Handledarens kommentar" in after


def test_record_without_trailing_newline(enrolled):
    path = enrolled.record("p-01")
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01")
    assert len(read_record(path).entries) == 2


def test_no_stray_files_after_writes(enrolled):
    for day in range(1, 4):
        enrolled.ok("session", "log", "p-01", "--date", f"2026-03-0{day}")
    names = sorted(p.name for p in (enrolled.root / "records").iterdir())
    assert names == [".gitkeep", "p-01.yaml"]


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(texts, st.sampled_from(["done", "partly", "not-done", "none"])), min_size=1, max_size=5))
def test_appends_keep_earlier_bytes_and_round_trip(tmp_path_factory, batch):
    """Any sequence of valid appends: earlier bytes never change and every entry reads back."""
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "p-01.yaml"
    path.write_text(base_record("p-01"), encoding="utf-8")
    written = []
    for note, review in batch:
        before = path.read_bytes()
        entry = {
            "kind": "session",
            "at": "2026-03-01T10:00:00+01:00",
            "by": "KL",
            "module": 1,
            "session": 1,
            "date": "2026-03-01",
            "homework_review": review,
            "note": note,
        }
        append_entries(path, [entry], folder / ".imr.lock")
        assert path.read_bytes().startswith(before)
        written.append(entry)
    log = load_file(path)["log"]
    assert log[1:] == written
    assert json.loads(json.dumps(log[1:])) == written


def test_a_text_fine_for_one_field_is_still_checked_for_another():
    """validate_entry remembers (validator, text) pairs found fine; a text is never taken as
    fine for a field whose check it has not passed, nor a number or a boolean by its value."""
    from imr.records.kinds import validate_entry

    base = {"kind": "session", "at": "2025-03-23T14:00:00+01:00", "by": "AB", "module": 1, "session": 1}
    assert validate_entry({**base, "date": "2025-03-23", "homework_review": "done"}) == []
    assert validate_entry({**base, "date": "2025-03-23", "homework_review": "2025-03-23"})
    assert validate_entry({**base, "date": "done", "homework_review": "done"})
    assert validate_entry({**base, "module": True})
    assert validate_entry({**base, "module": 1.0})


def test_references_to_the_curriculum_and_to_other_entries_are_checked(tmp_path):
    """A session the programme does not have, a variant or module it does not have, and a
    correction of a protected field are found; a session that exists is not, whatever kind of
    entry names it, and `module: true` reads as module 1 there, as it always has (its shape is
    what is wrong, and the shape check says so)."""
    from imr.curriculum.model import load_curriculum
    from imr.records.record import parse_record_bytes, validate_record

    def codes(*entries: str) -> list[str]:
        path = tmp_path / "p-02.yaml"
        text = base_record().replace("log:\n", "format: 2\nlog:\n") + "".join(entries)
        record = parse_record_bytes(text.encode(), path, "records/p-02.yaml")
        return [f.code for f in validate_record(record, "records/p-02.yaml", load_curriculum())]

    absent = (
        "- kind: absent\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  module: 1\n  session: 1\n  date: '2026-03-01'\n"
    )
    ids = "  id: abcde001\n"
    assert codes(GOOD_ENTRY) == []
    assert codes(GOOD_ENTRY.replace("session: 1", "session: 99")) == ["entry_unknown_session"]
    assert codes(absent.replace("module: 1", "module: 42")) == ["entry_unknown_session"]
    assert codes(GOOD_ENTRY.replace("module: 1", "module: true")) == ["entry_not_positive_int"]
    profile = "- kind: profile\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  variant: nosuch\n"
    assert codes(profile) == ["entry_unknown_variant"]
    order = "- kind: profile\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  module_order: [1, 77]\n"
    assert codes(order) == ["entry_unknown_module"]
    correction = "- kind: correction\n  at: '2026-03-01T11:00:00+01:00'\n  by: KL\n  target: abcde001\n  note: fel signatur\n  set:\n    by: AB\n"
    assert codes(GOOD_ENTRY + ids, correction) == ["correction_protected_field"]


def test_days_in_the_future_or_before_enrolment_are_found(tmp_path):
    """`imr check`'s clock over hand-written entries: a day after today or before the enrolment
    is found, in an entry and in what a correction sets; the enrolment's own day, a day between
    the two and an entry with no day are not."""
    from datetime import date, timedelta

    from imr.records.record import parse_record_bytes, validate_record

    def codes(*entries: str) -> list[str]:
        path = tmp_path / "p-02.yaml"
        text = (
            base_record()
            .replace("log:\n", "format: 2\nlog:\n")
            .replace("  by: KL\n", "  by: KL\n  date: '2026-03-01'\n", 1)
        )
        record = parse_record_bytes((text + "".join(entries)).encode(), path, "records/p-02.yaml")
        return [f.code for f in validate_record(record, "records/p-02.yaml")]

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert codes(GOOD_ENTRY) == []
    assert codes(GOOD_ENTRY.replace("date: '2026-03-01'", f"date: '{tomorrow}'")) == ["entry_date_future"]
    assert codes(GOOD_ENTRY.replace("date: '2026-03-01'", "date: '2026-02-28'")) == ["entry_date_before_enrolment"]
    assert codes(GOOD_ENTRY.replace("date: '2026-03-01'", "date: null")) == ["entry_bad_date"]
    correction = (
        "- kind: correction\n  at: '2026-03-02T11:00:00+01:00'\n  by: KL\n  target: abcde001\n"
        "  note: fel dag\n  set:\n    date: '2026-02-01'\n"
    )
    assert codes(GOOD_ENTRY + "  id: abcde001\n", correction) == ["entry_date_before_enrolment"]
