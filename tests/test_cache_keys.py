"""Caches only the user can sign (issue 26, part 2): the key is never in the work tree.

A worktree or a submodule (`.git` is a file), a ward folder copied without `.git`, a folder
someone provides with a key in `.imr-cache/`: none of them may bring a key that signs a cache
imr then trusts. The regional report writes nothing into the wards it reads.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import Imr


@pytest.fixture(autouse=True)
def own_user_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    from imr.core import cache

    cache._key.cache_clear()
    yield
    cache._key.cache_clear()


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def test_the_key_is_outside_the_work_tree_in_every_layout(enrolled, tmp_path):
    from imr.core.cache import key_path

    root = enrolled.root
    assert key_path(root) == root / ".git" / "imr-cache-key"
    enrolled.commit_all("start")
    tree = tmp_path / "tree"
    _git(root, "worktree", "add", "-q", str(tree))
    common = Path(_git(tree, "rev-parse", "--path-format=absolute", "--git-common-dir").strip())
    assert key_path(tree) == common / "imr-cache-key"
    copied = tmp_path / "copied"
    shutil.copytree(root, copied, ignore=shutil.ignore_patterns(".git"))
    assert key_path(copied) == tmp_path / "user-config" / "imr" / "imr-cache-key"
    # a .git file pointing into the folder itself does not count as git
    (copied / "inner").mkdir()
    (copied / ".git").write_text("gitdir: inner\n", encoding="utf-8")
    assert key_path(copied) == tmp_path / "user-config" / "imr" / "imr-cache-key"


def test_a_cache_signed_with_a_key_someone_put_in_the_folder_is_not_trusted(enrolled, tmp_path, monkeypatch):
    from imr import __version__

    copied = tmp_path / "copied"
    shutil.copytree(enrolled.root, copied, ignore=shutil.ignore_patterns(".git"))
    ward = Imr(copied, monkeypatch)
    ward.root = copied
    ward.ok("session", "next", "p-01")
    assert not list((copied / ".imr-cache").rglob("imr-cache-key"))
    planted = b"k" * 32
    (copied / ".imr-cache" / "imr-cache-key").write_bytes(planted)
    cache = copied / ".imr-cache" / "records" / "p-01.yaml.json"
    body = json.loads(cache.read_bytes().partition(b"\n")[2])
    body[2][1][0][1].update(variant="depression")
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    mac = hashlib.blake2b(__version__.encode() + b"\0" + raw, key=planted, digest_size=32).hexdigest()
    cache.write_bytes(mac.encode("ascii") + b"\n" + raw)
    from imr.core import cache as cache_module

    cache_module._key.cache_clear()
    assert json.loads(ward.ok("session", "next", "p-01", "--json").output)["variant"] == "schizophrenia"


def test_a_worktree_keeps_no_key_in_its_cache_folder(enrolled, tmp_path, monkeypatch):
    enrolled.commit_all("start")
    tree = tmp_path / "tree"
    _git(enrolled.root, "worktree", "add", "-q", str(tree))
    other = Imr(tree, monkeypatch)
    other.root = tree
    other.ok("status")
    other.ok("check")
    assert not list((tree / ".imr-cache").rglob("*key*"))
    assert (enrolled.root / ".git" / "imr-cache-key").is_file()


def _every_file(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_regional_report_writes_nothing_into_the_wards(enrolled, tmp_path):
    from imr.reports.wards import Ward, build_wards, cache_path

    enrolled.ok("session", "log", "p-01", "--module", "1", "--session", "1", "--date", "2026-02-03")
    enrolled.commit_all("a week")
    shutil.rmtree(enrolled.root / ".imr-cache", ignore_errors=True)
    (enrolled.root / ".git" / "imr-cache-key").unlink(missing_ok=True)
    before = _every_file(enrolled.root)
    period = {"since": date(2026, 2, 2), "until": date(2026, 3, 1), "lang": "sv"}
    first = build_wards([Ward(path=enrolled.root)], **period)[0]
    again = build_wards([Ward(path=enrolled.root)], **period)[0]
    assert first.report is not None and again.cached
    assert _every_file(enrolled.root) == before
    assert cache_path(enrolled.root).is_file()
    assert tmp_path / "user-cache" in cache_path(enrolled.root).parents
