"""The core loop on a new workspace: enrol, plan, log, plan again, check; git sees only additions."""

import json

import pytest


def added_only(imr) -> None:
    """`git diff` of the working tree against the last commit has no removed lines."""
    diff = imr.git("diff", "--unified=0", "--", "records", "groups")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], diff


def test_full_loop(enrolled):
    imr = enrolled
    imr.commit_all()
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.1" and plan["module"] == 1 and plan["title"]
    assert plan["last_session"] is None

    imr.ok(
        "session",
        "log",
        "p-01",
        "--date",
        "2026-03-02",
        "--homework",
        "Skriv tre saker som är viktiga.",
        "--note",
        "Bra start.",
    )
    added_only(imr)
    imr.commit_all()
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.2"
    assert plan["last_session"]["date"] == "2026-03-02"
    assert plan["last_session"]["homework"] == "Skriv tre saker som är viktiga."

    text = imr.ok("session", "next", "p-01").output
    assert "Skriv tre saker som är viktiga." in text
    assert "Inga mål ännu" in text
    assert "1.2" in text

    imr.ok("absent", "p-01", "--date", "2026-03-09", "--note", "Sjuk.")
    added_only(imr)
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.2", "an absence does not move the plan on"
    assert plan["missed_since_last"][0]["session"] == "1.2"

    imr.ok(
        "session",
        "log",
        "p-01",
        "--module",
        "3",
        "--session",
        "1",
        "--date",
        "2026-03-16",
        "--homework-review",
        "partly",
    )
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "3.2", "the plan follows the session actually held"

    imr.commit_all()
    imr.ok("correct", "p-01", "2", "--note", "Fel datum.", "--set", "date=2026-03-03")
    added_only(imr)
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["sessions_held"] == 2
    assert imr("check").exit_code == 0, imr("check").output


def test_module_order_is_followed(imr):
    imr.ok("patient", "add", "p-02", "--module-order", "1,3,2")
    for day in range(4):
        imr.ok("session", "log", "p-02", "--date", f"2026-03-0{day + 1}")
    plan = json.loads(imr.ok("session", "next", "p-02", "--json").output)
    assert plan["session"] == "3.1"


def test_after_last_session_of_module_comes_next_module(enrolled):
    imr = enrolled
    imr.ok("session", "log", "p-01", "--module", "1", "--session", "4", "--date", "2026-03-01")
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "2.1"


def test_skipped_sessions_come_back_when_the_order_runs_out(enrolled):
    imr = enrolled
    imr.ok("session", "log", "p-01", "--module", "11", "--session", "3", "--date", "2026-03-01")
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.1"


def test_signature_required(enrolled, monkeypatch):
    monkeypatch.delenv("IMR_SIGNATURE")
    before = enrolled.snapshot()
    result = enrolled("session", "log", "p-01", "--note", "x")
    assert result.exit_code == 1
    assert "signatur" in result.output.lower()
    assert enrolled.snapshot() == before
    enrolled.ok("session", "log", "p-01", "--by", "AB", "--date", "2026-03-01")


def test_signature_in_shared_workspace_config_is_ignored(enrolled, monkeypatch, tmp_path):
    monkeypatch.delenv("IMR_SIGNATURE")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config = enrolled.root / "imr.yaml"
    config.write_text(config.read_text() + "signature: CD\n")
    result = enrolled("session", "log", "p-01", "--date", "2026-03-01")
    assert result.exit_code == 1 and "git config" in result.output
    assert "används inte" in result.output, "a one-line warning names the ignored line"
    assert "by: CD" not in enrolled.record("p-01").read_text()


def test_edit_opens_editor(enrolled, tmp_path):
    script = tmp_path / "fake-editor.sh"
    script.write_text("#!/bin/sh\nprintf 'Anteckning från editorn.\\n' >> \"$1\"\n")
    script.chmod(0o755)
    enrolled.ok("session", "log", "p-01", "--edit", "--date", "2026-03-01", env={"VISUAL": str(script)})
    assert "Anteckning från editorn." in enrolled.record("p-01").read_text()


