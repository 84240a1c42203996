"""`imr web` over plain HTTP: the security list, bad input, the shortcut and the start line.

One real server process per module (`imr web --no-browser` in a workspace in tmp_path); every
write test compares the bytes of records/ before and after.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_workspaces
from tests.web_support import WebServer, form_fields, hidden, problems, wait_until_stopped


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    with shared_workspaces(tmp_path_factory, "web") as (base, imr):
        root = base / "ws"
        imr.ok("init", str(root), "--name", "Testavdelning")
        imr.root = root
        imr.ok("patient", "add", "p-01")
        imr.ok("patient", "add", "p-02")
        imr.commit_all("start")
        server = WebServer(root, base / "home", env={"IMR_SIGNATURE": "KL"})
        try:
            server.log_in()
            yield imr, server
        finally:
            server.stop()


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("records", "groups")
        if (root / sub).is_dir()
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


def session_form(server: WebServer, pid: str = "p-01") -> dict[str, str]:
    status, html = server.get(f"/anteckna?p={pid}")
    assert status == 200, html
    fields = form_fields(html)
    assert fields["csrf"] and fields["once"]
    return fields


# ---- the start line and the cookie -------------------------------------------------------


def test_the_first_line_is_the_address_with_its_token(ward):
    _, server = ward
    assert server.first_line == f"http://127.0.0.1:{server.port}/?token={server.token}"
    assert len(server.token) >= 40


def test_the_token_is_exchanged_for_a_strict_http_only_cookie(ward):
    _, server = ward
    status, headers, _ = server.request("GET", f"/planera?token={server.token}", cookie=False)
    assert status == 303 and headers["location"] == "/planera"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and server.token not in cookie


# ---- refused ----------------------------------------------------------------------------


def test_no_token_and_no_cookie_is_refused(ward):
    _, server = ward
    for path in ("/", "/anteckna?p=p-01", "/skriv-ut/pdf?what=folder&p=p-01"):
        status, _, body = server.request("GET", path, cookie=False)
        assert status == 403
        assert "p-01" not in body.decode() and "imr web" in body.decode()
    status, _, _ = server.request("GET", "/?token=wrong", cookie=False)
    assert status == 403
    status, _, _ = server.request("GET", "/", cookie=False, headers={"Cookie": f"imr_{server.port}=guess"})
    assert status == 403


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1", "localhost:1", "[::1]:{port}", "0.0.0.0:{port}"]
)
def test_a_host_other_than_the_loopback_names_is_refused(ward, host):
    _, server = ward
    status, _, body = server.request("GET", "/", host=host.format(port=server.port))
    assert status == 400 and "127.0.0.1" in body.decode()
    assert server.request("GET", "/", host=f"localhost:{server.port}")[0] == 200


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(ward):
    imr, server = ward
    fields = session_form(server)
    before = snapshot(imr.root)
    for changed in ({k: v for k, v in fields.items() if k != "csrf"}, {**fields, "csrf": "guess"}):
        status, _, body = server.post("/anteckna", {**changed, "step": "save"})
        assert status == 403 and "Inget sparades" in body
    status, _, body = server.post("/anteckna", {**fields, "step": "save"}, headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = server.request("POST", "/anteckna", body=b"{}", headers={"Content-Type": "application/json"})
    assert status == 415
    assert snapshot(imr.root) == before


def test_the_server_listens_on_127_0_0_1_only(ward):
    _, server = ward
    others = {"127.0.0.2"} if sys.platform.startswith("linux") else set()
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
        others.add(probe.getsockname()[0])
        probe.close()
    except OSError:
        pass
    others.discard("127.0.0.1")
    assert others, "no other address to try"
    for address in others:
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=5).close()
    with pytest.raises(OSError):
        socket.create_connection(("::1", server.port), timeout=5).close()
    socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_every_page_has_the_security_headers(ward):
    _, server = ward
    for path in ("/", "/anteckna?p=p-01", "/planera?p=p-01", "/dela"):
        status, headers, _ = server.request("GET", path)
        assert status == 200, path
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
    _, headers, _ = server.request("GET", "/", cookie=False)
    assert headers["content-security-policy"].startswith("default-src 'self'")


def test_pages_escape_what_they_show(ward):
    _, server = ward
    status, html = server.get("/planera?p=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 400 and "<script>alert" not in html and "&lt;script&gt;" in html


# ---- bad input --------------------------------------------------------------------------


def test_a_forged_field_is_named_and_nothing_is_written(ward):
    imr, server = ward
    fields = session_form(server)
    before = snapshot(imr.root)
    status, _, html = server.post("/anteckna", {**fields, "kind": "goal", "step": "save"})
    assert status == 400 and "”kind”" in html and "Inget sparades" in html, html
    status, _, html = server.post("/anteckna", {**fields, "a": "imrs", "step": "save"})
    assert status == 400
    assert snapshot(imr.root) == before


def test_a_session_that_does_not_exist_is_refused_at_its_field(ward):
    imr, server = ward
    fields = session_form(server)
    before = snapshot(imr.root)
    status, _, html = server.post("/anteckna", {**fields, "session": "3.9", "note": "Kort anteckning", "step": "save"})
    assert status == 400
    assert 'id="f-session-error"' in html and "3.1" in html
    assert "Kort anteckning" in html  # everything typed is kept
    assert snapshot(imr.root) == before


def test_a_participant_id_with_a_path_is_refused(ward):
    imr, server = ward
    before = snapshot(imr.root)
    for path in ("/anteckna?p=..%2F..%2Fimr", "/planera?p=../records/p-01", "/skriv-ut/pdf?what=folder&p=..%2Fp-01"):
        status, html = server.get(path)
        assert status in (400, 404), path
        assert "finns ingen deltagare" in html or status == 404
    fields = session_form(server)
    status, _, html = server.post("/anteckna", {**fields, "target": "../records/p-01", "step": "save"})
    assert status == 400 and "finns ingen deltagare" in html
    assert snapshot(imr.root) == before


def test_a_megabyte_in_a_field_gets_a_clear_message_and_writes_nothing(ward):
    imr, server = ward
    fields = session_form(server)
    before = snapshot(imr.root)
    status, _, html = server.post("/anteckna", {**fields, "note": "a" * 1_000_000, "step": "save"})
    assert status == 413 and "200 000 tecken" in html and "inget sparades" in html
    assert snapshot(imr.root) == before


def test_a_double_submit_saves_once(ward):
    imr, server = ward
    fields = {**session_form(server, "p-02"), "note": "Vi gick igenom bladet", "step": "save"}
    before = imr.record("p-02").read_bytes()
    status, headers, html = server.post("/anteckna", fields)
    assert status == 303, problems(html)
    assert "Sparat" in server.follow(headers)
    after = imr.record("p-02").read_bytes()
    assert after.startswith(before) and after.count(b"kind: session") == 1
    status, _, html = server.post("/anteckna", fields)
    assert status == 400 and "redan sparat" in html
    assert imr.record("p-02").read_bytes() == after


def test_a_name_in_the_note_marks_the_field_keeps_the_text_and_writes_nothing(ward):
    imr, server = ward
    fields = session_form(server)
    before = snapshot(imr.root)
    note = "Pratade om veckan med Anna Svensson"
    status, _, html = server.post("/anteckna", {**fields, "note": note, "step": "save"})
    assert status == 400
    assert 'id="f-note-error"' in html and 'aria-invalid="true"' in html
    assert f">{note}</textarea>" in html
    assert snapshot(imr.root) == before


# ---- the shortcut and the stop button ------------------------------------------------------


def test_the_shortcut_is_a_desktop_file_that_starts_imr_web_in_the_workspace(ward, tmp_path):
    import shlex

    imr, _ = ward
    home = tmp_path / "home"
    (home / "Desktop").mkdir(parents=True)
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PATH": "/usr/bin:/bin",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from imr.cli.app import main; main()", "--workspace", str(imr.root), "web", "--genväg"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    made = [home / "Desktop" / "imr-web.desktop", home / ".local" / "share" / "applications" / "imr-web.desktop"]
    for path in made:
        assert str(path) in done.stdout
        text = path.read_text(encoding="utf-8")
        assert "[Desktop Entry]" in text and "Terminal=false" in text and "Name=IMR" in text
    exec_line = next(line for line in made[0].read_text().splitlines() if line.startswith("Exec="))[5:]
    words = shlex.split(exec_line.replace("%%", "%"))
    assert words[-1] == "web" and words[-3:-1] == ["--workspace", str(imr.root.resolve())]
    # The same command, asking whoami instead of web, runs in that workspace from another folder.
    ran = subprocess.run(
        [*words[:-1], "whoami"],
        capture_output=True,
        text=True,
        env={**env, "IMR_SIGNATURE": "KL"},
        cwd=tmp_path,
        timeout=60,
    )
    assert ran.returncode == 0 and "KL" in ran.stdout
    if subprocess.run(["which", "desktop-file-validate"], capture_output=True).returncode == 0:
        checked = subprocess.run(["desktop-file-validate", str(made[0])], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_stop_button_stops_the_server(ward, tmp_path):
    imr, _ = ward
    server = WebServer(imr.root, tmp_path / "home", env={"IMR_SIGNATURE": "KL"})
    try:
        server.log_in()
        status, html = server.get("/")
        assert status == 200 and "Stäng imr" in html
        status, _, html = server.post("/stang", {"csrf": hidden(html, "csrf")})
        assert status == 200 and "imr är stängt" in html
        assert wait_until_stopped(server.process) == 0
    finally:
        server.stop()


def test_english_pages_by_the_same_setting_as_the_cli(ward, tmp_path):
    imr, _ = ward
    server = WebServer(imr.root, tmp_path / "home", env={"IMR_SIGNATURE": "KL"}, lang="en")
    try:
        server.log_in()
        status, html = server.get("/")
        assert status == 200 and '<html lang="en">' in html and "Close imr" in html and "Stäng" not in html
        assert problems(html) == []
    finally:
        server.stop()


def test_two_tabs_and_the_cli_writing_at_once_lose_nothing(ward):
    """The writer's lock: a page save in each of two tabs and a CLI write to the same record at the
    same moment all land, each once, after the earlier bytes."""
    import threading

    imr, server = ward
    imr.ok("patient", "add", "p-09")
    before = imr.record("p-09").read_bytes()
    tabs = [session_form(server, "p-09"), session_form(server, "p-09")]
    tabs[0].update(note="Första fliken", session="1.1")
    tabs[1].update(note="Andra fliken", session="1.2", date="igår")
    results: list = []

    def save(fields: dict) -> None:
        results.append(server.post("/anteckna", {**fields, "step": "save"})[0])

    threads = [threading.Thread(target=save, args=(fields,)) for fields in tabs]
    cli = threading.Thread(
        target=lambda: subprocess.run(
            [
                sys.executable,
                "-c",
                "from imr.cli.app import main; main()",
                "--workspace",
                str(imr.root),
                "goal",
                "add",
                "p-09",
                "Sova bättre",
            ],
            capture_output=True,
            env={**__import__("os").environ, "IMR_SIGNATURE": "KL"},
            timeout=120,
        )
    )
    for thread in [*threads, cli]:
        thread.start()
    for thread in [*threads, cli]:
        thread.join()
    assert results == [303, 303]
    added = imr.record("p-09").read_bytes()
    assert added.startswith(before)
    text = added[len(before) :].decode("utf-8")
    assert text.count("Första fliken") == 1 and text.count("Andra fliken") == 1 and text.count("Sova bättre") == 1


def test_a_port_in_use_gets_one_sentence(ward):
    imr, server = ward
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from imr.cli.app import main; main()",
            "--workspace",
            str(imr.root),
            "web",
            "--no-browser",
            "--port",
            str(server.port),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "IMR_SIGNATURE": "KL"},
    )
    assert done.returncode == 1 and done.stdout == ""
    assert f"Porten {server.port} används redan" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from imr.cli.app import main; main()",
            "--workspace",
            str(imr.root),
            "web",
            "--no-browser",
            "--port",
            "80",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "1024" in done.stderr


def test_the_changes_page_says_what_imr_diff_says(enrolled, tmp_path):
    """*Ändringar* and `imr diff --since` are one library call with one wording: the page shows
    the terminal's lines, in its order (the web no longer borrows the CLI's code to do it)."""
    import html
    import re

    enrolled.commit_all("start")
    enrolled.ok("session", "log", "p-01", "--date", "2026-01-05", "--homework-review", "partly", "--note", "Bra.")
    server = WebServer(enrolled.root, tmp_path / "home", env={"IMR_SIGNATURE": "KL"})
    try:
        server.log_in()
        status, page = server.get("/andringar?since=2020-01-01")
    finally:
        server.stop()
    assert status == 200, page
    diff = page.split('<div class="diff">', 1)[1].split("</div>", 1)[0]
    shown = [html.unescape(text) for text in re.findall(r"<p[^>]*>(.*?)</p>", diff, re.S)]
    printed = [line for line in enrolled.ok("diff", "--since", "2020-01-01").output.splitlines() if line.strip()]
    assert shown == printed
    assert any("träff 1.1" in line and "hemuppgiften: delvis gjord" in line for line in shown)
