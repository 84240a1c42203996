"""`imr web` at 1,000 participants x 40 entries: start-up, Idag and Anteckna warm, one save.

    python bench/bench_web.py [--participants 1000] [--entries 40] [--rounds 20]

Runs the real server process (`imr web --no-browser`) in a generated workspace and sends it plain
HTTP requests; each figure is the server's own time, from the Server-Timing header the security
guard adds (from the request reaching the guard to the answer starting). Printed beside two
baselines from the same run: the style sheet (a static file through the same guard: the floor of
any page) and a bare typer hello-world's start (the floor of any command). Ready is measured from
outside: from starting the process to the first page answered. Targets (PRODUCT.md, issue 24): Idag and Anteckna <= 100 ms
warm, a save <= 300 ms, ready <= 1.5 s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def start(root: Path, home: Path) -> tuple[subprocess.Popen, int, str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_")}
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "IMR_SIGNATURE": "KL",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "PYTHONUNBUFFERED": "1",
        }
    )
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", "from imr.cli.app import main; main()", "--workspace", str(root), "web", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    listening = time.perf_counter() - began
    match = re.match(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)$", line)
    assert match, line
    port, token = int(match.group(1)), match.group(2)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", f"/?token={token}")
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("set-cookie").split(";")[0]
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    ready = time.perf_counter() - began  # the first page answered, from a cold process
    connection.close()
    return process, port, cookie, (listening, ready)


class Client:
    def __init__(self, port: int, cookie: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Cookie": cookie, "Host": f"127.0.0.1:{port}"}

    def timed(self, method: str, path: str, body: dict | None = None) -> tuple[float, int, str]:
        """(the server's own time from its Server-Timing header, status, body)."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = urlencode(body).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        timing = re.search(r"dur=([0-9.]+)", response.getheader("server-timing") or "")
        assert timing, "no Server-Timing header"
        return float(timing.group(1)) / 1000, response.status, text


def warm(client: Client, path: str, rounds: int) -> float:
    for _ in range(3):
        client.timed("GET", path)
    times = []
    for _ in range(rounds):
        seconds, status, _ = client.timed("GET", path)
        assert status == 200, (path, status)
        times.append(seconds)
    return statistics.median(times)


def form_fields(html: str) -> dict[str, str]:
    form = html[html.index('<form method="post" action="/anteckna"') :]
    form = form[: form.index("</form>")]
    out: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if 'type="radio"' in tag or 'type="checkbox"' in tag:
            if " checked" in tag:
                out[name.group(1)] = value.group(1) if value else ""
        elif tag.startswith("<select"):
            block = form[form.index(tag) :]
            chosen = re.search(r'<option value="([^"]*)" selected', block[: block.index("</select>")])
            out[name.group(1)] = chosen.group(1) if chosen else ""
        elif not tag.startswith("<textarea"):
            out.setdefault(name.group(1), value.group(1) if value else "")
    return out


def save_once(client: Client, pid: str) -> float:
    _, status, html = client.timed("GET", f"/anteckna?p={pid}")
    assert status == 200
    fields = {**form_fields(html), "homework_review": "done", "note": "Bra träff.", "step": "save"}
    seconds, status, text = client.timed("POST", "/anteckna", fields)
    assert status == 303, (status, re.findall(r'class="(?:error|field-error)"[^>]*>([^<]*)<', text))
    return seconds


def hello_start() -> float:
    times = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "hello_typer.py"), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    from make_workspace import generate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        generate(root, args.participants, args.entries)
        subprocess.run(
            [sys.executable, "-c", "from imr.cli.app import main; main()", "--workspace", str(root), "status"],
            capture_output=True,
            env={**os.environ, "IMR_SIGNATURE": "KL"},
        )  # fills the caches
        process, port, cookie, ready = start(root, Path(folder) / "home")
        try:
            client = Client(port, cookie)
            floor = warm(client, "/static/imr.css", args.rounds)
            today = warm(client, "/", args.rounds)
            pid = (
                "p-0001"
                if (root / "records" / "p-0001.yaml").exists()
                else sorted(p.stem for p in (root / "records").glob("*.yaml"))[0]
            )
            note = warm(client, f"/anteckna?p={pid}", args.rounds)
            ids = sorted(p.stem for p in (root / "records").glob("*.yaml"))[1:11]
            saves = statistics.median(save_once(client, p) for p in ids)
        finally:
            process.terminate()
            process.wait(timeout=10)
        hello = hello_start()
    size = f"{args.participants} x {args.entries}"
    print(f"imr web at {size} (server time, median of {args.rounds} warm requests)")
    print(f"  style sheet (floor)     {floor * 1000:8.1f} ms")
    print(f"  Idag                    {today * 1000:8.1f} ms   target <= 100 ms")
    print(f"  Anteckna (form)         {note * 1000:8.1f} ms   target <= 100 ms")
    print(f"  save a session          {saves * 1000:8.1f} ms   target <= 300 ms (median of 10)")
    print(f"  ready (address printed) {ready[0] * 1000:8.1f} ms   target <= 1500 ms")
    print(f"  first page answered     {ready[1] * 1000:8.1f} ms   (cold: imports, curriculum, 1,000 records)")
    print(f"  typer hello (baseline)  {hello * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
