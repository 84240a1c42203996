"""`imr web`: the weekly loop as a small local web application, for ward staff who never open a
terminal.

The pages are server-rendered Jinja templates (`templates/web/`) on the same library calls as the
CLI, and the forms that write are rendered from the form model (`imr.forms`), so a web form and a
CLI prompt have the same fields, choices, defaults and checks. Plain HTML forms, POST then
redirect; no JavaScript is needed.

Layout: `server` builds the Starlette app and runs uvicorn on 127.0.0.1; `security` is the ASGI
middleware that every request passes (Host check, start token exchanged for a cookie, CSRF token
on every POST, size limit, security headers); `pages` renders templates and knows the request's
workspace; one module per page group (`today`, `plan`, `prints`, `share`, `supervise`,
`signature`, and the writing pages). The library never prints: `server.serve` reports the address
through a callback.
"""
