"""*Idag*: the ward's week at a glance: every participant and group with the next session, who is
due this week, who is slipping (absences in a row, no session for 14 days) and whether there are
changes not yet shared.

Built on `imr status`'s rows (cached with each record, so it stays fast on a large ward) and the
group schedule; nothing here reads notes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from imr.web.pages import WebContext, context, page, render

DUE_AFTER_DAYS = 7  # a weekly programme: a participant is due once a week has passed
SLIPPING_ABSENCES = 2


def participant_rows(ctx: WebContext, today: date) -> list[dict[str, Any]]:
    from imr.reports.status import status_rows

    rows = []
    for row in status_rows(ctx.ws, today):
        if "error" in row:
            rows.append({"id": row["id"], "error": row["error"]})
            continue
        days = row.get("days_since_session")
        slipping = []
        if row.get("absences_in_a_row", 0) >= SLIPPING_ABSENCES:
            slipping.append(("absences", row["absences_in_a_row"]))
        if row.get("overdue"):
            slipping.append(("no_session", days))
        rows.append(
            {
                "id": row["id"],
                "group": row.get("group"),
                "next": row.get("next_session"),
                "complete": row.get("complete"),
                "last_date": row.get("last_session_date"),
                "days": days,
                "due": not row.get("complete") and not row.get("group") and (days is None or days >= DUE_AFTER_DAYS),
                "slipping": slipping,
            }
        )
    return rows


def group_rows(ctx: WebContext, today: date) -> list[dict[str, Any]]:
    from imr.core.errors import ImrError
    from imr.programme.group_planning import group_progress
    from imr.programme.groups import all_groups
    from imr.programme.schedule import coming_meetings

    rows = []
    week_end = today + timedelta(days=6 - today.weekday())
    for group in all_groups(ctx.ws):
        progress = group_progress(ctx.ws, group)
        meeting = None
        if group.weekdays:
            try:
                meetings = coming_meetings(ctx.ws, group.name, weeks=1, today=today)["meetings"]
            except ImrError:
                meetings = []
            meeting = next((m for m in meetings if not m["closed"]), None)
        this_week = meeting is not None and date.fromisoformat(meeting["date"]) <= week_end
        last = progress.last_meeting
        rows.append(
            {
                "name": group.name,
                "size": len(group.members),
                "next": str(progress.next_ref) if progress.next_ref else None,
                "meeting_date": meeting["date"] if meeting else None,
                "due": this_week,
                "last_date": last.date if last else None,
            }
        )
    return rows


def unsynced(ctx: WebContext) -> int | None:
    """How many record files changed here are not yet shared; None outside git."""
    from imr.gates.pending import own_changes

    if not (ctx.ws.root / ".git").exists():
        return None
    try:
        return len(own_changes(ctx.ws.root))
    except (OSError, ValueError):
        return None


SHOWN = 40  # cards per list; the table below has everybody


@page()
async def today_page(request: Request):
    import asyncio

    from starlette.concurrency import run_in_threadpool

    ctx = context(request)
    today = date.today()
    # `git status` runs as its own process: let it work while the records are read.
    changes = asyncio.ensure_future(run_in_threadpool(unsynced, ctx))
    people = participant_rows(ctx, today)
    groups = group_rows(ctx, today)
    due = [p for p in people if p.get("due")]
    slipping = [p for p in people if p.get("slipping")]
    return render(
        request,
        "today.html",
        title=ctx.s()["nav_today"],
        people=people,
        groups=groups,
        unsynced=await changes,
        today=today.isoformat(),
        due=due[:SHOWN],
        due_more=len(due) - SHOWN,
        slipping=slipping[:SHOWN],
        slipping_more=len(slipping) - SHOWN,
        groups_due=[g for g in groups if g["due"]],
    )


ROUTES = [Route("/", today_page)]
