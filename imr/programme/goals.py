"""Recovery goals and their steps: set, broken into steps, followed up, revised.

Labels are what people see and type. A goal's label is `G` and three characters (`GK7M`),
drawn at random under the workspace lock and unique in the record, so two staff clones adding
goals at the same time never give two goals one label, and a label never changes once printed.
Steps are numbered within their goal (`GK7M.1`, `GK7M.2`), also under the lock. (Records from
before format 2 keep their counted `G1`, `G1.2`.) References between entries name entry ids, not
labels: a step is its own `goal-step` entry, and a goal update names the goal's or step's entry.

Nothing about a goal is ever rewritten: a new step, a new status or a new wording is a new entry,
so the record shows how the goal grew and changed, which is what the goal follow-up in every
session and a supervisor reading `git log -p` both need.
"""

from __future__ import annotations

import os
import re
from typing import Any

from imr.core.errors import ImrError
from imr.records.findings import Finding
from imr.records.kinds import GOAL_STATUS
from imr.records.record import Entry, Record
from imr.records.state import Goal, ParticipantState, Step, derive_state, effective_entries
from imr.workspace import store
from imr.workspace.folder import Workspace

_GOAL = re.compile(r"G([1-9]\d{0,2}|[A-HJ-NP-Z][A-HJ-NP-Z2-9]{2})")
_STEP = re.compile(r"G([1-9]\d{0,2}|[A-HJ-NP-Z][A-HJ-NP-Z2-9]{2})\.([1-9]\d{0,2})")
_LABEL_FIRST = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LABEL_REST = _LABEL_FIRST + "23456789"


def check_target(target: str) -> str:
    """A goal label (`GK7M`, `G1`) or step label (`GK7M.2`) as the user typed it, upper-cased."""
    value = str(target).strip().upper()
    if not (_GOAL.fullmatch(value) or _STEP.fullmatch(value)):
        raise ImrError("goal_bad_id", goal=value[:40])
    return value


def new_goal_label(record: Record) -> str:
    """`G` and three random characters, not used by any goal in the record (called under the lock)."""
    taken = {str(e.get("goal")).upper() for e in record.entries if e.kind == "goal"}
    while True:
        raw = os.urandom(3)
        label = (
            "G" + _LABEL_FIRST[raw[0] % len(_LABEL_FIRST)] + "".join(_LABEL_REST[b % len(_LABEL_REST)] for b in raw[1:])
        )
        if label not in taken:
            return label


def _check_text(text: str | None) -> str:
    if text is None or not str(text).strip():
        raise ImrError("goal_empty_text")
    return str(text).strip()


def next_step_label(record: Record, goal: Goal) -> str:
    """One more than the highest step number of the goal, voided steps and renumbered ones included."""
    numbers = [
        len(e.get("steps") or [])
        for e in record.entries
        if e.kind == "goal" and (e.data.get("id") == goal.key or e.get("goal") == goal.key)
    ]
    for entry in record.entries:
        if entry.kind == "goal-step" and entry.get("goal") in (goal.key, goal.id):
            match = _STEP.fullmatch(str(entry.get("step")))
            if match:
                numbers.append(int(match.group(2)))
    numbers += [int(m.group(2)) for step in goal.steps if (m := _STEP.fullmatch(step.id))]
    return f"{goal.id}.{max(numbers, default=0) + 1}"


def _step_entries(
    record: Record, goal: Goal, texts: list[str], signature: str, note: str | None = None, day: str | None = None
) -> list[dict]:
    """New `goal-step` entries for a goal, numbered after its existing steps."""
    out = []
    first = int(next_step_label(record, goal).rsplit(".", 1)[1])
    for offset, text in enumerate(texts):
        out.append(
            store.stamp(
                {
                    "kind": "goal-step",
                    "goal": goal.key,
                    "step": f"{goal.id}.{first + offset}",
                    "text": text,
                    "note": note or None,
                    "date": day,
                },
                signature,
            )
        )
    return out


def _day(date: str | None) -> str | None:
    """The day a goal change was agreed (`--date`, the sessions' date rules), None for today's write."""
    from imr.programme.sessions import check_date

    return check_date(date) if date is not None else None


