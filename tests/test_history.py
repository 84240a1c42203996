"""The append-only rule held against git: `imr check` (worktree, --staged, --since), the hooks, CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Imr

from imr.core.yamlio import parse_text
from imr.gates.history import appended, merge_kept
from imr.gates.merge import merge_logs

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Kim Larsson",
    "GIT_AUTHOR_EMAIL": "kl@avd.invalid",
    "GIT_COMMITTER_NAME": "Kim Larsson",
    "GIT_COMMITTER_EMAIL": "kl@avd.invalid",
}

ENTRY = "- kind: contact\n  at: '2026-01-0{day}T10:00:00+01:00'\n  by: KL\n  date: '2026-01-0{day}'\n  who: mamma\n"


# --- the rules on bytes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, line",
    [
        (b"a\nb\n", b"a\nb\nc\n", None),
        (b"a\nb\n", b"a\nb\n", None),
        (None, b"a\n", None),  # a new file
        (b"a\nb\n", None, 0),  # removed
        (b"a\nb\n", b"a\nB\nc\n", 2),
        (b"a\nb\n", b"a\n", 2),  # the last line removed
        (b"a\nb", b"a\nb\nc\n", None),  # no final newline: a new line first is an append
        (b"a\nb", b"a\nbc\n", 2),  # glued to the last line: that line changed
        (b"a\r\nb\r\n", b"a\r\nb\r\nc\r\n", None),  # CRLF kept
        (b"a\r\nb\r\n", b"a\nb\nc\n", 1),  # CRLF normalised: every line changed
        (b"\xef\xbb\xbfa\n", b"a\nb\n", 1),  # the byte-order mark removed
        (b"a\r\nb", b"a\r\nb\r\nc\r\n", None),
    ],
)
def test_appended_is_a_byte_prefix_with_a_line_break_first(old, new, line):
    assert appended(old, new) == line


BASE = (
    "id: p-01\nlog:\n- kind: enrolled\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n"
    "  variant: general\n  format: individual\n"
)


def entry(day: int, note: str) -> str:
    return (
        f"- kind: session\n  at: '2026-01-{day:02d}T10:00:00+01:00'\n  by: KL\n  module: 1\n  session: 1\n"
        f"  date: '2026-01-{day:02d}'\n  note: {note}\n"
    )


@pytest.mark.parametrize(
    "added, changed",
    [
        (entry(6, "b"), False),  # a new entry
        ("\n# en kommentar\n" + entry(6, "b"), False),  # blank lines and comments change no entry
        ("  extra: tillagt i efterhand\n", True),  # a field added under the last, signed entry
        ("  # kommentar\n  extra: x\n", True),
    ],
)
def test_bytes_added_inside_the_last_entry_are_a_rewrite_of_it(added, changed):
    old = (BASE + entry(5, "a")).encode()
    last_entry_line = old.count(b"\n") - entry(5, "a").count("\n") + 1
    assert appended(old, old + added.encode()) == (last_entry_line if changed else None)
    # an older version without any item yet, and items indented under `log:`
    assert appended(b"id: p-01\nlog:\n", b"id: p-01\nlog:\n  - kind: contact\n    by: KL\n") is None
    merged = merge_logs(old, old + added.encode(), old + entry(7, "c").encode())
    assert merged.clean is not changed


def test_what_the_merge_driver_makes_passes_the_merge_rule():
    ours = BASE + entry(5, "a") + entry(7, "c")
    theirs = BASE + entry(6, "b") + entry(5, "a")
    merged = merge_logs(BASE.encode(), ours.encode(), theirs.encode()).text.encode()
    # `a` is in both: it stays where both have it, after `b` as theirs has it.
    assert merged == (BASE + entry(6, "b") + entry(5, "a") + entry(7, "c")).encode()
    assert merge_kept([ours.encode(), theirs.encode()], merged) is None
    assert merge_kept([theirs.encode(), ours.encode()], merged) is None
    # A file one side did not touch: the other side's appends are the result.
    assert merge_kept([BASE.encode(), ours.encode()], ours.encode()) is None


@pytest.mark.parametrize(
    "result, problem",
    [
        (BASE + entry(5, "a"), ("lost", 1, 0)),  # theirs' entry dropped
        (BASE + entry(6, "b") + entry(5, "a"), None),  # interleaved the other way: still a join
        (BASE.replace("general", "bipolar") + entry(5, "a") + entry(6, "b"), ("lost", 0, 0)),
        (BASE + entry(5, "a") + entry(6, "b") + entry(9, "från ingen"), ("foreign", 0, 0)),
        (None, ("removed", 0, 0)),
    ],
)
def test_a_merge_that_loses_changes_or_adds_lines_breaks_the_rule(result, problem):
    ours, theirs = BASE + entry(5, "a"), BASE + entry(6, "b")
    found = merge_kept([ours.encode(), theirs.encode()], result.encode() if result is not None else None)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found[:2] == problem[:2]
        assert found[2] >= 1 or problem[0] == "removed"


# --- real git ----------------------------------------------------------------------------------


def git(root: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        check=check,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )


@pytest.fixture
def ward(enrolled: Imr, monkeypatch: pytest.MonkeyPatch) -> Imr:
    """A workspace with p-01 enrolled and committed, the hooks installed by `imr init`."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    enrolled.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Första träffen.")
    git(enrolled.root, "add", "-A")
    git(enrolled.root, "commit", "-q", "-m", "start")
    return enrolled


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_bytes()
    assert old.encode() in text
    path.write_bytes(text.replace(old.encode(), new.encode(), 1))


