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

from imr.core.errors import ImrError
from imr.core.files import check_regular, read_regular
from imr.core.strings import strings
from imr.core.yamlio import YamlProblem, decode, parse_text
from imr.records import writer
from imr.records.findings import Finding, comment_findings
from imr.records.ids import check_group_name, check_participant_id, is_valid_id
from imr.records.kinds import COMMON, date_problem, id_problem, list_of, shape_problems, signature_problem, text_problem
from imr.records.pii import hand_written_hit, identifier_name
from imr.records.record import log_file_text
from imr.workspace import store
from imr.workspace.folder import Workspace, check_signature

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
    "member-added": ({"id": id_problem}, {"note": text_problem, "date": date_problem}),
    "member-removed": ({"id": id_problem}, {"note": text_problem, "date": date_problem}),
    # `imr group set`: new leaders and/or meeting days; a field not given keeps its value.
    "group-changed": ({}, {"leaders": _signature_list, "weekdays": _weekday_list, "note": text_problem}),
}
_GROUP_COMMON = {"at": COMMON["at"], "by": COMMON["by"]}  # no entry ids in group files


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
    """Problems with one group-log entry's shape, checked as record entries are (a group
    entry's `id` is the member's participant id, declared by its kind)."""
    return shape_problems(entry, GROUP_SCHEMA, _GROUP_COMMON)


def _group_from_log(name: str, path: Path, log: list) -> Group:
    group = Group(name=name, path=path, log=[e for e in log if isinstance(e, dict)])
    for entry in group.log:
        kind = entry.get("kind")
        if kind == "group-created":
            group.leaders = [str(x) for x in entry.get("leaders") or []]
            group.weekdays = [str(x) for x in entry.get("weekdays") or []]
            group.created = str(entry.get("at", ""))[:10] or None
            group.created_by = entry.get("by")
        elif kind == "group-changed":
            if isinstance(entry.get("leaders"), list):
                group.leaders = [str(x) for x in entry["leaders"]]
            if isinstance(entry.get("weekdays"), list):
                group.weekdays = [str(x) for x in entry["weekdays"]]
        elif kind == "member-added" and isinstance(entry.get("id"), str):
            pid = entry["id"]
            if pid not in group.members:
                group.members.append(pid)
                group.joined[pid] = str(entry.get("date") or entry.get("at", ""))
            if pid not in group.ever:
                group.ever.append(pid)
        elif kind == "member-removed" and entry.get("id") in group.members:
            group.members.remove(entry["id"])
    return group


def group_path(ws: Workspace, name: str) -> Path:
    return ws.groups_dir / f"{check_group_name(name)}.yaml"


def _parse(path: Path, shown: str) -> tuple[Any, Finding | None]:

    try:
        data = parse_text(decode(read_regular(path)))
    except YamlProblem as problem:
        return None, Finding(shown, problem.line, problem.code, problem.params)
    except ImrError:
        return None, Finding(shown, 0, "not_regular_file_finding")
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
        raise ImrError(
            "group_broken", where=f"{problem.path}:{problem.line}", reason=problem.message(ws.lang).split(": ", 1)[-1]
        )
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


def create_group(
    ws: Workspace,
    name: str,
    *,
    leaders: list[str] | None = None,
    weekdays: list[str] | None = None,
    note: str | None = None,
    by: str | None = None,
) -> dict:
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
    entry = store.stamp(
        {"kind": "group-created", "leaders": clean_leaders or None, "weekdays": days or None, "note": note or None},
        signature,
    )
    _check_group_entry(entry, ws)

    text = log_file_text(HEADER_COMMENT, {"name": name}, [entry])
    ws.groups_dir.mkdir(exist_ok=True)
    writer.write_changes([writer.Create(path, text, [entry])], ws.lock_path)
    return entry


def set_group(
    ws: Workspace,
    name: str,
    *,
    leaders: list[str] | None = None,
    weekdays: list[str] | None = None,
    note: str | None = None,
    by: str | None = None,
) -> dict:
    """New leaders and/or meeting days for a group (a group created without `--weekday` gets one)."""
    signature = ws.signature(by)
    group = read_group(ws, name)
    if not leaders and not weekdays:
        raise ImrError("group_set_nothing", name=name)
    clean_leaders = list(dict.fromkeys(check_signature(x) for x in leaders or [])) or None
    days = list(dict.fromkeys(parse_weekday(d, ws.lang, ws.root) for d in weekdays or [])) or None
    if (clean_leaders is None or clean_leaders == group.leaders) and (days is None or days == group.weekdays):
        raise ImrError("group_set_unchanged", name=name)
    entry = store.stamp(
        {"kind": "group-changed", "leaders": clean_leaders, "weekdays": days, "note": note or None}, signature
    )
    _check_group_entry(entry, ws)
    writer.write_changes([writer.Append(group_path(ws, name), [entry])], ws.lock_path)
    return entry


def _check_group_entry(entry: dict, ws: Workspace) -> None:
    store.check_new_entry(entry, ws, validate=validate_group_entry)


