"""What a record means now: derived from the log, never stored.

Corrections are applied here: a correction with `void: true` makes its target not count, and
one with `set:` replaces some fields of its target for every derived view, while the file keeps
both the original and the correction for anyone reading it. References (a correction's target, a
goal update, a step marked done) are resolved through entry ids, or positions and labels in
records written before format 2.

The session `date` is the programme's clock: sessions and absences are ordered by it, and the
write time `at` only breaks ties, so a session registered afterwards with an earlier date takes
its place in the programme instead of becoming "the last session".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from imr.records.ids import SessionRef
from imr.records.kinds import KINDS
from imr.records.record import Entry, Record

# A revised goal or step is still being worked on, in its new wording; the others are closed
# (done, dropped) or set aside (paused) and leave the goal follow-up until they are reopened.
OPEN_STATUSES = ("active", "revised")


@dataclass
class Step:
    id: str  # the label people see and type: `G1.2`, `GK7M.1`
    text: str
    status: str = "active"
    key: str = ""  # what references name: the goal-step entry's id, or the label in older records
    written: str = ""  # the step entry's `at`: decides which of two same-numbered steps keeps its number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class Goal:
    id: str  # the label people see and type: `G1`, `GK7M`
    text: str
    status: str = "active"
    steps: list[Step] = field(default_factory=list)
    history: list[Entry] = field(default_factory=list)
    key: str = ""  # what references name: the goal entry's id, or the label in older records

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def current_step(self) -> Step | None:
        """The step to follow up now: the first one, in order, that is still open."""
        for step in self.steps:
            if step.is_open:
                return step
        return None


def programme_order(entry: Entry) -> tuple[str, str, int]:
    """Sort key for sessions and absences: session date, then write time, then log position."""
    data = entry.data
    day, at = data.get("date", ""), data.get("at", "")
    return (day if day.__class__ is str else str(day), at if at.__class__ is str else str(at), entry.number)


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
    goals: dict[str, Goal] = field(default_factory=dict)  # by key (entry id, or label in older records)
    relapse_plan: Entry | None = None
    relapse_plan_versions: int = 0
    relapse_plan_history: list[Entry] = field(default_factory=list)
    imrs: list[Entry] = field(default_factory=list)
    contacts: list[Entry] = field(default_factory=list)
    corrections: list[Entry] = field(default_factory=list)

    @property
    def last_session(self) -> Entry | None:
        """The session held last by its session date (not the one written last)."""
        return self.sessions[-1] if self.sessions else None

    @property
    def done(self) -> set[SessionRef]:
        return {SessionRef(e.data["module"], e.data["session"]) for e in self.sessions}  # (both ints: fold_session)

    @property
    def done_pairs(self) -> set[tuple[int, int]]:
        """`done` as (module, session) pairs, without a SessionRef for each (`next_session`)."""
        return {(e.data["module"], e.data["session"]) for e in self.sessions}

    def active_goals(self) -> list[Goal]:
        return [g for g in self.goals.values() if g.is_open]

    @property
    def last_activity(self) -> str | None:
        dates = [e.get("date") for e in self.sessions + self.absences if e.get("date")]
        return max(dates) if dates else None

    def find_goal(self, ref: str) -> Goal | None:
        """A goal by its label (as typed, case-insensitive) or its key."""
        wanted = str(ref).strip()
        for goal in self.goals.values():
            if goal.key == wanted or goal.id.upper() == wanted.upper():
                return goal
        return None

    def find_step(self, ref: str) -> tuple[Goal, Step] | None:
        wanted = str(ref).strip()
        for goal in self.goals.values():
            for step in goal.steps:
                if step.key == wanted or step.id.upper() == wanted.upper():
                    return goal, step
        return None

    # Folds: one per entry kind, named by the kind's declaration in `imr.records.kinds.KINDS`.

    def fold_profile(self, entry: Entry) -> None:
        # The day of enrolment is the record's (`Record.enrolment_day`), set once in derive_state.
        for key in ("variant", "format", "leader", "module_order"):
            if entry.get(key) is not None:
                setattr(self, key, entry.get(key))

    def fold_session(self, entry: Entry) -> None:
        data = entry.data
        if isinstance(data.get("module"), int) and isinstance(data.get("session"), int):
            self.sessions.append(entry)
        for ref in data.get("steps_done") or []:
            self._set_status(str(ref), "done", entry)

    def fold_absent(self, entry: Entry) -> None:
        self.absences.append(entry)

    def fold_correction(self, entry: Entry) -> None:
        self.corrections.append(entry)

    def fold_goal(self, entry: Entry) -> None:
        label = str(entry.get("goal"))
        key: str = entry.data["id"] if isinstance(entry.data.get("id"), str) else label
        goal = Goal(id=label, text=entry.get("text", ""), key=key)
        for index, text in enumerate(entry.get("steps") or [], start=1):
            step_label = f"{label}.{index}"
            goal.steps.append(Step(id=step_label, text=text, key=step_label))
        goal.history.append(entry)
        self.goals[key] = goal

    def fold_goal_step(self, entry: Entry) -> None:
        goal = self.find_goal(str(entry.get("goal")))
        if goal is None:
            return
        label = str(entry.get("step"))
        key: str = entry.data["id"] if isinstance(entry.data.get("id"), str) else label
        goal.steps.append(Step(id=label, text=entry.get("text", ""), key=key, written=str(entry.get("at", ""))))
        goal.history.append(entry)

    def fold_goal_update(self, entry: Entry) -> None:
        target = entry.get("target") if entry.get("target") is not None else entry.get("goal")
        self._set_status(str(target), entry.get("status"), entry, entry.get("text"))

    def fold_relapse_plan(self, entry: Entry) -> None:
        self.relapse_plan = entry
        self.relapse_plan_versions += 1
        self.relapse_plan_history.append(entry)

    def fold_imrs(self, entry: Entry) -> None:
        self.imrs.append(entry)

    def fold_contact(self, entry: Entry) -> None:
        self.contacts.append(entry)

    def _set_status(self, target: str, status: str, entry: Entry, text: str | None = None) -> None:
        goal = self.find_goal(target)
        if goal is not None:
            goal.history.append(entry)
            goal.status = status
            if text:
                goal.text = text
            return
        found = self.find_step(target)
        if found is None:
            return
        goal, step = found
        goal.history.append(entry)
        step.status = status
        if text:
            step.text = text


FOLDS: dict[str, Callable[[ParticipantState, Entry], None]] = {
    name: getattr(ParticipantState, kind.fold) for name, kind in KINDS.items()
}


def correction_effects(record: Record) -> tuple[set[int], dict[int, dict[str, Any]]]:
    """Which entries (by position) are voided, and which fields corrections replace.

    A correction that is itself voided has no effect; a correction cannot void itself or form a
    loop with another (those are findings in `imr check`, and count as no effect here).
    """
    corrections = [e for e in record.entries if e.kind == "correction"]
    voided_corrections: set[int] = set()
    for entry in corrections:
        target = record.resolve(entry.get("target"))
        if (
            target is not None
            and target.kind == "correction"
            and entry.get("void") is True
            and target.number < entry.number
        ):
            voided_corrections.add(target.number)
    voided: set[int] = set()
    replaced: dict[int, dict[str, Any]] = {}
    for entry in corrections:
        if entry.number in voided_corrections:
            continue
        target = record.resolve(entry.get("target"))
        if target is None or target.number >= entry.number or target.kind == "correction":
            continue
        if entry.get("void") is True:
            voided.add(target.number)
        if isinstance(entry.get("set"), dict):
            replaced.setdefault(target.number, {}).update(
                {k: v for k, v in entry.get("set").items() if k not in ("kind", "at", "by", "id")}
            )
    return voided | voided_corrections, replaced


def effective_entries(record: Record) -> list[Entry]:
    """The log with corrections applied (voided entries left out, `set` fields replaced)."""
    voided, replaced = correction_effects(record)
    if not voided and not replaced:  # (most records: nothing corrected)
        return list(record.entries)
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
        fold = FOLDS.get(entry.kind)
        if fold is not None:
            fold(state, entry)
    state.enrolled_on = record.enrolment_day()
    for goal in state.goals.values():
        _number_steps(goal)
    state.sessions.sort(key=programme_order)
    state.absences.sort(key=programme_order)
    state.imrs.sort(key=lambda e: (str(e.get("date", "")), str(e.get("at", "")), e.number))
    return state


def _number_steps(goal: Goal) -> None:
    """Give each step of a goal its own number when two clones wrote the same one.

    A step's number is counted under the lock of one clone, so two staff who each add a step to
    the same goal before syncing both write `GK7M.3`. References name the step's entry id, so
    nothing points at the wrong step; only the label people see would be shared. Steps are taken
    in the order they were written (`at`, then the written number, then id): each keeps its number unless an earlier step
    holds it, and then takes the next number after the highest so far. Every clone shows the same
    labels whichever way the merge went, and a step added later (numbered after all of these)
    never moves an earlier label. Records without entry ids keep their labels: there a label is
    what references name.
    """
    if len({step.id for step in goal.steps}) == len(goal.steps):
        return
    taken: set[int] = set()
    for step in sorted(goal.steps, key=_written_order):
        head, _, tail = step.id.rpartition(".")
        if not tail.isdigit():
            continue
        number = int(tail)
        if number in taken and step.key != step.id:
            number = max(taken) + 1
            step.id = f"{head}.{number}"
        taken.add(number)
    goal.steps.sort(key=lambda s: int(s.id.rpartition(".")[2]) if s.id.rpartition(".")[2].isdigit() else 0)


def _written_order(step: Step) -> tuple[str, int, str]:
    """When a step was written: its `at`, then (`at` has whole seconds) its written number, since
    a step numbered higher within the same second was counted after the other was written, then
    its id."""
    tail = step.id.rpartition(".")[2]
    return (_instant(step.written), int(tail) if tail.isdigit() else 0, step.key)


def _instant(at: str) -> str:
    """An `at` timestamp as UTC, so entries written in summer and winter time compare rightly."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
