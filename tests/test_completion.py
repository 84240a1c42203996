"""Shell completion is on: Tab completes participant ids, group names and session numbers."""

import os
import shlex
import shutil
import subprocess
import sys

import pytest


def _complete(root, words: str) -> list[str]:
    env = {
        **os.environ,
        "_IMR_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    done = subprocess.run([sys.executable, "-m", "imr"], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_ids_groups_and_sessions_complete(enrolled):
    enrolled.ok("patient", "add", "p-02")
    enrolled.ok("group", "create", "torsdag", "--leader", "KL")
    assert _complete(enrolled.root, "imr session next p-") == ["p-01", "p-02"]
    assert _complete(enrolled.root, "imr session log --group to") == ["torsdag"]
    sessions = _complete(enrolled.root, "imr render handout 3.")
    assert sessions[:2] == ["3.1", "3.2"] and all(s.startswith("3.") for s in sessions)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash: typer offers the script for the shell it runs in")
def test_completion_script_is_offered(enrolled):
    # typer detects the calling shell from the process tree, so the command runs under bash
    # whatever shell started pytest (from `sh` it would answer "Shell sh not supported").
    # ("; exit" keeps bash from replacing itself with the command, so bash stays the parent.)
    command = f"{shlex.quote(sys.executable)} -m imr --show-completion; exit $?"
    done = subprocess.run(["bash", "-c", command], cwd=enrolled.root, capture_output=True, text=True)
    assert done.returncode == 0 and "_IMR_COMPLETE" in done.stdout, done.stderr
