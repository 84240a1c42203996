"""`imr schedule`: coming meetings on the group's weekday, closed days skipped, and an .ics file
with nothing but the group and the session, parsed back with the icalendar library."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def torsdag(imr):
    for pid in ("c-01", "c-02"):
        imr.ok("patient", "add", pid, "--format", "group")
    imr.ok("group", "create", "torsdag", "--weekday", "torsdag")
    imr.ok("group", "add", "torsdag", "c-01", "c-02")
    imr.ok("session", "log", "--group", "torsdag", "--module", "1", "--session", "1", "--date", "2026-02-26")
    config = imr.root / "imr.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "closed:\n- '2026-03-12'\n", encoding="utf-8")
    return imr


def test_meetings_follow_the_programme_and_skip_closed_days(torsdag):
    from imr.programme.schedule import coming_meetings
    from imr.workspace.folder import open_workspace

    ws = open_workspace(torsdag.root)
    order = ws.curriculum.order(None)
    plan = coming_meetings(ws, "torsdag", 3, today=date(2026, 3, 2))  # a Monday: Thursdays 5, 12, 19 March
    assert [(m["date"], m["closed"], m["session"]) for m in plan["meetings"]] == [
        ("2026-03-05", False, str(order[1])),
        ("2026-03-12", True, None),
        ("2026-03-19", False, str(order[2])),
    ]
    assert plan["meetings"][0]["title"] == ws.curriculum.session(order[1]).title
    torsdag.ok("check")  # a closed-days list is a valid, clean imr.yaml


def test_ics_has_one_event_per_meeting_and_no_names(torsdag):
    import icalendar

    out = torsdag.root / "torsdag.ics"
    result = torsdag.ok("schedule", "--group", "torsdag", "--weeks", "4", "--ics", str(out))
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    expected = [d for d in _thursdays_from_today(4) if d != date(2026, 3, 12)]
    assert [e.decoded("DTSTART") for e in events] == expected
    assert all(str(e.get("SUMMARY")).startswith("IMR torsdag: träff ") for e in events)
    raw = out.read_text(encoding="utf-8")
    assert "c-01" not in raw and "c-02" not in raw and "KL" not in raw
    assert "Kommande träffar för torsdag" in result.output


def test_a_group_without_weekday_is_refused(imr):
    imr.ok("group", "create", "utan-dag")
    imr.refused("schedule", "--group", "utan-dag")
    imr.refused("schedule", "--group", "finns-inte")


def _thursdays_from_today(weeks: int) -> list[date]:
    from datetime import timedelta

    today = date.today()
    return [today + timedelta(days=n) for n in range(7 * weeks) if (today + timedelta(days=n)).weekday() == 3]
