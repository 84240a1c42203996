"""*Planera*: the eight-step plan of `imr session next`, for one participant or a group, from the
same library call (`build_plan`, `build_group_plan`) and the same headings as the terminal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from imr.web.pages import (
    WebContext,
    chosen_group,
    chosen_participant,
    context,
    group_names,
    page,
    participant_ids,
    render,
)


def participant_plan(ctx: WebContext, pid: str) -> dict[str, Any]:
    from imr.programme.planning import build_plan
    from imr.workspace import store

    _, state = store.load_state(ctx.ws, pid)
    return build_plan(state, ctx.ws.curriculum, ctx.ws.lang, ctx.ws.root)


def group_plan(ctx: WebContext, name: str) -> dict[str, Any]:
    from imr.programme.group_planning import build_group_plan

    return build_group_plan(ctx.ws, name)


def headings(ctx: WebContext, plan: dict[str, Any], group: bool) -> tuple[str, str]:
    from imr.programme.planning import plan_headings

    return plan_headings(plan, ctx.strings())


@page()
async def plan_page(request: Request):
    ctx = context(request)
    pid, name = request.query_params.get("p"), request.query_params.get("g")
    plan = None
    heading = sub = ""
    if pid:
        pid = chosen_participant(ctx, pid)
        plan = participant_plan(ctx, pid)
        heading, sub = headings(ctx, plan, group=False)
    elif name:
        name = chosen_group(ctx, name)
        plan = group_plan(ctx, name)
        heading, sub = headings(ctx, plan, group=True)
    table = ctx.strings()
    labels = {**table["plan"], **table.get("group_plan", {})}
    return render(
        request,
        "plan.html",
        title=ctx.s()["nav_plan"],
        participants=participant_ids(ctx),
        groups=group_names(ctx),
        pid=pid,
        group=name,
        plan=plan,
        heading=heading,
        sub=sub,
        labels=labels,
    )


ROUTES = [Route("/planera", plan_page)]
