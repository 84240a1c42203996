"""*Skriv ut*: today's handout, the leader's plan, the group's bundle and the personal folder, as a
PDF the browser opens in its own viewer (ready to print), made by the same library calls as
`imr render` and `imr session next --render`. Nothing is written to the workspace.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from imr.core.errors import ImrError
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

KINDS = ("handout", "leader", "group", "folder")


def document_for(ctx: WebContext, kind: str, pid: str | None, group: str | None):
    from imr.programme.planning import next_session
    from imr.render import documents
    from imr.web.plan import group_plan, participant_plan
    from imr.workspace import store

    ws = ctx.ws
    if kind == "handout" and pid:
        _, state = store.load_state(ws, pid)
        ref = next_session(state, ws.curriculum)
        if ref is None:
            raise ImrError("render_programme_complete", id=pid)
        return documents.handout_document(ws, ref, pid)
    if kind == "leader" and (pid or group):
        plan = group_plan(ctx, group) if group else participant_plan(ctx, pid or "")
        if plan.get("complete"):
            raise (
                ImrError("render_group_complete", group=group)
                if group
                else ImrError("render_programme_complete", id=pid)
            )
        # the leader's plan alone (its own file, never handed out); today's handouts are the other choices
        return documents.next_session_documents(ws, plan, participant=None if group else pid, group=group)[0]
    if kind == "group" and group:
        return documents.group_document(ws, group, next_session=True)
    if kind == "folder" and pid:
        return documents.folder_document(ws, pid)
    raise ImrError("web_print_choose")


def pdf_bytes(ctx: WebContext, kind: str, pid: str | None, group: str | None) -> tuple[str, bytes]:
    from imr.render.pipeline import render_document

    document = document_for(ctx, kind, pid, group)
    rendered = render_document(ctx.ws, document, "pdf")
    return f"{document.name}.pdf", rendered.data


@page()
async def print_page(request: Request):
    ctx = context(request)
    return render(
        request, "print.html", title=ctx.s()["nav_print"], participants=participant_ids(ctx), groups=group_names(ctx)
    )


@page()
async def print_pdf(request: Request):
    ctx = context(request)
    kind = request.query_params.get("what", "")
    if kind not in KINDS:
        raise ImrError("web_print_choose")
    pid = request.query_params.get("p") or None
    group = request.query_params.get("g") or None
    pid = chosen_participant(ctx, pid) if pid else None
    group = chosen_group(ctx, group) if group else None
    name, data = await run_in_threadpool(pdf_bytes, ctx, kind, pid, group)
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{name.encode("ascii", "replace").decode()}"'},
    )


ROUTES = [Route("/skriv-ut", print_page), Route("/skriv-ut/pdf", print_pdf)]
