"""`imr status`: one row per participant, so a supervisor sees the whole ward at a glance.

Each row is derived from the participant's log alone (no Markdown, no group files are opened),
and is cached with the record's bytes (`imr.gates.summaries`), which keeps the command fast on a
big workspace.
A record that cannot be read gets a row saying so instead of stopping the overview.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from imr.gates.summaries import summaries
from imr.records.ids import is_valid_id
from imr.workspace.folder import Workspace

OVERDUE_DAYS = 14


def status_rows(ws: Workspace, today: date | None = None) -> list[dict[str, Any]]:
    """The overview as data; `--json` prints it as is, `id` first in every row."""
    return status_overview(ws, today)[0]


def status_overview(ws: Workspace, today: date | None = None) -> tuple[list[dict[str, Any]], int]:
    """The rows, and how many findings `imr check` has in the records (from the same summaries)."""
    today = today or date.today()
    rows = []
    found = 0
    for summary in summaries(ws, ws.curriculum, full=False):  # a report, not a gate
        found += len(summary.findings)
        stem = summary.name[: -len(".yaml")]  # every name here ends so (summaries.record_names)
        if not is_valid_id(stem):
            continue  # `imr check` reports the file name
        if summary.problem is not None:
            rows.append({"id": stem, "error": summary.problem.message(ws.lang)})
            continue
        if summary.row is not None:
            rows.append(dated_row(summary.row, _day(summary.since), today))
    return rows, found


def _day(since: str | None) -> date | None:
    """The day a cached row counts from (written by `participant_row` as an ISO date). Not
    `imr.records.record.day_of`: a warm run imports no record parser."""
    try:
        return date.fromisoformat(since) if since else None
    except ValueError:
        return None


def dated_row(row: dict[str, Any], start: date | None, today: date) -> dict[str, Any]:
    """The row with "days since last session" and "overdue" counted to `today` from `start`."""
    days = (today - start).days if start else None
    out = dict(row)
    out["days_since_session"] = days
    out["overdue"] = bool(days is not None and days > OVERDUE_DAYS and not row.get("complete"))
    return out
