"""`imr report`: what a supervisor or ward manager needs to see about one period, as data.

Leadership keeps IMR going when it can see that sessions happen every week, who is slipping,
and whether the records can be trusted. This module gathers that from the library (derived
state, group meetings, fidelity, IMRS, the history and duplicate gates) into one dict per
section; `imr.reports.report_render` puts it into words (a typed view) and a self-contained
HTML page, `imr.reports.report_pdf` into a PDF. Nothing here re-derives what the library already
knows, and nothing from free-text notes is included unless the caller asks for it
(`notes=True`): the report is meant to be shown in meetings.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from imr.core.errors import ImrError
from imr.gates.history import NOTICES, history_findings
from imr.gates.integrity import NOTICES as LOOK_OVER
from imr.gates.integrity import RESOLVED_AFTER_MERGE, duplicate_findings
from imr.programme.goals import describe_goals
from imr.programme.group_planning import catch_up, group_progress
from imr.programme.groups import all_groups, read_group
from imr.programme.imrs import assessments, change_summary
from imr.records.findings import Finding
from imr.records.ids import is_valid_id
from imr.records.parallel import paused_gc
from imr.records.parsed import read_all_records
from imr.records.record import Entry, Record, RecordProblem, day_of
from imr.records.state import ParticipantState, derive_state
from imr.reports.fidelity import as_rows, assess, assess_periods, mean_score
from imr.workspace.folder import Workspace

T = TypeVar("T")

DEFAULT_DAYS = 28  # four weeks: one supervision cycle
NO_SESSION_DAYS = 14  # "no session in 14 days or more"
STALE_GOAL_DAYS = 28  # "goals without progress for 4 weeks or more"
ABSENCE_RUN = 2  # consecutive absences worth a supervisor's attention


def period(since: date | None, until: date | None, today: date | None = None) -> tuple[date, date]:
    """The period asked for; by default the four weeks up to today."""
    until = until or today or date.today()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ImrError("report_bad_period", since=since.isoformat(), until=until.isoformat())
    return since, until


def _within(value: Any, since: date, until: date) -> bool:
    day = day_of(value)
    return day is not None and since <= day <= until


def build_report(
    ws: Workspace,
    *,
    since: date | None = None,
    until: date | None = None,
    group: str | None = None,
    notes: bool = False,
    today: date | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Every section of the report for one workspace and period, as plain data.

    Made without the cyclic garbage collector (`paused_gc`): the records' entries, their
    states and the sections are hundreds of thousands of small objects and none is garbage,
    so the collector would only walk them again and again (about a sixth of the work at
    1,000 participants). Reference counting frees as usual; the collector runs again after.
    """
    with paused_gc():
        return _build_report(ws, since, until, group, notes, today, lang)


def _build_report(
    ws: Workspace,
    since: date | None,
    until: date | None,
    group: str | None,
    notes: bool,
    today: date | None,
    lang: str | None,
) -> dict[str, Any]:
    since, until = period(since, until, today)
    groups = [read_group(ws, group)] if group else all_groups(ws)
    rewrites = _started(_rewrites, ws)  # git reads the history on the other core meanwhile
    records: dict[str, Record] = {}
    states: dict[str, ParticipantState] = {}
    unreadable: list[str] = []
    read = list(read_all_records(ws.records_dir, ws.root)) if ws.records_dir.is_dir() else []
    every_state = states
    if read:
        for path, result in read:
            if not is_valid_id(path.stem):
                continue
            if isinstance(result, RecordProblem):
                unreadable.append(path.stem)
                continue
            records[path.stem] = result
            states[path.stem] = derive_state(result)
    if group:
        wanted = set(groups[0].ever)
        records = {k: v for k, v in records.items() if k in wanted}
        states = {k: v for k, v in states.items() if k in wanted}  # fidelity stays the ward's (every_state)
    length = (until - since).days + 1
    previous = (since - timedelta(days=length), since - timedelta(days=1))
    progress = _group_progress(ws, groups)
    dated = {pid: (_dated(state.sessions), _dated(state.absences)) for pid, state in states.items()}
    report: dict[str, Any] = {
        "workspace": ws.name,
        "lang": lang or ws.lang,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "previous": {"since": previous[0].isoformat(), "until": previous[1].isoformat()},
        "group": group,
        "participants": len(states),
        "totals": totals(records, dated, since, until),
        "unreadable": unreadable,
        "integrity": integrity_section(ws, records, since, until, rewrites()),
        "oversight": oversight_section(records, states, since, until),
        "regularity": regularity_section(groups, progress, states, since, until, dated),
        "attendance": attendance_section(progress, since, until),
        "behind": behind_section(states, groups, progress, since, until, dated),
        "goals": goals_section(states, until),
        "outcomes": outcomes_section(states, until),
        "fidelity": fidelity_section(ws, since, until, previous, lang or ws.lang, read, every_state),
        "changes": changes_section(ws, records, groups, since, until),
    }
    if notes:
        report["notes"] = notes_section(states, since, until)
    return report


