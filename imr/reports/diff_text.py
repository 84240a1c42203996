"""`imr diff` in words: the lines the terminal prints and imr web's *Ändringar* page shows, and
the same report as data for `--json`.

Each entry kind's wording is data: the kind registry (`imr.records.kinds`, and the group-file
kinds of `imr.programme.groups`) names its key in `templates/strings/<lang>/supervision.yaml`;
this module only fills in the values the wording needs (a session's number, a goal's label as
people see it, what a relapse-plan version changed). Both front ends call it, so neither
borrows from the other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr.core.strings import label, number, strings
from imr.programme.groups import GROUP_SCHEMA
from imr.records.kinds import KINDS, RELAPSE_PLAN, SESSION_LIKE
from imr.reports.diff import DiffReport, FileChange

Line = tuple[str | None, str]  # (a rich style or None, the text)


class Words:
    """The wording of `imr diff` in one language (the `cli` section, with a workspace's own
    strings over the packaged ones)."""

    def __init__(self, lang: str, root: Path | None = None) -> None:
        self.lang = lang
        self.root = root

    def t(self, key: str, **params: Any) -> str:
        return label("cli", key, self.lang, self.root, **params)

    def value(self, group: str, raw: Any) -> str:
        """A record value as the reader says it (`individual` -> `individuell`); unknown values as they are."""
        if raw is None:
            return self.t("none")
        table = strings(self.lang, self.root).get("values", {}).get(group, {})
        return str(table.get(str(raw), raw))


def diff_key(kind: str) -> str:
    """The key of a kind's wording: the registry's for record kinds, `diff_<kind>` for a group
    file's kinds."""
    declared = KINDS.get(kind)
    return declared.diff if declared is not None else "diff_" + kind.replace("-", "_")


def written_kinds() -> list[str]:
    """Every kind the writer writes: record kinds and group-file kinds."""
    return [*KINDS, *(k for k in GROUP_SCHEMA if k not in KINDS)]


def diff_lines(report: DiffReport, words: Words, by: str | None = None) -> list[Line]:
    """The lines of `imr diff`: rewrites first, then per file what was added, one entry a line."""
    t = words.t
    target = report.new or t("diff_worktree")
    if not report.changes:
        if by is not None:  # say that the filter left nothing, not that nothing was written
            return [(None, t("diff_nothing_by", by=by, old=report.old, new=target))]
        return [(None, t("diff_nothing", old=report.old, new=target))]
    lines: list[Line] = []
    if report.rewrites:
        lines.append(("bold white on red", t("diff_rewritten_heading", count=len(report.rewrites))))
        for change in report.rewrites:
            for hunk in change.rewritten:
                lines.append(("bold red", t("diff_rewritten_at", path=change.path, line=hunk["line"])))
                lines.extend(("red", f"  - {line}") for line in hunk["removed"])
                lines.extend(("green", f"  + {line}") for line in hunk["added"])
        lines.append((None, ""))
    lines.append(("bold", t("diff_heading", old=report.old, new=target)))
    for change in report.changes:
        status = t(f"diff_status_{change.status}")
        who = t("diff_participant" if change.kind == "participant" else "diff_group", id=change.id)
        lines.append(("bold cyan", f"{who} ({change.path}, {status})"))
        if change.problem:
            lines.append(("red", "  " + problem_text(change, words.lang)))
        context = Context(change.log, change.step_labels) if change.added else None
        for added in change.added:
            lines.append((None, "  " + describe(added["entry"], added["data"], words, context)))
        if change.rewritten and not change.added:
            lines.append(("red", "  " + t("diff_only_rewritten")))
    return lines


def diff_json(report: DiffReport, lang: str) -> dict[str, Any]:
    """`imr diff --json`: the added entries as written, per participant and group."""

    def one(change: FileChange) -> dict[str, Any]:
        key = "id" if change.kind == "participant" else "name"
        out: dict[str, Any] = {
            key: change.id,
            "path": change.path,
            "status": change.status,
            "added": [{"entry": a["entry"], "line": a["line"], **a["data"]} for a in change.added],
            "rewritten": change.rewritten,
        }
        if change.problem:
            out["problem"] = problem_text(change, lang)
        if change.step_labels:
            out["step_labels"] = (
                change.step_labels
            )  # entry id -> the step's label where it differs from the written one
        return out

    return {
        "from": report.old,
        "to": report.new,
        "rewritten_files": len(report.rewrites),
        "participants": [one(c) for c in report.changes if c.kind == "participant"],
        "groups": [one(c) for c in report.changes if c.kind == "group"],
    }


