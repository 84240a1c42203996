"""`imr sync` merges every record both sides changed in its own process (issue 30), with real
git through a bare repository: the same canonical join as the merge driver, in either order,
the same gates and sentences, and a clone left as it was when something else conflicts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import Imr, clone_through_bare

from imr.gates.merge import merge_logs
from imr.gates.sync import new_kinds

PIDS = ("p-01", "p-02", "p-03")
BUILTIN = Path(__file__).resolve().parent.parent


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def ward(enrolled: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Imr, Imr, Path]:
    """Clone A (the enrolled workspace with three participants), a bare shared copy, clone B."""
    for pid in PIDS[1:]:
        enrolled.ok("patient", "add", pid, "--date", "2026-01-05")
    other, bare = clone_through_bare(enrolled, tmp_path, monkeypatch)
    return enrolled, other, bare


def no_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make git's merge driver fail whenever git runs it (config from the environment wins over
    the clone's own, which `imr sync` renews): a merge sync makes must not need it."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "merge.imr.driver")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "false")


def log_everywhere(clone: Imr, day: str, note: str) -> None:
    for pid in PIDS:
        clone.ok("session", "log", pid, "--date", day, "--note", note)


def records(clone: Imr) -> dict[str, bytes]:
    return {pid: clone.record(pid).read_bytes() for pid in PIDS}


def attributes(clone: Imr) -> Path:
    return clone.root / ".git" / "info" / "attributes"


@pytest.mark.parametrize("first", ["a", "b"])
def test_records_both_sides_changed_are_joined_in_one_process_in_either_order(ward, monkeypatch, first):
    a, b, _ = ward
    no_driver(monkeypatch)
    attributes(b).parent.mkdir(exist_ok=True)
    attributes(b).write_bytes(b"# the colleague's own line\n*.txt text\n")
    log_everywhere(a, "2026-02-05", "Från A.")
    log_everywhere(b, "2026-02-06", "Från B.")
    ahead, behind = (a, b) if first == "a" else (b, a)
    ahead.ok("sync")
    base = {pid: git(behind.root, "show", f"HEAD:records/{pid}.yaml").encode() for pid in PIDS}
    behind_own = records(behind)
    ahead_own = records(ahead)
    out = behind.ok("sync").output
    assert "Synkat" in out and "Hämtat från kollegorna: 1 ny ändring" in out
    merged = records(behind)
    for pid in PIDS:  # exactly what the merge function (and so the driver) makes of the three
        expected = merge_logs(base[pid], behind_own[pid], ahead_own[pid]).text
        assert expected is not None and merged[pid] == expected.encode("utf-8")
        assert merged[pid].count(b"kind: session") == 2
    subject = git(behind.root, "log", "-1", "--format=%B").strip()
    assert subject.startswith("Merge") and "Conflicts" not in subject and "#" not in subject
    assert git(behind.root, "status", "--porcelain") == ""
    assert attributes(b).read_bytes() == b"# the colleague's own line\n*.txt text\n"
    assert not (attributes(a).exists() and b"merge=binary" in attributes(a).read_bytes())
    ahead.ok("sync")
    assert records(ahead) == merged  # the canonical join: whoever merged, the same bytes
    assert a.ok("check").output == "" and b.ok("check").output == ""


def test_the_same_merge_in_the_other_order_gives_the_same_bytes(ward, monkeypatch, tmp_path):
    """A merges B's commit; a third clone holding B's commit merges A's: byte-identical records."""
    a, b, bare = ward
    no_driver(monkeypatch)
    log_everywhere(a, "2026-02-05", "Från A.")
    log_everywhere(b, "2026-02-05", "Från B.")  # the same day: the order rests on the keys alone
    for clone, name in ((a, "A"), (b, "B")):
        git(clone.root, "add", "records")
        git(clone.root, "commit", "-q", "--no-verify", "-m", name)
    git(b.root, "push", "-q", "origin", "HEAD")
    hub_a = tmp_path / "a-only.git"  # A's commit alone, for the clone that merges the other way
    subprocess.run(["git", "clone", "-q", "--bare", str(a.root), str(hub_a)], check=True)
    c_root = tmp_path / "c"
    subprocess.run(["git", "clone", "-q", str(bare), str(c_root)], check=True)  # B's commit
    a.ok("sync")  # ours: A's commit, theirs: B's
    branch = git(c_root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    git(c_root, "remote", "add", "other", str(hub_a))
    git(c_root, "fetch", "-q", "other")
    git(c_root, "branch", "-q", "-u", f"other/{branch}")
    c = Imr(c_root, monkeypatch)
    c.ok("sync")  # ours: B's commit, theirs: A's
    assert records(c) == records(a)
    assert git(c_root, "rev-parse", "HEAD^1") != git(a.root, "rev-parse", "HEAD^1")  # merged the other way


def test_a_raw_git_pull_still_runs_the_driver(ward):
    a, b, _ = ward
    log_everywhere(a, "2026-02-05", "Från A.")
    log_everywhere(b, "2026-02-06", "Från B.")
    a.ok("sync")
    git(b.root, "add", "records")
    git(b.root, "commit", "-q", "--no-verify", "-m", "B")
    b.ok("init", ".")
    git(b.root, "pull", "-q", "--no-rebase", "--no-edit", "--no-verify")
    assert all(data.count(b"kind: session") == 2 for data in records(b).values())


@pytest.mark.parametrize("path", ["imr.yaml", "curriculum/sv/01-aterhamtning/2.handout.md"])
def test_a_conflict_outside_the_records_stops_the_sync_and_leaves_the_clone_as_it_was(ward, monkeypatch, path):
    a, b, _ = ward
    no_driver(monkeypatch)
    for clone, text in ((a, "# A\n"), (b, "# B\n")):
        target = clone.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():  # a handout override: imr's own handout with the ward's line
            target.write_bytes((BUILTIN / path).read_bytes())
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
        git(clone.root, "add", path)
        git(clone.root, "commit", "-q", "--no-verify", "-m", f"{path} {text.strip()}")
    log_everywhere(a, "2026-02-05", "Från A.")
    log_everywhere(b, "2026-02-06", "Från B.")
    a.ok("sync")
    before_records = records(b)
    before_file = (b.root / path).read_bytes()
    result = b("sync")
    assert result.exit_code == 1
    assert path in result.output and "inget gick förlorat" in result.output
    assert not (b.root / ".git" / "MERGE_HEAD").exists()
    assert records(b) == before_records and (b.root / path).read_bytes() == before_file
    assert git(b.root, "status", "--porcelain", "--untracked-files=no") == ""
    assert not attributes(b).exists() or b"merge=binary" not in attributes(b).read_bytes()
    assert git(b.root, "log", "-1", "--format=%s").startswith("imr sync (KL)")


def test_a_record_the_merge_function_refuses_is_named_as_the_driver_named_it(ward, monkeypatch):
    """The same participant file made in both clones (nothing in common to merge from)."""
    a, b, _ = ward
    no_driver(monkeypatch)
    a.ok("patient", "add", "p-09", "--date", "2026-02-01")
    b.ok("patient", "add", "p-09", "--date", "2026-02-02")
    b.ok("session", "log", "p-01", "--date", "2026-02-06")
    a.ok("sync")
    before = (b.root / "records" / "p-09.yaml").read_bytes()
    result = b("sync")
    assert result.exit_code == 1 and "records/p-09.yaml" in result.output and "inget gick förlorat" in result.output
    assert not (b.root / ".git" / "MERGE_HEAD").exists()
    assert (b.root / "records" / "p-09.yaml").read_bytes() == before


def test_lines_left_by_a_stopped_sync_are_removed(ward):
    a, _b, _ = ward
    left = b"# mine\n# imr sync: records merged in one process; removed after the merge\nrecords/*.yaml merge=binary\n"
    attributes(a).parent.mkdir(exist_ok=True)
    attributes(a).write_bytes(left)
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    a.ok("sync")
    assert attributes(a).read_bytes() == b"# mine\n"


def test_a_hook_deleted_by_hand_is_put_back_by_the_next_sync(ward):
    """sync renews the git set-up only when something is missing (it costs a few git calls);
    a missing hook is missing, so the gate is back before the next commit."""
    a, _b, _ = ward
    a.ok("sync")
    hook = a.root / ".git" / "hooks" / "pre-commit"
    assert hook.is_file()
    hook.unlink()
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    a.ok("sync")
    assert hook.is_file() and "imr" in hook.read_text(encoding="utf-8")


def test_new_kinds_read_from_the_appended_blocks():
    old = b"id: p-01\nlog:\n- id: a1\n  kind: enrolled\n  at: '2026-01-05T10:00:00+01:00'\n"
    added = b"- id: a2\n  kind: session\n  note: |\n    - kind: not this\n- id: a3\n  kind: 'goal'\n"
    assert new_kinds(old, old + added) == ["session", "goal"]
    assert new_kinds(b"", old + added) == ["enrolled", "session", "goal"]  # a new file
    assert new_kinds(old, old + b"- {id: a4, kind: absent}\n") == ["absent"]  # not the writer's style
    crlf = old.replace(b"\n", b"\r\n")
    assert new_kinds(crlf, crlf + added.replace(b"\n", b"\r\n")) == ["session", "goal"]


def test_a_clone_without_a_git_identity_signs_its_commits_and_merges_with_the_signature(ward, monkeypatch):
    a, b, _ = ward
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    a.ok("sync")
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    b.ok("session", "log", "p-01", "--date", "2026-02-06")
    b.ok("sync")
    signed = git(b.root, "log", "-2", "--format=%an <%ae>|%cn|%s").splitlines()
    assert signed[0].startswith("KL <KL@imr.invalid>|KL|Merge")
    assert signed[1] == "KL <KL@imr.invalid>|KL|imr sync (KL): p-01 träff"
