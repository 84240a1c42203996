"""`imr diff [REV [REV]]` or `imr diff --since DATE`: what was added to which records, in words;
rewrites listed first."""

from __future__ import annotations

from typing import Any

import typer

from imr.cli.common import emit, handle_errors, lang, print_json, t, value, workspace
from imr.core.errors import ImrError
from imr.core.strings import number


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @handle_errors
    def diff(
        revisions: list[str] | None = typer.Argument(None, metavar="[REV [REV]]"),
        since: str | None = typer.Option(None, "--since", metavar="DATE"),
        until: str | None = typer.Option(None, "--until", metavar="DATE"),
        by: str | None = typer.Option(None, "--by"),
        as_json: bool = typer.Option(False, "--json"),
        strict: bool = typer.Option(False, "--strict"),
    ) -> None:
        """What was added to records and groups between two revisions, in words; rewrites first."""
        from imr.programme.sessions import parse_date
        from imr.reports.diff import diff_period, diff_workspace, signed_by

        ws = workspace()
        if (since is not None or until is not None) and revisions:
            raise ImrError("diff_period_and_revisions")
        if until is not None and since is None:
            raise ImrError("diff_until_without_since")
        if since is not None:
            report = diff_period(ws.root, parse_date(since), parse_date(until) if until is not None else None)
        else:
            report = diff_workspace(ws.root, list(revisions or []))
        if by is not None:
            report = signed_by(report, by)
        if as_json:
            print_json(_as_json(report, ws.lang))
        else:
            emit(_lines(report, ws.lang, by))
        if strict and report.rewrites:
            raise typer.Exit(1)


def _as_json(report, lang: str) -> dict[str, Any]:
    def one(change) -> dict[str, Any]:
        key = "id" if change.kind == "participant" else "name"
        out = {
            key: change.id,
            "path": change.path,
            "status": change.status,
            "added": [{"entry": a["entry"], "line": a["line"], **a["data"]} for a in change.added],
            "rewritten": change.rewritten,
        }
        if change.problem:
            out["problem"] = _problem(change, lang)
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


def _problem(change, lang: str) -> str:
    from imr.records.findings import Finding

    params = dict(change.problem_params)
    line = params.pop("line", 0)
    return Finding(change.path, line, change.problem, params).message(lang)


def _lines(report, lang: str, by: str | None = None) -> list[tuple[str | None, str]]:
    target = report.new or t("diff_worktree")
    if not report.changes:
        if by is not None:  # say that the filter left nothing, not that nothing was written
            return [(None, t("diff_nothing_by", by=by, old=report.old, new=target))]
        return [(None, t("diff_nothing", old=report.old, new=target))]
    lines: list[tuple[str | None, str]] = []
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
            lines.append(("red", "  " + _problem(change, lang)))
        context = _Context(change.log, change.step_labels) if change.added else None
        for added in change.added:
            lines.append((None, "  " + describe(added["entry"], added["data"], change.log, context)))
        if change.rewritten and not change.added:
            lines.append(("red", "  " + t("diff_only_rewritten")))
    return lines


def describe(number: int, entry: dict, log: list[dict] | None = None, context: _Context | None = None) -> str:
    """One entry in words: date, who signed, and what it says; references are named by the labels
    and ids people see, resolved in the file's log (on the quick path, just the entries named)."""
    from imr.programme.planning import excerpt

    kind = str(entry.get("kind") or "?")
    day = entry.get("date") or str(entry.get("at") or "")[:10]
    context = context or _Context(log or [])
    parts = [_what(kind, entry, context)]
    if entry.get("group") and kind in ("session", "absent"):
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


class _Context:
    """What an entry's references point at, in the log of the version being described.

    Made once per file: a week's commit adds a few entries to each of many records."""

    def __init__(self, log: list[dict], step_labels: dict[str, str] | None = None) -> None:
        self.log = log
        self.by_id = {e["id"]: e for e in log if isinstance(e.get("id"), str)}
        self.step_labels = step_labels or {}

    def label(self, ref) -> str:
        """The label people see for the goal or step an entry names (a renumbered step's new one)."""
        if isinstance(ref, str) and ref in self.step_labels:
            return self.step_labels[ref]
        target = self.by_id.get(ref) if isinstance(ref, str) else None
        if target is None:
            return str(ref)
        return str(target.get("step") or target.get("goal") or ref)

    def relapse_changes(self, entry: dict) -> str:
        from imr.programme.relapse_plan import SECTIONS, plan_changes

        before = self.by_id.get(entry.get("previous")) if entry.get("previous") else None
        if before is None:
            versions = [e for e in self.log if e.get("kind") == "relapse-plan"]
            index = next((i for i, e in enumerate(versions) if e is entry or e == entry), None)
            before = versions[index - 1] if index else None
        plan = {name: entry.get(name) for name in SECTIONS}
        changes = plan_changes({n: before.get(n) for n in SECTIONS} if before else None, plan)
        parts = []
        for name, change in changes.items():
            section = t(f"diff_section_{name}")
            parts += [f"+ {section}: {item}" for item in change["added"]]
            parts += [f"− {section}: {item}" for item in change["removed"]]
        return "; ".join(parts)