def problem_text(change: FileChange, lang: str) -> str:
    """Why the new version of a file cannot be read, as `imr check` says it."""
    from imr.records.findings import Finding

    params = dict(change.problem_params)
    line = params.pop("line", 0)
    return Finding(change.path, line, change.problem or "", params).message(lang)


def describe(number: int, entry: dict, words: Words, context: Context | None = None) -> str:
    """One entry in words: date, who signed, and what it says; references are named by the labels
    and ids people see, resolved in the file's log (on the quick path, just the entries named)."""
    from imr.programme.planning import excerpt

    t = words.t
    kind = str(entry.get("kind") or "?")
    day = entry.get("date") or str(entry.get("at") or "")[:10]
    context = context or Context([])
    parts = [what(kind, entry, words, context)]
    if entry.get("group") and kind in SESSION_LIKE:
        parts.append(t("diff_in_group", group=entry["group"]))
    review = entry.get("homework_review")
    if review:
        parts.append(t("diff_homework_review", review=t(f"diff_review_{review}")))
    if entry.get("handout") is True:
        parts.append(t("diff_handout"))
    if entry.get("significant_other") is True:
        parts.append(t("diff_significant_other"))
    if entry.get("steps_done"):
        parts.append(t("diff_steps_done", steps=", ".join(context.label(s) for s in entry["steps_done"])))
    if entry.get("homework"):
        parts.append(t("diff_homework", homework=excerpt(entry["homework"], 80)))
    if entry.get("note"):
        parts.append(t("diff_note", note=excerpt(entry["note"])))
    shown = entry["id"] if isinstance(entry.get("id"), str) else f"#{number}"
    return t("diff_entry", number=shown, date=day, by=entry.get("by") or "?", what="; ".join(p for p in parts if p))


class Context:
    """What an entry's references point at, in the log of the version being described.

    Made once per file: a week's commit adds a few entries to each of many records."""

    def __init__(self, log: list[dict], step_labels: dict[str, str] | None = None) -> None:
        self.log = log
        self.by_id = {e["id"]: e for e in log if isinstance(e.get("id"), str)}
        self.step_labels = step_labels or {}

    def label(self, ref: Any) -> str:
        """The label people see for the goal or step an entry names (a renumbered step's new one)."""
        if isinstance(ref, str) and ref in self.step_labels:
            return self.step_labels[ref]
        target = self.by_id.get(ref) if isinstance(ref, str) else None
        if target is None:
            return str(ref)
        return str(target.get("step") or target.get("goal") or ref)

    def relapse_changes(self, entry: dict, words: Words) -> str:
        from imr.programme.relapse_plan import SECTIONS, plan_changes

        before = self.by_id.get(entry.get("previous")) if entry.get("previous") else None  # type: ignore[arg-type]
        if before is None:
            versions = [e for e in self.log if e.get("kind") == RELAPSE_PLAN]
            index = next((i for i, e in enumerate(versions) if e is entry or e == entry), None)
            before = versions[index - 1] if index else None
        plan = {name: entry.get(name) for name in SECTIONS}
        changes = plan_changes({n: before.get(n) for n in SECTIONS} if before else None, plan)
        parts = []
        for name, change in changes.items():
            section = words.t(f"diff_section_{name}")
            parts += [f"+ {section}: {item}" for item in change["added"]]
            parts += [f"− {section}: {item}" for item in change["removed"]]
        return "; ".join(parts)


def what(kind: str, entry: dict, words: Words, context: Context | None = None) -> str:
    """What one entry says, in the words its kind declares (an unknown kind: its name)."""
    build = _WHAT.get(kind)
    if build is None:
        return kind
    return build(diff_key(kind), entry, words, context or Context([]))


# Per kind, the values its wording needs; the wording itself is in the strings files, under the
# key the registry declares (`diff_key`). Each takes (key, entry, words, context).
_Build = Callable[[str, dict, Words, Context], str]


def _session(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, session=f"{entry.get('module')}.{entry.get('session')}")


def _enrolled(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, variant=w.value("variant", entry.get("variant")), format=w.value("format", entry.get("format")))


