"""The caches in .imr-cache/ are never the source of truth: stale or broken entries are ignored."""

import json
import subprocess
import sys


def test_changed_record_is_read_again(enrolled):
    enrolled.ok("session", "next", "p-01")  # fills the cache
    assert list((enrolled.root / ".imr-cache" / "records").glob("p-01.yaml.json"))
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-01", "--note", "Ny anteckning.")
    plan = json.loads(enrolled.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "1.2" and plan["last_session"]["note_excerpt"] == "Ny anteckning."


def test_tampered_cache_is_ignored(enrolled):
    enrolled.ok("session", "next", "p-01")
    cache = enrolled.root / ".imr-cache" / "records" / "p-01.yaml.json"
    data = json.loads(cache.read_text())
    data[2][1][0][1]["variant"] = "depression"  # wrong data, stale digest kept
    data[1] = "0" * 32
    cache.write_text(json.dumps(data))
    assert json.loads(enrolled.ok("session", "next", "p-01", "--json").output)["variant"] == "schizophrenia"
    cache.write_text("not json")
    enrolled.ok("session", "next", "p-01")


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
    code = ("import sys\nfrom imr.cli.app import main\nsys.argv = ['imr', 'session', 'next', 'p-01']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('YAML' if 'yaml' in sys.modules else 'NOYAML')\n")
    for _ in range(2):  # the first run warms the cache for the imr this interpreter imports
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=enrolled.root,
                             env={"IMR_WORKSPACE": str(enrolled.root), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip().endswith("NOYAML"), out.stdout + out.stderr
