"""`imr status`: one row per participant, so a supervisor sees the whole ward at a glance.

Each record is read once, through the records cache (`imr.records_cache`), and nothing else
is opened (no Markdown, no group files): the row is derived from the log alone, which keeps
the command fast on a big workspace.
A record that cannot be read gets a row saying so instead of stopping the overview.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from imr.records import RecordProblem
from imr.state import derive_state
from imr.workspace import Workspace

OVERDUE_DAYS = 14


def status_rows(ws: Workspace, today: date | None = None) -> list[dict[str, Any]]:
    """The overview as data; `--json` prints it as is, `id` first in every row."""
    from imr.ids import is_valid_id
    from imr.records_cache import read_all_records

    today = today or date.today()
    if not ws.records_dir.is_dir():
        return []
    curriculum = ws.curriculum
    rows = []
    for path, result in read_all_records(ws.records_dir, ws.root):
        if not is_valid_id(path.stem):
            continue  # `imr check` reports the file name
        if isinstance(result, RecordProblem):
            rows.append({"id": path.stem, "error": result.finding.message(ws.lang)})
            continue
        rows.append(participant_row(derive_state(result), curriculum, today))
    return rows


def participant_row(state, curriculum, today: date) -> dict[str, Any]:
    from imr.imrs import assessments
    from imr.planning import next_session

    nxt = next_session(state, curriculum)
    last = state.last_session
    last_date = _day(last.get("date")) if last is not None else None
    since = last_date or _day(state.enrolled_on)
    days = (today - since).days if since else None
    groups = [e.get("group") for e in state.sessions + state.absences if e.get("group")]
    imrs = assessments(state) if state.imrs else []
    latest = imrs[-1] if imrs else None
    return {
        "id": state.id,
        "variant": state.variant,
        "format": state.format,
        "group": groups[-1] if groups else None,
        "leader": state.leader,
        "next_session": str(nxt) if nxt else None,
        "complete": nxt is None,
        "sessions_attended": len(state.sessions),
        "sessions_missed": len(state.absences),
        "last_session": f"{last.get('module')}.{last.get('session')}" if last is not None else None,
        "last_session_date": last_date.isoformat() if last_date else None,
        "days_since_session": days,
        "overdue": bool(days is not None and days > OVERDUE_DAYS and nxt is not None),
        "active_goals": len(state.active_goals()),
        "imrs_mean": latest["mean"] if latest else None,
        "imrs_change": latest["change"] if latest else None,
        "imrs_rater": latest["rater"] if latest else None,
        "imrs_date": latest["date"] if latest else None,
    }


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
