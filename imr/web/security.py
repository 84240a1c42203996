"""What every request to `imr web` passes before a page sees it: a shared ward PC has other users,
other browser tabs and other web sites open at the same time.

- The Host header must be `127.0.0.1:PORT` or `localhost:PORT` (a DNS-rebinding site gets 400).
- The first URL carries a random token made for this start; it is exchanged once per browser for
  an HttpOnly, SameSite=Strict cookie and the page reloads without it (so it stays out of the
  history and of the address bar). Without the cookie or the token: 403.
- Every POST must be a plain form (`application/x-www-form-urlencoded`), at most `MAX_BODY`
  bytes, with this start's CSRF token in its `csrf` field; an `Origin` header, when the browser
  sends one, must be this server. Checked here, once, so no page can forget it.
- Every answer gets a Content-Security-Policy of `default-src 'self'`, `no-store` caching (pages
  hold pseudonyms and notes), no referrer to other sites and no framing.

Written as plain ASGI (not Starlette's BaseHTTPMiddleware) so the body can be read, checked and
handed on unchanged.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

MAX_BODY = 200_000  # bytes in one form post: far above any note the writer accepts, far below a flood
FORM_TYPE = "application/x-www-form-urlencoded"
STATIC_PREFIX = "/static/"

HEADERS = [
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # not no-referrer: Chromium then posts forms with `Origin: null`
    (b"x-frame-options", b"DENY"),
]
NO_STORE = (b"cache-control", b"no-store")


@dataclass
class Secrets:
    """The random values of one start of `imr web`."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie_name(self) -> str:
        # Cookies do not tell ports apart: two servers on one PC must not overwrite each other's.
        return f"imr_{self.port}"

    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.allowed_hosts()}

    def start_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?{urlencode({'token': self.token})}"


Refusal = Callable[[str, int], Awaitable[None]]


class Guard:
    """The ASGI middleware. `refuse(scope, receive, send, reason, status)` draws the refusal page."""

    def __init__(self, app: Any, keys: Secrets, refuse: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.keys = keys
        self.refuse = refuse

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        send = _with_headers(send, no_store=not scope["path"].startswith(STATIC_PREFIX), began=time.perf_counter())
        if headers.get("host", "") not in self.keys.allowed_hosts():
            await self.refuse(scope, receive, send, "refused_host", 400)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token") and secrets.compare_digest(query["token"][0], self.keys.token):
            await self._exchange(scope, send, query)
            return
        if scope["path"].startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)  # the style sheet and icon hold no data
            return
        if not self._has_cookie(headers):
            await self.refuse(scope, receive, send, "refused_token", 403)
            return
        if scope["method"] == "POST":
            body, reason, status = await self._checked_body(headers, receive)
            if reason:
                await self.refuse(scope, receive, send, reason, status)
                return
            receive = _replay(body, receive)
        elif scope["method"] not in ("GET", "HEAD"):
            await self.refuse(scope, receive, send, "refused_method", 405)
            return
        await self.app(scope, receive, send)

    def _has_cookie(self, headers: dict[str, str]) -> bool:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no cookie
            return False
        morsel = jar.get(self.keys.cookie_name)
        return morsel is not None and secrets.compare_digest(morsel.value, self.keys.session)

    async def _exchange(self, scope: dict, send: Callable, query: dict[str, list[str]]) -> None:
        """The start token: set the cookie and send the browser to the same page without it."""
        rest = {k: v for k, v in query.items() if k != "token"}
        location = scope["path"] + ("?" + urlencode(rest, doseq=True) if rest else "")
        cookie = f"{self.keys.cookie_name}={self.keys.session}; HttpOnly; SameSite=Strict; Path=/"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _checked_body(self, headers: dict[str, str], receive: Callable) -> tuple[bytes, str | None, int]:
        origin = headers.get("origin")
        if origin is not None and origin not in self.keys.allowed_origins():
            return b"", "refused_origin", 403
        if headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
            return b"", "refused_form_type", 415
        try:
            if int(headers.get("content-length", "0")) > MAX_BODY:
                return b"", "refused_too_large", 413
        except ValueError:
            return b"", "refused_form_type", 400
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", "refused_form_type", 400
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return b"", "refused_too_large", 413
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return b"", "refused_form_type", 400
        given = fields.get("csrf", [""])
        if len(given) != 1 or not secrets.compare_digest(given[0].encode("utf-8"), self.keys.csrf.encode("utf-8")):
            return b"", "refused_csrf", 403
        return body, None, 200


def _headers(scope: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        if name not in out:  # a second Host header never overrides the first
            out[name] = value.decode("latin-1")
    return out


def _with_headers(send: Callable, no_store: bool, began: float) -> Callable:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            # The server's own time for this answer (the benchmark reads it; browsers show it).
            timing = (b"server-timing", f"app;dur={(time.perf_counter() - began) * 1000:.1f}".encode("ascii"))
            extra = list(HEADERS) + ([NO_STORE] if no_store else []) + [timing]
            names = {name for name, _ in extra}
            message = dict(message)
            message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names] + extra
        await send(message)

    return wrapped


def _replay(body: bytes, original: Callable) -> Callable:
    """The body already read, then the connection's own messages (its disconnect)."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
