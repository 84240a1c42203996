"""`imr session next`: today's plan, shown or as JSON (and `--render`), without typer.

The body of the command every session starts with. It imports neither typer nor anything that
does, so that `imr.cli.app.main` can run the usual forms of `session next` without building a
typer command (start-up, issue 30); `imr.cli.session_cmd` declares the command for typer and
calls the same function.
"""

from __future__ import annotations

from imr.cli.common import emit, handle_errors, print_json, t, workspace
from imr.core.errors import ImrError
from imr.core.strings import strings
from imr.programme.planning import plan_headings


@handle_errors
def show_next(participant: str | None, group: str | None, as_json: bool, render: str | None = None) -> None:
    ws = workspace()
    if render is not None:
        from imr.render.pipeline import check_format  # lazy: 24 ms on session next ID

        check_format(render)
    if group is not None:
        from imr.programme.group_planning import build_group_plan

        plan = build_group_plan(ws, group)
        if as_json:
            print_json(plan)
        else:
            _print_group_plan(plan, ws)
        _render_next(ws, render, plan, group=group, as_json=as_json)
        return
    from imr.programme.planning import build_plan  # lazy: 37 ms on session next ID
    from imr.workspace import store

    assert participant is not None  # _one_target checked that exactly one is given
    try:
        _, state = store.load_state(ws, participant)
    except ImrError as err:
        if err.code not in ("unknown_participant", "bad_participant_id"):
            raise
        from imr.forms.targets import participant_id  # lazy: 3 ms on session next ID

        try:
            participant = participant_id(ws, participant)  # `Demo-02`, or "Menade du …?"
        except ImrError as better:
            raise (better if better.code == "unknown_participant_suggest" else err) from None
        _, state = store.load_state(ws, participant)
    plan = build_plan(state, ws.curriculum, ws.lang, ws.root)
    if as_json:
        print_json(plan)
    else:
        _print_plan(plan, ws)
    _render_next(ws, render, plan, participant=participant, as_json=as_json)


def _render_next(
    ws,
    render: str | None,
    plan: dict,
    *,
    participant: str | None = None,
    group: str | None = None,
    as_json: bool = False,
) -> None:
    """`--render FORMAT`: today's handout(s), personalised, into out/ (nothing when complete)."""
    if render is None or plan.get("complete"):
        return
    from imr.cli.render_cmd import render_next  # lazy: 19 ms on session next ID

    render_next(ws, render, participant=participant, group=group, message_to_stderr=as_json, plan=plan)


def _print_plan(plan: dict, ws) -> None:
    table = strings(ws.lang, ws.root)
    labels = table["plan"]
    heading, sub = plan_headings(plan, table)
    if plan["complete"]:
        emit([("bold", heading)])
        return
    lines: list[tuple[str | None, str]] = [("bold", heading), ("dim", sub)]
    group = (plan.get("last_session") or {}).get("group")
    if group:  # a participant who now meets in a group: the group's plan is the one to follow
        lines.append(("yellow", t("plan_in_group", id=plan["participant"], group=group)))
    lines.extend(_step_lines(plan["steps"], labels))
    emit(lines)


def _step_lines(steps: list, labels: dict) -> list[tuple[str | None, str]]:
    """The plan's steps as the library made them (the print step names the command to run)."""
    lines: list[tuple[str | None, str]] = []
    for step in steps:
        lines.append((None, ""))
        lines.append(("bold cyan", step["label"]))
        lines.extend((None, f"  {line}") for line in step["lines"])
        if step.get("key_points"):
            lines.append(("bold", f"  {labels['key_points']}"))
            lines.extend((None, f"   • {point}") for point in step["key_points"])
    return lines


def _print_group_plan(plan: dict, ws) -> None:
    table = strings(ws.lang, ws.root)
    labels = {**table["plan"], **table.get("group_plan", {})}
    heading, sub = plan_headings(plan, table)
    if plan["complete"]:
        emit([("bold", heading)])
        return
    lines: list[tuple[str | None, str]] = [
        ("bold", heading),
        ("dim", sub),
        (None, ""),
        ("bold cyan", labels["group_members_title"]),
    ]
    attended = {True: labels["group_present"], False: labels["group_absent"], None: labels["group_not_logged"]}
    for member in plan["members"]:
        steps = [f"{g['current_step']['id']} {g['current_step']['text']}" for g in member["goals"] if g["current_step"]]
        lines.append(
            (
                None,
                "  "
                + labels["group_member_line"].format(
                    id=member["id"],
                    last=attended[member["attended_last"]],
                    homework=member["homework"] or "–",
                    step="; ".join(steps) or "–",
                ),
            )
        )
        if member["catch_up"]:
            lines.append(
                ("yellow", "     " + labels["group_member_catch_up"].format(sessions=", ".join(member["catch_up"])))
            )
    lines.extend(_step_lines(plan["steps"], labels))
    emit(lines)
