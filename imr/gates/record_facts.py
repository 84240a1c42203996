"""What one record says for the ward's overviews: its `imr status` row and its IMR-FS facts.

Both are computed once per version of a record's bytes and kept by `imr.gates.summaries`;
`imr.reports.status` and `imr.reports.fidelity` read them from there. Kept below all
three so that each imports only downwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from imr.programme.imrs import assessments
from imr.programme.planning import RELAPSE_MODULE, next_session
from imr.records.record import Record, day_of
from imr.records.state import ParticipantState

# Item 3: the scale's nine topic areas are those of modules 2–10 (illness facts, stress–
# vulnerability, social support, medication, alcohol and drugs, relapses, stress, problems
# and symptoms, the care system). Module 1 is goal setting (items 6–7); 11 is newer.
TOPIC_MODULES = (2, 3, 4, 5, 6, 7, 8, 9, 10)
# Items 11–13: the modules where the skill is trained (the relapse plan's is planning's).
COPING_MODULES = (8, 9)
MEDICATION_MODULE = 5


def participant_row(state, curriculum) -> tuple[dict[str, Any], str | None]:
    """A participant's row without the date-dependent fields, and the date they count from.

    Split this way so that the row can be cached with the record (`imr.gates.summaries`) and still
    say "days since last session" correctly tomorrow.
    """

    nxt = next_session(state, curriculum)
    last = state.last_session
    last_date = day_of(last.get("date")) if last is not None else None
    since = last_date or day_of(state.enrolled_on)
    groups = [group for e in state.sessions + state.absences if (group := e.data.get("group"))]
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
        "absences_in_a_row": sum(
            1 for e in state.absences if last_date is None or (day_of(e.get("date")) or last_date) > last_date
        ),
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


# Facts every item needs from one participant. A dict of JSON values, so that the summaries
# cache can keep it next to the status row; FACT_KEYS is what a cached one must hold.
FACT_ORDER = (
    "id",
    "individual",
    "active",
    "sessions",
    "topics",
    "handout_logged",
    "handout_given",
    "group_sessions",
    "last_session",
    "last_contact",
    "last_joined",
    "others_logged",
    "complete",
    "enrolled_on",
    "weeks",
    "attending",
    "goals",
    "followed",
    "coping",
    "relapse",
    "plan",
    "medication",
    "latest",
)
FACT_KEYS = frozenset(FACT_ORDER)


def person_facts(
    record: Record, state: ParticipantState, curriculum, since: date | None, today: date | None
) -> dict[str, Any] | None:
    """What the items count for one participant in the period from `since` to `today`.

    With neither (the summaries cache), the period is every dated entry; `latest` says up to
    which day that holds, so a run whose `today` is earlier counts the record afresh. None when
    a value would not survive JSON unchanged (a hand-edited group name that is a list, say).
    """
    return periods_facts(record, state, curriculum, [(since, today)])[0]


def periods_facts(
    record: Record,
    state: ParticipantState,
    curriculum,
    periods: Sequence[tuple[date | None, date | None]],
) -> list[dict[str, Any] | None]:
    """`person_facts` for each period, in order. What does not depend on the period (the next
    session, the days of the entries) is worked out once for all of them: the report assesses
    this period and the previous one."""
    dated = [(e, day_of(e.data.get("date"))) for e in state.sessions]
    contact_days = [day for e in state.contacts if (day := day_of(e.data.get("date")))]
    # history[0] is the goal itself; what comes after it is follow-up.
    follow_up_days = [
        day_of(e.get("date")) or day_of(e.get("at")) or date.min
        for goal in state.goals.values()
        for e in goal.history[1:]
    ]
    entry_days = (
        [day_of(e.data.get("date")) or day_of(e.data.get("at")) for e in record.entries]
        if any(since is not None for since, _ in periods)
        else []
    )
    out: list[dict[str, Any] | None] = []
    shared: dict[str, Any] | None = None
    for since, today in periods:
        facts = _period_facts(state, dated, contact_days, follow_up_days, entry_days, since, today)
        if facts is not None:
            shared = shared or _lasting_facts(state, dated, contact_days, curriculum)
            facts = {key: facts[key] if key in facts else shared[key] for key in FACT_ORDER}
        out.append(facts)
    return out


def _last(days) -> str | None:
    return max(days).isoformat() if days else None


def _period_facts(
    state: ParticipantState,
    dated: list,
    contact_days: list[date],
    follow_up_days: list[date],
    entry_days: list[date | None],
    since: date | None,
    today: date | None,
) -> dict[str, Any] | None:
    """The facts that depend on the period; None as in `person_facts`."""
    upper = today or date.max

    def within(day: date | None) -> bool:
        return day is not None and (since is None or day >= since) and day <= upper

    held = [(e.data, day) for e, day in dated if within(day)]
    sessions = [data for data, _ in held]
    groups = [[e.get("group"), e.get("date"), e.get("module"), e.get("session")] for e in sessions if e.get("group")]
    if any(not isinstance(value, (str, int, float, type(None))) for key in groups for value in key):
        return None
    return {
        "id": state.id,
        "individual": state.format == "individual",
        "active": since is None or any(within(day) for day in entry_days),
        "sessions": len(sessions),
        "topics": sorted({e.get("module") for e in sessions} & set(TOPIC_MODULES)),
        "handout_logged": sum(1 for e in sessions if "handout" in e),
        "handout_given": sum(1 for e in sessions if e.get("handout") is True),
        "group_sessions": groups,
        "last_session": _last([day for _, day in held]),
        "last_contact": _last([day for day in contact_days if within(day)]),
        "last_joined": _last([day for data, day in held if data.get("significant_other") is True]),
        "followed": bool(follow_up_days) if since is None else any(day >= since for day in follow_up_days),
    }


def _lasting_facts(state: ParticipantState, dated: list, contact_days: list[date], curriculum) -> dict[str, Any]:
    """The facts that are the same whatever the period."""
    modules = {e.get("module") for e in state.sessions}
    every_day = [day for _, day in dated if day] + contact_days
    return {
        "others_logged": bool(state.contacts) or any("significant_other" in e.data for e in state.sessions),
        "complete": next_session(state, curriculum) is None,
        "enrolled_on": (day.isoformat() if (day := day_of(state.enrolled_on)) else None),
        # ISO weeks run Monday to Sunday, and day 1 (0001-01-01) was a Monday: one number a week
        "weeks": len({(day.toordinal() - 1) // 7 for _, day in dated if day}),
        "attending": bool(state.sessions),
        "goals": bool(state.goals),
        "coping": bool(modules & set(COPING_MODULES)),
        "relapse": state.relapse_plan is not None or RELAPSE_MODULE in modules,
        "plan": state.relapse_plan is not None,
        "medication": MEDICATION_MODULE in modules,
        "latest": _last(every_day),
    }
