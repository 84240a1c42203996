"""Recovery goals and their steps: set, broken into steps, followed up, revised.

A goal is `G1, G2…` and its steps `G1.1, G1.2…`, numbered in the order they were written.
Nothing about a goal is ever rewritten: a new step, a new status or a new wording is a new
entry, so the record shows how the goal grew and changed, which is what the goal follow-up
in every session and a supervisor reading `git log -p` both need.

Numbers are never reused, not even for an entry that a correction voided, so `G2` always
means the same goal in every note that mentions it.
"""

from __future__ import annotations

import re
from typing import Any

from imr import store
from imr.entries import GOAL_STATUS
from imr.errors import ImrError
from imr.findings import Finding
from imr.records import Record
from imr.state import ParticipantState, effective_entries
from imr.workspace import Workspace

_GOAL = re.compile(r"G([1-9]\d{0,2})")
_STEP = re.compile(r"G([1-9]\d{0,2})\.([1-9]\d{0,2})")


def check_target(target: str) -> str:
    """A goal id (`G1`) or step id (`G1.2`) as the user typed it, upper-cased."""
    value = str(target).strip()
    if value[:1] == "g":
        value = "G" + value[1:]
    if not (_GOAL.fullmatch(value) or _STEP.fullmatch(value)):
        raise ImrError("goal_bad_id", goal=value[:40])
    return value


def _check_text(text: str | None) -> str:
    if text is None or not str(text).strip():
        raise ImrError("goal_empty_text")
    return str(text).strip()


def next_goal_id(record: Record) -> str:
    """One more than the highest goal number ever written, voided entries included."""
    numbers = [int(m.group(1)) for e in record.entries if e.kind == "goal"
               and isinstance(e.get("goal"), str) and (m := _GOAL.fullmatch(e.get("goal")))]
    return f"G{max(numbers, default=0) + 1}"


def next_step_id(record: Record, goal_id: str) -> str:
    numbers: list[int] = []
    for entry in record.entries:
        if entry.kind == "goal" and entry.get("goal") == goal_id:
            numbers.append(len(entry.get("steps") or []))
        elif entry.kind == "goal-step" and entry.get("goal") == goal_id:
            match = _STEP.fullmatch(str(entry.get("step")))
            if match:
                numbers.append(int(match.group(2)))
    return f"{goal_id}.{max(numbers, default=0) + 1}"


def add_goal(ws: Workspace, participant_id: str, text: str, *, steps: list[str] | None = None,
             note: str | None = None, by: str | None = None) -> dict:
    """A new recovery goal, optionally with its first steps (`G1.1`, `G1.2`…)."""
    signature = ws.signature(by)
    record = store.load_record(ws, participant_id)
    clean_steps = [_check_text(step) for step in steps or []]
    entry = store.stamp({"kind": "goal", "goal": next_goal_id(record), "text": _check_text(text),
                         "steps": clean_steps or None, "note": note or None}, signature)
    store.append(ws, participant_id, [entry])
    return entry


def add_step(ws: Workspace, participant_id: str, goal_id: str, text: str, *, note: str | None = None,
             by: str | None = None) -> dict:
    """One more step for an open goal; a closed goal is reopened first, on purpose."""
    signature = ws.signature(by)
    goal_id = check_target(goal_id)
    record, state = store.load_state(ws, participant_id)
    if "." in goal_id:
        raise ImrError("goal_step_needs_goal", goal=goal_id)
    goal = state.goals.get(goal_id)
    if goal is None:
        raise ImrError("unknown_goal", id=participant_id, goal=goal_id)
    if not goal.is_open:
        raise ImrError("goal_closed", id=participant_id, goal=goal_id, status=goal.status)
    entry = store.stamp({"kind": "goal-step", "goal": goal_id, "step": next_step_id(record, goal_id),
                         "text": _check_text(text), "note": note or None}, signature)
    store.append(ws, participant_id, [entry])
    return entry


def update_goal(ws: Workspace, participant_id: str, target: str, status: str, *, text: str | None = None,
                note: str | None = None, by: str | None = None) -> dict:
    """A new status (and perhaps new wording) for a goal or a step; the old stays in the log."""
    signature = ws.signature(by)
    target = check_target(target)
    if status not in GOAL_STATUS:
        raise ImrError("goal_bad_status", status=str(status)[:40], allowed=", ".join(GOAL_STATUS))
    _, state = store.load_state(ws, participant_id)
    current = find_target(state, participant_id, target)
    new_text = _check_text(text) if text is not None else None
    if status == "revised" and new_text is None:
        raise ImrError("goal_revised_needs_text", goal=target)
    if status == current.status and (new_text is None or new_text == current.text) and not (note and note.strip()):
        raise ImrError("goal_unchanged", goal=target, status=status)
    entry = store.stamp({"kind": "goal-update", "goal": target, "status": status, "text": new_text,
                         "note": note or None}, signature)
    store.append(ws, participant_id, [entry])
    return entry


