"""What a record means now: derived from the log, never stored.

Corrections are applied here: a correction with `void: true` makes its target not count, and
one with `set:` replaces some fields of its target for every derived view, while the file
keeps both the original and the correction for anyone reading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from imr.ids import SessionRef
from imr.records import Entry, Record


# A revised goal or step is still being worked on, in its new wording; the others are closed
# (done, dropped) or set aside (paused) and leave the goal follow-up until they are reopened.
OPEN_STATUSES = ("active", "revised")


@dataclass
class Goal:
    id: str
    text: str
    status: str = "active"
    steps: list["Step"] = field(default_factory=list)
    history: list[Entry] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def current_step(self) -> "Step | None":
        """The step to follow up now: the first one, in order, that is still open."""
        for step in self.steps:
            if step.is_open:
                return step
        return None


@dataclass
class Step:
    id: str
    text: str
    status: str = "active"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class ParticipantState:
    id: str
    variant: str = "general"
    format: str = "individual"
    leader: str | None = None
    module_order: list[int] | None = None
    enrolled_on: str | None = None
    sessions: list[Entry] = field(default_factory=list)
    absences: list[Entry] = field(default_factory=list)
    goals: dict[str, Goal] = field(default_factory=dict)
    relapse_plan: Entry | None = None
    relapse_plan_versions: int = 0
    imrs: list[Entry] = field(default_factory=list)
    contacts: list[Entry] = field(default_factory=list)
    corrections: list[Entry] = field(default_factory=list)

    @property
    def last_session(self) -> Entry | None:
        return self.sessions[-1] if self.sessions else None

    @property
    def done(self) -> set[SessionRef]:
        return {SessionRef(e.get("module"), e.get("session")) for e in self.sessions}

    def active_goals(self) -> list[Goal]:
        return [g for g in self.goals.values() if g.is_open]

    @property
    def last_activity(self) -> str | None:
        dates = [e.get("date") for e in self.sessions + self.absences if e.get("date")]
        return max(dates) if dates else None


def effective_entries(record: Record) -> list[Entry]:
    """The log with corrections applied (voided entries left out, `set` fields replaced)."""
    voided: set[int] = set()
    replaced: dict[int, dict] = {}
    for entry in record.entries:
        if entry.kind != "correction":
            continue
        target = entry.get("target")
        if not isinstance(target, int):
            continue
        if entry.get("void") is True:
            voided.add(target)
        if isinstance(entry.get("set"), dict):
            replaced.setdefault(target, {}).update(
                {k: v for k, v in entry.get("set").items() if k not in ("kind", "at", "by")}
            )
    out = []
    for entry in record.entries:
        if entry.number in voided:
            continue
        if entry.number in replaced:
            data = dict(entry.data)
            data.update(replaced[entry.number])
            entry = Entry(number=entry.number, line=entry.line, data=data)
        out.append(entry)
    return out


def derive_state(record: Record) -> ParticipantState:
    state = ParticipantState(id=record.id)
    for entry in effective_entries(record):
        kind = entry.kind
        if kind in ("enrolled", "profile"):
            if kind == "enrolled":
                state.enrolled_on = str(entry.get("at", ""))[:10] or None
            for key in ("variant", "format", "leader", "module_order"):
                if entry.get(key) is not None:
                    setattr(state, key, entry.get(key))
        elif kind == "session":
            if isinstance(entry.get("module"), int) and isinstance(entry.get("session"), int):
                state.sessions.append(entry)
            for step_id in entry.get("steps_done") or []:
                _set_status(state, step_id, "done", entry)
        elif kind == "absent":
            state.absences.append(entry)
        elif kind == "correction":
            state.corrections.append(entry)
        elif kind == "goal":
            goal = Goal(id=entry.get("goal"), text=entry.get("text", ""))
            for index, text in enumerate(entry.get("steps") or [], start=1):
                goal.steps.append(Step(id=f"{goal.id}.{index}", text=text))
            goal.history.append(entry)
            state.goals[goal.id] = goal
        elif kind == "goal-step":
            goal = state.goals.get(entry.get("goal"))
            if goal is not None:
                goal.steps.append(Step(id=entry.get("step"), text=entry.get("text", "")))
                goal.history.append(entry)
        elif kind == "goal-update":
            _set_status(state, entry.get("goal"), entry.get("status"), entry, entry.get("text"))
        elif kind == "relapse-plan":
            state.relapse_plan = entry
            state.relapse_plan_versions += 1
        elif kind == "imrs":
            state.imrs.append(entry)
        elif kind == "contact":
            state.contacts.append(entry)
    return state


def _set_status(state: ParticipantState, target: str, status: str, entry: Entry, text: str | None = None) -> None:
    goal_id = str(target).split(".")[0]
    goal = state.goals.get(goal_id)
    if goal is None:
        return
    goal.history.append(entry)
    if "." not in str(target):
        goal.status = status
        if text:
            goal.text = text
        return
    for step in goal.steps:
        if step.id == target:
            step.status = status
            if text:
                step.text = text
