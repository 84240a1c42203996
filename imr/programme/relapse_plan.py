"""The relapse-prevention plan of module 7, kept as versions in the record.

Each version is a complete plan in one entry (triggers, early warning signs, what to do, what
helps to calm down, what others should not do, who helps, emergency contacts, where the plan is
kept and who has a copy), so the latest entry alone is what plans and personal handouts show, and
`git diff` of a new version shows the whole plan as it now stands. Each version names the one it
follows (`previous:`, an entry id), so "what changed" is always measured against the right
version, even after a merge.

Changes say what they do: an item given on the command line is added to its section; removing an
item (`--remove-helper …`) or replacing a whole section (`--replace`) is explicit, and `imr
relapse-plan ID --history` and `imr diff` list what each version added and removed per section.

Contacts are written as roles ("kontaktperson", "avdelningens telefon"), never as names or
numbers: the PII guard refuses phone numbers, e-mail addresses and personnummer here as
everywhere else.
"""

from __future__ import annotations

from typing import Any

from imr.core.errors import ImrError
from imr.core.yamlio import YamlProblem, dump, parse_text
from imr.curriculum.prefill import RELAPSE_SECTIONS
from imr.records.findings import Finding
from imr.records.record import Entry, Record
from imr.records.state import ParticipantState, derive_state
from imr.workspace import store
from imr.workspace.folder import Workspace

# In the order of the worksheet (handout 7.4), the printed plan and the editing form.
SECTIONS = RELAPSE_SECTIONS
TEXT_SECTIONS = ("kept_at",)
LIST_SECTIONS = tuple(name for name in SECTIONS if name not in TEXT_SECTIONS)


def current_plan(state: ParticipantState) -> dict[str, Any] | None:
    """The current plan as plain data, or None when no plan has been written yet.

    Normally the one version no later version follows. After two clones each wrote a version
    following the same one (a fork), the plan is their union: every item either added, and an
    item of the version they share removed only when both removed it, so nothing either nurse
    wrote disappears from the printed plan; `fork` lists the versions until one joins them.
    """
    if state.relapse_plan is None:
        return None
    heads = plan_heads(state.relapse_plan_history)
    if len(heads) == 1:
        return plan_of(heads[0], state.relapse_plan_versions)
    by_id = {e.id: e for e in state.relapse_plan_history}
    bases = {h.get("previous") for h in heads}
    base_entry = by_id.get(bases.pop()) if len(bases) == 1 else None
    base = plan_of(base_entry, 0) if base_entry is not None else None
    plans = [plan_of(h, 0) for h in heads]
    union = plan_of(heads[-1], state.relapse_plan_versions)
    for name in LIST_SECTIONS:
        old = list((base or {}).get(name) or [])
        kept = [x for x in old if any(x in p[name] for p in plans)]
        for p in plans:
            kept += [x for x in p[name] if x not in kept and x not in old]
        union[name] = kept
    texts = [p["kept_at"] for p in plans if p["kept_at"] and p["kept_at"] != (base or {}).get("kept_at")]
    union["kept_at"] = " / ".join(dict.fromkeys(texts)) or (base or {}).get("kept_at")
    union["fork"] = [h.id for h in heads]
    return union


def plan_heads(versions: list) -> list:
    """The versions no later version follows (`previous`, or `joins` after a fork), in log order.

    Versions in old records carry no id and follow the one before them; a version with an id but
    no `previous` follows every version without an id before it.
    """
    followed: set[str] = set()
    unnamed: list = []
    for entry in versions:
        previous = entry.get("previous")
        joins = entry.get("joins")
        if isinstance(previous, str):
            followed.add(previous)
        if isinstance(joins, list):
            followed.update(j for j in joins if isinstance(j, str))
        if not isinstance(entry.data.get("id"), str) or not isinstance(previous, str):
            followed.update(e.id for e in unnamed)
        unnamed = [entry] if not isinstance(entry.data.get("id"), str) else []
    heads = [e for e in versions if e.id not in followed]
    return heads or versions[-1:]


def plan_of(entry: Entry, version: int) -> dict[str, Any]:
    """One version as plain data."""
    plan: dict[str, Any] = {
        "version": version,
        "entry": entry.id,
        "date": str(entry.get("date") or entry.get("at", ""))[:10],
        "by": entry.get("by"),
    }
    for name in LIST_SECTIONS:
        value = entry.get(name)
        plan[name] = [str(v) for v in value] if isinstance(value, list) else []
    plan["kept_at"] = entry.get("kept_at") or None
    return plan


def _clean_list(values: list[str] | None) -> list[str]:
    return [str(v).strip() for v in values or [] if str(v).strip()]


def merged_plan(
    previous: dict[str, Any] | None,
    changes: dict[str, Any],
    *,
    removals: dict[str, list[str]] | None = None,
    replace: bool = True,
) -> dict[str, Any]:
    """The sections of a new version built from the previous one.

    With `replace` (the editing form, or `--replace`), each section named in `changes` is replaced
    whole; otherwise its items are added after the existing ones (an item already there is not
    repeated). `removals` names items to take out; one that is not in the plan is an error that
    lists what is there, so a typo never silently keeps an item.
    """
    plan: dict[str, Any] = {name: list((previous or {}).get(name) or []) for name in LIST_SECTIONS}
    plan["kept_at"] = (previous or {}).get("kept_at")
    for name, items in (removals or {}).items():
        if name not in LIST_SECTIONS:
            raise ImrError("relapse_plan_unknown_section", section=str(name)[:40])
        for item in _clean_list(items):
            match = next((x for x in plan[name] if x.casefold() == item.casefold()), None)
            if match is None:
                raise ImrError("relapse_plan_no_such_item", item=item[:60], items="; ".join(plan[name]) or "–")
            plan[name].remove(match)
    for name, value in changes.items():
        if name not in SECTIONS:
            raise ImrError("relapse_plan_unknown_section", section=str(name)[:40])
        if value is None:
            continue
        if name in LIST_SECTIONS:
            items = _clean_list(value)
            if replace:
                plan[name] = items
            else:
                plan[name] += [x for x in items if x.casefold() not in {y.casefold() for y in plan[name]}]
        else:
            plan[name] = str(value).strip() or None
    return plan


