"""IMR groups: `groups/NAME.yaml`, an append-only log of who is in the group.

A group file is kept like a record — a short header and a `log:` list that only grows — so
`git diff` shows who joined or left, when and signed by whom, and two clones merge the same
way. Membership is derived from the log. What happened in a group session is not kept here
but in every member's own record (entries with `group: NAME`), because attendance and notes
belong to the person; the group's place in the programme is derived from those entries.

Groups of more than eight lower fidelity (IMR-FS item 1), so adding a ninth member succeeds
with a warning rather than an error: the ward decides, the tool says what it costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr.errors import ImrError
from imr.programme.goals import require_steps
from imr.programme.sessions import SessionLog, check_date, parse_homework_review, refuse_if_logged, session_entry
from imr.records import writer
from imr.records.files import check_regular
from imr.records.findings import Finding
from imr.records.ids import SessionRef, check_group_name, check_participant_id, is_valid_id
from imr.records.kinds import COMMON, id_problem, list_of, signature_problem, text_problem
from imr.records.pii import find_pii
from imr.records.record import log_file_text
from imr.records.state import derive_state
from imr.strings import strings
from imr.workspace import store
from imr.workspace.folder import Workspace, check_signature
from imr.yamlio import YamlProblem, decode, parse_text

FIDELITY_MAX_MEMBERS = 8
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HEADER_COMMENT = (
    "# IMR group. Append-only: change membership with `imr group add|remove`, never edit or\n"
    "# remove earlier lines. Session notes are kept in each member's own record.\n"
)


_signature_list = list_of(signature_problem)


def _weekday_list(value: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(v in WEEKDAYS for v in value):
        return "entry_not_allowed"
    return None


_weekday_list.allowed = WEEKDAYS  # type: ignore[attr-defined]

# kind -> (required fields, optional fields), like imr.records.kinds.SCHEMA; every entry has at and by.
GROUP_SCHEMA: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "group-created": ({}, {"leaders": _signature_list, "weekdays": _weekday_list, "note": text_problem}),
    "member-added": ({"id": id_problem}, {"note": text_problem}),
    "member-removed": ({"id": id_problem}, {"note": text_problem}),
}


@dataclass
class Group:
    name: str
    path: Path
    leaders: list[str] = field(default_factory=list)
    weekdays: list[str] = field(default_factory=list)
    created: str | None = None
    created_by: str | None = None
    members: list[str] = field(default_factory=list)
    joined: dict[str, str] = field(default_factory=dict)
    ever: list[str] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)


def validate_group_entry(entry: Any) -> list[tuple[str, dict]]:
    """Problems with one group-log entry's shape, in the same codes as record entries."""
    if not isinstance(entry, dict):
        return [("entry_not_mapping", {})]
    kind = entry.get("kind")
    if kind not in GROUP_SCHEMA:
        return [("entry_unknown_kind", {"kind": str(kind)[:40]})]
    required, optional = GROUP_SCHEMA[kind]
    problems: list[tuple[str, dict]] = []
    for name in ("at", "by"):
        if name not in entry:
            problems.append(("entry_missing_field", {"field": name, "kind": kind}))
        elif (code := COMMON[name](entry[name])):
            problems.append((code, {"field": name, "kind": kind}))
    for name in required:
        if name not in entry:
            problems.append(("entry_missing_field", {"field": name, "kind": kind}))
    for name, value in entry.items():
        if name in ("kind", "at", "by"):  # a group entry's `id` is the member's participant id
            continue
        check = required.get(name) or optional.get(name)
        if check is None:
            problems.append(("entry_unknown_field", {"field": str(name)[:40], "kind": kind}))
        elif (code := check(value)):
            problems.append((code, {"field": name, "kind": kind, "allowed": ", ".join(getattr(check, "allowed", ()))}))
    return problems


def _group_from_log(name: str, path: Path, log: list) -> Group:
    group = Group(name=name, path=path, log=[e for e in log if isinstance(e, dict)])
    for entry in group.log:
        kind = entry.get("kind")
        if kind == "group-created":
            group.leaders = [str(x) for x in entry.get("leaders") or []]
            group.weekdays = [str(x) for x in entry.get("weekdays") or []]
            group.created = str(entry.get("at", ""))[:10] or None
            group.created_by = entry.get("by")
        elif kind == "member-added" and isinstance(entry.get("id"), str):
            pid = entry["id"]
            if pid not in group.members:
                group.members.append(pid)
                group.joined[pid] = str(entry.get("at", ""))
            if pid not in group.ever:
                group.ever.append(pid)
        elif kind == "member-removed" and entry.get("id") in group.members:
            group.members.remove(entry["id"])
    return group


def group_path(ws: Workspace, name: str) -> Path:
    return ws.groups_dir / f"{check_group_name(name)}.yaml"


