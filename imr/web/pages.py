"""What every page of `imr web` shares: the request's workspace and language, the templates, the
error page, the signature, and the one-time token that makes a second click on Spara harmless.

Templates come from the package's own `templates/web/` only (a workspace may change wording
through its strings files, not the page's markup), with Jinja's HTML autoescape on: every value
from a record is escaped, as in every other output of imr.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from imr.core import resources
from imr.core.errors import ImrError
from imr.web.security import Secrets
from imr.workspace.folder import Workspace, open_workspace

# (path, label key) of the navigation, in the order of the week.
NAV = [
    ("/", "nav_today"),
    ("/planera", "nav_plan"),
    ("/anteckna", "nav_session"),
    ("/franvaro", "nav_absence"),
    ("/grupptraff", "nav_group"),
    ("/mal", "nav_goals"),
    ("/aterfallsplan", "nav_relapse"),
    ("/imrs", "nav_imrs"),
    ("/skriv-ut", "nav_print"),
    ("/dela", "nav_share"),
    ("/oversikt", "nav_report"),
    ("/andringar", "nav_diff"),
]


@dataclass
class WebContext:
    """One running `imr web`: its workspace, language, user settings folder and secrets."""

    ws: Workspace
    lang: str
    config_dir: Path | None
    keys: Secrets
    stop: Callable[[], None] | None = None
    _signature: str | None = None
    _flashes: dict[str, str] = field(default_factory=dict)
    _issued: set[str] = field(default_factory=set)
    _used: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def strings(self) -> dict[str, Any]:
        from imr.core.strings import strings

        return strings(self.lang, self.ws.root)

    def s(self) -> dict[str, Any]:
        return self.strings().get("web", {})

    def signature(self) -> str | None:
        """The signature in effect, looked up once per start (a lookup may run `git config`);
        `signature_saved` refreshes it when the page sets one."""
        from imr.workspace.user_settings import resolve

        if self._signature is None:
            self._signature = resolve("signature", None, self.ws.root, self.config_dir).value
        return self._signature

    def signature_saved(self) -> None:
        self._signature = None

    def reopen(self) -> None:
        """After a sync the workspace's files may have changed under us (imr.yaml, curriculum)."""
        ws = open_workspace(self.ws.root)
        ws.user_config_dir = self.config_dir
        ws.lang_override = self.ws.lang_override  # the language this start was asked for
        self.ws = ws

    def flash(self, text: str) -> str:
        """Keep a sentence for the page the browser is sent to after a save (`?m=KEY`)."""
        key = secrets.token_urlsafe(8)
        with self._lock:
            self._flashes[key] = text
        return key

    def flashed(self, key: str | None) -> str | None:
        with self._lock:
            return self._flashes.get(key or "")

    def new_once(self) -> str:
        value = secrets.token_urlsafe(16)
        with self._lock:
            self._issued.add(value)
        return value

    def once_used(self, value: str) -> bool:
        with self._lock:
            return value in self._used

    def take_once(self, value: str) -> bool:
        """True the first time a form's one-time value is used to save; False for a repeat."""
        with self._lock:
            if value not in self._issued or value in self._used:
                return False
            self._used.add(value)
            return True

    def give_back_once(self, value: str) -> None:
        """The save was refused: the same form may be sent again after the user fixes it."""
        with self._lock:
            self._used.discard(value)


def context(request: Request) -> WebContext:
    return request.app.state.web


@lru_cache(maxsize=1)
def environment():
    import jinja2

    folder = resources.builtin_dir("templates") / "web"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["q"] = lambda value: quote(str(value), safe="")
    return env


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = context(request)
    s = ctx.s()
    page = {
        "s": s,
        "lang": ctx.lang,
        "csrf": ctx.keys.csrf,
        "signature": ctx.signature(),
        "workspace_name": ctx.ws.name,
        "nav": [(path, s.get(key, key)) for path, key in NAV],
        "here": "/" + request.url.path.strip("/").split("/")[0] if request.url.path != "/" else "/",
        "message": ctx.flashed(request.query_params.get("m")),
        "title": "",
    }
    page.update(values)
    html = environment().get_template(template).render(**page)
    return HTMLResponse(html, status_code=status)


def error_text(request: Request, error: ImrError) -> str:
    return error.message(context(request).lang)


Handler = Callable[[Request], Awaitable[Response]]


def page(needs_signature: bool = True) -> Callable[[Handler], Handler]:
    """A page handler: asks for the signature first when none is set, and turns a user error
    into the error page with its sentence (nothing was written: the library raises before)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            if needs_signature and context(request).signature() is None:
                back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/signatur?next={quote(back, safe='')}", status_code=303)
            try:
                return await handler(request)
            except ImrError as error:
                return render(
                    request,
                    "error.html",
                    status=400,
                    title=context(request).s()["error_title"],
                    error=error_text(request, error),
                )

        return run

    return wrap


def participant_ids(ctx: WebContext) -> list[str]:
    from imr.workspace.store import record_ids

    return record_ids(ctx.ws)


def group_names(ctx: WebContext) -> list[str]:
    from imr.programme.groups import group_names as names

    return names(ctx.ws)


def chosen_participant(ctx: WebContext, value: str | None) -> str:
    """A participant id from a URL or a form: a record that exists, never a path."""
    from imr.records.ids import is_valid_id

    value = (value or "").strip()
    if not is_valid_id(value) or not ctx.ws.record_path(value).is_file():
        raise ImrError("web_no_participant", id=value[:40])
    return value


def chosen_group(ctx: WebContext, value: str | None) -> str:
    value = (value or "").strip()
    if value not in group_names(ctx):
        raise ImrError("web_no_group", group=value[:40])
    return value


def redirect(path: str) -> RedirectResponse:
    """POST, then redirect (303): reloading the page never sends the form again."""
    return RedirectResponse(path, status_code=303)