def find_target(state: ParticipantState, participant_id: str, target: str):
    """The goal or step a command points at, or the error that says it does not exist."""
    goal = state.goals.get(target.split(".")[0])
    if goal is not None:
        if "." not in target:
            return goal
        for step in goal.steps:
            if step.id == target:
                return step
    raise ImrError("unknown_goal", id=participant_id, goal=target)


def require_steps(state: ParticipantState, participant_id: str, step_ids: list[str]) -> list[str]:
    """Step ids that a session log marks as done must exist in this participant's record."""
    known = {step.id for goal in state.goals.values() for step in goal.steps}
    clean = []
    for raw in step_ids:
        step_id = check_target(raw)
        if step_id not in known:
            raise ImrError("unknown_goal", id=participant_id, goal=step_id)
        clean.append(step_id)
    return clean


def describe_goals(state: ParticipantState) -> list[dict[str, Any]]:
    """Every goal with its steps and history, oldest first (for `goal list` and reports)."""
    out = []
    for goal in state.goals.values():
        out.append({
            "id": goal.id,
            "text": goal.text,
            "status": goal.status,
            "current_step": (step.id if (step := goal.current_step()) else None),
            "steps": [{"id": s.id, "text": s.text, "status": s.status} for s in goal.steps],
            "history": [_history_item(e, goal.id) for e in goal.history],
        })
    return out


def _history_item(entry, goal_id: str) -> dict[str, Any]:
    item = {"entry": entry.number, "kind": entry.kind, "at": entry.get("at"), "by": entry.get("by")}
    if entry.kind == "goal":
        item.update({"target": goal_id, "status": "active", "text": entry.get("text")})
    elif entry.kind == "goal-step":
        item.update({"target": entry.get("step"), "status": "active", "text": entry.get("text")})
    elif entry.kind == "goal-update":
        item.update({"target": entry.get("goal"), "status": entry.get("status"), "text": entry.get("text")})
    elif entry.kind == "session":
        done = [s for s in entry.get("steps_done") or [] if str(s).split(".")[0] == goal_id]
        item.update({"target": ", ".join(done), "status": "done", "text": None,
                     "session": f"{entry.get('module')}.{entry.get('session')}", "date": entry.get("date")})
    if entry.get("note"):
        item["note"] = entry.get("note")
    return item


def goal_reference_problems(record: Record, shown: str) -> list[Finding]:
    """Goal entries that point at goals or steps the log does not hold before them.

    A hand edit or a merge of two clones that both wrote `G2` ends up here; the fix is a
    correction entry, so the check reads the log with corrections applied.
    """
    findings: list[Finding] = []
    goals: set[str] = set()
    steps: set[str] = set()
    for entry in effective_entries(record):
        kind, data = entry.kind, entry.data
        if kind == "goal" and isinstance(data.get("goal"), str):
            goal_id = data["goal"]
            if goal_id in goals:
                findings.append(Finding(shown, entry.line, "goal_duplicate", {"goal": goal_id}))
            goals.add(goal_id)
            steps.update(f"{goal_id}.{i}" for i in range(1, len(data.get("steps") or []) + 1))
        elif kind == "goal-step" and isinstance(data.get("goal"), str) and isinstance(data.get("step"), str):
            goal_id, step_id = data["goal"], data["step"]
            if goal_id not in goals:
                findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": goal_id}))
            elif not step_id.startswith(goal_id + "."):
                findings.append(Finding(shown, entry.line, "goal_step_mismatch", {"goal": goal_id, "step": step_id}))
            elif step_id in steps:
                findings.append(Finding(shown, entry.line, "goal_step_duplicate", {"step": step_id}))
            steps.add(step_id)
        elif kind == "goal-update" and isinstance(data.get("goal"), str):
            target = data["goal"]
            if target not in (steps if "." in target else goals):
                findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": target}))
        elif kind == "session" and isinstance(data.get("steps_done"), list):
            for step_id in data["steps_done"]:
                if isinstance(step_id, str) and step_id not in steps:
                    findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": step_id}))
    return findings