def totals(records: dict, dated: dict, since: date, until: date) -> dict[str, int]:
    """Counts for a region's summary table: who had anything logged in the period, and the
    sessions attended and missed in it (group and individual alike)."""
    active = sum(1 for record in records.values() if _active(record, since, until))
    present = sum(len(_meetings(sessions, since, until)) for sessions, _ in dated.values())
    absent = sum(len(_meetings(absences, since, until)) for _, absences in dated.values())
    return {"active": active, "present": present, "absent": absent}


def _active(record: Record, since: date, until: date) -> bool:
    """Anything dated (or, undated, written) in the period. (The loops over every entry read
    `entry.data` directly: at a region's size every call per entry shows.)"""
    for entry in record.entries:
        data = entry.data
        day = day_of(data.get("date") or data.get("at"))
        if day is not None and since <= day <= until:
            return True
    return False


def _meetings(dated: list, since: date, until: date) -> set[tuple[str, Any, Any]]:
    """Sessions by day and session, so that one logged twice (check's finding) counts once."""
    return {
        (str(data.get("date")), data.get("module"), data.get("session"))
        for data, day in dated
        if day is not None and since <= day <= until
    }


def _group_progress(ws: Workspace, groups: list) -> dict[str, Any]:

    return {g.name: group_progress(ws, g) for g in groups}


# --- integrity -----------------------------------------------------------------------------------


def _rewrites(ws: Workspace) -> list[Finding]:
    """Every rewrite in the workspace's history and not committed yet (none without git)."""
    try:
        return history_findings(ws.root, since="")
    except ImrError:
        return []


def _started(func: Callable[..., T], *args: Any) -> Callable[[], T]:
    """`func(*args)` run in a thread from now on; what is returned waits for its result (or
    raises its error). For work that mostly waits on another process, such as git."""
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["result"] = func(*args)
        except BaseException as error:  # raised again in the caller's thread
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in done:
            raise done["error"]
        return done["result"]

    return result


def integrity_section(
    ws: Workspace, records: dict, since: date, until: date, rewrites: list[Finding] | None = None
) -> list[dict[str, Any]]:
    """Rewrites committed in the period (or not committed yet) and unresolved duplicates;
    `rewrites`: the history's findings when the caller has them (`_rewrites`)."""
    out: list[dict[str, Any]] = []
    for finding in _rewrites(ws) if rewrites is None else rewrites:
        committed = finding.params.get("date")
        if committed and not _within(committed, since, until):
            continue
        # Who made it: the commit's author as git has it, and whether the commit is signed.
        out.append(
            {
                "kind": "repaired" if finding.code in NOTICES else "rewrite",
                "code": finding.code,
                "path": finding.path,
                "line": finding.line,
                "commit": str(finding.params.get("commit", "")),
                "date": committed or "",
                "author": str(finding.params.get("author", "")),
                "signed": str(finding.params.get("signed", "")),
                "repair": str(finding.params.get("repair", "")),
                "repair_author": str(finding.params.get("repair_author", "")),
            }
        )
    for pid in sorted(records):
        for finding in duplicate_findings(records[pid], f"records/{pid}.yaml"):
            if finding.code not in RESOLVED_AFTER_MERGE and not finding.code.startswith("entry_id"):
                continue
            out.append(
                {
                    "kind": "look" if finding.code in LOOK_OVER else "duplicate",
                    "code": finding.code,
                    "path": finding.path,
                    "line": finding.line,
                    "id": pid,
                    **{k: str(v) for k, v in finding.params.items()},
                }
            )
    return out


LATE_DAYS = 7