def _what(kind: str, entry: dict, context: _Context | None = None) -> str:  # noqa: C901 (to split: the maintainability issue)
    context = context or _Context([])
    session = f"{entry.get('module')}.{entry.get('session')}"
    if kind == "session":
        return t("diff_session", session=session)
    if kind == "absent":
        return t("diff_absent", session=session)
    if kind == "enrolled":
        return t(
            "diff_enrolled", variant=value("variant", entry.get("variant")), format=value("format", entry.get("format"))
        )
    if kind == "profile":
        return t("diff_profile", fields=_fields(entry, ("variant", "format", "leader", "module_order")))
    if kind == "goal":
        steps = entry.get("steps") or []
        text = t("diff_goal", goal=entry.get("goal"), text=entry.get("text"))
        return text + (t("diff_goal_steps", steps="; ".join(map(str, steps))) if steps else "")
    if kind == "goal-step":
        shown = context.step_labels.get(entry.get("id"))  # type: ignore[arg-type]
        if shown:
            return t("diff_goal_step_renumbered", step=shown, written=entry.get("step"), text=entry.get("text"))
        return t("diff_goal_step", step=entry.get("step"), text=entry.get("text"))
    if kind == "goal-update":
        target = entry.get("target") if entry.get("target") is not None else entry.get("goal")
        text = t("diff_goal_update", goal=context.label(target), status=t(f"goal_status_{entry.get('status')}"))
        return text + (f" ”{entry['text']}”" if entry.get("text") else "")
    if kind == "relapse-plan":
        changes = context.relapse_changes(entry)
        return t("diff_relapse_plan") + (f" ({changes})" if changes else "")
    if kind == "imrs":
        from imr.programme.imrs import mean  # lazy: 2 ms on imr --help and the module's other commands

        average = mean(list(entry.get("scores") or []))
        return t(
            "diff_imrs",
            rater=value("rater", entry.get("rater")),
            mean=number(average, lang()) if average is not None else "–",
        )
    if kind == "contact":
        return t("diff_contact", who=entry.get("who"))
    if kind == "correction":
        text = t("diff_correction", target=entry.get("target"))
        target = context.by_id.get(entry.get("target")) if isinstance(entry.get("target"), str) else None
        if target is not None:
            text += " " + t(
                "diff_correction_of",
                kind=value("kind", target.get("kind")),
                date=target.get("date") or str(target.get("at", ""))[:10],
            )
        if entry.get("void") is True:
            text += " " + t("diff_correction_void")
        if isinstance(entry.get("set"), dict):
            text += " " + t("diff_correction_set", fields=_fields(entry["set"], tuple(entry["set"])))
        return text
    if kind == "group-created":
        return t("diff_group_created", leaders=", ".join(map(str, entry.get("leaders") or [])) or "–")
    if kind == "group-changed":  # `imr group set`: only the fields given changed
        changed = []
        if entry.get("leaders"):
            changed.append(t("diff_group_changed_leaders", leaders=", ".join(map(str, entry["leaders"]))))
        if entry.get("weekdays"):
            changed.append(
                t("diff_group_changed_weekdays", weekdays=", ".join(t(f"weekday_{d}") for d in entry["weekdays"]))
            )
        return t("diff_group_changed", changes="; ".join(changed) or "–")
    if kind == "member-added":
        return t("diff_member_added", id=entry.get("id"))
    if kind == "member-removed":
        return t("diff_member_removed", id=entry.get("id"))
    return kind


def _fields(data: dict, names: tuple) -> str:
    shown = {"variant": "variant", "format": "format", "rater": "rater", "status": "status", "kind": "kind"}
    return ", ".join(
        f"{value('field', k)}={value(shown[k], data[k]) if k in shown else data[k]}"
        for k in names
        if data.get(k) is not None
    )
