"""`imr status`: one row per participant, so a supervisor sees the whole ward at a glance.

Each row is derived from the participant's log alone (no Markdown, no group files are opened),
and is cached with the record's bytes (`imr.supervision.summaries`), which keeps the command fast on a
big workspace.
A record that cannot be read gets a row saying so instead of stopping the overview.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from imr.programme.imrs import assessments
from imr.programme.planning import next_session
from imr.records.ids import is_valid_id
from imr.records.record import day_of
from imr.workspace.folder import Workspace

OVERDUE_DAYS = 14


def status_rows(ws: Workspace, today: date | None = None) -> list[dict[str, Any]]:
    """The overview as data; `--json` prints it as is, `id` first in every row."""
    from imr.supervision.summaries import summaries

    today = today or date.today()
    rows = []
    for summary in summaries(ws, ws.curriculum):
        stem = summary.path.stem
        if not is_valid_id(stem):
            continue  # `imr check` reports the file name
        if summary.problem is not None:
            rows.append({"id": stem, "error": summary.problem.message(ws.lang)})
            continue
        if summary.row is not None:
            rows.append(dated_row(summary.row, summary.since, today))
    return rows


def participant_row(state, curriculum) -> tuple[dict[str, Any], str | None]:
    """A participant's row without the date-dependent fields, and the date they count from.

    Split this way so that the row can be cached with the record (`imr.supervision.summaries`) and still
    say "days since last session" correctly tomorrow.
    """

    nxt = next_session(state, curriculum)
    last = state.last_session
    last_date = day_of(last.get("date")) if last is not None else None
    since = last_date or day_of(state.enrolled_on)
    groups = [e.get("group") for e in state.sessions + state.absences if e.get("group")]
    imrs = assessments(state) if state.imrs else []
    latest = imrs[-1] if imrs else None
    row = {
        "id": state.id,
        "variant": state.variant,
        "format": state.format,
        "group": groups[-1] if groups else None,
        "leader": state.leader,
        "next_session": str(nxt) if nxt else None,
        "complete": nxt is None,
        "sessions_attended": len(state.sessions),
        "sessions_missed": len(state.absences),
        "absences_in_a_row": sum(1 for e in state.absences
                                 if last_date is None or (day_of(e.get("date")) or last_date) > last_date),
        "last_session": f"{last.get('module')}.{last.get('session')}" if last is not None else None,
        "last_session_date": last_date.isoformat() if last_date else None,
        "days_since_session": None,  # counted to today by dated_row
        "overdue": False,
        "active_goals": len(state.active_goals()),
        "imrs_mean": latest["mean"] if latest else None,
        "imrs_change": latest["change"] if latest else None,
        "imrs_rater": latest["rater"] if latest else None,
        "imrs_date": latest["date"] if latest else None,
    }
    return row, since.isoformat() if since else None


def dated_row(row: dict[str, Any], since: str | None, today: date) -> dict[str, Any]:
    """The row with "days since last session" and "overdue" counted to `today`."""
    start = day_of(since)
    days = (today - start).days if start else None
    out = dict(row)
    out["days_since_session"] = days
    out["overdue"] = bool(days is not None and days > OVERDUE_DAYS and not row.get("complete"))
    return out


