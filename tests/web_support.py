"""A real `imr web --no-browser` in a workspace in tmp_path, and plain HTTP to it.

The server runs as its own process, as a nurse's would; tests read the start address from its
first line of output, exactly as the documentation tells staff to.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

START_LINE = re.compile(r"^http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)$")


class WebServer:
    def __init__(self, root: Path, home: Path, env: dict[str, str] | None = None, lang: str | None = None) -> None:
        self.root = root
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("IMR_")}
        environ.update(
            {
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "GIT_CONFIG_GLOBAL": os.devnull,
                "PYTHONUNBUFFERED": "1",
            }
        )
        environ.update(env or {})
        args = [sys.executable, "-c", "from imr.cli.app import main; main()", "--workspace", str(root)]
        if lang:
            args += ["--lang", lang]
        self.process = subprocess.Popen(
            [*args, "web", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, text=True
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline().strip()
        match = START_LINE.match(self.first_line)
        if not match:
            self.stop()
            raise AssertionError(f"no start address: {self.first_line!r} {self.process.stderr.read()[-2000:]!r}")
        self.port = int(match.group(1))
        self.token = match.group(2)
        self.base = f"http://127.0.0.1:{self.port}"
        self.cookie = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # ---- plain HTTP, with the headers a test chooses ---------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        host: str | None = None,
        cookie: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": host or f"127.0.0.1:{self.port}"}
        if cookie and self.cookie:
            sent["Cookie"] = self.cookie
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Content-Length"] = str(len(body))
        sent.update(headers or {})
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in sent.items():
            connection.putheader(key, value)
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        out = {k.lower(): v for k, v in response.getheaders()}
        if "set-cookie" in out:
            out["set-cookie-all"] = "\n".join(v for k, v in response.getheaders() if k.lower() == "set-cookie")
        connection.close()
        return response.status, out, data

    def log_in(self) -> dict[str, str]:
        """Open the start address, as the browser would, and keep the cookie it sets."""
        status, headers, _ = self.request("GET", f"/?token={self.token}", cookie=False)
        assert status == 303, status
        self.cookie = headers["set-cookie"].split(";")[0]
        return headers

    def get(self, path: str) -> tuple[int, str]:
        status, _, data = self.request("GET", path)
        return status, data.decode("utf-8")

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]], **kw) -> tuple[int, dict[str, str], str]:
        status, headers, data = self.request("POST", path, body=urlencode(fields).encode("utf-8"), **kw)
        return status, headers, data.decode("utf-8")

    def follow(self, headers: dict[str, str]) -> str:
        location = headers["location"]
        parts = urlsplit(location)
        return self.get(parts.path + (f"?{parts.query}" if parts.query else ""))[1]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def form_fields(html: str) -> dict[str, str]:
    """The values a browser would post from the page's writing form (its defaults as shown)."""
    starts = [m.start() for m in re.finditer(r'<form method="post" action="/(?!stang)', html)]
    assert starts, "no writing form on the page"
    form = html[starts[0] :]
    form = form[: form.index("</form>")]
    out: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        key = name.group(1)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox"):
            if " checked" in tag:
                out[key] = value.group(1) if value else ""
            continue
        if tag.startswith("<select"):
            start = form.index(tag)
            block = form[start : form.index("</select>", start)]
            chosen = re.search(r'<option value="([^"]*)" selected', block) or re.search(
                r'<option value="([^"]*)"', block
            )
            out[key] = chosen.group(1) if chosen else ""
        elif tag.startswith("<textarea"):
            start = form.index(tag) + len(tag)
            out[key] = form[start : form.index("</textarea>", start)]
        else:
            out.setdefault(key, value.group(1) if value else "")
    return out


def problems(html: str) -> list[str]:
    return re.findall(r'class="(?:error|field-error)"[^>]*>([^<]*)<', html)


def wait_until_stopped(process: subprocess.Popen, seconds: float = 10.0) -> int | None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            return process.returncode
        time.sleep(0.05)
    return None