def _parse(path: Path, shown: str) -> tuple[Any, Finding | None]:

    try:
        data = parse_text(decode(path.read_bytes()))
    except YamlProblem as problem:
        return None, Finding(shown, problem.line, problem.code, problem.params)
    except OSError:
        return None, Finding(shown, 0, "file_unreadable")
    if not isinstance(data, dict) or not isinstance(data.get("log"), list):
        return None, Finding(shown, getattr(data, "line", 1), "group_not_group")
    return data, None


def read_group(ws: Workspace, name: str) -> Group:
    path = group_path(ws, name)
    try:
        check_regular(path)
    except FileNotFoundError:
        raise ImrError("unknown_group", name=name) from None
    data, problem = _parse(path, f"groups/{path.name}")
    if problem is not None:
        raise ImrError("group_broken", where=f"{problem.path}:{problem.line}",
                       reason=problem.message(ws.lang).split(": ", 1)[-1])
    return _group_from_log(name, path, data["log"])


def group_names(ws: Workspace) -> list[str]:
    if not ws.groups_dir.is_dir():
        return []
    return sorted(p.stem for p in ws.groups_dir.glob("*.yaml") if is_valid_id(p.stem))


def all_groups(ws: Workspace) -> list[Group]:
    """Every readable group; a broken file is left to `imr check` instead of blocking others."""
    out = []
    for name in group_names(ws):
        try:
            out.append(read_group(ws, name))
        except ImrError:
            continue
    return out


def parse_weekday(value: str, lang: str = "sv", workspace_root: Path | None = None) -> str:
    """`mån`, `måndag`, `Monday` or `mon` to the stored form `monday`."""

    typed = str(value).strip().lower()
    names: dict[str, str] = {day: day for day in WEEKDAYS}
    for code in ("sv", "en"):
        table = strings(code, workspace_root).get("cli", {})
        names.update({str(table[f"weekday_{day}"]).lower(): day for day in WEEKDAYS if f"weekday_{day}" in table})
    if typed in names:
        return names[typed]
    matches = {day for label, day in names.items() if len(typed) >= 2 and label.startswith(typed)}
    if len(matches) == 1:
        return matches.pop()
    raise ImrError("group_bad_weekday", weekday=str(value)[:40])


def create_group(ws: Workspace, name: str, *, leaders: list[str] | None = None, weekdays: list[str] | None = None,
                 note: str | None = None, by: str | None = None) -> dict:
    signature = ws.signature(by)
    path = group_path(ws, name)
    store.check_identifier(name, ws, "group")
    if path.exists() or path.is_symlink():
        raise ImrError("group_exists", name=name)
    clean_leaders = []
    for leader in leaders or []:
        value = check_signature(leader)
        if value not in clean_leaders:
            clean_leaders.append(value)
    days = []
    for day in weekdays or []:
        value = parse_weekday(day, ws.lang, ws.root)
        if value not in days:
            days.append(value)
    entry = store.stamp({"kind": "group-created", "leaders": clean_leaders or None,
                         "weekdays": days or None, "note": note or None}, signature)
    _check_group_entry(entry, ws)

    text = log_file_text(HEADER_COMMENT, {"name": name}, [entry])
    ws.groups_dir.mkdir(exist_ok=True)
    writer.write_changes([writer.Create(path, text, [entry])], ws.lock_path)
    return entry


def _check_group_entry(entry: dict, ws: Workspace) -> None:
    store.check_new_entry(entry, ws, validate=validate_group_entry)


def add_members(ws: Workspace, name: str, participant_ids: list[str], *, by: str | None = None) -> dict[str, Any]:
    """Add participants; returns the entries and whether the group is now above eight.

    Membership is checked again under the workspace lock with every group file as it is then,
    so two staff adding one participant at the same time (to this group or to two groups) cannot
    both succeed.
    """
    signature = ws.signature(by)
    read_group(ws, name)
    if not participant_ids:
        raise ImrError("group_no_ids")
    for pid in participant_ids:
        check_participant_id(pid)
        store.load_record(ws, pid)

    def build(data) -> list[dict]:
        group = read_group(ws, name)
        others = {pid: g.name for g in all_groups(ws) if g.name != name for pid in g.members}
        entries = []
        seen: set[str] = set()
        for pid in participant_ids:
            if pid in group.members or pid in seen:
                raise ImrError("group_already_member", id=pid, name=name)
            if pid in others:
                raise ImrError("group_member_elsewhere", id=pid, other=others[pid])
            seen.add(pid)
            entry = store.stamp({"kind": "member-added", "id": pid}, signature)
            _check_group_entry(entry, ws)
            entries.append(entry)
        return entries

    change = writer.Append(group_path(ws, name), build=build)
    writer.write_changes([change], ws.lock_path)
    size = len(read_group(ws, name).members)
    return {"entries": change.entries, "size": size, "over_fidelity": size > FIDELITY_MAX_MEMBERS}


