"""`imr fidelity`: the IMR Fidelity Scale (IMR-FS) items that the records can support.

The scale has 13 items scored 1–5 (IMR.md). Items 1–7 describe what was done, and good
records show it: group size, programme length, topics covered, handouts, significant
others, goal setting and goal follow-up. Each is scored with the evidence (counts and
percentages) beside it, so a supervisor can check the arithmetic and the data behind it.
Items 8–10 are about how leaders teach and can only be judged by watching sessions; the tool
says so and never guesses. Items 11–13 get an *indication* from the records (who has had the
relevant modules or a written plan), kept apart from the score because the item itself is
about how the training is done.

When the records do not log something at all (no session entry says whether a handout was
given), the item is left unscored rather than scored 1: missing data is not poor fidelity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from imr.core.strings import strings
from imr.gates.record_facts import FACT_KEYS, TOPIC_MODULES, periods_facts
from imr.gates.summaries import fidelity_facts
from imr.programme.groups import all_groups
from imr.records.ids import is_valid_id
from imr.records.parallel import map_paths, paused_gc
from imr.records.parsed import read_all_records
from imr.records.record import Record, RecordProblem, day_of, read_record
from imr.records.state import ParticipantState, derive_state
from imr.workspace.folder import Workspace

# Item 2: "≥ 6 months of weekly sessions" = 26 weeks; up to four weeks off (holidays, illness)
# still count as weekly, so 22 calendar weeks with an attended session.
SIX_MONTHS = timedelta(days=182)
WEEKS_FOR_SIX_MONTHS = 22
# Item 5 looks at the last month unless a period is given.
CONTACT_WINDOW = timedelta(days=30)
OBSERVATION_ITEMS = (8, 9, 10)
INDICATION_ITEMS = (11, 12, 13)


@dataclass
class FidelityItem:
    item: int
    score: int | None
    basis: str  # records | indication | observation
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = "scored"  # a strings key for the evidence sentence
    indication: int | None = None

    def as_dict(self, name: str, text: str) -> dict[str, Any]:
        out = {
            "item": self.item,
            "name": name,
            "score": self.score,
            "basis": self.basis,
            "evidence": self.evidence,
            "text": text,
        }
        if self.item in INDICATION_ITEMS:
            out["indication"] = self.indication
        return out


def percent_band(share: float) -> int:
    """The IMR-FS percentage anchors (items 2 and 4; used for 5–7 and 11–13 as well)."""
    for floor, score in ((90, 5), (70, 4), (40, 3), (20, 2)):
        if share >= floor:
            return score
    return 1


def size_band(people: int) -> int:
    for ceiling, score in ((8, 5), (10, 4), (12, 3), (15, 2)):
        if people <= ceiling:
            return score
    return 1


def topic_band(covered: int) -> int:
    for floor, score in ((8, 5), (6, 4), (4, 3), (2, 2)):
        if covered >= floor:
            return score
    return 1


def assess(
    ws: Workspace,
    since: date | None = None,
    today: date | None = None,
    fast: bool = True,
    read: Sequence[tuple[Path, Any]] | None = None,
    states: dict[str, ParticipantState] | None = None,
) -> list[FidelityItem]:
    """All 13 items, in order.

    Without a period, each participant's facts come from the summaries cache (`imr.gates.summaries`,
    the same cache and trust as `imr status`'s rows), so a warm run parses no record; with a
    period, or for a record with dates after `today`, they are counted from the record itself.
    `fast=False` counts every record from the record itself (the tests compare the two).
    `read` and `states`: the records (and their states) a caller has already read, such as the
    report, which assesses two periods over the records it reads anyway.
    """
    today = today or date.today()
    people, unreadable = _people(ws, since, today, fast, read, states or {})
    return _items(ws, people, unreadable, since, today)


def assess_periods(
    ws: Workspace,
    periods: Sequence[tuple[date, date]],
    read: Sequence[tuple[Path, Any]],
    states: dict[str, ParticipantState] | None = None,
) -> list[list[FidelityItem]]:
    """`assess` for each period (`since`, `today`) over the records a caller has read, each
    record counted once for all of them (`imr.gates.record_facts.periods_facts`)."""
    people: list[list[dict]] = [[] for _ in periods]
    unreadable = 0
    states = states or {}
    for path, result in read:
        if not is_valid_id(path.stem):
            continue
        if isinstance(result, RecordProblem):
            unreadable += 1
            continue
        for found, facts in zip(
            people, _counted_periods(result, ws.curriculum, periods, states.get(path.stem)), strict=True
        ):
            found.append(facts)
    return [_items(ws, found, unreadable, since, today) for found, (since, today) in zip(people, periods, strict=True)]


def _items(ws: Workspace, people: list[dict], unreadable: int, since: date | None, today: date) -> list[FidelityItem]:
    active = [p for p in people if p["active"]]
    items = [
        _group_size(ws, active),
        _programme_length(active, today),
        _topics(active),
        _handouts(active),
        _significant_others(active, since, today),
        _goal_setting(active),
        _goal_follow_up(active),
    ]
    items.extend(FidelityItem(n, None, "observation", reason="observation") for n in OBSERVATION_ITEMS)
    items.extend(_indications(active))
    for item in items:
        item.evidence.setdefault("participants", len(active))
        if unreadable:
            item.evidence["unreadable_records"] = unreadable
    return items


def mean_score(items: list[FidelityItem]) -> float | None:
    scores = [i.score for i in items if i.score is not None]
    return round(sum(scores) / len(scores), 2) if scores else None


def _people(
    ws: Workspace,
    since: date | None,
    today: date,
    fast: bool,
    read: Sequence[tuple[Path, Any]] | None,
    states: dict[str, ParticipantState],
) -> tuple[list[dict], int]:
    people: list[dict] = []
    unreadable = 0
    if not ws.records_dir.is_dir():
        return people, unreadable
    if not fast or since is not None or read is not None:
        for path, result in read if read is not None else read_all_records(ws.records_dir, ws.root):
            if not is_valid_id(path.stem):
                continue
            if isinstance(result, RecordProblem):
                unreadable += 1
                continue
            people.append(_counted(result, ws.curriculum, since, today, states.get(path.stem)))
        return people, unreadable
    found: list[dict | Path] = []  # in file-name order, as the evidence lists them
    for path, problem, facts in fidelity_facts(ws, ws.curriculum):
        if not is_valid_id(path.stem) or problem in ("not_regular_file_finding", "file_unreadable"):
            continue  # not a participant's record, or gone since the listing
        if problem is not None:
            unreadable += 1
        elif isinstance(facts, dict) and facts.keys() >= FACT_KEYS and (day_of(facts["latest"]) or date.min) <= today:
            found.append(facts)
        else:  # dated after today (or facts the cache could not keep): counted from the record
            found.append(path)
    again = [item for item in found if not isinstance(item, dict)]
    with paused_gc():
        counted = iter(map_paths(_counted_from_file, again, ws.curriculum, since, today))
    for item in found:
        facts = item if isinstance(item, dict) else next(counted)
        if facts is None:
            unreadable += 1
        else:
            people.append(facts)
    return people, unreadable


def _counted_from_file(path, curriculum, since: date | None, today: date) -> dict[str, Any] | None:

    try:
        record = read_record(path, f"records/{path.name}")
    except (RecordProblem, OSError):
        return None
    return _counted(record, curriculum, since, today)


def _counted(
    record: Record, curriculum, since: date | None, today: date, state: ParticipantState | None = None
) -> dict[str, Any]:
    return _counted_periods(record, curriculum, [(since, today)], state)[0]


def _counted_periods(
    record: Record,
    curriculum,
    periods: Sequence[tuple[date | None, date]],
    state: ParticipantState | None = None,
) -> list[dict[str, Any]]:
    counted = periods_facts(record, state or derive_state(record), curriculum, periods)
    if any(facts is None for facts in counted):
        raise ValueError(f"records/{record.path.name}: a group name that is not text")
    return [facts for facts in counted if facts is not None]


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _group_size(ws: Workspace, active: list[dict]) -> FidelityItem:
    """Item 1: the largest group (its roster or the most people at one of its sessions)."""
    if not active:
        return FidelityItem(1, None, "records", reason="no_participants")
    attendance: dict[tuple, set[str]] = {}
    for person in active:
        for key in person["group_sessions"]:
            attendance.setdefault(tuple(key), set()).add(person["id"])
    groups: dict[str, dict[str, int]] = {}
    for (name, *_), present in attendance.items():
        info = groups.setdefault(name, {"members": 0, "largest_session": 0, "sessions": 0})
        info["largest_session"] = max(info["largest_session"], len(present))
        info["sessions"] += 1
    rosters = _rosters(ws)
    for name, members in rosters.items():
        if name in groups or members:
            groups.setdefault(name, {"members": 0, "largest_session": 0, "sessions": 0})["members"] = len(members)
    # Individual: neither on a group's roster nor at any group session in the period, whatever
    # format the enrolment said (a participant moved into a group is counted in the group).
    in_groups = {pid for members in rosters.values() for pid in members}
    in_groups |= {pid for present in attendance.values() for pid in present}
    individual = sum(1 for p in active if p["id"] not in in_groups and p["individual"])
    largest = max((max(g["members"], g["largest_session"]) for g in groups.values()), default=0)
    evidence = {"individual_participants": individual, "groups": groups, "largest_group": largest}
    if groups:
        return FidelityItem(1, size_band(largest), "records", evidence, reason="group_size")
    if individual < len(active):
        # Participants in group format, but no group file or session names a group: size unknown.
        return FidelityItem(1, None, "records", evidence, reason="group_size_unknown")
    return FidelityItem(1, 5, "records", evidence, reason="group_size_individual")


def _rosters(ws: Workspace) -> dict[str, list[str]]:
    """Members per group file."""

    return {group.name: list(group.members) for group in all_groups(ws)}


def _programme_length(active: list[dict], today: date) -> FidelityItem:
    """Item 2: of those enrolled six months or more, who has had six months of weekly sessions."""
    eligible = reached = 0
    for person in active:
        complete = person["complete"]
        enrolled = day_of(person["enrolled_on"])
        if not complete and (enrolled is None or today - enrolled < SIX_MONTHS):
            continue
        eligible += 1
        if complete or person["weeks"] >= WEEKS_FOR_SIX_MONTHS:
            reached += 1
    evidence = {
        "enrolled_six_months": eligible,
        "six_months_of_sessions": reached,
        "percent": _share(reached, eligible),
        "weeks_required": WEEKS_FOR_SIX_MONTHS,
    }
    if not eligible:
        return FidelityItem(2, None, "records", evidence, reason="length_none_eligible")
    return FidelityItem(2, percent_band(evidence["percent"]), "records", evidence, reason="length")


def _topics(active: list[dict]) -> FidelityItem:
    """Item 3: how many of the nine topic areas the programme covered in the period."""
    by_module: dict[int, int] = {}
    for person in active:
        for module in person["topics"]:
            by_module[module] = by_module.get(module, 0) + 1
    sessions = sum(p["sessions"] for p in active)
    evidence = {
        "topics_covered": len(by_module),
        "topics_total": len(TOPIC_MODULES),
        "covered_modules": sorted(by_module),
        "participants_per_module": dict(sorted(by_module.items())),
        "sessions": sessions,
    }
    if not sessions:
        return FidelityItem(3, None, "records", evidence, reason="no_sessions")
    return FidelityItem(3, topic_band(len(by_module)), "records", evidence, reason="topics")


def _handouts(active: list[dict]) -> FidelityItem:
    """Item 4: share of participants given a handout at least at every other session."""
    sessions = sum(p["sessions"] for p in active)
    logged = sum(p["handout_logged"] for p in active)
    given = sum(p["handout_given"] for p in active)
    with_sessions = [p for p in active if p["sessions"]]
    receiving = sum(1 for p in with_sessions if 2 * p["handout_given"] >= p["sessions"])
    evidence = {
        "sessions": sessions,
        "sessions_logging_handout": logged,
        "sessions_with_handout": given,
        "participants_with_sessions": len(with_sessions),
        "participants_receiving": receiving,
        "percent": _share(receiving, len(with_sessions)),
    }
    if not logged:
        return FidelityItem(4, None, "records", evidence, reason="handouts_not_logged")
    return FidelityItem(4, percent_band(evidence["percent"]), "records", evidence, reason="handouts")


def _significant_others(active: list[dict], since: date | None, today: date) -> FidelityItem:
    """Item 5: share of participants with a logged contact with a significant other in the window.

    The window ends at `today` like the period and starts no earlier, so "anything in the
    window" is "the last such day of the period falls in it".
    """
    start = since or (today - CONTACT_WINDOW)

    def in_window(value: str | None) -> bool:
        day = day_of(value)
        return day is not None and start <= day <= today

    ever_logged = any(p["others_logged"] for p in active)
    attending = [p for p in active if in_window(p["last_session"])]
    involved = sum(1 for p in attending if in_window(p["last_contact"]) or in_window(p["last_joined"]))
    evidence: dict[str, Any] = {
        "from": start.isoformat(),
        "participants_attending": len(attending),
        "participants_involving_others": involved,
        "percent": _share(involved, len(attending)),
    }
    if not ever_logged:
        return FidelityItem(5, None, "records", evidence, reason="others_not_logged")
    if not attending:
        return FidelityItem(5, None, "records", evidence, reason="no_sessions")
    return FidelityItem(5, percent_band(float(evidence["percent"])), "records", evidence, reason="others")


def _goal_setting(active: list[dict]) -> FidelityItem:
    """Item 6: share of participants who have set at least one recovery goal."""
    attending = [p for p in active if p["attending"]]
    with_goal = sum(1 for p in attending if p["goals"])
    evidence = {
        "participants_attending": len(attending),
        "participants_with_goal": with_goal,
        "percent": _share(with_goal, len(attending)),
    }
    if not attending:
        return FidelityItem(6, None, "records", evidence, reason="no_sessions")
    return FidelityItem(6, percent_band(evidence["percent"]), "records", evidence, reason="goals")


def _goal_follow_up(active: list[dict]) -> FidelityItem:
    """Item 7: of participants with goals, who had a goal followed up (new step, status, step done)."""
    with_goal = sum(1 for p in active if p["goals"])
    followed = sum(1 for p in active if p["goals"] and p["followed"])
    evidence = {
        "participants_with_goal": with_goal,
        "participants_followed_up": followed,
        "percent": _share(followed, with_goal),
    }
    if not with_goal:
        return FidelityItem(7, None, "records", evidence, reason="no_goals")
    return FidelityItem(7, percent_band(evidence["percent"]), "records", evidence, reason="follow_up")


def _indications(active: list[dict]) -> list[FidelityItem]:
    """Items 11–13: who has had the training at all, as a hint for the observer."""
    attending = [p for p in active if p["attending"]]
    whole = len(attending)
    coping = sum(1 for p in attending if p["coping"])
    relapse = sum(1 for p in attending if p["relapse"])
    plans = sum(1 for p in attending if p["plan"])
    medication = sum(1 for p in attending if p["medication"])
    out = []
    for number, count, extra, reason in (
        (11, coping, {}, "coping"),
        (12, relapse, {"participants_with_plan": plans}, "relapse"),
        (13, medication, {}, "medication"),
    ):
        evidence = {
            "participants_attending": whole,
            "participants_trained": count,
            "percent": _share(count, whole),
            **extra,
        }
        indication = percent_band(evidence["percent"]) if whole else None
        out.append(
            FidelityItem(
                number, None, "indication", evidence, reason=reason if whole else "no_sessions", indication=indication
            )
        )
    return out


def as_rows(items: list[FidelityItem], lang: str = "sv", workspace_root=None) -> list[dict[str, Any]]:
    """The items with their names and evidence in words (the strings' `fidelity` section)."""

    table = strings(lang, workspace_root).get("fidelity", {})
    names = table.get("items", {})
    texts = table.get("evidence", {})
    rows = []
    for item in items:
        params = dict(item.evidence)
        params["percent"] = round(params.get("percent", 0))
        params["groups_count"] = len(params.get("groups") or {})
        params["modules"] = ", ".join(str(m) for m in params.get("covered_modules") or []) or "–"
        text = texts.get(item.reason, item.reason)
        with contextlib.suppress(KeyError, IndexError, ValueError):
            text = text.format(**params)
        if params.get("unreadable_records"):
            text += " " + texts.get("unreadable", "").format(**params)
        rows.append(item.as_dict(str(names.get(f"item_{item.item}", item.item)), text.strip()))
    return rows
