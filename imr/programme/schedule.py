"""`imr schedule`: a group's coming meetings, with the session each one will cover.

The group meets on its weekday(s) (`imr group create --weekday`), one session per meeting, in
the programme order from the group's next session; dates the ward lists as closed in imr.yaml
(`closed: [2026-12-24, 2026-12-31]`: holidays, a study day) are skipped and the session moves
to the following meeting. The iCalendar file carries no names and no participant ids: only the
group's name, the session's number and title, so staff can import it into any calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from imr.core.errors import ImrError
from imr.programme.group_planning import group_progress
from imr.programme.groups import WEEKDAYS, read_group
from imr.workspace.folder import Workspace

DEFAULT_WEEKS = 8


def closed_dates(ws: Workspace) -> set[date]:
    out = set()
    for value in ws.config.get("closed") or []:
        try:
            out.add(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return out


def coming_meetings(ws: Workspace, name: str, weeks: int = DEFAULT_WEEKS, today: date | None = None) -> dict[str, Any]:
    """The group's meetings from today for `weeks` weeks, each with the session it covers."""
    if weeks < 1 or weeks > 104:
        raise ImrError("schedule_bad_weeks", weeks=weeks)
    group = read_group(ws, name)
    days = sorted(WEEKDAYS.index(d) for d in group.weekdays)
    if not days:
        raise ImrError("schedule_no_weekday", group=name)
    progress = group_progress(ws, group)
    order = ws.curriculum.order(None)
    upcoming = []
    if progress.next_ref is not None and progress.next_ref in order:
        upcoming = [r for r in order[order.index(progress.next_ref) :] if r not in progress.held]
    start = today or date.today()
    if progress.last_meeting is not None:
        held_on = date.fromisoformat(progress.last_meeting.date)
        if held_on >= start:
            start = held_on + timedelta(days=1)  # today's meeting is already logged
    closed = closed_dates(ws)
    meetings: list[dict[str, Any]] = []
    day = start
    end = start + timedelta(weeks=weeks)
    while day < end:
        if day.weekday() in days:
            if day in closed:
                meetings.append({"date": day.isoformat(), "closed": True, "session": None, "title": None})
            elif upcoming:
                ref = upcoming.pop(0)
                meetings.append(
                    {
                        "date": day.isoformat(),
                        "closed": False,
                        "session": str(ref),
                        "title": ws.curriculum.session(ref).title,
                    }
                )
        day += timedelta(days=1)
    return {"group": group.name, "weekdays": group.weekdays, "meetings": meetings}


def ics_text(schedule: dict[str, Any], summary: str, today: date | None = None) -> str:
    """An iCalendar file (RFC 5545) with one all-day event per meeting; closed days are left out."""
    stamp = (today or date.today()).strftime("%Y%m%dT000000Z")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//imr//schedule//SV", "CALSCALE:GREGORIAN"]
    for meeting in schedule["meetings"]:
        if meeting["closed"]:
            continue
        day = date.fromisoformat(meeting["date"])
        lines += [
            "BEGIN:VEVENT",
            f"UID:{schedule['group']}-{day:%Y%m%d}-{meeting['session']}@imr",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            "SUMMARY:"
            + _ics_escape(summary.format(group=schedule["group"], session=meeting["session"], title=meeting["title"])),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ics_escape(text: str) -> str:
    # A bare CR ends a line for some calendar readers: every line end (CRLF, CR, LF) becomes "\\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)