def remove_member(ws: Workspace, name: str, participant_id: str, *, note: str | None = None,
                  by: str | None = None) -> dict:
    signature = ws.signature(by)
    read_group(ws, name)
    check_participant_id(participant_id)
    entry = store.stamp({"kind": "member-removed", "id": participant_id, "note": note or None}, signature)
    _check_group_entry(entry, ws)

    def build(data) -> list[dict]:
        if participant_id not in read_group(ws, name).members:
            raise ImrError("group_not_member", id=participant_id, name=name)
        return [entry]

    writer.write_changes([writer.Append(group_path(ws, name), build=build)], ws.lock_path)
    return entry


def group_of(ws: Workspace, participant_id: str) -> str | None:
    """The group a participant is in now, if any (a participant is in at most one)."""
    for group in all_groups(ws):
        if participant_id in group.members:
            return group.name
    return None


def describe_group(ws: Workspace, name: str) -> dict[str, Any]:
    """What `group show` tells: leaders, days, members with their place, and the log."""
    from imr.programme.group_planning import group_progress

    group = read_group(ws, name)
    progress = group_progress(ws, group)
    members = []
    for pid in group.members:
        state = progress.states.get(pid)
        members.append({
            "id": pid,
            "joined": group.joined.get(pid, "")[:10] or None,
            "variant": state.variant if state else None,
            "sessions_held": len(state.sessions) if state else None,
            "sessions_missed": len(state.absences) if state else None,
        })
    last = progress.last_meeting
    return {
        "name": group.name,
        "created": group.created,
        "created_by": group.created_by,
        "leaders": group.leaders,
        "weekdays": group.weekdays,
        "size": len(group.members),
        "over_fidelity": len(group.members) > FIDELITY_MAX_MEMBERS,
        "members": members,
        "sessions_held": len(progress.held),
        "last_session": ({"session": str(last.ref), "date": last.date} if last else None),
        "next_session": (str(progress.next_ref) if progress.next_ref else None),
        "log": [{"kind": e.get("kind"), "at": e.get("at"), "by": e.get("by"), "id": e.get("id"),
                 "note": e.get("note")} for e in group.log],
    }


def parse_steps_done(values: list[str], members: list[str]) -> dict[str, list[str]]:
    """`p-01:G1.2` per step done in a group session, grouped per member."""
    out: dict[str, list[str]] = {}
    for value in values:
        pid, sep, step = str(value).partition(":")
        pid, step = pid.strip(), step.strip()
        if not sep or not pid or not step:
            raise ImrError("group_step_format", value=str(value)[:40])
        if pid not in members:
            raise ImrError("group_step_not_member", id=pid[:40])
        out.setdefault(pid, []).append(step)
    return out


def _per_member(values: list[str] | tuple[str, ...], members: list[str], error: str) -> tuple[str | None, dict[str, str]]:
    """`VALUE` (a default for everyone present) and `ID:VALUE` items, checked against the members."""
    default: str | None = None
    per: dict[str, str] = {}
    for raw in values:
        pid, sep, value = str(raw).partition(":")
        if not sep:
            default = str(raw).strip()
            continue
        pid, value = pid.strip(), value.strip()
        if pid not in members:
            raise ImrError(error, id=pid[:40])
        per[pid] = value
    return default, per


