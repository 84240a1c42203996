"""For supervisors: *Översikt* (the `imr report` page) and *Ändringar* (`imr diff --since`), from
the same library calls and wording as the terminal commands."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from imr.web.pages import WebContext, context, page, render

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_styles: dict[str, bytes] = {}  # the report's style sheet by its hash: served as a file, never inline (CSP)


def report_page_html(ctx: WebContext, since: date | None) -> str:
    from imr.reports.report import build_report
    from imr.reports.report_render import render_html

    data = build_report(ctx.ws, since=since, lang=ctx.lang)
    html = render_html(ctx.ws, data, ctx.lang).decode("utf-8")

    def external(match: re.Match) -> str:
        css = match.group(1).encode("utf-8")
        key = hashlib.sha256(css).hexdigest()[:16]
        _styles[key] = css
        return f'<link rel="stylesheet" href="/oversikt/stil-{key}.css">'

    html = _STYLE.sub(external, html, count=1)
    back = ctx.s()["report_back"]
    return html.replace("<body>", f'<body><p><a href="/oversikt">{_escape(back)}</a></p>', 1)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _since(value: str | None) -> date | None:
    from imr.core.dates import parse_date

    if not value:
        return None
    return parse_date(value)


@page()
async def report_choose(request: Request):
    ctx = context(request)
    return render(
        request, "report.html", title=ctx.s()["nav_report"], since=(date.today() - timedelta(days=30)).isoformat()
    )


@page()
async def report_view(request: Request):
    ctx = context(request)
    since = _since(request.query_params.get("since"))
    return HTMLResponse(await run_in_threadpool(report_page_html, ctx, since))


async def report_style(request: Request):
    css = _styles.get(request.path_params["key"])
    if css is None:
        return Response(b"", status_code=404)
    return Response(css, media_type="text/css")


@page()
async def diff_page(request: Request):
    ctx = context(request)
    value = request.query_params.get("since") or (date.today() - timedelta(days=7)).isoformat()
    since = _since(value) or date.today()
    lines = await run_in_threadpool(_diff_lines, ctx, since)
    return render(request, "diff.html", title=ctx.s()["nav_diff"], since=since.isoformat(), lines=lines)


def _diff_lines(ctx: WebContext, since: date) -> list[tuple[str, str]]:
    """The lines `imr diff --since` prints (the same library call), each with its style turned
    into a class name."""
    from imr.reports.diff import diff_period
    from imr.reports.diff_text import Words, diff_lines

    report = diff_period(ctx.ws.root, since)
    out = []
    for style, text in diff_lines(report, Words(ctx.lang, ctx.ws.root)):
        style = style or ""
        css = "bad" if "red" in style else "head" if "bold" in style else "new" if "green" in style else ""
        out.append((css, text))
    return out


ROUTES = [
    Route("/oversikt", report_choose),
    Route("/oversikt/rapport", report_view),
    Route("/oversikt/stil-{key:str}.css", report_style),
    Route("/andringar", diff_page),
]