def add_goal(
    ws: Workspace,
    participant_id: str,
    text: str,
    *,
    steps: list[str] | None = None,
    note: str | None = None,
    by: str | None = None,
    date: str | None = None,
) -> list[dict]:
    """A new recovery goal and its first steps, each step its own entry; returns the entries."""
    signature = ws.signature(by)
    day = _day(date)
    clean_text = _check_text(text)
    clean_steps = [_check_text(step) for step in steps or []]

    def build(record: Record) -> list[dict]:
        goal = store.stamp(
            {"kind": "goal", "goal": new_goal_label(record), "text": clean_text, "note": note or None, "date": day},
            signature,
        )
        goal = store.with_id(goal, record.ids())
        placeholder = Goal(id=goal["goal"], text=clean_text, key=goal["id"])
        return [goal, *_step_entries(record, placeholder, clean_steps, signature, day=day)]

    return store.append(ws, participant_id, build=build)


def add_step(
    ws: Workspace,
    participant_id: str,
    goal_id: str,
    text: str,
    *,
    note: str | None = None,
    by: str | None = None,
    date: str | None = None,
) -> dict:
    """One more step for an open goal; a closed goal is reopened first, on purpose."""
    signature = ws.signature(by)
    day = _day(date)
    goal_id = check_target(goal_id)
    if "." in goal_id:
        raise ImrError("goal_step_needs_goal", goal=goal_id)
    clean = _check_text(text)

    def build(record: Record) -> list[dict]:
        state = derive_state(record)
        goal = state.find_goal(goal_id)
        if goal is None:
            raise ImrError("unknown_goal", id=participant_id, goal=goal_id)
        if not goal.is_open:
            raise ImrError("goal_closed", id=participant_id, goal=goal_id, status=goal.status)
        return _step_entries(record, goal, [clean], signature, note, day=day)

    return store.append(ws, participant_id, build=build)[0]


def update_goal(
    ws: Workspace,
    participant_id: str,
    target: str,
    status: str,
    *,
    text: str | None = None,
    note: str | None = None,
    by: str | None = None,
    date: str | None = None,
) -> dict:
    """A new status (and perhaps new wording) for a goal or a step; the old stays in the log."""
    signature = ws.signature(by)
    day = _day(date)
    target = check_target(target)
    if status not in GOAL_STATUS:
        raise ImrError("goal_bad_status", status=str(status)[:40], allowed=", ".join(GOAL_STATUS))
    new_text = _check_text(text) if text is not None else None
    if status == "revised" and new_text is None:
        raise ImrError("goal_revised_needs_text", goal=target)

    def build(record: Record) -> list[dict]:
        state = derive_state(record)
        current = find_target(state, participant_id, target)
        if status == current.status and (new_text is None or new_text == current.text) and not (note and note.strip()):
            raise ImrError("goal_unchanged", goal=target, status=status)
        return [
            store.stamp(
                {
                    "kind": "goal-update",
                    **_reference(record, current),
                    "status": status,
                    "text": new_text,
                    "note": note or None,
                    "date": day,
                },
                signature,
            )
        ]

    return store.append(ws, participant_id, build=build)[0]


def _reference(record: Record, target: Goal | Step) -> dict[str, str]:
    """How a new entry names a goal or step: its entry id, or its label when it has none (older records)."""
    key = target.key
    if record.resolve(key) is not None:
        return {"target": key}
    return {"goal": target.id}


def find_target(state: ParticipantState, participant_id: str, target: str) -> Goal | Step:
    """The goal or step a command points at, or the error that says it does not exist."""
    if "." not in target:
        goal = state.find_goal(target)
        if goal is not None:
            return goal
    else:
        found = state.find_step(target)
        if found is not None:
            return found[1]
    raise ImrError("unknown_goal", id=participant_id, goal=target)


def require_steps(state: ParticipantState, participant_id: str, step_ids: list[str]) -> list[str]:
    """Steps a session log marks as done, as references: the step's entry id (its label in older records)."""
    clean = []
    for raw in step_ids:
        label = check_target(raw)
        found = state.find_step(label) if "." in label else None
        if found is None:
            raise ImrError("unknown_goal", id=participant_id, goal=label)
        clean.append(found[1].key)
    return clean


def describe_goals(state: ParticipantState) -> list[dict[str, Any]]:
    """Every goal with its steps and history, oldest first (for `goal list` and reports)."""
    out = []
    for goal in state.goals.values():
        out.append(
            {
                "id": goal.id,
                "text": goal.text,
                "status": goal.status,
                "current_step": (step.id if (step := goal.current_step()) else None),
                "steps": [{"id": s.id, "text": s.text, "status": s.status} for s in goal.steps],
                "history": [_history_item(e, goal) for e in goal.history],
            }
        )
    return out


def label_of(goal: Goal, ref: Any) -> str:
    """The label people see for a reference to this goal or one of its steps."""
    if ref in (goal.key, goal.id):
        return goal.id
    for step in goal.steps:
        if ref in (step.key, step.id):
            return step.id
    return str(ref)


