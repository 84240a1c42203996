"""Warm `imr status` and a plain `imr check` trust a record by its stat; the gates never do.

A record whose (size, mtime, inode, ctime) is what it was when its bytes were hashed is taken
from `.imr-cache/summaries.json` without being read. Everything here uses real files: edits of
the same size with the modification time set back, records edited "racily" (right after they
were read), and a cache that lies about a record whose stat it has right. The hook, `imr check
--since` and `imr check --full` must find what the record says, whatever the cache says.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import Imr

from imr.core import cache
from imr.core.cache import SETTLED_NS, read_json, stamp, unchanged, write_json

CLEAN = "Gick bra i dag, ja."
PHONE = "Ring 070-123 45 67."  # the same number of bytes: the edit keeps the file's size
HOUR_NS = 3600 * 10**9


def summaries_cache(imr: Imr) -> dict:
    return read_json(imr.root / ".imr-cache" / "summaries.json")


def settle(*paths: Path) -> None:
    """Set each file's modification time an hour back and wait until every inode change is
    older than SETTLED_NS, so that the next read leaves a stamp the cache may trust."""
    newest = 0
    for path in paths:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - HOUR_NS))
        newest = max(newest, path.stat().st_ctime_ns)
    wait = (newest + SETTLED_NS - time.time_ns()) / 1e9
    time.sleep(max(0.0, wait) + 0.05)


def edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """What a hand edit that restores the old modification time (`touch -r`, `cp -p`) leaves."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    text = path.read_bytes()
    assert old.encode() in text
    with path.open("r+b") as handle:  # in place: the same inode
        handle.write(text.replace(old.encode(), new.encode(), 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.fixture
def logged(enrolled: Imr) -> Imr:
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", CLEAN)
    return enrolled


def test_a_settled_record_is_stamped_and_trusted_without_being_read(logged: Imr):
    settle(logged.record("p-01"))
    logged.ok("status")
    entry = summaries_cache(logged)["files"]["p-01.yaml"]
    assert entry[2] is not None and unchanged(logged.record("p-01").stat(), entry[2])
    before = (logged.root / ".imr-cache" / "summaries.json").read_bytes()
    logged.ok("status")
    logged.ok("check")
    assert (logged.root / ".imr-cache" / "summaries.json").read_bytes() == before


@pytest.mark.skipif(os.name == "nt", reason="the inode-change time is POSIX's; Windows relies on --full")
def test_a_same_size_edit_with_the_mtime_set_back_is_read_again(logged: Imr):
    record = logged.record("p-01")
    settle(record)
    assert logged.ok("check").output == ""
    assert summaries_cache(logged)["files"]["p-01.yaml"][2] is not None
    time.sleep(0.05)  # past the file system clock's tick, so the edit's ctime is a new one
    edit_keeping_size_and_mtime(record, CLEAN, PHONE)
    found = logged("check")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output
    assert "Anmärkningar på journalerna: 1 " in logged.ok("status").output  # status counts it too


def test_a_record_replaced_by_another_file_is_read_again(logged: Imr):
    """A new inode (an editor's save-and-rename, `git checkout`) with size and mtime kept."""
    record = logged.record("p-01")
    settle(record)
    logged.ok("check")
    before = record.stat()
    replacement = record.with_name("p-01.tmp")
    replacement.write_bytes(record.read_bytes().replace(CLEAN.encode(), PHONE.encode()))
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, record)
    assert record.stat().st_size == before.st_size and record.stat().st_mtime_ns == before.st_mtime_ns
    found = logged("check")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output


def test_a_record_read_right_after_it_was_written_is_not_stamped_and_is_hashed_next_time(logged: Imr):
    """The racy case: written in the same clock tick as it was read, a second same-size write
    could leave every stat field as it was; such a record is hashed again on the next run."""
    record = logged.record("p-01")
    logged.ok("status")  # the record was written a moment ago
    assert summaries_cache(logged)["files"]["p-01.yaml"][2] is None
    edit_keeping_size_and_mtime(record, CLEAN, PHONE)
    found = logged("check")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output


def test_a_stamp_needs_a_settled_file_with_an_inode(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"x\n")
    now = time.time_ns()
    assert stamp(path.stat(), now) is None  # just written
    later = now + SETTLED_NS + HOUR_NS
    assert stamp(path.stat(), later) == [
        path.stat().st_size,
        path.stat().st_mtime_ns,
        path.stat().st_ino,
        *([path.stat().st_ctime_ns] if os.name != "nt" else [0]),
    ]
    assert unchanged(path.stat(), stamp(path.stat(), later))
    assert not unchanged(path.stat(), None) and not unchanged(path.stat(), [1, 2, 3])
    path.write_bytes(b"y\n")  # the same size
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - HOUR_NS))
    assert stamp(path.stat(), time.time_ns()) is None or os.name == "nt"  # the inode changed just now


