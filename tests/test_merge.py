"""Merging records between clones: both sides' entries survive; rewrites fall back to conflicts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Imr
from imr.merge import merge_logs
from imr.yamlio import parse_text

BASE = (
    "# IMR record (pseudonymous).\n"
    "id: p-01\n"
    "log:\n"
    "- kind: enrolled\n"
    "  at: '2026-01-01T09:00:00+01:00'\n"
    "  by: KL\n"
    "  variant: general\n"
    "  format: individual\n"
)


def item(at: str, note: str, by: str = "KL") -> str:
    return (f"- kind: session\n  at: '{at}'\n  by: {by}\n  module: 1\n  session: 1\n"
            f"  date: '{at[:10]}'\n  note: {note}\n")


def notes(text: str) -> list[str]:
    return [e.get("note") for e in parse_text(text)["log"][1:]]


# --- the merge itself, on bytes -----------------------------------------------------------

def test_entries_from_both_sides_are_ordered_by_time_ours_first_on_a_tie():
    ours = BASE + item("2026-01-05T10:00:00+01:00", "ours early") + item("2026-01-07T10:00:00+01:00", "ours late")
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "theirs") + item("2026-01-07T10:00:00+01:00", "theirs tie")
    outcome = merge_logs(BASE.encode(), ours.encode(), theirs.encode())
    assert outcome.clean
    assert outcome.text.startswith(BASE)
    assert notes(outcome.text) == ["ours early", "theirs", "ours late", "theirs tie"]


def test_times_in_different_offsets_compare_as_moments():
    ours = BASE + item("2026-01-05T10:30:00+01:00", "ours at 09:30 UTC")
    theirs = BASE + item("2026-01-05T09:00:00+00:00", "theirs at 09:00 UTC")
    assert notes(merge_logs(BASE.encode(), ours.encode(), theirs.encode()).text) == [
        "theirs at 09:00 UTC", "ours at 09:30 UTC"]


def test_hand_comments_travel_with_their_entries_and_bytes_are_kept():
    ours = BASE + "# written after the ward round\n" + item("2026-01-05T10:00:00+01:00", "ours")
    theirs = BASE + item("2026-01-04T10:00:00+01:00", "theirs") + "# a comment at the end\n"
    text = merge_logs(BASE.encode(), ours.encode(), theirs.encode()).text
    assert text == BASE + item("2026-01-04T10:00:00+01:00", "theirs") + "# a comment at the end\n" + \
        "# written after the ward round\n" + item("2026-01-05T10:00:00+01:00", "ours")


def test_the_same_entry_appended_on_both_sides_is_kept_once():
    same = item("2026-01-05T10:00:00+01:00", "cherry-picked")
    ours = BASE + same + item("2026-01-06T10:00:00+01:00", "ours")
    theirs = BASE + same
    assert notes(merge_logs(BASE.encode(), ours.encode(), (theirs + item("2026-01-07T10:00:00+01:00", "theirs")).encode()).text) == [
        "cherry-picked", "ours", "theirs"]


def test_a_base_without_final_newline_still_merges():
    base = BASE.rstrip("\n")
    ours = base + "\n" + item("2026-01-05T10:00:00+01:00", "ours")
    theirs = base + "\n" + item("2026-01-06T10:00:00+01:00", "theirs")
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    assert outcome.clean and notes(outcome.text) == ["ours", "theirs"]


def test_an_indented_log_merges_too():
    base = BASE.replace("\n- ", "\n  - ").replace("\n  at", "\n    at").replace("\n  by", "\n    by") \
        .replace("\n  variant", "\n    variant").replace("\n  format", "\n    format")
    assert parse_text(base)["log"][0]["kind"] == "enrolled"

    def indented(text: str) -> str:
        return "".join("  " + line for line in text.splitlines(keepends=True))

    ours = base + indented(item("2026-01-06T10:00:00+01:00", "ours"))
    theirs = base + indented(item("2026-01-05T10:00:00+01:00", "theirs"))
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    assert outcome.clean and notes(outcome.text) == ["theirs", "ours"]


@pytest.mark.parametrize("ours, theirs", [
    # an earlier line changed on one side
    (BASE.replace("variant: general", "variant: bipolar") + item("2026-01-05T10:00:00+01:00", "a"),
     BASE + item("2026-01-06T10:00:00+01:00", "b")),
    # an earlier entry removed on one side
    (BASE.split("- kind")[0] + item("2026-01-05T10:00:00+01:00", "a"),
     BASE + item("2026-01-06T10:00:00+01:00", "b")),
    # text glued to the last line (no new line first)
    (BASE.rstrip("\n") + " # changed\n" + item("2026-01-05T10:00:00+01:00", "a"),
     BASE + item("2026-01-06T10:00:00+01:00", "b")),
])
def test_a_rewrite_on_either_side_refuses_the_merge(ours, theirs):
    assert merge_logs(BASE.encode(), ours.encode(), theirs.encode()).reason == "merge_rewritten"
    assert merge_logs(BASE.encode(), theirs.encode(), ours.encode()).reason == "merge_rewritten"


@pytest.mark.parametrize("tail", [
    "extra: key\n",  # not a log item
    "- kind: session\n  at: [unclosed\n",  # not YAML
    "- kind: session\n  at: '2026-01-06T10:00:00+01:00'\n- [not, a, mapping]\n",
])
def test_new_text_that_is_not_a_list_of_entries_is_refused(tail):
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    assert merge_logs(BASE.encode(), (BASE + tail).encode(), theirs.encode()).reason == "merge_unreadable"


def test_a_comment_alone_appended_on_one_side_is_kept():
    ours = BASE + "# Handledning 2026-01-10: inga synpunkter.\n"
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "theirs")
    outcome = merge_logs(BASE.encode(), ours.encode(), theirs.encode())
    assert outcome.text == ours + item("2026-01-06T10:00:00+01:00", "theirs")


def test_the_same_record_created_in_both_clones_is_a_conflict():
    assert merge_logs(b"", BASE.encode(), BASE.replace("general", "bipolar").encode()).reason == "merge_unreadable"


def test_a_correction_whose_new_target_would_move_is_refused():
    correction = ("- kind: correction\n  at: '2026-01-05T11:00:00+01:00'\n  by: KL\n  target: 2\n"
                  "  note: fel datum\n")
    ours = BASE + item("2026-01-05T10:00:00+01:00", "ours") + correction
    theirs = BASE + item("2026-01-04T10:00:00+01:00", "theirs, earlier")
    assert merge_logs(BASE.encode(), ours.encode(), theirs.encode()).reason == "merge_correction_moved"
    # A correction of an entry in the common base keeps its target, so that merges.
    ours_base_target = BASE + correction.replace("target: 2", "target: 1")
    assert merge_logs(BASE.encode(), ours_base_target.encode(), theirs.encode()).clean


def test_one_side_unchanged_takes_the_other():
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    assert merge_logs(BASE.encode(), BASE.encode(), theirs.encode()).text == theirs
    assert merge_logs(BASE.encode(), theirs.encode(), theirs.encode()).text == theirs


# --- real git: two clones of one workspace -----------------------------------------------

@pytest.fixture
def clones(enrolled: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Imr, Imr]:
    """Clone A (the `imr init` workspace, with p-01 and p-02) and clone B, both with the driver."""
    for key, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@invalid"),
                       ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@invalid")):
        monkeypatch.setenv(key, value)
    enrolled.ok("patient", "add", "p-02")
    git(enrolled.root, "add", "-A")
    git(enrolled.root, "commit", "-q", "--no-verify", "-m", "start")
    other = tmp_path / "clone-b"
    subprocess.run(["git", "clone", "-q", str(enrolled.root), str(other)], check=True)
    b = Imr(other, monkeypatch)
    result = b.ok("init", ".")
    assert "merge.imr" in result.output
    return enrolled, b


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], check=check, capture_output=True, text=True)


def commit(clone: Imr, message: str) -> None:
    git(clone.root, "commit", "-q", "--no-verify", "-am", message)


def pull(clone: Imr, other: Imr) -> subprocess.CompletedProcess:
    return git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", str(other.root), "HEAD", check=False)


def test_two_clones_append_to_the_same_record_and_merge_cleanly(clones):
    a, b = clones
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Från klon A", "--homework", "Läs bladet")
    commit(a, "A logs p-01")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    b.ok("absent", "p-02", "--date", "2026-01-06")
    commit(b, "B logs p-01 and p-02")

    result = pull(b, a)
    assert result.returncode == 0, result.stderr
    assert "CONFLICT" not in result.stdout + result.stderr
    text = b.record("p-01").read_text(encoding="utf-8")
    assert "Från klon A" in text and "Från klon B" in text
    assert "<<<<<<<" not in text
    log = parse_text(text)["log"]
    assert [e["kind"] for e in log] == ["enrolled", "session", "session"]
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    b.ok("check")
    assert b("check").output == ""
    # Reviewing the merge against B's own history shows A's entry as an addition, not a rewrite.
    review = b.ok("diff", "HEAD^1", "HEAD", "--json")
    import json

    data = json.loads(review.output)
    assert data["rewritten_files"] == 0
    assert [e["note"] for p in data["participants"] for e in p["added"]] == ["Från klon A"]


def test_two_clones_append_to_different_records_and_merge_cleanly(clones):
    a, b = clones
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "A om p-01")
    commit(a, "A")
    b.ok("session", "log", "p-02", "--date", "2026-01-05", "--note", "B om p-02")
    commit(b, "B")
    assert pull(a, b).returncode == 0
    assert "A om p-01" in a.record("p-01").read_text(encoding="utf-8")
    assert "B om p-02" in a.record("p-02").read_text(encoding="utf-8")
    a.ok("check")


def test_group_files_merge_with_the_same_driver(clones):
    a, b = clones
    group = a.root / "groups" / "tisdag.yaml"
    group.write_text("# IMR group.\nname: tisdag\nlog:\n- kind: group-created\n  at: '2026-01-01T09:00:00+01:00'\n"
                     "  by: KL\n", encoding="utf-8")
    git(a.root, "add", "-A")
    commit(a, "group")
    assert pull(b, a).returncode == 0
    with open(group, "a", encoding="utf-8") as handle:
        handle.write("- kind: member-added\n  at: '2026-01-02T09:00:00+01:00'\n  by: KL\n  id: p-01\n")
    commit(a, "A adds p-01")
    with open(b.root / "groups" / "tisdag.yaml", "a", encoding="utf-8") as handle:
        handle.write("- kind: member-added\n  at: '2026-01-03T09:00:00+01:00'\n  by: AB\n  id: p-02\n")
    commit(b, "B adds p-02")
    assert git(b.root, "check-attr", "merge", "groups/tisdag.yaml").stdout.strip().endswith("merge: imr")
    assert pull(b, a).returncode == 0
    assert len(parse_text(group.read_text(encoding="utf-8"))["log"]) == 2  # A itself is unchanged
    merged = parse_text((b.root / "groups" / "tisdag.yaml").read_text(encoding="utf-8"))["log"]
    assert [e.get("id") for e in merged[1:]] == ["p-01", "p-02"]


def test_a_rewrite_makes_the_driver_fall_back_to_conflict_markers(clones):
    a, b = clones
    path = a.record("p-01")
    # Clone A edits the last line of the committed record (breaking the append-only rule) ...
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[-1] = lines[-1].rstrip("\n") + "  # ändrad i efterhand\n"
    path.write_text("".join(lines), encoding="utf-8")
    flagged = a.ok("diff")
    assert flagged.output.startswith("VARNING")
    commit(a, "A rewrites")
    # ... while clone B appends an entry after it.
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B appends")

    result = pull(b, a)
    assert result.returncode != 0
    assert "CONFLICT" in result.stdout + result.stderr
    assert "tidigare rader har ändrats" in result.stdout + result.stderr
    merged = b.record("p-01").read_text(encoding="utf-8")
    assert "<<<<<<<" in merged and ">>>>>>>" in merged
    assert "Från klon B" in merged and "ändrad i efterhand" in merged  # nothing lost
    assert "UU records/p-01.yaml" in git(b.root, "status", "--short").stdout


def test_a_rewrite_that_git_could_merge_is_still_refused(clones):
    a, b = clones
    path = a.record("p-01")
    path.write_text(path.read_text(encoding="utf-8").replace("variant: schizophrenia", "variant: bipolar"),
                    encoding="utf-8")
    commit(a, "A rewrites the variant")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B appends")
    result = pull(b, a)
    assert result.returncode != 0
    assert "UU records/p-01.yaml" in git(b.root, "status", "--short").stdout
    assert "Från klon B" in b.record("p-01").read_text(encoding="utf-8")


def test_merge_driver_command_writes_the_result_into_ours(tmp_path: Path, imr: Imr):
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(BASE, encoding="utf-8")
    ours.write_text(BASE + item("2026-01-06T10:00:00+01:00", "ours"), encoding="utf-8")
    theirs.write_text(BASE + item("2026-01-05T10:00:00+01:00", "theirs"), encoding="utf-8")
    imr.ok("merge-driver", str(base), str(ours), str(theirs), "records/p-01.yaml")
    assert notes(ours.read_text(encoding="utf-8")) == ["theirs", "ours"]

    ours.write_text(BASE.replace("KL", "XX") + item("2026-01-06T10:00:00+01:00", "ours"), encoding="utf-8")
    result = imr("merge-driver", str(base), str(ours), str(theirs), "records/p-01.yaml")
    assert result.exit_code == 1
    assert "records/p-01.yaml" in result.output and "Traceback" not in result.output
    assert "<<<<<<<" in ours.read_text(encoding="utf-8")


def test_merge_driver_is_hidden_from_help(imr: Imr):
    assert "merge-driver" not in imr.ok("--help").output
