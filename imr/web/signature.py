"""The signature, asked on first use and kept in the user's own settings (as `imr whoami` shows
it), and the Stäng button that stops the server."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from imr.core.errors import ImrError
from imr.web.pages import context, page, redirect, render


def _next_path(value: str | None) -> str:
    """Where to go after saving: a path on this server only, never another site."""
    value = value or "/"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


@page(needs_signature=False)
async def signature_form(request: Request):
    ctx = context(request)
    return render(
        request,
        "signature.html",
        title=ctx.s()["signature_title"],
        value=ctx.signature() or "",
        next=_next_path(request.query_params.get("next")),
        error=None,
        where=str(ctx.config_dir / "settings.yaml") if ctx.config_dir else "",
    )


@page(needs_signature=False)
async def signature_save(request: Request):
    from imr.workspace.folder import check_signature
    from imr.workspace.store import check_identifier
    from imr.workspace.user_settings import save

    ctx = context(request)
    form = await request.form()
    value = str(form.get("signature", ""))
    target = _next_path(str(form.get("next", "/")))
    try:
        signature = check_signature(value)
        check_identifier(signature, ctx.ws, "signature")
        if ctx.config_dir is None:
            raise ImrError("no_signature")
    except ImrError as error:
        return render(
            request,
            "signature.html",
            status=400,
            title=ctx.s()["signature_title"],
            value=value,
            next=target,
            error=error.message(ctx.lang),
            where=str(ctx.config_dir / "settings.yaml") if ctx.config_dir else "",
        )
    save(ctx.config_dir, "signature", signature)
    ctx.signature_saved()
    return redirect(target)


@page(needs_signature=False)
async def stop(request: Request):
    ctx = context(request)
    response = render(request, "stopped.html", title=ctx.s()["stopped_title"])
    if ctx.stop is not None:
        ctx.stop()
    return response


ROUTES = [
    Route("/signatur", signature_form, methods=["GET"]),
    Route("/signatur", signature_save, methods=["POST"]),
    Route("/stang", stop, methods=["POST"]),
]