def oversight_section(records: dict, states: dict, since: date, until: date) -> dict[str, list[dict[str, Any]]]:
    """What a supervisor looks at besides errors: entries voided in the period, sessions and
    absences registered more than a week after their date, participants without a goal or
    without a staff rating on the IMR Scale."""
    voided: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    for pid in sorted(records):
        record = records[pid]
        for entry in record.entries:
            data = entry.data
            kind = data.get("kind", "")
            if kind == "correction":
                written = day_of(data.get("at")) if data.get("void") is True else None
                if written is None or not since <= written <= until:
                    continue
                target = record.resolve(entry.get("target"))
                voided.append(
                    {
                        "id": pid,
                        "entry": str(entry.get("target")),
                        "by": str(entry.get("by", "")),
                        "target_by": str(target.get("by", "")) if target is not None else "?",
                        "date": written.isoformat(),
                        "note": str(entry.get("note", ""))[:80],
                    }
                )
            elif kind in ("session", "absent"):
                day = day_of(data.get("date"))
                if day is None or not since <= day <= until:
                    continue
                written = day_of(data.get("at"))
                if written and (written - day).days > LATE_DAYS:
                    late.append(
                        {
                            "id": pid,
                            "entry": entry.id,
                            "by": str(entry.get("by", "")),
                            "session": f"{entry.get('module')}.{entry.get('session')}",
                            "date": day.isoformat(),
                            "written": written.isoformat(),
                            "days": (written - day).days,
                        }
                    )
    no_goal = [pid for pid, state in sorted(states.items()) if not state.goals]
    no_rating = [
        pid for pid, state in sorted(states.items()) if not any(e.get("rater") == "clinician" for e in state.imrs)
    ]
    return {
        "voided": voided,
        "late": late,
        "no_goal": [{"id": p} for p in no_goal],
        "no_rating": [{"id": p} for p in no_rating],
    }


# --- regularity ----------------------------------------------------------------------------------


def weeks(since: date, until: date) -> list[date]:
    """The Mondays of the ISO weeks the period touches."""
    first = since - timedelta(days=since.weekday())
    out = []
    while first <= until:
        out.append(first)
        first += timedelta(days=7)
    return out


def _week_index(day: date, mondays: list[date]) -> int:
    return (day - mondays[0]).days // 7


def regularity_section(
    groups: list, progress: dict, states: dict, since: date, until: date, dated: dict
) -> dict[str, Any]:
    """Sessions held per week per group and per individual track, against one a week
    (`dated`: each participant's sessions and absences with their days, from `_dated`)."""
    mondays = weeks(since, until)
    rows = []
    for g in groups:
        counts = [0] * len(mondays)
        for meeting in progress[g.name].meetings:
            day = day_of(meeting.date)
            if meeting.present and day and since <= day <= until:
                counts[_week_index(day, mondays)] += 1
        rows.append(_regularity_row("group", g.name, counts, max(1, len(g.weekdays))))
    quiet = []
    for pid in sorted(states):
        state = states[pid]
        sessions = dated[pid][0]
        if state.format == "individual":
            counts = [0] * len(mondays)
            for data, day in sessions:
                if not data.get("group") and day and since <= day <= until:
                    counts[_week_index(day, mondays)] += 1
            rows.append(_regularity_row("individual", pid, counts, 1))
        held = [day for _, day in sessions if day and day <= until]
        if not held:
            quiet.append({"id": pid, "last": None, "days": None})
        elif (until - max(held)).days >= NO_SESSION_DAYS:
            quiet.append({"id": pid, "last": max(held).isoformat(), "days": (until - max(held)).days})
    return {
        "weeks": [{"monday": m.isoformat(), "week": m.isocalendar()[1]} for m in mondays],
        "rows": rows,
        "quiet": quiet,
        "quiet_days": NO_SESSION_DAYS,
    }


def _dated(entries: list[Entry]) -> list[tuple[dict, date | None]]:
    """Each entry's fields with the day it is dated, worked out once for every section."""
    return [(entry.data, day_of(entry.data.get("date"))) for entry in entries]


def _regularity_row(kind: str, name: str, counts: list[int], planned: int) -> dict[str, Any]:
    gaps = [i for i, n in enumerate(counts) if n < planned]
    return {
        "kind": kind,
        "name": name,
        "counts": counts,
        "planned": planned,
        "gaps": gaps,
        "held": sum(counts),
        "weeks_met": len(counts) - len(gaps),
    }


# --- attendance ----------------------------------------------------------------------------------


