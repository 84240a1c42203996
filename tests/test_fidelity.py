"""`imr fidelity`: IMR-FS items scored from records with their evidence; 8–10 never guessed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import Imr
from record_builders import add, at, enrol, sessions, three_participants  # noqa: F401

from imr.reports.fidelity import as_rows, assess, percent_band, size_band, topic_band
from imr.workspace.folder import open_workspace

TODAY = date(2026, 6, 30)


@pytest.fixture
def ward(imr: Imr):
    """Three individual participants with known attendance, handouts, goals and contacts."""
    three_participants(open_workspace(imr.root))
    return imr


def scores(items) -> dict[int, int | None]:
    return {item.item: item.score for item in items}


def test_bands_follow_the_scale():
    assert [size_band(n) for n in (1, 8, 9, 10, 11, 12, 13, 15, 16)] == [5, 5, 4, 4, 3, 3, 2, 2, 1]
    assert [percent_band(p) for p in (0, 19.9, 20, 39.9, 40, 69.9, 70, 89.9, 90, 100)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [topic_band(n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_items_scored_from_the_records_with_evidence(ward: Imr):
    items = assess(open_workspace(ward.root), today=TODAY)
    assert [i.item for i in items] == list(range(1, 14))
    assert scores(items) == {
        1: 5,
        2: 3,
        3: 4,
        4: 3,
        5: 3,
        6: 3,
        7: 3,
        8: None,
        9: None,
        10: None,
        11: None,
        12: None,
        13: None,
    }
    evidence = {i.item: i.evidence for i in items}
    assert evidence[1]["individual_participants"] == 3 and evidence[1]["groups"] == {}
    assert (evidence[2]["enrolled_six_months"], evidence[2]["six_months_of_sessions"], evidence[2]["percent"]) == (
        2,
        1,
        50.0,
    )
    assert evidence[3]["covered_modules"] == [2, 3, 4, 5, 6, 7, 8] and evidence[3]["topics_total"] == 9
    assert (evidence[4]["participants_receiving"], evidence[4]["participants_with_sessions"]) == (2, 3)
    assert evidence[4]["sessions_with_handout"] == 32 and evidence[4]["sessions"] == 44
    assert (evidence[5]["participants_involving_others"], evidence[5]["participants_attending"]) == (1, 2)
    assert evidence[5]["from"] == "2026-05-31"
    assert (evidence[6]["participants_with_goal"], evidence[6]["participants_attending"]) == (2, 3)
    assert (evidence[7]["participants_followed_up"], evidence[7]["participants_with_goal"]) == (1, 2)
    by_item = {i.item: i for i in items}
    assert [by_item[n].basis for n in (8, 9, 10)] == ["observation"] * 3
    assert [by_item[n].basis for n in (11, 12, 13)] == ["indication"] * 3
    assert [by_item[n].indication for n in (11, 12, 13)] == [2, 2, 2]
    assert by_item[12].evidence["participants_with_plan"] == 1


def test_json_is_a_list_of_13_items(ward: Imr):
    rows = json.loads(ward.ok("fidelity", "--json").output)
    assert len(rows) == 13
    for number, row in enumerate(rows, start=1):
        assert list(row)[:4] == ["item", "name", "score", "basis"]
        assert row["item"] == number and row["name"] and isinstance(row["evidence"], dict) and row["text"]
    assert rows[0]["name"] == "Antal deltagare per träff eller grupp"
    for row in rows[7:10]:
        assert row["score"] is None and "observation" in row["text"] and row["basis"] == "observation"
    for row in rows[10:]:
        assert row["score"] is None and row["text"].startswith("Indikation") and row["indication"] in range(1, 6)


def test_table_says_which_items_need_observation(ward: Imr):
    out = ward.ok("fidelity").output
    assert out.count("kräver observation") >= 3
    assert "indikation" in out and "Medelvärde för de" in out and "delbedömning" in out


def test_since_limits_the_period(ward: Imr):
    items = assess(open_workspace(ward.root), since=date(2026, 6, 1), today=TODAY)
    assert items[0].evidence["participants"] == 2  # p-02's last session was in January
    assert items[4].evidence["from"] == "2026-06-01"
    rows = json.loads(ward.ok("fidelity", "--since", "2026-06-01", "--json").output)
    assert rows[0]["evidence"]["participants"] == 2


def test_what_the_records_do_not_log_is_not_scored(enrolled: Imr):
    # A hand-written session entry without a handout field (the CLI always records one), no contacts.
    path = enrolled.record("p-01")
    path.write_text(
        path.read_text() + "- kind: session\n  at: '2026-01-05T10:00:00+01:00'\n  by: KL\n"
        "  module: 1\n  session: 1\n  date: '2026-01-05'\n"
    )
    items = {i.item: i for i in assess(open_workspace(enrolled.root), today=TODAY)}
    assert items[4].score is None and items[4].reason == "handouts_not_logged"
    assert items[5].score is None and items[5].reason == "others_not_logged"
    assert items[2].score is None and items[2].reason == "length_none_eligible"
    assert items[7].score is None and items[7].reason == "no_goals"
    rows = as_rows(list(items.values()), "sv")
    assert "går inte att bedöma" in rows[3]["text"]


def test_group_size_from_group_sessions_and_group_files(imr: Imr):
    ws = open_workspace(imr.root)
    for n in range(1, 11):
        enrol(ws, f"g-{n:02}", date(2026, 1, 1), format="group")
        sessions(ws, f"g-{n:02}", date(2026, 1, 5), 2, group="tisdag")
    items = assess(ws, today=TODAY)
    assert items[0].score == 4 and items[0].evidence["groups"]["tisdag"]["largest_session"] == 10
    members = "".join(
        f"- kind: member-added\n  at: '2026-01-01T09:0{n % 10}:00+01:00'\n  by: KL\n  id: g-{n:02}\n"
        for n in range(1, 12)
    )
    (imr.root / "groups" / "tisdag.yaml").write_text(
        "id: tisdag\nlog:\n- kind: group-created\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n" + members,
        encoding="utf-8",
    )
    items = assess(ws, today=TODAY)
    assert items[0].evidence["groups"]["tisdag"]["members"] == 11
    assert items[0].score == 3


PERIODS = [(date(2026, 6, 1), TODAY), (date(2026, 5, 2), date(2026, 5, 31)), (date(2026, 1, 1), date(2026, 2, 15))]


def test_several_periods_at_once_are_each_period_on_its_own(ward: Imr):
    """The report assesses this period and the previous one in one pass over the records."""
    from imr.gates.record_facts import periods_facts, person_facts
    from imr.records.parsed import read_all_records
    from imr.records.state import derive_state
    from imr.reports.fidelity import assess_periods

    ws = open_workspace(ward.root)
    read = read_all_records(ws.records_dir, ws.root)
    assert assess_periods(ws, PERIODS, read) == [assess(ws, since, today, fast=False) for since, today in PERIODS]
    periods = [*PERIODS, (None, None), (None, TODAY)]
    for _, record in read:
        state = derive_state(record)
        expected = [person_facts(record, state, ws.curriculum, since, today) for since, today in periods]
        assert periods_facts(record, state, ws.curriculum, periods) == expected
        assert [list(facts) for facts in expected if facts] == [list(expected[0])] * len(periods)


def test_weeks_with_a_session_are_iso_weeks_across_the_new_year(imr: Imr):
    """Item 2 counts calendar weeks with a session: 2024-12-29 is in ISO week 52 of 2024, while
    2024-12-30 and 2025-01-05 are both in week 1 of 2025."""
    from imr.gates.record_facts import person_facts
    from imr.records.parsed import read_all_records
    from imr.records.state import derive_state

    ws = open_workspace(imr.root)
    enrol(ws, "p-01", date(2024, 12, 1))
    for day in (date(2024, 12, 29), date(2024, 12, 30), date(2025, 1, 5), date(2025, 1, 6)):
        add(ws, "p-01", "session", day, module=1, session=day.day % 4 + 1, date=day.isoformat())
    [(_, record)] = read_all_records(ws.records_dir, ws.root)
    facts = person_facts(record, derive_state(record), ws.curriculum, None, None)
    assert facts is not None and facts["weeks"] == 3


def test_complete_means_next_session_finds_none(imr: Imr):
    """A participant has had every session of their order (the fidelity facts' `complete`) when
    next_session finds none: held in any order, some twice, an order named by hand, a session
    the curriculum does not have."""
    from imr.programme.planning import next_session
    from imr.records.ids import SessionRef
    from imr.records.record import Entry
    from imr.records.state import ParticipantState

    curriculum = open_workspace(imr.root).curriculum
    order = curriculum.order()

    def state(refs, module_order=None) -> ParticipantState:
        data = [{"kind": "session", "module": r.module, "session": r.session, "date": "2026-01-05"} for r in refs]
        entries = [Entry(number, number, item) for number, item in enumerate(data, start=1)]
        return ParticipantState(id="p-01", sessions=entries, module_order=module_order)

    cases = [
        state([]),
        state(order[:5]),
        state(order),
        state(order[:-1]),
        state(order + order[:3]),  # some sessions twice
        state([*order[:-1], SessionRef(99, 1)]),  # as many held as the order has, one of them not in it
        state(list(reversed(order)), [3, 1, 2]),
        state(order, [5, 5, 2]),
        state(order[:10], []),
    ]
    assert [next_session(case, curriculum) is None for case in cases] == [False] * 2 + [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
    ]
    with pytest.raises(TypeError):  # an order written by hand as a number: refused
        next_session(state(order[:3], 5), curriculum)


def test_an_unreadable_record_is_counted_not_fatal(ward: Imr):
    (ward.root / "records" / "p-09.yaml").write_text("id: p-09\nlog: [oops\n", encoding="utf-8")
    rows = json.loads(ward.ok("fidelity", "--json").output)
    assert rows[0]["evidence"]["unreadable_records"] == 1 and "gick inte att läsa" in rows[0]["text"]


@pytest.mark.parametrize("value", ["2026-13-01", "förra året", "2999-01-01"])
def test_bad_since_gives_one_message(ward: Imr, value: str):
    result = ward("fidelity", "--since", value)
    assert result.exit_code == 1 and result.output.startswith("Fel:") and result.output.count("\n") == 1


def test_group_format_without_any_group_named_is_not_scored(imr: Imr):
    ws = open_workspace(imr.root)
    enrol(ws, "p-01", date(2026, 1, 1), format="group")
    sessions(ws, "p-01", date(2026, 1, 5), 2)
    item = assess(ws, today=TODAY)[0]
    assert item.score is None and item.reason == "group_size_unknown"


def test_session_log_records_handout_and_significant_other_for_fidelity(enrolled):
    import json as _json

    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--significant-other", "--handout")
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-09", "--no-handout")
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-16")
    text = enrolled.record("p-01").read_text()
    assert text.count("handout: true") == 1 and text.count("handout: false") == 1, "nothing is assumed when not said"
    assert text.count("significant_other: true") == 1
    items = {row["item"]: row for row in _json.loads(enrolled.ok("fidelity", "--json").output)}
    assert items[4]["evidence"] and items[5]["evidence"]


def test_a_participant_enrolled_individually_who_joined_a_group_counts_in_the_group(imr):
    import json as _json

    imr.ok("patient", "add", "p-01")  # enrolled as individual (the default)
    imr.ok("patient", "add", "p-02", "--format", "group")
    imr.ok("group", "create", "tors")
    imr.ok("group", "add", "tors", "p-01", "p-02")
    imr.ok("session", "log", "--group", "tors", "--date", "2026-03-05", "--handout")
    item = {row["item"]: row for row in _json.loads(imr.ok("fidelity", "--json").output)}[1]
    assert item["evidence"]["individual_participants"] == 0 and item["evidence"]["largest_group"] == 2
