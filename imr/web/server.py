"""The Starlette app of `imr web` and the uvicorn server that runs it on 127.0.0.1 only.

`serve` binds the socket itself before the server starts, so the address (with its start token)
can be reported at once, and a port of 0 picks a free one. Stopping: the page's Stäng button,
Ctrl-C in the terminal, or the process ending.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from imr.core import resources
from imr.web.pages import WebContext, environment
from imr.web.security import Guard, Secrets
from imr.workspace.folder import Workspace

HOST = "127.0.0.1"


def routes() -> list:
    from imr.web import plan, prints, share, signature, supervise, today, writing

    static = resources.builtin_dir("templates") / "web" / "static"
    found: list = []
    for module in (today, plan, writing, prints, share, supervise, signature):
        found.extend(module.ROUTES)
    found.append(Mount("/static", app=StaticFiles(directory=str(static)), name="static"))
    return found


def build_app(ctx: WebContext) -> Guard:
    app = Starlette(routes=routes())
    app.state.web = ctx

    async def refuse(scope: dict, receive, send, reason: str, status: int) -> None:
        from starlette.responses import HTMLResponse

        s = ctx.s()
        html = environment().get_template("refused.html").render(s=s, lang=ctx.lang, text=s[reason])
        await HTMLResponse(html, status_code=status)(scope, receive, send)

    return Guard(app, ctx.keys, refuse)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (never 0.0.0.0: the ward's network must not reach it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no other program may take the port over
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    ws: Workspace, *, lang: str, config_dir: Path | None, port: int = 0, ready: Callable[[str], None] | None = None
) -> None:
    """Run until stopped. `ready(url)` gets the start address (with its token) once the socket
    listens; connections that arrive before the server loop runs wait in the socket's queue."""
    import uvicorn

    sock = bind(port)
    keys = Secrets(port=sock.getsockname()[1])
    ctx = WebContext(ws=ws, lang=lang, config_dir=config_dir, keys=keys)
    config = uvicorn.Config(
        build_app(ctx), log_level="warning", access_log=False, lifespan="off", server_header=False, date_header=False
    )
    server = uvicorn.Server(config)

    def stop() -> None:
        server.should_exit = True

    ctx.stop = stop
    if ready is not None:
        ready(keys.start_url())
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