def attendance_section(progress: dict, since: date, until: date) -> list[dict[str, Any]]:
    """Per group: meetings in the period × members, with absences made up marked as caught up."""
    out = []
    for name, prog in progress.items():
        meetings = [m for m in prog.meetings if _within(m.date, since, until)]
        members = [
            pid for pid in prog.group.ever if pid in prog.group.members or any(pid in m.entries for m in meetings)
        ]
        rows = []
        for pid in members:
            state = prog.states.get(pid)
            done = state.done if state else set()
            cells = []
            for meeting in meetings:
                if pid in meeting.present:
                    cells.append("present")
                elif pid in meeting.absent:
                    cells.append("caught_up" if meeting.ref in done else "absent")
                else:
                    cells.append("")
            rows.append(
                {
                    "id": pid,
                    "cells": cells,
                    "runs": _absence_runs(cells),
                    "present": cells.count("present"),
                    "absent": cells.count("absent") + cells.count("caught_up"),
                    "caught_up": cells.count("caught_up"),
                }
            )
        out.append(
            {
                "group": name,
                "meetings": [
                    {
                        "date": m.date,
                        "session": str(m.ref),
                        "present": len(set(m.present)),
                        "absent": len(set(m.absent)),
                    }
                    for m in meetings
                ],
                "members": rows,
            }
        )
    return out


def _absence_runs(cells: list[str]) -> list[int]:
    """Indexes of cells in a run of ABSENCE_RUN or more meetings missed in a row."""
    marked: list[int] = []
    run: list[int] = []
    for index, cell in enumerate([*cells, "present"]):
        if cell in ("absent", "caught_up"):
            run.append(index)
            continue
        if cell == "":
            continue  # not a member then: neither breaks nor extends a run
        if len(run) >= ABSENCE_RUN:
            marked.extend(run)
        run = []
    return marked


# --- who is falling behind -----------------------------------------------------------------------


def behind_section(
    states: dict, groups: list, progress: dict, since: date, until: date, dated: dict
) -> list[dict[str, Any]]:
    """Participants with a current run of absences, catch-ups not made, homework rarely done,
    or open goals that have not moved for four weeks (`dated` as for `regularity_section`)."""
    group_of = {pid: g.name for g in groups for pid in g.members}
    out = []
    for pid in sorted(states):
        state = states[pid]
        sessions, absences = dated[pid]
        timeline = sorted(
            [(data.get("date"), data.get("at"), True) for data, day in sessions if day and day <= until]
            + [(data.get("date"), data.get("at"), False) for data, day in absences if day and day <= until],
            key=lambda x: (str(x[0]), str(x[1])),
        )
        run = 0
        for _, _, present in reversed(timeline):
            if present:
                break
            run += 1
        pending: list[str] = []
        name = group_of.get(pid)
        if name is not None and name in progress:
            pending = [str(ref) for ref in catch_up(state, name, progress[name].held)]
        reviews = [
            data.get("homework_review")
            for data, day in sessions
            if day is not None
            and since <= day <= until
            and data.get("homework_review") in ("done", "partly", "not-done")
        ]
        rate = round(100 * reviews.count("done") / len(reviews)) if reviews else None
        stale = []
        for goal in state.active_goals():
            moved = [d for e in goal.history if (d := day_of(e.get("date")) or day_of(e.get("at")))]
            last = max(moved) if moved else None
            if last is None or (until - last).days >= STALE_GOAL_DAYS:
                stale.append(
                    {
                        "goal": goal.id,
                        "since": last.isoformat() if last else None,
                        "days": (until - last).days if last else None,
                    }
                )
        reasons = []
        if run >= ABSENCE_RUN:
            reasons.append("absences")
        if pending:
            reasons.append("catch_up")
        if rate is not None and rate < 50:
            reasons.append("homework")
        if stale:
            reasons.append("goals")
        if reasons:
            out.append(
                {
                    "id": pid,
                    "reasons": reasons,
                    "absence_run": run,
                    "catch_up": pending,
                    "homework_rate": rate,
                    "homework_reviews": len(reviews),
                    "stale_goals": stale,
                }
            )
    return out


# --- goals ---------------------------------------------------------------------------------------


