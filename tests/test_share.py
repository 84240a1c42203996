"""Sharing that cannot split, and gates that check both sides: `imr share`, `imr sync` against a
real git server on 127.0.0.1 (git daemon, with a pre-receive hook protecting the branch), the
pre-merge-commit hook, and a rewrite that is repaired."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import Imr

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Kim Larsson",
    "GIT_AUTHOR_EMAIL": "kl@avd.invalid",
    "GIT_COMMITTER_NAME": "Kim Larsson",
    "GIT_COMMITTER_EMAIL": "kl@avd.invalid",
}


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=check)


@pytest.fixture
def made(enrolled: Imr, monkeypatch: pytest.MonkeyPatch) -> Imr:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return enrolled


def clone_of(place: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Imr:
    subprocess.run(["git", "clone", "-q", place, str(folder)], check=True, capture_output=True)
    other = Imr(folder, monkeypatch)
    other.ok("init", ".")
    return other


def test_share_to_a_folder_commits_everything_and_clones_sync_with_one_branch(made: Imr, tmp_path: Path):
    git(made.root, "branch", "-M", "master")  # made on master by an older git
    out = made.ok("share", str(tmp_path / "delad.git")).output
    assert "Delat" in out and "git clone" in out
    shared = tmp_path / "delad.git"
    files = git(shared, "ls-tree", "-r", "--name-only", "master").stdout.split()
    assert "imr.yaml" in files and "records/p-01.yaml" in files and ".gitattributes" in files
    # A colleague's clone calls its branch main: sync still pushes to the shared master.
    other = clone_of(str(shared), tmp_path / "b", made.monkeypatch)
    git(other.root, "branch", "-m", "main")
    git(other.root, "branch", "-u", "origin/master")
    other.ok("session", "log", "p-01", "--date", "2026-02-05", "--note", "Från B.")
    assert "Synkat" in other.ok("sync").output
    assert "Från B." in git(shared, "show", "master:records/p-01.yaml").stdout
    assert git(shared, "branch", "--list", "main").stdout == ""  # no second branch
    made.ok("sync")
    assert "Från B." in made.record("p-01").read_text(encoding="utf-8")


def test_sync_without_an_upstream_refuses_naming_imr_share(made: Imr, tmp_path: Path):
    made.commit_all("start")
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "x.git"))
    git(made.root, "remote", "add", "origin", str(tmp_path / "x.git"))
    made.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = made("sync")
    assert result.exit_code == 1 and "imr share" in result.stderr
    assert git(tmp_path / "x.git", "branch").stdout == ""  # nothing pushed to a guessed branch


def test_init_in_an_empty_clone_says_what_it_found(made: Imr, tmp_path: Path):
    bare = tmp_path / "tom.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    folder = tmp_path / "klon"
    subprocess.run(["git", "clone", "-q", str(bare), str(folder)], check=True, capture_output=True)
    result = Imr(tmp_path, made.monkeypatch).ok("init", str(folder))
    said = result.output + result.stderr
    assert "tom" in said and str(bare) in said and "imr share" in said


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    """`git daemon` on 127.0.0.1 serving an empty repository that accepts pushes."""
    base = tmp_path / "server"
    repo = base / "avd7.git"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "--bare")
    git(repo, "config", "daemon.receivepack", "true")
    (repo / "git-daemon-export-ok").write_text("")
    port = free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--enable=receive-pack",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"git://127.0.0.1:{port}/avd7.git"
    for _ in range(100):
        if subprocess.run(["git", "ls-remote", url], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    yield url, repo
    daemon.terminate()
    daemon.wait(timeout=10)


def test_share_and_sync_through_a_git_server_and_a_protected_branch(made: Imr, tmp_path: Path, server):
    url, repo = server
    made.ok("share", url)
    other = clone_of(url, tmp_path / "b", made.monkeypatch)
    other.ok("session", "log", "p-01", "--date", "2026-02-05", "--note", "Från B.")
    assert "Synkat" in other.ok("sync").output
    # The server now protects the branch: a refused push is not a race, and sync says so.
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch: push via review' >&2\nexit 1\n")
    hook.chmod(0o755)
    made.ok("session", "log", "p-01", "--date", "2026-02-06", "--note", "Från A.")
    result = made("sync")
    assert result.exit_code == 1
    assert "inte att någon hann före" in result.stderr and "hann skicka" not in result.stderr


# --- gates that look at both sides -----------------------------------------------------------------


@pytest.fixture
def pair(made: Imr, tmp_path: Path) -> tuple[Imr, Imr, Path]:
    made.ok("patient", "add", "p-02")
    made.ok("share", str(tmp_path / "hub.git"))
    other = clone_of(str(tmp_path / "hub.git"), tmp_path / "b", made.monkeypatch)
    return made, other, tmp_path / "hub.git"


def test_git_pull_of_a_record_deleted_in_the_other_clone_is_stopped_by_the_hook(pair):
    a, b, _ = pair
    git(b.root, "rm", "-q", "records/p-02.yaml")
    git(b.root, "commit", "-q", "--no-verify", "-m", "bort")
    git(b.root, "push", "-q", "origin", "HEAD")
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    git(a.root, "commit", "-q", "--no-verify", "-am", "A")
    pulled = git(a.root, "pull", "-q", "--no-rebase", "--no-edit", "origin", check=False)
    assert pulled.returncode != 0
    assert "records/p-02.yaml" in pulled.stdout + pulled.stderr
    assert "Kim Larsson" in pulled.stdout + pulled.stderr  # the commit and its author are named


def test_sync_never_pushes_a_rewrite_committed_past_the_hook(pair):
    a, _b, hub = pair
    path = a.record("p-01")
    path.write_text(path.read_text(encoding="utf-8").replace("format: individual", "format: group"), encoding="utf-8")
    git(a.root, "commit", "-q", "--no-verify", "-am", "tyst ändring")
    before = git(hub, "rev-parse", "HEAD").stdout
    result = a("sync")
    assert result.exit_code == 1 and "ändrar tidigare poster" in result.stderr
    assert git(hub, "rev-parse", "HEAD").stdout == before


def test_sync_checks_before_it_commits(pair):
    a, _, _ = pair
    (a.root / "records" / "anteckning om Anna Svensson.txt").write_text("x")
    head = git(a.root, "rev-parse", "HEAD").stdout
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = a("sync")
    assert result.exit_code == 1 and "innan något sparades" in result.stderr
    assert git(a.root, "rev-parse", "HEAD").stdout == head  # nothing committed


def test_a_restoring_commit_ends_the_incident(pair):
    a, _, _ = pair
    root = git(a.root, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    path = a.record("p-01")
    original = path.read_bytes()
    path.write_bytes(original.replace(b"format: individual", b"format: group"))
    git(a.root, "commit", "-q", "--no-verify", "-am", "fel")
    assert a("check", "--since", root).exit_code == 1
    a.ok("session", "log", "p-01", "--date", "2026-02-05")  # appended on top of the rewrite
    text = path.read_bytes().replace(b"format: group", b"format: individual")
    path.write_bytes(text)
    git(a.root, "commit", "-q", "--no-verify", "-am", "återställt")
    result = a("check", "--since", root)
    assert result.exit_code == 0, result.output
    assert "rättat" in result.output and "återställdes" in result.output


# --- imr diff --strict and imr check --since agree ------------------------------------------------

INSERTED = (
    "- id: zzzz2222\n  kind: contact\n  at: '2026-01-01T08:00:00+01:00'\n  by: KL\n  date: '2026-01-01'\n  who: mamma\n"
)


@pytest.mark.parametrize("change", ["bom", "crlf", "trailing", "inserted"])
def test_diff_strict_and_check_since_agree(made: Imr, change: str):
    made.ok("session", "log", "p-01", "--date", "2026-02-05")
    made.ok("session", "log", "p-01", "--date", "2026-02-06")
    made.commit_all("start")
    start = git(made.root, "rev-parse", "HEAD").stdout.strip()
    path = made.record("p-01")
    data = path.read_bytes()
    if change == "bom":
        data = b"\xef\xbb\xbf" + data
    elif change == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif change == "trailing":
        data = data.replace(b"kind: session\n", b"kind: session  \n", 1)
    else:  # an entry written after the first session slipped in before it (no merge puts it there)
        import re
        from datetime import datetime, timedelta

        cut = data.index(b"- id:", data.index(b"kind: enrolled"))
        first_at = re.search(rb"at: '([^']+)'", data[cut:]).group(1).decode()
        later = (datetime.fromisoformat(first_at) + timedelta(seconds=1)).isoformat()
        data = data[:cut] + INSERTED.replace("2026-01-01T08:00:00+01:00", later).encode() + data[cut:]
    path.write_bytes(data)
    git(made.root, "commit", "-q", "--no-verify", "-am", change)
    assert made("check", "--since", start).exit_code == 1
    assert made("diff", "--strict", start, "HEAD").exit_code == 1


# --- relapse-plan forks, and what a merge reveals -------------------------------------------------


def plan(clone: Imr) -> dict:
    import json

    return json.loads(clone.ok("relapse-plan", "p-01", "--json").output)


def test_a_relapse_plan_edited_in_two_clones_keeps_both_and_check_names_the_fork(pair):
    a, b, _ = pair
    a.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--helper", "kontaktperson", "--helper", "mamma")
    a.ok("sync")
    b.ok("sync")
    a.ok("relapse-plan", "p-01", "--trigger", "Bråk", "--remove-helper", "mamma")
    b.ok("relapse-plan", "p-01", "--warning-sign", "Drar mig undan", "--remove-helper", "mamma")
    b.ok("relapse-plan", "p-01", "--remove-helper", "kontaktperson")  # only B removes this one
    a.ok("sync")
    b.ok("sync")
    a.ok("sync")
    for clone in (a, b):
        shown = plan(clone)
        assert shown["triggers"] == ["Sömnbrist", "Bråk"]
        assert shown["warning_signs"] == ["Drar mig undan"]
        assert shown["helpers"] == ["kontaktperson"], "removed only where both removed it"
        said = clone("check").output
        assert "återfallsplanen har 2 versioner" in said
    a.ok("relapse-plan", "p-01", "--action", "Ringa kontaktpersonen")  # built from the union: joins the fork
    assert "återfallsplanen" not in a("check").output
    assert plan(a)["warning_signs"] == ["Drar mig undan"] and "Bråk" in plan(a)["triggers"]


def test_two_sessions_or_present_and_absent_on_one_day_are_reported(made: Imr):
    made.ok("session", "log", "p-01", "--date", "2026-02-05", "--module", "1", "--session", "1")
    made.ok("session", "log", "p-01", "--date", "2026-02-05", "--module", "1", "--session", "2", "--again")
    result = made("check")
    assert "den 2026-02-05 finns två olika träffar" in result.output
    assert result.exit_code == 0  # shown for a person to decide: two sessions on one day can be real
    made.ok("absent", "p-01", "--date", "2026-02-12", "--module", "1", "--session", "3")
    made.ok("session", "log", "p-01", "--date", "2026-02-12", "--module", "1", "--session", "4", "--again")
    assert "både närvarande och frånvarande" in made("check").output


def test_status_shows_a_findings_line(made: Imr):
    made.ok("session", "log", "p-01", "--date", "2026-02-05", "--module", "1", "--session", "1")
    assert "Anmärkningar" not in made.ok("status").output
    with made.record("p-01").open("a", encoding="utf-8") as record:  # a hand edit: a phone number in a comment
        record.write("# ring 070-123 45 67\n")
    assert "Anmärkningar på journalerna: 1" in made.ok("status").output


def test_the_report_names_who_rewrote_what_was_repaired_voided_late_and_missing(made: Imr, tmp_path: Path):
    import html
    from datetime import date, timedelta

    made.ok("patient", "add", "p-02")
    made.commit_all("start")
    path = made.record("p-01")
    original = path.read_bytes()
    path.write_bytes(original.replace(b"format: individual", b"format: group"))
    git(made.root, "commit", "-q", "--no-verify", "-am", "fel")
    path.write_bytes(original)
    git(made.root, "commit", "-q", "--no-verify", "-am", "återställt")
    path = made.record("p-02")
    path.write_bytes(path.read_bytes().replace(b"format: individual", b"format: group"))
    git(made.root, "commit", "-q", "--no-verify", "-am", "fel igen")
    today = date.today()
    late_day = (today - timedelta(days=10)).isoformat()
    made.ok("session", "log", "p-01", "--date", late_day, "--module", "1", "--session", "1")
    made.ok("session", "log", "p-01", "--date", today.isoformat(), "--module", "1", "--session", "2")
    made.ok("correct", "p-01", "3", "--void", "--note", "Dubbel.")
    out = tmp_path / "r.html"
    made.ok("report", "-o", str(out))
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert "Gjord av Kim Larsson <kl@avd.invalid>, osignerad." in page  # who made the rewrite
    assert "Rättat: ändringen i records/p-01.yaml" in page
    assert f"Sen registrering: p-01 träff 1.1 den {late_day}" in page
    assert "Makulerad: p-01 post" in page
    assert "Utan mål: p-01, p-02." in page and "Utan personalens skattning på IMR-skalan: p-01, p-02." in page


# --- small model gaps ------------------------------------------------------------------------------


def test_correct_can_set_handout_given(made: Imr):
    made.ok("session", "log", "p-01", "--date", "2026-02-05")
    text = made.record("p-01").read_text(encoding="utf-8")
    assert "handout: true" not in text
    made.ok("correct", "p-01", "2", "--set", "handout=true", "--note", "Bladet delades ut.")
    assert "handout: true" in made.record("p-01").read_text(encoding="utf-8")
    made.ok("correct", "p-01", "2", "--set", "handout=false", "--note", "Ändå inte.")
    made.refused("correct", "p-01", "2", "--set", "handout=kanske", "--note", "?")


def test_export_includes_individual_track_absences(made: Imr, tmp_path: Path):
    made.ok("session", "log", "p-01", "--date", "2026-02-05", "--module", "1", "--session", "1")
    made.ok("absent", "p-01", "--date", "2026-02-12", "--module", "1", "--session", "2")
    made.ok("export", "--format", "csv", "-o", str(tmp_path / "ut"))
    rows = (tmp_path / "ut" / "attendance.csv").read_text(encoding="utf-8").splitlines()
    assert any("2026-02-12" in r and "p-01" in r and r.endswith("absent") for r in rows), rows
    assert any("2026-02-05" in r and r.endswith("present") for r in rows), rows


def test_the_folder_says_step_done_for_a_step_and_goal_reached_for_a_goal(made: Imr):
    out = made.ok("goal", "add", "p-01", "Laga mat själv", "--step", "Handla", "--step", "Koka").output
    label = next(
        w.strip(".:,”“") for w in out.split() if w.strip(".:,”“").startswith("G") and len(w.strip(".:,”“")) == 4
    )
    made.ok("goal", "update", "p-01", f"{label}.1", "--status", "done")
    text = made.ok("render", "bundle", "--for", "p-01", "--format", "md", "-o", "-").stdout
    assert "delmål klart" in text and "målet nått" not in text


def test_the_report_names_a_relapse_plan_fork(pair, tmp_path: Path):
    import html

    a, b, _ = pair
    a.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist")
    a.ok("sync")
    b.ok("sync")
    a.ok("relapse-plan", "p-01", "--trigger", "Bråk")
    b.ok("relapse-plan", "p-01", "--warning-sign", "Drar mig undan")
    a.ok("sync")
    b.ok("sync")
    out = tmp_path / "r.html"
    b.ok("report", "-o", str(out))
    assert "Återfallsplanen för p-01 har två versioner" in html.unescape(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("how", ["rebase", "am"])
def test_a_rebased_or_am_applied_append_is_clean_for_check_since(pair, how: str):
    """B writes first, A writes later and sends first: B's rebased commit puts B's earlier entry
    before A's (the canonical place), which the history check accepts."""
    a, b, _ = pair
    root = git(a.root, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    b.ok("session", "log", "p-01", "--date", "2026-02-05", "--note", "Från B.")
    time.sleep(1.1)  # `at` has whole seconds: A writes a moment later
    a.ok("session", "log", "p-01", "--date", "2026-02-06", "--note", "Från A.")
    git(a.root, "commit", "-q", "-am", "A")
    git(a.root, "push", "-q", "origin", "HEAD")
    git(b.root, "commit", "-q", "-am", "B")
    if how == "rebase":
        done = git(b.root, "pull", "-q", "--rebase", "origin", check=False)
    else:
        patch = git(b.root, "format-patch", "-1", "--stdout").stdout
        git(b.root, "fetch", "-q", "origin")
        git(b.root, "reset", "-q", "--hard", "@{u}")
        done = subprocess.run(["git", "-C", str(b.root), "am", "-q", "-3"], input=patch, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = b.record("p-01").read_text(encoding="utf-8")
    assert text.index("Från B.") < text.index("Från A.")  # inserted before A's entry, not after
    result = b("check", "--since", root)
    assert result.exit_code == 0 and result.output == "", result.output
    assert b("diff", "--strict", root, "HEAD").exit_code == 0


def test_sync_refuses_to_merge_a_rewrite_pushed_past_the_gates_and_names_it(pair):
    a, b, _hub = pair
    path = b.record("p-01")
    path.write_text(path.read_text(encoding="utf-8").replace("format: individual", "format: group"), encoding="utf-8")
    git(b.root, "commit", "-q", "--no-verify", "-am", "tyst ändring")
    git(b.root, "push", "-q", "origin", "HEAD")  # raw git, past every gate
    head = git(a.root, "rev-parse", "HEAD").stdout
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = a("sync")
    assert result.exit_code == 1
    assert "records/p-01.yaml" in result.stderr and "Kim Larsson" in result.stderr
    assert "format: individual" in a.record("p-01").read_text(encoding="utf-8")  # nothing merged
    assert git(a.root, "rev-list", "--count", f"{head.strip()}..HEAD").stdout.strip() == "1"  # own entry kept