def test_a_clean_workspace_and_pure_appends_pass(ward: Imr):
    ward.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Andra träffen.")
    assert ward("check").output == ""
    git(ward.root, "commit", "-q", "-am", "append")  # through the hook
    assert ward.ok("check", "--since", "HEAD~1").output == ""


def test_a_field_added_to_the_last_entry_is_caught_in_the_tree_and_after_a_commit(ward: Imr):
    record = ward.record("p-01")
    with record.open("a", encoding="utf-8") as handle:
        handle.write("  homework: tillagd i efterhand\n")  # a field a session may have, that this one lacked
    found = ward("check")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output
    assert git(ward.root, "commit", "-q", "-am", "through the hook", check=False).returncode != 0
    git(ward.root, "commit", "-q", "--no-verify", "-am", "past the hook")
    result = ward("check", "--since", "HEAD~1")
    assert result.exit_code == 1 and "records/p-01.yaml" in result.output


def test_a_rewrite_in_the_working_tree_is_a_finding_with_file_and_line(ward: Imr):
    rewrite(ward.record("p-01"), "Första träffen.", "Första träffen, ändrad.")
    result = ward("check")
    assert result.exit_code == 1
    assert "records/p-01.yaml:" in result.output and "arbetskopian" in result.output
    line = int(result.output.split("records/p-01.yaml:")[1].split(":")[0])
    assert "Första träffen, ändrad." in ward.record("p-01").read_text(encoding="utf-8").splitlines()[line - 1]
    ward.record("p-01").unlink()
    assert "filen saknas i arbetskopian" in ward("check").output


def test_the_hook_refuses_a_staged_rewrite_even_when_the_working_tree_is_clean(ward: Imr):
    path = ward.record("p-01")
    clean = path.read_bytes()
    rewrite(path, "Första träffen.", "Något helt annat.")
    git(ward.root, "add", "records/p-01.yaml")
    path.write_bytes(clean)  # the working tree looks fine; the index holds the rewrite
    refused = git(ward.root, "commit", "-q", "-m", "rewrite", check=False)
    assert refused.returncode != 0
    assert "köat för incheckning" in refused.stderr + refused.stdout
    assert git(ward.root, "rev-list", "--count", "HEAD").stdout.strip() == "1"
    check = ward("check", "--staged", "--json")
    assert check.exit_code == 1
    assert [f["code"] for f in json.loads(check.output)] == ["history_rewritten_staged"]


def test_a_plain_check_sees_what_is_staged_changed_in_the_tree_and_left_unmerged(ward: Imr):
    """A plain `imr check` learns all three from one `git status`; each is still found."""
    path = ward.record("p-01")
    clean = path.read_bytes()
    rewrite(path, "Första träffen.", "Något helt annat.")
    git(ward.root, "add", "records/p-01.yaml")
    path.write_bytes(clean)  # staged rewrite, clean working tree
    assert [f["code"] for f in json.loads(ward("check", "--json").output)] == ["history_rewritten_staged"]
    git(ward.root, "reset", "-q")
    rewrite(path, "Första träffen.", "Något helt annat.")  # the working tree alone
    assert [f["code"] for f in json.loads(ward("check", "--json").output)] == ["history_rewritten_worktree"]
    path.write_bytes(clean)
    # A conflict without a merge (a cherry-pick) leaves the record unmerged: judged in the tree.
    git(ward.root, "checkout", "-q", "-b", "other")
    rewrite(path, "Första träffen.", "Ena sidan.")
    git(ward.root, "commit", "-q", "--no-verify", "-am", "one side")
    git(ward.root, "checkout", "-q", "-")
    rewrite(path, "Första träffen.", "Andra sidan.")
    git(ward.root, "commit", "-q", "--no-verify", "-am", "other side")
    git(ward.root, "config", "merge.imr.driver", "false")  # a plain text conflict
    assert git(ward.root, "cherry-pick", "other", check=False).returncode != 0
    assert git(ward.root, "ls-files", "--unmerged").stdout
    assert not (ward.root / ".git" / "MERGE_HEAD").exists()
    rewrite(path, "Andra sidan.", "Ena sidan.")  # resolved by taking the other side's rewrite
    assert [f["code"] for f in json.loads(ward("check", "--json").output)] == ["history_rewritten_worktree"]