def _profile(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, fields=_fields(w, entry, ("variant", "format", "leader", "module_order")))


def _goal(key: str, entry: dict, w: Words, context: Context) -> str:
    steps = entry.get("steps") or []
    text = w.t(key, goal=entry.get("goal"), text=entry.get("text"))
    return text + (w.t(key + "_steps", steps="; ".join(map(str, steps))) if steps else "")


def _goal_step(key: str, entry: dict, w: Words, context: Context) -> str:
    shown = context.step_labels.get(entry.get("id"))  # type: ignore[arg-type]
    if shown:
        return w.t(key + "_renumbered", step=shown, written=entry.get("step"), text=entry.get("text"))
    return w.t(key, step=entry.get("step"), text=entry.get("text"))


def _goal_update(key: str, entry: dict, w: Words, context: Context) -> str:
    target = entry.get("target") if entry.get("target") is not None else entry.get("goal")
    text = w.t(key, goal=context.label(target), status=w.t(f"goal_status_{entry.get('status')}"))
    return text + (f" ”{entry['text']}”" if entry.get("text") else "")


def _relapse_plan(key: str, entry: dict, w: Words, context: Context) -> str:
    changes = context.relapse_changes(entry, w)
    return w.t(key) + (f" ({changes})" if changes else "")


def _imrs(key: str, entry: dict, w: Words, context: Context) -> str:
    from imr.programme.imrs import mean

    average = mean(list(entry.get("scores") or []))
    shown = number(average, w.lang) if average is not None else "–"
    return w.t(key, rater=w.value("rater", entry.get("rater")), mean=shown)


def _contact(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, who=entry.get("who"))


def _correction(key: str, entry: dict, w: Words, context: Context) -> str:
    text = w.t(key, target=entry.get("target"))
    target = context.by_id.get(entry["target"]) if isinstance(entry.get("target"), str) else None
    if target is not None:
        day = target.get("date") or str(target.get("at", ""))[:10]
        text += " " + w.t(key + "_of", kind=w.value("kind", target.get("kind")), date=day)
    if entry.get("void") is True:
        text += " " + w.t(key + "_void")
    if isinstance(entry.get("set"), dict):
        text += " " + w.t(key + "_set", fields=_fields(w, entry["set"], tuple(entry["set"])))
    return text


def _group_created(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, leaders=", ".join(map(str, entry.get("leaders") or [])) or "–")


def _group_changed(key: str, entry: dict, w: Words, context: Context) -> str:
    """`imr group set`: only the fields given changed."""
    changed = []
    if entry.get("leaders"):
        changed.append(w.t(key + "_leaders", leaders=", ".join(map(str, entry["leaders"]))))
    if entry.get("weekdays"):
        days = ", ".join(w.t(f"weekday_{d}") for d in entry["weekdays"])
        changed.append(w.t(key + "_weekdays", weekdays=days))
    return w.t(key, changes="; ".join(changed) or "–")


def _member(key: str, entry: dict, w: Words, context: Context) -> str:
    return w.t(key, id=entry.get("id"))


_WHAT: dict[str, _Build] = {
    "session": _session,
    "absent": _session,
    "enrolled": _enrolled,
    "profile": _profile,
    "goal": _goal,
    "goal-step": _goal_step,
    "goal-update": _goal_update,
    "relapse-plan": _relapse_plan,
    "imrs": _imrs,
    "contact": _contact,
    "correction": _correction,
    "group-created": _group_created,
    "group-changed": _group_changed,
    "member-added": _member,
    "member-removed": _member,
}

# The extra keys some kinds' wording uses besides their own (`<key>_renumbered`, ...): the
# completeness test checks that they exist in every language too.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "goal": ("_steps",),
    "goal-step": ("_renumbered",),
    "correction": ("_of", "_void", "_set"),
    "group-changed": ("_leaders", "_weekdays"),
}

_SHOWN = {"variant": "variant", "format": "format", "rater": "rater", "status": "status", "kind": "kind"}


def _fields(w: Words, data: dict, names: tuple) -> str:
    return ", ".join(
        f"{w.value('field', k)}={w.value(_SHOWN[k], data[k]) if k in _SHOWN else data[k]}"
        for k in names
        if data.get(k) is not None
    )


def worded(kind: str) -> bool:
    """Whether `imr diff` has words for a kind (else it shows the kind's name)."""
    return kind in _WHAT
