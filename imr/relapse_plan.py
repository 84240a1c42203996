"""The relapse-prevention plan of module 7, kept as versions in the record.

Each version is a complete plan in one entry (triggers, early warning signs, what to do, who
helps, emergency contacts, where the plan is kept and who has a copy), so the latest entry
alone is what plans and personal handouts show, and `git diff` of a new version shows the
whole plan as it now stands. A change names only the sections it replaces; the others are
carried over from the version before.

Contacts are written as roles ("kontaktperson", "avdelningens telefon"), never as names or
numbers: the PII guard refuses phone numbers, e-mail addresses and personnummer here as
everywhere else.
"""

from __future__ import annotations

from typing import Any

from imr import store
from imr.errors import ImrError
from imr.prefill import RELAPSE_SECTIONS
from imr.state import ParticipantState
from imr.workspace import Workspace

# In the order of the worksheet (handout 7.4), the printed plan and the editing form.
SECTIONS = RELAPSE_SECTIONS
TEXT_SECTIONS = ("kept_at",)
LIST_SECTIONS = tuple(name for name in SECTIONS if name not in TEXT_SECTIONS)


def current_plan(state: ParticipantState) -> dict[str, Any] | None:
    """The latest version as plain data, or None when no plan has been written yet."""
    entry = state.relapse_plan
    if entry is None:
        return None
    plan: dict[str, Any] = {
        "version": state.relapse_plan_versions,
        "entry": entry.number,
        "date": str(entry.get("at", ""))[:10],
        "by": entry.get("by"),
    }
    for name in LIST_SECTIONS:
        value = entry.get(name)
        plan[name] = [str(v) for v in value] if isinstance(value, list) else []
    plan["kept_at"] = entry.get("kept_at") or None
    return plan


def _clean_list(values: list[str] | None) -> list[str]:
    return [str(v).strip() for v in values or [] if str(v).strip()]


def merged_plan(previous: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """The sections of a new version: the changed ones replaced, the rest carried over."""
    plan = {name: list((previous or {}).get(name) or []) for name in LIST_SECTIONS}
    plan["kept_at"] = (previous or {}).get("kept_at")
    for name, value in changes.items():
        if name not in SECTIONS:
            raise ImrError("relapse_plan_unknown_section", section=str(name)[:40])
        if value is None:
            continue
        if name in LIST_SECTIONS:
            plan[name] = _clean_list(value)
        else:
            plan[name] = str(value).strip() or None
    return plan


def save_version(ws: Workspace, participant_id: str, changes: dict[str, Any], *, note: str | None = None,
                 by: str | None = None) -> dict:
    """Append a new version built from the current one and `changes` (section -> new content)."""
    signature = ws.signature(by)
    _, state = store.load_state(ws, participant_id)
    previous = current_plan(state)
    plan = merged_plan(previous, changes)
    if not any(plan[name] for name in SECTIONS):
        raise ImrError("relapse_plan_empty", id=participant_id)
    if previous is not None and all(plan[name] == (previous.get(name) or ([] if name in LIST_SECTIONS else None))
                                    for name in SECTIONS):
        raise ImrError("relapse_plan_unchanged", id=participant_id)
    fields: dict[str, Any] = {"kind": "relapse-plan"}
    for name in SECTIONS:
        fields[name] = plan[name] or None
    fields["note"] = note or None
    entry = store.stamp(fields, signature)
    store.append(ws, participant_id, [entry])
    return entry


def form_text(plan: dict[str, Any] | None, labels: dict[str, Any], participant_id: str) -> str:
    """The YAML form `relapse-plan --edit` opens: one key per section, help as comments.

    Keys are in the workspace's language (`labels["form_keys"]`); the English field names
    are accepted as well when the form is read back.
    """
    from imr.yamlio import dump

    keys = labels["form_keys"]
    hints = labels["form_hints"]
    version = (plan or {}).get("version", 0) + 1
    lines = [f"# {line}" if line else "#" for line in
             labels["form_intro"].format(id=participant_id, version=version).rstrip("\n").split("\n")]
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
    from imr.findings import Finding
    from imr.yamlio import YamlProblem, parse_text

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
            if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                                      for v in value):
                raise ImrError("relapse_plan_form_not_list", key=str(key)[:40])
            changes[name] = [str(v) for v in value]
        else:
            if value is not None and not isinstance(value, (str, int, float)):
                raise ImrError("relapse_plan_form_not_text", key=str(key)[:40])
            changes[name] = "" if value is None else str(value)
    return changes