def log_group_session(ws: Workspace, name: str, log: SessionLog, *, dry_run: bool = False) -> dict[str, Any]:
    """One entry in every member's record, `session` or `absent`, written all or nothing.

    Everything is checked before anything is written: the group, every absent id, every step,
    every member's record and every entry; then, under the lock, that no member already has this
    meeting on this date (two leaders logging one meeting) and that the membership is what it
    was; then all records change in one transaction. Per-member facts (homework review, a
    relative who took part, steps done) go only to the members they name; absentees get none.
    `dry_run` checks everything and writes nothing (before a note is written in an editor).
    """
    from imr.programme.group_planning import group_progress

    signature = ws.signature(log.by)
    group = read_group(ws, name)
    if not group.members:
        raise ImrError("group_no_members", name=name)
    absent_ids: list[str] = []
    for raw in log.absent_ids:
        for pid in (part.strip() for part in str(raw).split(",")):
            if not pid:
                continue
            if pid not in group.members:
                raise ImrError("group_absent_not_member", id=pid[:40], name=name)
            if pid not in absent_ids:
                absent_ids.append(pid)
    steps = parse_steps_done(list(log.steps_done), group.members)
    reviews = {pid: parse_homework_review(v, ws.lang) for pid, v in log.homework_reviews.items()}
    for pid in reviews:
        if pid not in group.members:
            raise ImrError("group_step_not_member", id=pid[:40])
    default_review = parse_homework_review(log.homework_review, ws.lang) if log.homework_review else None
    for pid in list(steps) + list(reviews) + list(log.significant_others):
        if pid not in group.members:
            raise ImrError("group_step_not_member", id=pid[:40])
        if pid in absent_ids:
            raise ImrError("group_step_absent", id=pid)
    day = check_date(log.date)
    if (log.module is None) != (log.session is None):
        raise ImrError("module_and_session_together")
    progress = group_progress(ws, group)
    if log.module is not None and log.session is not None:
        ref = SessionRef(log.module, log.session)
        ws.curriculum.session(ref)
    else:
        planned = progress.next_ref
        if planned is None:
            raise ImrError("group_programme_complete", name=name)
        ref = planned
    members = list(group.members)
    entries: dict[str, dict] = {}
    for pid in members:
        is_absent = pid in absent_ids
        entries[pid] = session_entry(
            ws, pid, ref=ref, log=SessionLog(date=day, note=None if is_absent else log.note,
                                             homework=None if is_absent else log.homework, handout=log.handout),
            by=signature, group=name, absent=is_absent,
            homework_review=None if is_absent else reviews.get(pid, default_review),
            significant_other=pid in log.significant_others)

    def builder(pid: str):
        def build(record) -> list[dict]:

            if pid not in read_group(ws, name).members:
                raise ImrError("group_changed", name=name)
            entry = dict(entries[pid])
            if pid in steps:
                entry["steps_done"] = require_steps(derive_state(record), pid, steps[pid])
            refuse_if_logged(record, entry, pid, log.again)
            return [entry]

        return build

    if not dry_run:
        store.append_many(ws, {pid: builder(pid) for pid in members})
    return {"group": name, "session": str(ref), "date": day, "by": signature,
            "present": [pid for pid in members if pid not in absent_ids], "absent": absent_ids}


def check_groups(ws: Workspace) -> list[Finding]:
    """Every problem in `groups/`: syntax, header, entry shapes, and who may be a member."""
    findings: list[Finding] = []
    folder = ws.groups_dir
    if not folder.is_dir():
        return findings
    known = set(store.record_ids(ws))
    current: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        shown = f"groups/{path.name}"
        if path.is_symlink() or not path.is_file():
            findings.append(Finding(shown, 0, "not_regular_file_finding"))
            continue
        if path.suffix != ".yaml" or not is_valid_id(path.stem):
            findings.append(Finding(shown, 0, "group_bad_filename"))
            continue
        data, problem = _parse(path, shown)
        if problem is not None:
            findings.append(problem)
            continue
        if data.get("name") != path.stem:
            findings.append(Finding(shown, getattr(data, "line", 1), "group_name_mismatch",
                                    {"name": str(data.get("name"))[:40], "file": path.stem}))
        unknown_header = [k for k in data if k not in ("name", "log")]
        for key in unknown_header:
            findings.append(Finding(shown, getattr(data, "line", 1), "group_unknown_header", {"field": str(key)[:40]}))
        log = data["log"]
        if not log:
            findings.append(Finding(shown, 1, "group_empty"))
            continue
        if not isinstance(log[0], dict) or log[0].get("kind") != "group-created":
            findings.append(Finding(shown, getattr(log[0], "line", 1), "group_first_not_created"))
        members: set[str] = set()
        for index, entry in enumerate(log):
            line = getattr(entry, "line", 0)
            for code, params in validate_group_entry(entry):
                findings.append(Finding(shown, line, code, params))
            if not isinstance(entry, dict):
                continue
            kind, pid = entry.get("kind"), entry.get("id")
            if kind == "group-created" and index > 0:
                findings.append(Finding(shown, line, "group_created_twice"))
            if kind == "member-added" and isinstance(pid, str):
                if pid not in known:
                    findings.append(Finding(shown, line, "group_unknown_participant", {"id": pid[:40]}))
                if pid in members:
                    findings.append(Finding(shown, line, "group_member_twice", {"id": pid[:40]}))
                members.add(pid)
            elif kind == "member-removed" and isinstance(pid, str):
                if pid not in members:
                    findings.append(Finding(shown, line, "group_not_a_member", {"id": pid[:40]}))
                members.discard(pid)
            if isinstance(entry.get("note"), str):

                hit = find_pii(entry["note"])
                if hit:
                    findings.append(Finding(shown, line, f"pii_found_{hit.kind}"))
        for pid in members:
            current.setdefault(pid, []).append(path.stem)
    for pid, names in sorted(current.items()):
        if len(names) > 1:
            findings.append(Finding(f"groups/{names[-1]}.yaml", 0, "group_member_in_several",
                                    {"id": pid, "groups": ", ".join(names)}))
    return findings
