"""Today's plan for a participant: which session comes next and what the leader does.

The next session follows the participant's module order (module 1 first): the session after
the one most recently held, skipping sessions already held; when the order runs out, the
first session not yet held anywhere. The plan follows the eight steps every IMR session has
(IMR.md), filled from the record and the curriculum; its labels come from the strings file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr.core.strings import strings
from imr.curriculum.model import Curriculum
from imr.programme.relapse_plan import current_plan
from imr.records.ids import SessionRef
from imr.records.state import ParticipantState

EXCERPT_CHARS = 160
RELAPSE_MODULE = 7  # the module that writes the relapse-prevention plan


def next_session(state: ParticipantState, curriculum: Curriculum) -> SessionRef | None:
    """The session after the one held last (in the participant's module order) that is not yet
    held; when there is none, the first one not yet held; None when every one is held."""
    order, keys = curriculum.order_keys(state.module_order)
    done = state.done_pairs
    last = state.last_session
    start = 0
    if last is not None:
        held = (last.data.get("module"), last.data.get("session"))
        if held in keys:
            start = keys.index(held) + 1
    for index in (*range(start, len(keys)), *range(start)):  # onwards from the last, then from the top
        if keys[index] not in done:
            return order[index]
    return None


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def handout_file(curriculum: Curriculum, ref: SessionRef, variant: str) -> str | None:
    session = curriculum.session(ref)
    path = session.handout_paths.get(variant) or session.handout_paths.get("general")
    if path is None:
        return None
    parts = path.parts
    return "/".join(parts[parts.index("curriculum") :]) if "curriculum" in parts else str(path)


def build_plan(
    state: ParticipantState, curriculum: Curriculum, lang: str = "sv", workspace_root: Path | None = None
) -> dict[str, Any]:
    """The plan as data; `imr session next` prints it and `--json` returns it as is."""
    text = strings(lang, workspace_root).get("plan", {})
    ref = next_session(state, curriculum)
    order = curriculum.order(state.module_order)
    plan: dict[str, Any] = {
        "participant": state.id,
        "variant": state.variant,
        "format": state.format,
        "sessions_held": len(state.sessions),
        "sessions_total": len(order),
        "complete": ref is None,
    }
    if ref is None:
        plan.update({"session": None, "module": None, "title": text.get("complete", "")})
        plan["steps"] = []
        return plan
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
            "handout": {
                "session": str(ref),
                "variant": state.variant if module.has_variants else "general",
                "file": handout_file(curriculum, ref, state.variant),
            },
        }
    )
    last = state.last_session
    if last is not None:
        last_ref = SessionRef(last.get("module"), last.get("session"))
        last_title = curriculum.session(last_ref).title if curriculum.has_session(last_ref) else ""
        plan["last_session"] = {
            "session": str(last_ref),
            "title": last_title,
            "date": last.get("date"),
            "by": last.get("by"),
            "note_excerpt": excerpt(last.get("note")),
            "homework": last.get("homework"),
            "group": last.get("group"),
        }
    else:
        plan["last_session"] = None
    missed = [e for e in state.absences if last is None or str(e.get("date", "")) >= str(last.get("date", ""))]
    plan["missed_since_last"] = [
        {"session": f"{e.get('module')}.{e.get('session')}", "date": e.get("date")} for e in missed
    ]
    plan["goals"] = goal_follow_up(state)
    plan["relapse_plan"] = _relapse_plan(state)
    plan["steps"] = _steps(plan, text)
    return plan


def _relapse_plan(state: ParticipantState) -> dict[str, Any] | None:
    if state.relapse_plan is None:
        return None

    return current_plan(state)


def goal_follow_up(state: ParticipantState) -> list[dict[str, Any]]:
    """Every open goal with the step to follow up now (step 4 of every session)."""
    return [
        {
            "id": goal.id,
            "text": goal.text,
            "current_step": ({"id": step.id, "text": step.text} if (step := goal.current_step()) else None),
        }
        for goal in state.active_goals()
    ]


def _steps(plan: dict[str, Any], text: dict[str, str]) -> list[dict[str, Any]]:
    """The eight steps of a session, each a label and a few lines for the leader."""

    def t(key: str, **params: Any) -> str:
        template = text.get(key, key)
        return template.format(**params) if params else template

    last = plan["last_session"]
    review: list[str]
    homework: list[str]
    if last:
        review = [t("review_last", session=last["session"], title=last["title"], date=last["date"], by=last["by"])]
        if last["note_excerpt"]:
            review.append(t("review_note", note=last["note_excerpt"]))
        homework = (
            [t("homework_given", homework=last["homework"])] if last.get("homework") else [t("homework_none_given")]
        )
    else:
        review = [t("review_first")]
        homework = [t("homework_first")]
    for missed in plan["missed_since_last"]:
        review.append(t("review_missed", session=missed["session"], date=missed["date"]))
    if plan["goals"]:
        goals = []
        for goal in plan["goals"]:
            goals.append(t("goal_line", id=goal["id"], text=goal["text"]))
            if goal["current_step"]:
                goals.append(t("goal_step_line", id=goal["current_step"]["id"], text=goal["current_step"]["text"]))
    else:
        goals = [t("goals_none")]
    handout = plan["handout"]
    material = [t("objective_line", text=o) for o in plan["objectives"]]
    if plan["module"] == RELAPSE_MODULE:
        relapse = plan["relapse_plan"]
        material.append(
            t("relapse_plan_line", version=relapse["version"], date=relapse["date"], id=plan["participant"])
            if relapse
            else t("relapse_plan_none", id=plan["participant"])
        )
    return session_steps(
        t,
        plan,
        checkin=[t("checkin_hint")],
        review=review,
        homework_review=homework,
        goals=goals,
        material=material,
        summary=[t("summary_hint")],
        handouts=[handout],
        print_command=f"imr render handout {handout['session']} --for {plan['participant']}",
    )


def session_steps(
    t: Callable[..., str],
    plan: dict[str, Any],
    *,
    checkin: list[str],
    review: list[str],
    homework_review: list[str],
    goals: list[str],
    material: list[str],
    summary: list[str],
    handouts: list[dict],
    print_command: str,
) -> list[dict]:
    """The eight steps every IMR session follows (IMR.md), plus what to print.

    One place for the structure, used by individual and group plans alike; `t` turns a
    strings key into a label in the workspace's language. The print step names the command that
    prints today's handouts (a leader never needs a file path in the curriculum), so the terminal,
    the JSON and the printed leader's plan all say the same.
    """
    return [
        {"id": "checkin", "label": t("step_checkin"), "lines": checkin},
        {"id": "review", "label": t("step_review"), "lines": review},
        {"id": "homework-review", "label": t("step_homework_review"), "lines": homework_review},
        {"id": "goals", "label": t("step_goals"), "lines": goals},
        {"id": "agenda", "label": t("step_agenda"), "lines": [t("agenda_hint", title=plan["title"])]},
        {"id": "material", "label": t("step_material"), "lines": material, "key_points": plan["key_points"]},
        {"id": "summary", "label": t("step_summary"), "lines": summary},
        {"id": "homework", "label": t("step_homework"), "lines": plan["homework_suggestions"]},
        {
            "id": "handout",
            "label": t("step_handout"),
            "lines": [t("handout_print", session=handouts[0]["session"], command=print_command)] if handouts else [],
        },
    ]


def plan_headings(plan: dict[str, Any], table: dict[str, Any]) -> tuple[str, str]:
    """A plan's heading and the line under it, as `imr session next` and imr web's Planera show
    them, worded from the strings `table` (sections `plan` and `group_plan`). A plan whose
    programme is complete has only the heading."""
    labels = {**table["plan"], **table.get("group_plan", {})}
    group = "group" in plan
    if plan["complete"]:
        return f"{plan['group'] if group else plan['participant']}: {labels['complete']}", ""
    heading = labels["heading"].format(session=plan["session"], title=plan["title"])
    common = {
        "module": plan["module"],
        "module_title": plan["module_title"],
        "number": plan["sessions_held"] + 1,
        "total": plan["sessions_total"],
    }
    if group:
        return heading, labels["group_subheading"].format(group=plan["group"], size=plan["size"], **common)
    return heading, labels["subheading"].format(participant=plan["participant"], **common)