def _history_item(entry: Entry, goal: Goal) -> dict[str, Any]:
    item = {"entry": entry.id, "kind": entry.kind, "at": entry.get("at"), "by": entry.get("by")}
    if entry.kind == "goal":
        item.update({"target": goal.id, "status": "active", "text": entry.get("text")})
    elif entry.kind == "goal-step":
        # the label the state gave the step: two clones may both have written the same number
        key = entry.data["id"] if isinstance(entry.data.get("id"), str) else entry.get("step")
        item.update({"target": label_of(goal, key), "status": "active", "text": entry.get("text")})
    elif entry.kind == "goal-update":
        ref = entry.get("target") if entry.get("target") is not None else entry.get("goal")
        item.update({"target": label_of(goal, ref), "status": entry.get("status"), "text": entry.get("text")})
    elif entry.kind == "session":
        keys = {goal.key, goal.id} | {s.key for s in goal.steps} | {s.id for s in goal.steps}
        done = [label_of(goal, s) for s in entry.get("steps_done") or [] if s in keys]
        item.update(
            {
                "target": ", ".join(done),
                "status": "done",
                "text": None,
                "session": f"{entry.get('module')}.{entry.get('session')}",
                "date": entry.get("date"),
            }
        )
    if entry.get("note"):
        item["note"] = entry.get("note")
    return item


def goal_reference_problems(record: Record, shown: str) -> list[Finding]:
    """Goal entries that point at goals or steps the log does not hold before them, and labels
    that two goals (or two steps of one goal) share.

    Two clones can still share a label after a merge only in older records (counted `G2`, `G2.3`);
    the finding names both entries and the fix is a correction that voids one of them, so the
    check reads the log with corrections applied. Steps with entry ids that share a number are
    numbered apart when the state is derived, so they are no finding.
    """
    findings: list[Finding] = []
    goals: dict[str, Any] = {}  # label -> defining entry
    keys: set[str] = set()  # goal and step keys (entry ids; labels in older records)
    steps: dict[str, Any] = {}  # step label -> defining entry
    for entry in effective_entries(record):
        kind, data = entry.kind, entry.data
        if kind == "goal" and isinstance(data.get("goal"), str):
            label = data["goal"]
            if label in goals:
                findings.append(_duplicate(shown, entry, goals[label], label, "goal_duplicate"))
            goals.setdefault(label, entry)
            keys.add(entry.id if isinstance(data.get("id"), str) else label)
            for i in range(1, len(data.get("steps") or []) + 1):
                steps.setdefault(f"{label}.{i}", entry)
                keys.add(f"{label}.{i}")
        elif kind == "goal-step" and isinstance(data.get("goal"), str) and isinstance(data.get("step"), str):
            parent = record.resolve(data["goal"])
            parent_label = parent.get("goal") if parent is not None else data["goal"]
            if parent_label not in goals or (parent is None and data["goal"] not in keys):
                findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": data["goal"]}))
            elif not data["step"].startswith(f"{parent_label}."):
                findings.append(
                    Finding(shown, entry.line, "goal_step_mismatch", {"goal": parent_label, "step": data["step"]})
                )
            elif data["step"] in steps and not isinstance(data.get("id"), str):
                # with entry ids the state numbers same-numbered steps apart (imr.records.state)
                findings.append(_duplicate(shown, entry, steps[data["step"]], data["step"], "goal_step_duplicate"))
            steps.setdefault(data["step"], entry)
            keys.add(entry.id if isinstance(data.get("id"), str) else data["step"])
        elif kind == "goal-update":
            target = data.get("target") if data.get("target") is not None else data.get("goal")
            if isinstance(target, str) and target not in keys and target not in goals and target not in steps:
                findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": target}))
        elif kind == "session" and isinstance(data.get("steps_done"), list):
            for ref in data["steps_done"]:
                if isinstance(ref, str) and ref not in keys and ref not in steps:
                    findings.append(Finding(shown, entry.line, "goal_unknown_ref", {"goal": ref}))
    return findings


def _duplicate(shown: str, entry: Entry, first: Entry, label: str, code: str) -> Finding:
    return Finding(
        shown,
        entry.line,
        code,
        {
            "goal": label,
            "step": label,
            "first": first.id,
            "first_by": first.get("by"),
            "first_at": str(first.get("at", ""))[:10],
            "second": entry.id,
            "second_by": entry.get("by"),
            "second_at": str(entry.get("at", ""))[:10],
            "id": record_id_of(shown),
        },
    )


def record_id_of(shown: str) -> str:
    return shown.rsplit("/", 1)[-1].removesuffix(".yaml")