def test_the_hook_judges_staged_content_not_the_working_tree(ward: Imr):
    ward.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Andra träffen.")
    git(ward.root, "add", "records/p-01.yaml")
    # After staging, the working tree gets a phone number and a rewrite; neither is committed.
    rewrite(ward.record("p-01"), "Andra träffen.", "Ring 070-123 45 67.")
    done = git(ward.root, "commit", "-q", "-m", "staged append", check=False)
    assert done.returncode == 0, done.stderr
    # ... and the other way round: staged personal data, a clean working tree.
    with open(ward.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write(ENTRY.format(day=9) + "  note: ring henne på 070-123 45 67\n")
    git(ward.root, "add", "records/p-01.yaml")
    git(ward.root, "restore", "--worktree", "--source", "HEAD", "--", "records/p-01.yaml")
    assert "070" not in ward.record("p-01").read_text(encoding="utf-8")
    refused = git(ward.root, "commit", "-q", "-m", "phone number", check=False)
    assert refused.returncode != 0
    assert "telefonnummer" in refused.stdout + refused.stderr


def test_a_staged_deletion_is_refused(ward: Imr):
    git(ward.root, "rm", "-q", "--cached", "records/p-01.yaml")
    refused = git(ward.root, "commit", "-q", "-m", "remove", check=False)
    assert refused.returncode != 0
    assert "borttagen i det som är köat" in refused.stdout + refused.stderr


def test_since_finds_a_rewrite_committed_past_the_hook_with_commit_and_author(ward: Imr):
    before = git(ward.root, "rev-parse", "HEAD").stdout.strip()
    ward.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Andra träffen.")
    git(ward.root, "commit", "-q", "-am", "append")
    rewrite(ward.record("p-01"), "Första träffen.", "Första träffen (ändrad).")
    git(ward.root, "commit", "-q", "--no-verify", "-am", "rewrite past the hook")
    ward.ok("session", "log", "p-01", "--date", "2026-01-19", "--note", "Tredje träffen.")
    git(ward.root, "commit", "-q", "-am", "append again")
    result = ward("check", "--since", before)
    assert result.exit_code == 1
    rewriting = git(ward.root, "rev-parse", "--short", "HEAD~1").stdout.strip()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("records/p-01.yaml:") and rewriting in lines[0]
    assert "Kim Larsson <kl@avd.invalid>" in lines[0] and "osignerad" in lines[0]
    # The range after the rewrite is clean; the whole history (all zeros, a new branch) is not.
    assert ward("check", "--since", "HEAD~1").exit_code == 0
    assert ward("check", "--since", "0" * 40).exit_code == 1
    assert ward("check", "--since", "").exit_code == 1
    # `imr diff --strict` sees it too, so CI can use either.
    assert ward("diff", "--strict", "HEAD~2", "HEAD~1").exit_code == 1
    assert ward("diff", "--strict", "HEAD~1", "HEAD").exit_code == 0
    assert ward("diff", "HEAD~2", "HEAD~1").exit_code == 0


def test_a_removed_record_in_a_commit_is_a_finding(ward: Imr):
    git(ward.root, "rm", "-q", "records/p-01.yaml")
    git(ward.root, "commit", "-q", "--no-verify", "-m", "remove")
    result = ward("check", "--since", "HEAD~1")
    assert result.exit_code == 1 and "filen togs bort i incheckning" in result.output


def test_an_unknown_revision_is_one_clear_sentence(ward: Imr):
    result = ward.refused("check", "--since", "f" * 40)
    assert "tvingad push" in result.output
    ward.refused("check", "--since", "--all")


def test_a_merge_resolved_by_taking_a_rewrite_is_a_finding(ward: Imr, tmp_path: Path):
    other = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ward.root), str(other)], check=True)
    start = git(ward.root, "rev-parse", "HEAD").stdout.strip()
    rewrite(ward.record("p-01"), "Första träffen.", "Ändrad i klon A.")
    git(ward.root, "commit", "-q", "--no-verify", "-am", "A rewrites")
    with open(other / "records" / "p-01.yaml", "a", encoding="utf-8") as handle:
        handle.write(ENTRY.format(day=8))
    git(other, "commit", "-q", "-am", "B appends")
    git(ward.root, "fetch", "-q", str(other), "HEAD")
    merged = git(ward.root, "merge", "--no-edit", "FETCH_HEAD", check=False)
    assert merged.returncode != 0  # the driver refuses: a rewrite on one side
    text = ward.record("p-01").read_text(encoding="utf-8")
    assert text.index("<<<<<<<") < text.index("Ändrad i klon A.") < text.index(">>>>>>>")
    # Someone resolves by keeping A's side only, and commits past the hook.
    git(ward.root, "checkout", "--ours", "records/p-01.yaml")
    git(ward.root, "add", "records/p-01.yaml")
    staged = ward("check", "--staged")  # the hook's view of the merge in progress
    assert staged.exit_code == 1 and "versionen från" in staged.output
    git(ward.root, "commit", "-q", "--no-verify", "--no-edit")
    result = ward("check", "--since", start)
    assert result.exit_code == 1
    assert "sammanslagningen" in result.output and "tappade eller ändrade" in result.output