def plan_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Per section, the items a version added and removed compared with the one before."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in SECTIONS:
        old_value, new_value = (before or {}).get(name), after.get(name)
        if name in LIST_SECTIONS:
            old, new = list(old_value or []), list(new_value or [])
        else:
            old, new = [old_value] if old_value else [], [new_value] if new_value else []
        added = [x for x in new if x not in old]
        removed = [x for x in old if x not in new]
        if added or removed:
            out[name] = {"added": added, "removed": removed}
    return out


def history(state: ParticipantState) -> list[dict[str, Any]]:
    """Every version, oldest first, with what it added and removed per section."""
    out = []
    by_id = {e.id: e for e in state.relapse_plan_history}
    previous_plan: dict[str, Any] | None = None
    for number, entry in enumerate(state.relapse_plan_history, start=1):
        plan = plan_of(entry, number)
        before_entry = by_id.get(entry.get("previous")) if entry.get("previous") else None
        before = plan_of(before_entry, 0) if before_entry is not None else previous_plan
        out.append({**plan, "changes": plan_changes(before, plan)})
        previous_plan = plan
    return out


def save_version(
    ws: Workspace,
    participant_id: str,
    changes: dict[str, Any],
    *,
    note: str | None = None,
    by: str | None = None,
    removals: dict[str, list[str]] | None = None,
    replace: bool = True,
    date: str | None = None,
) -> dict:
    """Append a new version built, under the lock, from the current one and the changes; `date`
    is the day the plan was agreed (the sessions' date rules), else the day it is written."""
    from imr.programme.sessions import check_date

    signature = ws.signature(by)
    day = check_date(date) if date is not None else None

    def build(record: Record) -> list[dict]:
        state = derive_state(record)
        previous = current_plan(state)
        plan = merged_plan(previous, changes, removals=removals, replace=replace)
        if not any(plan[name] for name in SECTIONS):
            raise ImrError("relapse_plan_empty", id=participant_id)
        if previous is not None and not plan_changes(previous, plan):
            raise ImrError("relapse_plan_unchanged", id=participant_id)
        fields: dict[str, Any] = {"kind": "relapse-plan"}
        for name in SECTIONS:
            fields[name] = plan[name] or None
        heads = plan_heads(state.relapse_plan_history) if state.relapse_plan is not None else []
        if heads and isinstance(heads[-1].data.get("id"), str):
            fields["previous"] = heads[-1].data["id"]
            others = [h.data["id"] for h in heads[:-1] if isinstance(h.data.get("id"), str)]
            if others:
                fields["joins"] = others  # this version is built from the union: the fork ends
        fields["note"] = note or None
        fields["date"] = day
        return [store.stamp(fields, signature)]

    return store.append(ws, participant_id, build=build)[0]


def form_text(plan: dict[str, Any] | None, labels: dict[str, Any], participant_id: str) -> str:
    """The YAML form `relapse-plan --edit` opens: one key per section, help as comments.

    Keys are in the workspace's language (`labels["form_keys"]`); the English field names
    are accepted as well when the form is read back.
    """

    keys = labels["form_keys"]
    hints = labels["form_hints"]
    version = (plan or {}).get("version", 0) + 1
    lines = [
        f"# {line}" if line else "#"
        for line in labels["form_intro"].format(id=participant_id, version=version).rstrip("\n").split("\n")
    ]
    for name in SECTIONS:
        lines.append("")
        lines.append(f"# {hints[name]}")
        value = (plan or {}).get(name)
        if name in LIST_SECTIONS:
            lines.append(f"{keys[name]}:")
            if value:
                lines.append(dump(list(value)).rstrip("\n"))
        else:
            lines.append(dump({keys[name]: value or ""}).rstrip("\n"))
    return "\n".join(lines) + "\n"


def parse_form(text: str, labels: dict[str, Any], lang: str = "sv") -> dict[str, Any]:
    """Read an edited form back into section -> content; every section is replaced."""

    try:
        data = parse_text(text)
    except YamlProblem as problem:
        reason = Finding("", 0, problem.code, problem.params).message(lang).lstrip(": ")
        raise ImrError("relapse_plan_form_invalid", line=problem.line, reason=reason) from None
    if data is None:
        raise ImrError("relapse_plan_edit_empty")
    if not isinstance(data, dict):
        raise ImrError("relapse_plan_form_invalid", line=1, reason=labels["form_not_sections"])
    by_key = {label: name for name, label in labels["form_keys"].items()}
    by_key.update({name: name for name in SECTIONS})
    changes: dict[str, Any] = {name: ([] if name in LIST_SECTIONS else "") for name in SECTIONS}
    for key, value in data.items():
        name = by_key.get(str(key))
        if name is None:
            raise ImrError("relapse_plan_form_unknown_key", key=str(key)[:40])
        if name in LIST_SECTIONS:
            if value is None:
                value = []
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                value = [str(value)]
            if not isinstance(value, list) or not all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
            ):
                raise ImrError("relapse_plan_form_not_list", key=str(key)[:40])
            changes[name] = [str(v) for v in value]
        else:
            if value is not None and not isinstance(value, (str, int, float)):
                raise ImrError("relapse_plan_form_not_text", key=str(key)[:40])
            changes[name] = "" if value is None else str(value)
    return changes