def test_edit_empty_note_aborts(enrolled):
    before = enrolled.snapshot()
    result = enrolled("session", "log", "p-01", "--edit", env={"VISUAL": "true"})
    assert result.exit_code == 1
    assert enrolled.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["session", "log", "p-01", "--date", "2026-02-30"],
        ["session", "log", "p-01", "--date", "2026/03/02"],
        ["session", "log", "p-01", "--date", "2999-01-01"],
        ["session", "log", "p-01", "--module", "12", "--session", "1"],
        ["session", "log", "p-01", "--module", "1", "--session", "9"],
        ["session", "log", "p-01", "--module", "1"],
        ["session", "log", "p-01", "--homework-review", "maybe"],
        ["session", "log", "p-01", "--note", "Ring 070-123 45 67"],
        ["session", "log", "p-01", "--note", "Pnr 19121212-1212"],
        ["session", "log", "p-01", "--note", "mejl a.b@example.se"],
        ["session", "log", "p-01", "--note", "bad\x07bell"],
        ["session", "log", "p-01", "--by", "   "],
        ["session", "log", "p-01", "--by", "A\nB"],
        ["session", "log", "p-01", "--step-done", "G9.9"],
        ["session", "log", "../p-01"],
        ["session", "log", "p/01"],
        ["session", "log", "p-0１"],
        ["session", "log", "p-99"],
        ["session", "next", "p-99"],
        ["patient", "add", "p-01"],
        ["patient", "add", "../etc"],
        ["patient", "add", "p-03", "--variant", "flu"],
        ["patient", "add", "p-03", "--format", "pair"],
        ["correct", "p-01", "7", "--note", "x"],
        ["correct", "p-01", "1", "--note", "   "],
        ["correct", "p-01", "1", "--note", "x", "--set", "at=2026-01-01T00:00:00+01:00"],
        ["correct", "p-01", "1", "--note", "x", "--set", "variant=flu"],
        ["correct", "p-01", "1", "--note", "x", "--void"],
    ],
)
def test_bad_input_writes_nothing(enrolled, args):
    before = enrolled.snapshot()
    result = enrolled(*args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert enrolled.snapshot() == before
    if result.exit_code == 1:
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_markup_in_notes_is_kept_as_text(enrolled):
    note = '[bold red]x[/] <script>alert(1)</script> #read("/etc/passwd") `{=html}`'
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", note)
    out = enrolled.ok("session", "next", "p-01").output
    assert "[bold red]x[/]" in out
    assert json.loads(enrolled.ok("session", "next", "p-01", "--json").output)["last_session"]["note_excerpt"] == note


def test_patient_list_and_show(enrolled):
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Första träffen.")
    rows = json.loads(enrolled.ok("patient", "list", "--json").output)
    assert rows[0]["id"] == "p-01" and rows[0]["sessions_held"] == 1
    shown = json.loads(enrolled.ok("patient", "show", "p-01", "--json").output)
    assert shown["variant"] == "schizophrenia" and shown["next_session"] == "1.2"
    assert "Första träffen." in enrolled.ok("patient", "show", "p-01").output


def test_python_dash_m_works(imr):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "imr", "--help"], capture_output=True, text=True, cwd=imr.root)
    assert out.returncode == 0 and "session" in out.stdout


def test_non_utf8_arguments_are_refused_cleanly(enrolled):
    """Bytes that are not UTF-8 on a real command line: one message, exit 1, nothing written."""
    import os
    import subprocess
    import sys

    before = enrolled.snapshot()
    env = dict(os.environ, IMR_SIGNATURE="KL", IMR_WORKSPACE=str(enrolled.root))
    for args in (
        [b"session", b"log", b"p-01", b"--note", b"bad \xff\xfe text"],
        [b"session", b"next", b"p-\xff1"],
        [b"session", b"log", b"p-01", b"--homework", b"\xc3"],
        [b"session", b"log", b"p-01", b"--by", b"\xff"],
    ):
        out = subprocess.run([sys.executable.encode(), b"-m", b"imr", *args], capture_output=True, env=env)
        assert out.returncode == 1, out.stderr
        message = out.stderr.decode("utf-8", "replace")
        assert "Internt fel" not in message and "Traceback" not in message
        assert len(message.strip().splitlines()) == 1
    assert enrolled.snapshot() == before