def _member_day(ws: Workspace, participant_id: str, date: str | None) -> str | None:
    """The day a member joined or left (`--date`): the sessions' date rules, the member's own
    enrolment included; None when not given (the entry's `at` tells the day)."""
    if date is None:
        return None
    from imr.programme.sessions import check_date

    day = check_date(date)
    try:
        record = store.load_record(ws, participant_id)
    except ImrError:  # a former member whose record is gone: the calendar rules only
        record = None
    store.check_dates({"date": day}, record)
    return day


def add_members(
    ws: Workspace, name: str, participant_ids: list[str], *, by: str | None = None, date: str | None = None
) -> dict[str, Any]:
    """Add participants; returns the entries and whether the group is now above eight.

    Membership is checked again under the workspace lock with every group file as it is then,
    so two staff adding one participant at the same time (to this group or to two groups) cannot
    both succeed.
    """
    signature = ws.signature(by)
    read_group(ws, name)
    if not participant_ids:
        raise ImrError("group_no_ids")
    days = {}
    for pid in participant_ids:
        check_participant_id(pid)
        store.load_record(ws, pid)
        days[pid] = _member_day(ws, pid, date)

    def build(data: Any) -> list[dict]:
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
            entry = store.stamp({"kind": "member-added", "id": pid, "date": days[pid]}, signature)
            _check_group_entry(entry, ws)
            entries.append(entry)
        return entries

    change = writer.Append(group_path(ws, name), build=build)
    writer.write_changes([change], ws.lock_path)
    size = len(read_group(ws, name).members)
    return {"entries": change.entries, "size": size, "over_fidelity": size > FIDELITY_MAX_MEMBERS}


def remove_member(
    ws: Workspace,
    name: str,
    participant_id: str,
    *,
    note: str | None = None,
    by: str | None = None,
    date: str | None = None,
) -> dict:
    signature = ws.signature(by)
    read_group(ws, name)
    check_participant_id(participant_id)
    day = _member_day(ws, participant_id, date)
    entry = store.stamp({"kind": "member-removed", "id": participant_id, "note": note or None, "date": day}, signature)
    _check_group_entry(entry, ws)

    def build(data: Any) -> list[dict]:
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


def _comment_findings(path: Path, shown: str, allow: frozenset[str]) -> list[Finding]:
    """Personal data in a group file's comments (any line, after a value or a `- ` item)."""
    try:
        text = read_regular(path).decode("utf-8", "replace")
    except (OSError, ImrError):
        return []
    return comment_findings(text, shown, allow, HEADER_COMMENT)


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
        for pid in _check_group_file(ws, path, known, findings):
            current.setdefault(pid, []).append(path.stem)
    for pid, names in sorted(current.items()):
        if len(names) > 1:
            findings.append(
                Finding(
                    f"groups/{names[-1]}.yaml", 0, "group_member_in_several", {"id": pid, "groups": ", ".join(names)}
                )
            )
    return findings


def _check_group_file(ws: Workspace, path: Path, known: set[str], findings: list[Finding]) -> set[str]:
    """One group file's problems (added to `findings`) and the members it has now."""
    shown = f"groups/{path.name}"
    if path.is_symlink() or not path.is_file():
        findings.append(Finding(shown, 0, "not_regular_file_finding"))
        return set()
    if path.suffix != ".yaml" or not is_valid_id(path.stem):
        findings.append(Finding(shown, 0, "group_bad_filename"))
        return set()
    data, problem = _parse(path, shown)
    if problem is not None:
        findings.append(problem)
        return set()
    if data.get("name") != path.stem:
        findings.append(
            Finding(
                shown,
                getattr(data, "line", 1),
                "group_name_mismatch",
                {"name": str(data.get("name"))[:40], "file": path.stem},
            )
        )
    unknown_header = [k for k in data if k not in ("name", "log")]
    for key in unknown_header:
        findings.append(Finding(shown, getattr(data, "line", 1), "group_unknown_header", {"field": str(key)[:40]}))
    log = data["log"]
    if not log:
        findings.append(Finding(shown, 1, "group_empty"))
        return set()
    if not isinstance(log[0], dict) or log[0].get("kind") != "group-created":
        findings.append(Finding(shown, getattr(log[0], "line", 1), "group_first_not_created"))
    for hit in (
        hand_written_hit({k: v for k, v in data.items() if k not in ("name", "log")}, ws.allowed_words),
        identifier_name(path.stem, ws.allowed_words),
    ):
        if hit:
            findings.append(Finding(shown, 1, f"pii_found_{hit.kind}"))
    findings.extend(_comment_findings(path, shown, ws.allowed_words))
    return _log_findings(ws, shown, log, known, findings)


def _log_findings(ws: Workspace, shown: str, log: list, known: set[str], findings: list[Finding]) -> set[str]:
    """A group file's entries: their shapes, the membership they make (returned), personal data."""
    members: set[str] = set()
    scanned: dict = {}
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
        # every hand-written place (note, by:, leaders:, nested values, keys), with the
        # workspace's allow-list, exactly as the writer checked it
        hit = hand_written_hit(entry, ws.allowed_words, scanned)
        if hit:
            findings.append(Finding(shown, line, f"pii_found_{hit.kind}"))
    return members
