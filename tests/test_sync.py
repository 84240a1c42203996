"""`imr sync` with a real bare repository and two staff clones: sent, fetched, merged, checked."""

import subprocess

import pytest
import yaml
from conftest import clone_through_bare


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def ward(enrolled, tmp_path, monkeypatch):
    """Clone A (the enrolled workspace), a bare shared copy, and clone B of it."""
    other, bare = clone_through_bare(enrolled, tmp_path, monkeypatch)
    return enrolled, other, bare


def _kinds(imr, pid="p-01"):
    return [e["kind"] for e in yaml.safe_load(imr.record(pid).read_text())["log"]]


def test_entries_travel_between_clones_and_merge(ward):
    a, b, _ = ward
    a.ok("session", "log", "p-01", "--date", "2026-02-05", "--note", "Från A.")
    assert "1 fil med nya poster är inte synkade ännu" in a.ok("status").output
    out = a.ok("sync").output
    assert "inte synkade" not in a.ok("status").output
    assert "Synkat. Skickat: 1 ändrad fil. Hämtat från kollegorna: 0 nya ändringar." in out
    assert git(a.root, "log", "-1", "--format=%s").strip() == "imr sync (KL): p-01 träff"
    b.ok("sync")
    assert _kinds(b) == ["enrolled", "session"]
    # both write to the same record at once: the merge driver keeps both appended entries
    a.ok("absent", "p-01", "--date", "2026-02-12")
    b.ok("goal", "add", "p-01", "Laga mat själv")
    a.ok("sync")
    assert "Synkat" in b.ok("sync").output
    a.ok("sync")
    assert sorted(_kinds(a)) == sorted(_kinds(b)) == sorted(["enrolled", "session", "absent", "goal"])
    assert a.ok("check").output == ""


def test_offline_keeps_the_entries_committed_here(ward):
    a, _, bare = ward
    git(a.root, "remote", "set-url", "origin", str(bare) + "-gone")
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = a("sync")
    assert result.exit_code == 1
    assert "Ingen kontakt med den gemensamma kopian" in result.output
    assert "imr sync (KL): p-01 träff" in git(a.root, "log", "-1", "--format=%s")
    assert git(a.root, "status", "--porcelain", "--", "records") == ""


def test_without_a_shared_copy_it_says_so(enrolled):
    enrolled.commit_all("start")
    enrolled.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = enrolled("sync")
    assert result.exit_code == 1 and "ingen gemensam kopia" in result.output
    assert len(result.output.strip().splitlines()) == 2  # saved locally + what to do


def test_a_conflict_is_aborted_and_nothing_is_lost(ward):
    a, b, _ = ward
    for clone, text in ((a, "A\n"), (b, "B\n")):
        (clone.root / "rutiner.txt").write_text(text)
        git(clone.root, "add", "rutiner.txt")
        git(clone.root, "commit", "-q", "--no-verify", "-m", f"rutiner {text.strip()}")
    a.ok("sync")
    b.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = b("sync")
    assert result.exit_code == 1 and "rutiner.txt" in result.output and "inget gick förlorat" in result.output
    assert not (b.root / ".git" / "MERGE_HEAD").exists()
    assert (b.root / "rutiner.txt").read_text() == "B\n" and _kinds(b) == ["enrolled", "session"]


def test_a_push_that_loses_the_race_keeps_the_commit_and_the_next_sync_sends_it(ward):
    """Clone B sends between A's pull and A's push (its push runs from A's pre-push hook), so
    the shared copy moves under A: A's push is refused as a race, and sync itself fetches B's
    entry, merges and sends both (it retries a race a few times)."""
    a, b, _ = ward
    b.ok("goal", "add", "p-01", "Laga mat själv")
    git(b.root, "add", "records")
    git(b.root, "commit", "-q", "-m", "B")
    hook = a.root / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE\ngit -C '{b.root}' push -q origin HEAD\n")
    hook.chmod(0o755)
    a.ok("session", "log", "p-01", "--date", "2026-02-05")
    result = a("sync")
    assert result.exit_code == 0 and "Hämtat från kollegorna: 1 ny ändring" in result.output, result.stderr
    assert git(a.root, "log", "-1", "--format=%s").strip().startswith("Merge")
    assert git(a.root, "status", "--porcelain", "--", "records") == ""
    hook.unlink()
    b.ok("sync")
    assert sorted(_kinds(a)) == sorted(_kinds(b)) == sorted(["enrolled", "session", "goal"])


def test_two_clones_adding_a_step_to_one_goal_get_distinct_numbers(ward):
    """Both clones count the goal's next step as .2 under their own lock. After the merge the two
    steps are .2 and .3, the same in both clones, `imr check` names both entries written as .2,
    and the next step added anywhere is .4. (That the labels do not depend on the merge order: test_goals.py.)"""
    a, b, _ = ward
    out = a.ok("goal", "add", "p-01", "Laga mat själv", "--step", "Handla").output
    label = next(
        word.strip(".:,”“")
        for word in out.split()
        if word.strip(".:,”“").startswith("G") and len(word.strip(".:,”“")) == 4
    )
    a.ok("sync")
    b.ok("sync")
    a.ok("goal", "step", "p-01", label, "Koka pasta")
    b.ok("goal", "step", "p-01", label, "Steka ägg")
    b.ok("sync")
    a.ok("sync")
    b.ok("sync")
    steps = []
    for clone in (a, b):
        goals = {g["id"]: g for g in yaml.safe_load(clone.ok("goal", "list", "p-01", "--json").output)}
        steps.append([(s["id"], s["text"]) for s in goals[label]["steps"]])
        # The README's promise: `imr check` names both entries written with one label.
        said = clone("check").output
        assert f"delmål {label}.2 finns två gånger" in said and "--void" in said
    assert steps[0] == steps[1]
    assert [s[0] for s in steps[0]] == [f"{label}.1", f"{label}.2", f"{label}.3"]
    assert sorted(s[1] for s in steps[0][1:]) == ["Koka pasta", "Steka ägg"]
    history = {h["text"]: h["target"] for h in goals[label]["history"] if h["kind"] == "goal-step"}
    assert history == {text: step for step, text in steps[0]}, "the history names the steps as the list does"
    assert f"{label}.4" in b.ok("goal", "step", "p-01", label, "Baka bröd").output
    third = steps[0][2][1]
    b.ok("goal", "update", "p-01", f"{label}.3", "--status", "done")
    done = {s["id"]: s for s in yaml.safe_load(b.ok("goal", "list", "p-01", "--json").output)[0]["steps"]}
    assert done[f"{label}.3"]["text"] == third and done[f"{label}.3"]["status"] == "done"
