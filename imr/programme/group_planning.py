"""Today's plan for a group: the group moves through the programme together.

The group's place is derived from its members' records — every entry with `group: NAME` —
so nothing about sessions is stored twice. A session counts as held by the group when at
least one member was there; the next one follows the standard module order after the last
session held. Members who were marked absent at a session the group has held, and have not
made it up since (a `session` entry for it in their own record), get a catch-up list with
that session's key points and handout; nobody else does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imr.core.errors import ImrError
from imr.core.strings import strings
from imr.curriculum.model import Curriculum
from imr.programme.groups import Group, read_group
from imr.programme.planning import RELAPSE_MODULE, excerpt, goal_follow_up, handout_file, next_session, session_steps
from imr.records.ids import SessionRef
from imr.records.record import Entry
from imr.records.state import ParticipantState
from imr.workspace import store
from imr.workspace.folder import Workspace


@dataclass
class Meeting:
    """One group session: the same session on the same day, across members' records."""

    ref: SessionRef
    date: str
    at: str
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass
class GroupProgress:
    group: Group
    states: dict[str, ParticipantState]
    meetings: list[Meeting]
    held: list[SessionRef]
    next_ref: SessionRef | None

    @property
    def last_meeting(self) -> Meeting | None:
        return self.meetings[-1] if self.meetings else None


def group_progress(ws: Workspace, group: Group) -> GroupProgress:
    """Read every member's record (and former members', for the group's history)."""
    states: dict[str, ParticipantState] = {}
    for pid in group.members:
        _, states[pid] = store.load_state(ws, pid)
    for pid in group.ever:
        if pid not in states:
            try:
                _, states[pid] = store.load_state(ws, pid)
            except ImrError:
                continue
    by_key: dict[tuple[str, int, int], Meeting] = {}
    for pid, state in states.items():
        for entry, present in [(e, True) for e in state.sessions] + [(e, False) for e in state.absences]:
            if entry.get("group") != group.name:
                continue
            module, session = entry.get("module"), entry.get("session")
            if not isinstance(module, int) or not isinstance(session, int):
                continue
            key = (str(entry.get("date", "")), module, session)
            meeting = by_key.get(key)
            if meeting is None:
                meeting = by_key[key] = Meeting(SessionRef(module, session), key[0], str(entry.get("at", "")))
            meeting.at = min(meeting.at, str(entry.get("at", "")))
            # A member is at a meeting once, however often the session was logged for them (a
            # double log is `imr check`'s to report, not a second person in the room).
            attended = meeting.present if present else meeting.absent
            if pid not in attended:
                attended.append(pid)
            meeting.entries.setdefault(pid, entry)
    meetings = sorted(by_key.values(), key=lambda m: (m.date, m.at, m.ref))
    held: list[SessionRef] = []
    for meeting in meetings:
        if meeting.present and meeting.ref not in held:
            held.append(meeting.ref)
    # The group as one participant who attended every session it held, in the order held.
    walker = ParticipantState(id=group.name)
    walker.sessions = [m.entries[m.present[0]] for m in meetings if m.present]
    return GroupProgress(
        group=group, states=states, meetings=meetings, held=held, next_ref=next_session(walker, ws.curriculum)
    )


def catch_up(state: ParticipantState, group_name: str, held: list[SessionRef]) -> list[SessionRef]:
    """Sessions the group held that this member was absent from and has not made up since."""
    done = state.done
    missed: list[SessionRef] = []
    for entry in state.absences:
        if entry.get("group") != group_name:
            continue
        ref = SessionRef(entry.get("module"), entry.get("session"))
        if ref in held and ref not in done and ref not in missed:
            missed.append(ref)
    return missed


def build_group_plan(ws: Workspace, name: str) -> dict[str, Any]:
    """The group's next session as data; `session next --group` prints it, `--json` returns it."""
    group = read_group(ws, name)
    if not group.members:
        raise ImrError("group_no_members", name=name)
    progress = group_progress(ws, group)
    curriculum = ws.curriculum
    labels = strings(ws.lang, ws.root)
    text = {**labels.get("plan", {}), **labels.get("group_plan", {})}
    ref = progress.next_ref
    total = len(curriculum.order(None))
    plan: dict[str, Any] = {
        "group": group.name,
        "leaders": group.leaders,
        "weekdays": group.weekdays,
        "sessions_held": len(progress.held),
        "sessions_total": total,
        "complete": ref is None,
    }
    last = progress.last_meeting
    plan["last_session"] = _last_session(progress, curriculum) if last else None
    if ref is None:
        plan.update({"session": None, "module": None, "title": text.get("complete", "")})
    else:
        session = curriculum.session(ref)
        module = curriculum.module(ref.module)
        plan.update(
            {
                "session": str(ref),
                "module": ref.module,
                "module_title": module.title,
                "title": session.title,
                "objectives": session.objectives,
                "key_points": session.key_points,
                "homework_suggestions": session.homework,
            }
        )
    plan["members"] = [_member(pid, progress, curriculum, ref) for pid in group.members]
    if ref is not None:
        variants = sorted({m["handout"]["variant"] for m in plan["members"]}, key=lambda v: (v != "general", v))
        plan["handouts"] = [
            {"session": str(ref), "variant": v, "file": handout_file(curriculum, ref, v)} for v in variants
        ]
    else:
        plan["handouts"] = []
    plan["size"] = len(group.members)
    plan["steps"] = [] if ref is None else _steps(plan, text)
    return plan


