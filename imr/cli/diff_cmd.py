"""`imr diff [REV [REV]]`: what was added to which records, in words; rewrites listed first."""

from __future__ import annotations

from typing import Any, List, Optional

import typer

from imr.cli.common import emit, handle_errors, print_json, t, workspace


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @handle_errors
    def diff(
        revisions: Optional[List[str]] = typer.Argument(
            None, metavar="[REV [REV]]",
            help="From REV (default HEAD) to the second REV (default: the working tree)."),
        as_json: bool = typer.Option(False, "--json", help="Added entries and rewritten lines per participant, as JSON."),
        strict: bool = typer.Option(False, "--strict", help="Exit with 1 when an earlier line was changed or removed (for CI)."),
    ) -> None:
        """What was added to records and groups between two revisions, in words; rewrites first."""
        from imr.gitdiff import diff_workspace

        ws = workspace()
        report = diff_workspace(ws.root, list(revisions or []))
        if as_json:
            print_json(_as_json(report, ws.lang))
        else:
            emit(_lines(report, ws.lang))
        if strict and report.rewrites:
            raise typer.Exit(1)


def _as_json(report, lang: str) -> dict[str, Any]:
    def one(change) -> dict[str, Any]:
        key = "id" if change.kind == "participant" else "name"
        out = {key: change.id, "path": change.path, "status": change.status,
               "added": [{"entry": a["entry"], "line": a["line"], **a["data"]} for a in change.added],
               "rewritten": change.rewritten}
        if change.problem:
            out["problem"] = _problem(change, lang)
        return out

    return {
        "from": report.old,
        "to": report.new,
        "rewritten_files": len(report.rewrites),
        "participants": [one(c) for c in report.changes if c.kind == "participant"],
        "groups": [one(c) for c in report.changes if c.kind == "group"],
    }


def _problem(change, lang: str) -> str:
    from imr.findings import Finding

    params = dict(change.problem_params)
    line = params.pop("line", 0)
    return Finding(change.path, line, change.problem, params).message(lang)


def _lines(report, lang: str) -> list[tuple[str | None, str]]:
    target = report.new or t("diff_worktree")
    if not report.changes:
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
        for added in change.added:
            lines.append((None, "  " + describe(added["entry"], added["data"])))
        if change.rewritten and not change.added:
            lines.append(("red", "  " + t("diff_only_rewritten")))
    return lines


def describe(number: int, entry: dict) -> str:
    """One entry in words: date, who signed, and what it says."""
    from imr.planning import excerpt

    kind = str(entry.get("kind") or "?")
    day = entry.get("date") or str(entry.get("at") or "")[:10]
    parts = [_what(kind, entry)]
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
        parts.append(t("diff_steps_done", steps=", ".join(map(str, entry["steps_done"]))))
    if entry.get("homework"):
        parts.append(t("diff_homework", homework=excerpt(entry["homework"], 80)))
    if entry.get("note"):
        parts.append(t("diff_note", note=excerpt(entry["note"])))
    return t("diff_entry", number=number, date=day, by=entry.get("by") or "?", what="; ".join(p for p in parts if p))


def _what(kind: str, entry: dict) -> str:
    session = f"{entry.get('module')}.{entry.get('session')}"
    if kind == "session":
        return t("diff_session", session=session)
    if kind == "absent":
        return t("diff_absent", session=session)
    if kind == "enrolled":
        return t("diff_enrolled", variant=entry.get("variant"), format=entry.get("format"))
    if kind == "profile":
        return t("diff_profile", fields=_fields(entry, ("variant", "format", "leader", "module_order")))
    if kind == "goal":
        steps = entry.get("steps") or []
        text = t("diff_goal", goal=entry.get("goal"), text=entry.get("text"))
        return text + (t("diff_goal_steps", steps="; ".join(map(str, steps))) if steps else "")
    if kind == "goal-step":
        return t("diff_goal_step", step=entry.get("step"), text=entry.get("text"))
    if kind == "goal-update":
        text = t("diff_goal_update", goal=entry.get("goal"), status=entry.get("status"))
        return text + (f" ”{entry['text']}”" if entry.get("text") else "")
    if kind == "relapse-plan":
        return t("diff_relapse_plan")
    if kind == "imrs":
        from imr.imrs import mean

        value = mean(list(entry.get("scores") or []))
        return t("diff_imrs", rater=entry.get("rater"), mean=value if value is not None else "–")
    if kind == "contact":
        return t("diff_contact", who=entry.get("who"))
    if kind == "correction":
        text = t("diff_correction", target=entry.get("target"))
        if entry.get("void") is True:
            text += " " + t("diff_correction_void")
        if isinstance(entry.get("set"), dict):
            text += " " + t("diff_correction_set", fields=_fields(entry["set"], tuple(entry["set"])))
        return text
    if kind == "group-created":
        return t("diff_group_created", leaders=", ".join(map(str, entry.get("leaders") or [])) or "–")
    if kind == "member-added":
        return t("diff_member_added", id=entry.get("id"))
    if kind == "member-removed":
        return t("diff_member_removed", id=entry.get("id"))
    return kind


def _fields(data: dict, names: tuple) -> str:
    return ", ".join(f"{k}={data[k]}" for k in names if data.get(k) is not None)