def test_a_clean_merge_of_two_clones_passes_since(ward: Imr, tmp_path: Path):
    other = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ward.root), str(other)], check=True)
    start = git(ward.root, "rev-parse", "HEAD").stdout.strip()
    Imr(other, ward.monkeypatch).ok("init", ".")
    ward.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Från A.")
    git(ward.root, "commit", "-q", "-am", "A")
    b = Imr(other, ward.monkeypatch)
    b.ok("session", "log", "p-01", "--date", "2026-01-13", "--note", "Från B.")
    git(other, "commit", "-q", "-am", "B")
    pulled = git(other, "pull", "-q", "--no-rebase", "--no-edit", str(ward.root), "HEAD", check=False)
    assert pulled.returncode == 0, pulled.stderr
    assert b.ok("check", "--since", start).output == ""


# --- the workspace CI templates ----------------------------------------------------------------


def gitlab_job(root: Path) -> dict:
    return parse_text((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))["imr-check"]


def run_script(root: Path, script: str, env: dict) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)
    return subprocess.run(
        ["sh", "-ec", script],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **GIT_ENV, **env},
    )


def test_the_ci_command_exits_1_on_a_pushed_rewrite(ward: Imr):
    job = gitlab_job(ward.root)
    check = job["script"][-1]
    assert check.startswith("imr check --since")
    before = git(ward.root, "rev-parse", "HEAD").stdout.strip()
    ward.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Andra träffen.")
    git(ward.root, "commit", "-q", "-am", "append")
    assert run_script(ward.root, check, {"CI_COMMIT_BEFORE_SHA": before}).returncode == 0
    rewrite(ward.record("p-01"), "Första träffen.", "Ändrad.")
    git(ward.root, "commit", "-q", "--no-verify", "-am", "rewrite")
    failed = run_script(ward.root, check, {"CI_COMMIT_BEFORE_SHA": before})
    assert failed.returncode == 1 and "records/p-01.yaml" in failed.stdout
    # A new branch: the forge sends all zeros, and the whole history is checked.
    assert run_script(ward.root, check, {"CI_COMMIT_BEFORE_SHA": "0" * 40}).returncode == 1
    # GitHub's workflow runs the same command on its own variable.
    github = parse_text((ward.root / ".github/workflows/imr-check.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["imr-check"]["steps"]
    assert steps[-1]["run"] == 'imr check --since "$IMR_BEFORE"'
    assert run_script(ward.root, steps[-1]["run"], {"IMR_BEFORE": before}).returncode == 1
    assert run_script(ward.root, steps[-1]["run"], {"IMR_BEFORE": "HEAD"}).returncode == 0


@pytest.mark.parametrize(
    "package, accepted",
    [
        ("", False),
        ("imr", False),
        ("imr-ward==0.2.0", False),
        ("git+https://git.example.se/avdelning/imr.git", False),  # no tag: whatever the branch holds today
        ("git+ssh://git@git.example.se/avdelning/imr.git", False),
        ("git+https://git.example.se/avdelning/imr.git@v0.2.0", True),
        ("vendor/imr_ward-0.2.0-py3-none-any.whl", True),
    ],
)
def test_ci_installs_only_from_a_source_the_ward_names(imr: Imr, package: str, accepted: bool):
    install = gitlab_job(imr.root)["script"][0]
    guard = install.split("python -m pip")[0]  # the check alone; installing is not tested here
    assert 'pip install --quiet "$IMR_PACKAGE"' in install
    result = run_script(imr.root, guard, {"IMR_PACKAGE": package} if package else {})
    assert (result.returncode == 0) == accepted, result.stderr
    if not accepted:
        assert result.stderr.startswith("imr: IMR_PACKAGE") and "README" in result.stderr
    github = (imr.root / ".github/workflows/imr-check.yml").read_text(encoding="utf-8")
    assert "vars.IMR_PACKAGE" in github and "imr==" not in github
