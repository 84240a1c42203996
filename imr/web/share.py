"""*Dela*: `imr sync` from the page (commit own entries, fetch the others', check, send), with the
same one sentence the terminal prints."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from imr.core.strings import plural
from imr.web.pages import WebContext, context, page, redirect, render
from imr.web.today import unsynced


def sync_sentence(ctx: WebContext) -> tuple[bool, str]:
    """Run the sync; (done, the sentence), worded as `imr sync` words it."""
    from imr.core.strings import label
    from imr.gates.sync import sync

    def t(key: str, **params) -> str:
        return label("cli", key, ctx.lang, ctx.ws.root, **params)

    signature = ctx.ws.signature(ctx.signature())
    result = sync(ctx.ws, signature)
    ok = result.outcome == "sync_done"
    params = dict(result.params)
    if ok:
        params["sent"] = plural(params["sent"], t("sync_sent_one"), t("sync_sent_many"))
        params["received"] = plural(params["received"], t("sync_received_one"), t("sync_received_many"))
    sentence = t(result.outcome, **params)
    if result.committed and not ok:
        sentence = t("sync_committed_locally") + " " + sentence
    ctx.reopen()
    return ok, sentence


@page()
async def share_page(request: Request):
    ctx = context(request)
    return render(request, "share.html", title=ctx.s()["nav_share"], unsynced=unsynced(ctx))


@page()
async def share_now(request: Request):
    ctx = context(request)
    _, sentence = await run_in_threadpool(sync_sentence, ctx)
    return redirect(f"/dela?m={ctx.flash(sentence)}")


ROUTES = [Route("/dela", share_page, methods=["GET"]), Route("/dela", share_now, methods=["POST"])]
