"""The caches in .imr-cache/ are never the source of truth: stale or broken entries are ignored."""

import json
import subprocess
import sys

import pytest  # noqa: F401
from conftest import posix_only


def test_changed_record_is_read_again(enrolled):
    enrolled.ok("session", "next", "p-01")  # fills the cache
    assert list((enrolled.root / ".imr-cache" / "records").glob("p-01.yaml.json"))
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Ny anteckning.")
    plan = json.loads(enrolled.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.2" and plan["last_session"]["note_excerpt"] == "Ny anteckning."


def _tamper(path, change) -> None:
    """Edit a signed cache file's body the way a person or a pull would, keeping its signature line."""
    mac, _, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    change(data)
    path.write_bytes(mac + b"\n" + json.dumps(data).encode())


def test_tampered_record_cache_is_ignored(enrolled):
    """The record's digest in the cache still matches the YAML; only the parsed data was edited."""
    enrolled.ok("session", "next", "p-01")
    cache = enrolled.root / ".imr-cache" / "records" / "p-01.yaml.json"
    _tamper(cache, lambda data: data[2][1][0][1].update(variant="depression"))
    assert json.loads(enrolled.ok("session", "next", "p-01", "--json").output)["variant"] == "schizophrenia"
    cache.write_text("not json")
    enrolled.ok("session", "next", "p-01")


def test_tampered_summaries_cannot_hide_a_finding(enrolled):
    """Editing .imr-cache/summaries.json to drop a finding changes nothing: check reparses the YAML."""
    record = enrolled.record("p-01")
    record.write_bytes(record.read_bytes() + b"- kind: note-by-hand\n")
    before = enrolled("check", "--json").output
    assert json.loads(before)
    cache = enrolled.root / ".imr-cache" / "summaries.json"
    _tamper(cache, lambda data: [v[1].__setitem__(1, []) for v in data["files"].values()])
    assert enrolled("check", "--json").output == before


def test_cache_from_another_clone_is_not_trusted(enrolled, tmp_path):
    """A cache file copied in (committed, pulled) is signed with another clone's key: rebuilt."""
    enrolled.ok("session", "next", "p-01")
    cache = enrolled.root / ".imr-cache" / "records" / "p-01.yaml.json"
    key = enrolled.root / ".git" / "imr-cache-key"
    assert key.is_file() and "imr-cache-key" not in enrolled.git("status", "--porcelain")
    key.write_bytes(b"x" * 32)  # as if the cache had been made elsewhere
    from imr.core import cache as cache_module

    cache_module._key.cache_clear()
    _tamper(cache, lambda data: data[2][1][0][1].update(variant="depression"))
    assert json.loads(enrolled.ok("session", "next", "p-01", "--json").output)["variant"] == "schizophrenia"


@posix_only
def test_cache_folder_that_is_a_link_is_never_used(enrolled, tmp_path):
    import shutil

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.rmtree(enrolled.root / ".imr-cache", ignore_errors=True)
    (enrolled.root / ".imr-cache").symlink_to(outside, target_is_directory=True)
    # A linked cache folder is refused with one sentence (issue 26): nothing is read or
    # written through it, not even refused text.
    for args in (
        ("session", "log", "p-01", "--date", "2026-03-01", "--note", "Hemligt innehåll."),
        ("status",),
        ("session", "next", "p-01"),
    ):
        result = enrolled.refused(*args)
        assert ".imr-cache" in result.output
    assert list(outside.iterdir()) == []


def test_deleting_the_cache_is_safe(enrolled):
    import shutil

    enrolled.ok("status")
    shutil.rmtree(enrolled.root / ".imr-cache")
    enrolled.ok("status")
    assert enrolled("check").exit_code == 0


def test_cache_is_git_ignored(enrolled):
    enrolled.ok("session", "next", "p-01")
    assert ".imr-cache" not in enrolled.git("status", "--porcelain")


def test_warm_session_next_does_not_parse_yaml(enrolled):
    """With warm caches the plan comes from JSON; PyYAML is not even imported."""
    enrolled.ok("session", "next", "p-01")
    code = (
        "import sys\nfrom imr.cli.app import main\nsys.argv = ['imr', 'session', 'next', 'p-01']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('YAML' if 'yaml' in sys.modules else 'NOYAML')\n"
    )
    for _ in range(2):  # the first run warms the cache for the imr this interpreter imports
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=enrolled.root,
            env={"IMR_WORKSPACE": str(enrolled.root), "PATH": "/usr/bin:/bin"},
        )
    assert out.stdout.strip().endswith("NOYAML"), out.stdout + out.stderr
