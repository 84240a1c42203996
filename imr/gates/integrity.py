"""Findings that only appear when a record is read as a whole, typically after merging clones.

Each clone may be right on its own and the merge still be wrong: two leaders logged the same
group meeting, one as present and one as absent; two entries carry one id; a correction points
at nothing, at itself, or at a correction that points back. Every finding names both entries
(ids, signatures, dates) and its message says how to resolve it with `imr correct … --void`, so
a ward fixes it with a new entry instead of editing history.
"""

from __future__ import annotations

from imr.records.findings import Finding

# Findings two clones can each be right about and that only the merge reveals. They are resolved by
# a new entry (a correction that voids one side), which needs the merge to exist first, so the
# pre-merge-commit hook shows them without stopping the merge; `imr check` keeps reporting them
# until they are resolved.
RESOLVED_AFTER_MERGE = frozenset(
    {
        "session_logged_twice",
        "present_and_absent",
        "goal_duplicate",
        "goal_step_duplicate",
        "group_member_twice",
        "group_member_in_several",
        "relapse_plan_fork",
        "sessions_one_day",
        "present_and_absent_one_day",
    }
)
from imr.programme.relapse_plan import plan_heads

# Shown by `imr check`, `imr status` and the report, without failing the check: two sessions on
# one day can be real (a catch-up and the week's session), so a person looks and decides.
NOTICES = frozenset({"sessions_one_day", "present_and_absent_one_day"})
from imr.records.kinds import SESSION_LIKE
from imr.records.record import Entry, Record
from imr.records.state import correction_effects


def _who(entry) -> dict[str, str]:
    return {"entry": entry.id, "by": str(entry.get("by", "")), "at": str(entry.get("at", ""))[:16].replace("T", " ")}


def duplicate_findings(record: Record, shown: str) -> list[Finding]:
    findings: list[Finding] = []
    pid = record.id
    seen_ids: dict[str, object] = {}
    format_2 = record.format >= 2
    # One pass over the log: the ids, and the entries each check below looks at, in log order.
    sessions: list[Entry] = []
    steps: list[Entry] = []
    plans: list[Entry] = []
    corrections: list[Entry] = []
    for entry in record.entries:
        value = entry.data.get("id")
        if isinstance(value, str):
            if value in seen_ids:
                findings.append(Finding(shown, entry.line, "entry_id_twice", {"entry": value}))
            seen_ids[value] = entry
        elif format_2:
            findings.append(Finding(shown, entry.line, "entry_missing_id", {"kind": entry.kind}))
        kind = entry.kind
        if kind in SESSION_LIKE:
            sessions.append(entry)
        elif kind == "goal-step":
            steps.append(entry)
        elif kind == "relapse-plan":
            plans.append(entry)
        elif kind == "correction":
            corrections.append(entry)
    voided = correction_effects(record)[0] if corrections else set()
    meetings: dict[tuple, object] = {}
    for entry in sessions:
        if entry.number in voided:
            continue
        data = entry.data
        if data.get("again") is True:  # logged with --again: the leader said it was another meeting
            continue
        key = (data.get("module"), data.get("session"), data.get("date"))
        first = meetings.get(key)
        if first is None:
            meetings[key] = entry
            continue
        code = "session_logged_twice" if first.kind == entry.kind else "present_and_absent"  # type: ignore[attr-defined]
        a, b = _who(first), _who(entry)
        findings.append(
            Finding(
                shown,
                entry.line,
                code,
                {
                    "id": pid,
                    "session": f"{key[0]}.{key[1]}",
                    "date": str(key[2]),
                    "first": a["entry"],
                    "first_by": a["by"],
                    "second": b["entry"],
                    "second_by": b["by"],
                },
            )
        )
    findings.extend(_same_day(record, shown, voided, sessions))
    findings.extend(_step_labels_twice(record, shown, voided, steps))
    plans = [e for e in plans if e.number not in voided]
    heads = plan_heads(plans) if plans else []
    if len(heads) > 1:
        a, b = _who(heads[0]), _who(heads[-1])
        findings.append(
            Finding(
                shown,
                heads[-1].line,
                "relapse_plan_fork",
                {
                    "id": pid,
                    "first": a["entry"],
                    "first_by": a["by"],
                    "second": b["entry"],
                    "second_by": b["by"],
                    "count": len(heads),
                },
            )
        )
    for entry in corrections:
        target = record.resolve(entry.get("target"))
        if target is None:
            findings.append(Finding(shown, entry.line, "correction_bad_target", {"target": entry.get("target")}))
        elif target.number == entry.number:
            findings.append(Finding(shown, entry.line, "correction_loop", {"entry": entry.id}))
        elif target.number > entry.number:
            back = record.resolve(target.get("target")) if target.kind == "correction" else None
            code = "correction_loop" if back is not None and back.number == entry.number else "correction_forward"
            findings.append(Finding(shown, entry.line, code, {"entry": entry.id, "target": target.id}))
    return findings


def _same_day(record: Record, shown: str, voided: set, sessions: list[Entry]) -> list[Finding]:
    """One day with two different sessions of the individual track, or present at one and absent
    from another: after a merge, usually one of them was logged with the wrong session.
    (`sessions`: the record's session-like entries, in log order.)"""
    findings: list[Finding] = []
    by_day: dict[tuple, Entry] = {}
    for entry in sessions:
        if entry.number in voided or entry.data.get("group"):
            continue
        day = entry.data.get("date")
        key = (str(day),)
        first = by_day.get(key)
        if first is None:
            by_day[key] = entry
            continue
        same = (first.get("module"), first.get("session")) == (entry.get("module"), entry.get("session"))
        if same:
            continue  # the same session twice: `session_logged_twice` / `present_and_absent` say it
        kinds = {first.kind, entry.kind}
        if kinds == {"session"}:
            code = "sessions_one_day"
        elif kinds == set(SESSION_LIKE):
            code = "present_and_absent_one_day"
        else:
            continue
        a, b = _who(first), _who(entry)
        findings.append(
            Finding(
                shown,
                entry.line,
                code,
                {
                    "id": record.id,
                    "date": str(day),
                    "first_session": f"{first.get('module')}.{first.get('session')}",  # type: ignore[attr-defined]
                    "second_session": f"{entry.get('module')}.{entry.get('session')}",
                    "first": a["entry"],
                    "first_by": a["by"],
                    "second": b["entry"],
                    "second_by": b["by"],
                },
            )
        )
    return findings


def _step_labels_twice(record: Record, shown: str, voided: set, steps: list[Entry]) -> list[Finding]:
    """Two steps written with one label (two clones each added a step to one goal before they
    synced): the state numbers them apart, and this names both, as the README says.
    (`steps`: the record's goal-step entries, in log order.)"""
    findings: list[Finding] = []
    seen: dict[tuple, object] = {}
    for entry in steps:
        if entry.number in voided or not isinstance(entry.data.get("id"), str):
            continue
        key = (str(entry.get("goal")), str(entry.get("step")))
        first = seen.get(key)
        if first is None:
            seen[key] = entry
            continue
        a, b = _who(first), _who(entry)
        findings.append(
            Finding(
                shown,
                entry.line,
                "goal_step_duplicate",
                {
                    "id": record.id,
                    "goal": key[1],
                    "step": key[1],
                    "first": a["entry"],
                    "first_by": a["by"],
                    "second": b["entry"],
                    "second_by": b["by"],
                },
            )
        )
    return findings