def _last_session(progress: GroupProgress, curriculum: Curriculum) -> dict[str, Any]:
    meeting = progress.last_meeting
    assert meeting is not None  # called only when the group has met
    entry = meeting.entries[(meeting.present or meeting.absent)[0]]
    title = curriculum.session(meeting.ref).title if curriculum.has_session(meeting.ref) else ""
    note = ""
    if meeting.present:
        note = excerpt(meeting.entries[meeting.present[0]].get("note"))
    return {
        "session": str(meeting.ref),
        "title": title,
        "date": meeting.date,
        "by": entry.get("by"),
        "present": list(meeting.present),
        "absent": list(meeting.absent),
        "note_excerpt": note,
    }


def _member(pid: str, progress: GroupProgress, curriculum: Curriculum, ref: SessionRef | None) -> dict[str, Any]:
    state = progress.states[pid]
    last = progress.last_meeting
    attended = None
    if last is not None:
        attended = True if pid in last.present else False if pid in last.absent else None
    last_session = state.last_session
    missed = catch_up(state, progress.group.name, progress.held)
    variant = state.variant
    member: dict[str, Any] = {
        "id": pid,
        "variant": variant,
        "attended_last": attended,
        "homework": last_session.get("homework") if last_session else None,
        "goals": goal_follow_up(state),
        "relapse_plan_version": state.relapse_plan_versions or None,
        "catch_up": [str(r) for r in missed],
        "catch_up_details": [
            {
                "session": str(r),
                "title": curriculum.session(r).title,
                "key_points": curriculum.session(r).key_points,
                "handout": handout_file(curriculum, r, variant),
            }
            for r in missed
            if curriculum.has_session(r)
        ],
    }
    if ref is not None:
        shown = variant if curriculum.module(ref.module).has_variants else "general"
        member["handout"] = {"session": str(ref), "variant": shown, "file": handout_file(curriculum, ref, shown)}
    return member


def _steps(plan: dict[str, Any], text: dict[str, str]) -> list[dict[str, Any]]:
    """The eight steps for a group, with one line per member where members differ."""

    def t(key: str, **params: Any) -> str:
        template = text.get(key, key)
        return template.format(**params) if params else template

    last = plan["last_session"]
    if last:
        review = [
            t(
                "group_review_last",
                session=last["session"],
                title=last["title"],
                date=last["date"],
                by=last["by"],
                present=len(last["present"]),
                total=len(last["present"]) + len(last["absent"]),
            )
        ]
        if last["note_excerpt"]:
            review.append(t("review_note", note=last["note_excerpt"]))
    else:
        review = [t("group_review_first")]
    homework, goals, catch = [], [], []
    for member in plan["members"]:
        pid = member["id"]
        if member["homework"]:
            homework.append(t("group_homework_line", id=pid, homework=member["homework"]))
        else:
            homework.append(t("group_homework_none", id=pid))
        if member["goals"]:
            for goal in member["goals"]:
                goals.append(t("group_goal_line", id=pid, goal=goal["id"], text=goal["text"]))
                if goal["current_step"]:
                    goals.append(t("goal_step_line", id=goal["current_step"]["id"], text=goal["current_step"]["text"]))
        else:
            goals.append(t("group_goals_none", id=pid))
        for item in member["catch_up_details"]:
            catch.append(
                t(
                    "group_catch_up_line",
                    id=pid,
                    session=item["session"],
                    title=item["title"],
                    file=item["handout"] or "",
                )
            )
    if homework:
        homework.insert(0, t("group_homework_hint"))
    material = [t("objective_line", text=o) for o in plan["objectives"]]
    if plan["module"] == RELAPSE_MODULE:
        for member in plan["members"]:
            version = member["relapse_plan_version"]
            material.append(
                t("group_relapse_plan_line", id=member["id"], version=version)
                if version
                else t("group_relapse_plan_none", id=member["id"])
            )
    steps = session_steps(
        t,
        plan,
        checkin=[t("group_checkin_hint")],
        review=review,
        homework_review=homework,
        goals=goals,
        material=material,
        summary=[t("group_summary_hint")],
        handouts=plan["handouts"],
        print_command=f"imr render bundle --group {plan['group']} --next",
    )
    if catch:
        steps.append({"id": "catch-up", "label": t("group_step_catch_up"), "lines": catch})
    return steps