def goals_section(states: dict, until: date) -> list[dict[str, Any]]:
    """Per participant: open goals, steps done, and the dates steps were done (a timeline)."""
    out = []
    for pid in sorted(states):
        state = states[pid]
        described = describe_goals(state)
        if not described:
            continue
        done_dates: list[str] = []
        started: list[str] = []
        for goal in described:
            for item in goal["history"]:
                day = day_of(item.get("date")) or day_of(item.get("at"))
                if day is None or day > until:
                    continue
                if item["kind"] == "goal":
                    started.append(day.isoformat())
                elif item["status"] == "done" and item.get("target") and item["target"] != goal["id"]:
                    done_dates.extend([day.isoformat()] * len(str(item["target"]).split(", ")))
        out.append(
            {
                "id": pid,
                "active": sum(1 for g in described if g["status"] in ("active", "revised")),
                "goals": [
                    {
                        "label": g["id"],
                        "status": g["status"],
                        "steps": len(g["steps"]),
                        "steps_done": sum(1 for s in g["steps"] if s["status"] == "done"),
                    }
                    for g in described
                ],
                "steps_done_dates": sorted(done_dates),
                "started": sorted(started),
            }
        )
    return out


# --- outcomes ------------------------------------------------------------------------------------


def outcomes_section(states: dict, until: date) -> dict[str, Any]:
    """IMRS means over time per participant, and the ward's mean change since the first rating."""
    people = []
    changes: dict[str, list[float]] = {"client": [], "clinician": []}
    for pid in sorted(states):
        rows = [r for r in assessments(states[pid]) if (d := day_of(r["date"])) and d <= until]
        if not rows:
            continue
        people.append(
            {
                "id": pid,
                "points": [
                    {"date": str(r["date"]), "rater": r["rater"], "mean": r["mean"]}
                    for r in rows
                    if r["mean"] is not None
                ],
            }
        )
        for rater, summary in change_summary(rows).items():
            if summary["count"] >= 2 and rater in changes and summary["change"] is not None:
                changes[rater].append(summary["change"])
    ward = {
        rater: {"n": len(values), "mean_change": round(sum(values) / len(values), 2) if values else None}
        for rater, values in changes.items()
    }
    return {"participants": people, "change": ward}


# --- fidelity ------------------------------------------------------------------------------------


def fidelity_section(
    ws: Workspace,
    since: date,
    until: date,
    previous: tuple[date, date],
    lang: str = "sv",
    read: list | None = None,
    states: dict | None = None,
) -> dict[str, Any]:
    """The IMR-FS items the records support, this period beside the previous one of equal length
    (from the records the report has read, when it passes them)."""
    if read is None:
        now = assess(ws, since=since, today=until)
        before = assess(ws, since=previous[0], today=previous[1])
    else:
        now, before = assess_periods(ws, [(since, until), previous], read, states)
    rows_now = as_rows(now, lang, ws.root)
    rows_before = {r["item"]: r for r in as_rows(before, lang, ws.root)}
    items = []
    for row in rows_now:
        if row["basis"] == "observation":
            continue
        old = rows_before.get(row["item"], {})
        items.append(
            {
                "item": row["item"],
                "name": row["name"],
                "basis": row["basis"],
                "score": row["score"] if row["basis"] == "records" else row.get("indication"),
                "previous": old.get("score") if row["basis"] == "records" else old.get("indication"),
                "evidence": row["text"],
            }
        )
    return {"items": items, "mean": mean_score(now), "previous_mean": mean_score(before)}


# --- what changed --------------------------------------------------------------------------------


def changes_section(ws: Workspace, records: dict, groups: list, since: date, until: date) -> list[dict[str, Any]]:
    """Per signature: what it wrote in the period (by write time), counted by kind."""
    per: dict[str, Counter] = {}
    for record in records.values():
        for entry in record.entries:
            data = entry.data
            day = day_of(data.get("at"))
            if day is not None and since <= day <= until:
                per.setdefault(str(data.get("by", "?")), Counter())[data.get("kind", "")] += 1
    for g in groups:
        for entry in g.log:
            if _within(entry.get("at"), since, until):
                per.setdefault(str(entry.get("by", "?")), Counter())[str(entry.get("kind"))] += 1
    return [
        {"by": sign, "counts": dict(sorted(counts.items())), "total": sum(counts.values())}
        for sign, counts in sorted(per.items())
    ]


# --- notes (only when asked) ---------------------------------------------------------------------


def notes_section(states: dict, since: date, until: date) -> list[dict[str, Any]]:
    out = []
    for pid in sorted(states):
        for entry in states[pid].sessions + states[pid].absences:
            if entry.get("note") and _within(entry.get("date"), since, until):
                out.append(
                    {"id": pid, "date": str(entry.get("date")), "kind": entry.kind, "note": str(entry.get("note"))}
                )
    return sorted(out, key=lambda n: (n["date"], n["id"]))