@pytest.mark.skipif(os.name == "nt", reason="copies the clone with cp -a")
def test_stamps_made_in_another_folder_are_not_trusted(logged: Imr, tmp_path: Path):
    """A clone copied with its cache (cp -a keeps mtimes, not inodes or ctimes): every record is
    hashed, and the stamps are those of the copy's own files."""
    settle(logged.record("p-01"))
    logged.ok("status")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(logged.root), str(copy)], check=True)
    data = read_json(copy / ".imr-cache" / "summaries.json")
    assert data is not None and data["place"] != cache.place(copy / "records")
    edit_keeping_size_and_mtime(copy / "records" / "p-01.yaml", CLEAN, PHONE)
    logged.root = copy
    found = logged("check")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output
    assert read_json(copy / ".imr-cache" / "summaries.json")["place"] == cache.place(copy / "records")


# --- the gates read every record ----------------------------------------------------------


@pytest.fixture
def lying_cache(logged: Imr, monkeypatch: pytest.MonkeyPatch) -> Imr:
    """p-01 committed with a phone number in it, and a cache (correctly signed) that holds the
    clean version's summary under the stamp the file really has: exactly what a record changed
    behind the cache's back, with nothing in its stat to show for it, would look like."""
    for key, value in {
        "GIT_AUTHOR_NAME": "Kim Larsson",
        "GIT_AUTHOR_EMAIL": "kl@avd.invalid",
        "GIT_COMMITTER_NAME": "Kim Larsson",
        "GIT_COMMITTER_EMAIL": "kl@avd.invalid",
    }.items():
        monkeypatch.setenv(key, value)
    logged.git("add", "-A")
    logged.git("commit", "-q", "-m", "start")
    record = logged.record("p-01")
    path = logged.root / ".imr-cache" / "summaries.json"
    logged.ok("status")
    clean = summaries_cache(logged)["files"]["p-01.yaml"]
    record.write_bytes(record.read_bytes().replace(CLEAN.encode(), PHONE.encode()))
    logged.git("commit", "-q", "--no-verify", "-am", "a phone number, past the hook")
    settle(record)
    assert logged("check").exit_code == 1  # hashed (the stat changed): found, and now stamped
    data = summaries_cache(logged)
    assert data["files"]["p-01.yaml"][2] is not None
    data["files"]["p-01.yaml"][:2] = clean[:2]
    write_json(path, data)
    assert logged("check").output == ""  # the shortcut believes the cache: nothing found
    return logged


def test_check_full_reads_every_record(lying_cache: Imr):
    found = lying_cache("check", "--full")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output


def test_check_since_reads_every_record(lying_cache: Imr):
    found = lying_cache("check", "--since", "HEAD~1")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output


def test_the_hook_reads_every_record(lying_cache: Imr):
    found = lying_cache("check", "--staged")
    assert found.exit_code == 1 and "records/p-01.yaml" in found.output
    lying_cache.ok("session", "log", "p-01", "--date", "2026-03-08", "--note", "Andra träffen.")
    lying_cache.git("add", "-A")  # an ordinary append: the hook must still read p-01 through
    refused = subprocess.run(
        ["git", "-C", str(lying_cache.root), "commit", "-q", "-m", "through the hook"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "p-01.yaml" in refused.stdout + refused.stderr


def test_the_workspace_ci_runs_a_check_that_reads_every_record(lying_cache: Imr):
    from imr.workspace.gitsetup import github_workflow_text, gitlab_ci_text

    for template in (github_workflow_text(), gitlab_ci_text()):
        assert 'imr check --since "$' in template  # --since: every record hashed, whatever the cache says
    found = json.loads(lying_cache("check", "--since", "", "--json").output)
    assert any(f["path"] == "records/p-01.yaml" and f["code"].startswith("pii_found") for f in found)


@pytest.mark.skipif(os.name == "nt", reason="the inode-change time is POSIX's; Windows relies on --full")
def test_parsed_yaml_files_are_trusted_by_stamp_and_read_again_when_it_changes(tmp_path: Path):
    """The strings, the curriculum and imr.yaml go through YamlCache: the same rule."""
    root = tmp_path / "ws"
    (root / cache.CACHE_DIR).mkdir(parents=True)
    path = root / "strings.yaml"
    path.write_text("cli:\n  hello: Hej\n", encoding="utf-8")
    assert cache.YamlCache(root, "t").load(path) == {"cli": {"hello": "Hej"}}  # racy: not stamped
    first = cache.YamlCache(root, "t")
    first.load(path)
    first.save()
    assert first.entries[str(path)][4] is None
    settle(path)
    second = cache.YamlCache(root, "t")
    second.load(path)
    second.save()
    assert unchanged(path.stat(), second.entries[str(path)][4])
    time.sleep(0.05)
    edit_keeping_size_and_mtime(path, "Hej", "Hoj")
    assert cache.YamlCache(root, "t").load(path) == {"cli": {"hello": "Hoj"}}
