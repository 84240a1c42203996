"""The quick paths of `imr sync` (issue 30) held to their slow twins on real git repositories.

- An append is judged from the added lines and the start of the last entry (`_last_entry_grown`)
  instead of cutting both whole files: the same line, or None, as the whole cut.
- Many records are read by id from one listing of records/ and groups/ (`_Git.blobs_at`)
  instead of one `REV:path` look-up each: the same bytes at every revision and in the index,
  in a workspace below the top of its repository, during a conflicted merge.
- A side that adds to the base is cut in its added text only (`appended_blocks`), the base's
  blocks reused: the same blocks as the whole cut.
- Whether the base's log is last (so new entries in the writer's style need no parser) is
  found by three regular-expression searches instead of reading every line in Python.
- The checks of one sync remember what they read and judged (`Remembered`): the same findings
  as checks that read everything afresh, over merges made in both orders, with rewrites.
- `imr sync` with every record looked up by id decides as with every record looked up by name,
  and merges as the driver process of a raw `git pull` merges.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_log_blocks import FILES, PIECES
from test_sync_merge import PIDS, log_everywhere, no_driver, records, ward  # noqa: F401 (ward: a fixture)

from imr.gates import history
from imr.gates.history import (
    Remembered,
    _Git,
    _last_block_start,
    _last_entry_grown,
    history_findings,
    range_findings,
)
from imr.gates.merge import (
    _log_continues,
    _log_continues_by_lines,
    appended_blocks,
    block_starts,
    log_blocks,
    merge_logs,
)
from imr.gates.sync import _merge_records

# --- an append, judged from the added lines --------------------------------------------------


def whole_cut_last_entry_grown(old: bytes, new: bytes) -> int | None:
    """`_last_entry_grown` as it was: both files cut whole, the last block compared."""
    old_blocks = log_blocks(old, like=new)
    if not old_blocks:
        return None
    last = len(old_blocks) - 1
    grown = log_blocks(new, like=new)[last][len(old_blocks[last]) :]
    for line in grown.split(b"\n"):
        text = line.strip()
        if text and not text.startswith(b"#"):
            return sum(block.count(b"\n") for block in old_blocks[:last]) + 1
    return None


@settings(max_examples=600, deadline=None)
@given(FILES, FILES, st.sampled_from([b"", b"\n", b"\r\n"]))
def test_an_append_is_judged_from_the_added_lines_as_from_the_whole_cut(old, added, first):
    added = first + added
    # what `appended` hands over: something added, after a line break
    assume(old and added and (old.endswith(b"\n") or added.startswith((b"\n", b"\r\n"))))
    new = old + added
    assert _last_entry_grown(old, new) == whole_cut_last_entry_grown(old, new)


LONG_LINE = st.sampled_from([b"  " + b"x" * 700, b"- " + b"y" * 900, b" " * 1100, b"z" * 1500, b"\t" + b"w" * 3000])
LONG_FILES = st.lists(st.one_of(st.sampled_from(PIECES), LONG_LINE), max_size=30).map(b"\n".join)


@settings(max_examples=400, deadline=None)
@given(LONG_FILES, st.sampled_from([0, 1, 2, 4]), st.sampled_from([b"", b"\n", b"\r\n"]))
def test_the_last_block_is_found_from_the_end_as_in_the_whole_cut(data, indent, end):
    data += end
    starts = block_starts(data, indent)
    assert _last_block_start(data, indent) == (starts[-1] if starts else 0)


def test_a_line_added_under_the_last_entry_is_found_either_way():
    old = b"id: p-01\nlog:\n- kind: a\n  at: x\n"
    for added, expected in (
        (b"  note: tyst\n- kind: b\n", 3),
        (b"\n  # en kommentar\n- kind: b\n  note: ny\n", None),
        (b"- kind: b\n  note: ny\n", None),
    ):
        assert _last_entry_grown(old, old + added) == whole_cut_last_entry_grown(old, old + added) == expected


# --- a side's blocks: the base's and the added text's -----------------------------------------------


@settings(max_examples=600, deadline=None)
@given(FILES, FILES, st.sampled_from([0, 1, 2, 4]), st.booleans())
def test_a_sides_blocks_are_cut_from_the_added_text_as_from_the_whole(base, added, indent, appended):
    data = base + added if appended else added
    base_blocks = log_blocks(base, indent=indent, blank_apart=True)
    whole = log_blocks(data, indent=indent, blank_apart=True)
    assert appended_blocks(base, base_blocks, data, indent) == whole


# --- the base's log is last ---------------------------------------------------------------------

LOG_LINE = st.sampled_from(
    [
        *("", " ", "  ", "   ", "\r", " \r", "\t", "-", "- a", "-\r", "- a\r", " - a", "  - a", "  -", "   - a"),
        *("  b: c", "    b: c", "# c", "  # c", "  #", "key: v", "log:", " x", "-a", "  -a"),
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(LOG_LINE, max_size=12), st.sampled_from(["", " ", "  ", "    "]), st.booleans())
def test_the_lines_after_log_are_read_by_search_as_line_by_line(lines, indent, final_break):
    text = "id: p-01\nlog:\n" + "\n".join(lines) + ("\n" if final_break else "")
    end = text.index("log:") + 4
    assert _log_continues(text, end, indent) == _log_continues_by_lines(text, end, indent)


# --- many records read by id --------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@invalid"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@invalid"}
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.decode("utf-8", "surrogateescape")


def entry(day: int, note: str) -> bytes:
    return f"- kind: contact\n  at: '2026-01-{day:02d}T10:00:00+01:00'\n  by: KL\n  note: {note}\n".encode()


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def by_name(git_: _Git, revision: str, paths: list[str]) -> dict[str, bytes]:
    """The slow twin: each file looked up as `REV:path` (`:path` for the index)."""
    found = {}
    for path in paths:
        name = f"{revision}:{git_.prefix}{path}"
        data = git_._batch([name])
        if name in data:
            found[path] = data[name]
    return found


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with the workspace one folder below its top: 40 records, two group files,
    a record with a name outside ASCII and, where the system allows, a link among the records."""
    top = tmp_path / "repo"
    ws = top / "avdelning"
    for folder in ("records", "groups"):
        (ws / folder).mkdir(parents=True)
    git(top, "init", "-q")
    for k in range(40):
        (ws / "records" / f"p-{k:02d}.yaml").write_bytes(b"id: p-%02d\nlog:\n" % k + entry(1, "Start."))
    (ws / "records" / "p-åå.yaml").write_bytes(b"id: p-aa\nlog:\n" + entry(1, "Å."))
    for name in ("g-1", "g-2"):
        (ws / "groups" / f"{name}.yaml").write_bytes(b"id: " + name.encode() + b"\nlog:\n")
    (ws / "notes.txt").write_bytes(b"not a record\n")
    try:
        os.symlink("p-00.yaml", ws / "records" / "p-link.yaml")
    except OSError:
        pass  # no links here (Windows without the right)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "one")
    return top, ws


def log_paths(ws: Path) -> list[str]:
    paths = [f"{folder}/{p.name}" for folder in ("records", "groups") for p in (ws / folder).iterdir()]
    return sorted({*paths, "records/p-40.yaml", "records/p-99.yaml", "groups/g-3.yaml"})


def test_many_records_read_by_id_are_the_records_read_by_name(repository):
    top, ws = repository
    first = git(top, "rev-parse", "HEAD").strip()
    for k in range(0, 40, 3):
        append(ws / "records" / f"p-{k:02d}.yaml", entry(2, "Två."))
    (ws / "records" / "p-01.yaml").unlink()
    (ws / "records" / "p-40.yaml").write_bytes(b"id: p-40\nlog:\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "two")
    append(ws / "records" / "p-03.yaml", entry(3, "I indexet."))  # staged, not committed
    git(top, "rm", "-q", "--cached", "avdelning/records/p-06.yaml")
    git(top, "add", "avdelning/records/p-03.yaml")
    append(ws / "records" / "p-09.yaml", entry(4, "Bara i arbetskopian."))  # not staged
    g = _Git(ws)
    assert g.is_repository() and g.prefix == "avdelning/"
    paths = log_paths(ws)
    assert len(paths) >= history._LISTED
    for revision in ("HEAD", first, ""):
        expected = by_name(g, revision, paths)
        assert expected and g.blobs_at(revision, paths) == expected
    for revision in ("0" * 40, "-q", "HEAD~9"):  # no such commit: every file missing, either way
        assert g.blobs_at(revision, paths) == by_name(g, revision, paths) == {}


def _other_branch(top, ws) -> str:
    """Check out a new branch `other` and commit an entry appended to each of the 40 records
    there; the name of the branch it came from."""
    main = git(top, "rev-parse", "--abbrev-ref", "HEAD").strip()
    git(top, "checkout", "-q", "-b", "other")
    for k in range(40):
        append(ws / "records" / f"p-{k:02d}.yaml", entry(3, "Från den andra."))
    git(top, "commit", "-q", "-am", "other")
    return main


def test_during_a_conflicted_merge_the_index_and_both_sides_read_alike(repository):
    top, ws = repository
    main = _other_branch(top, ws)
    git(top, "checkout", "-q", main)
    for k in range(0, 40, 2):
        append(ws / "records" / f"p-{k:02d}.yaml", entry(2, "Härifrån."))
    git(top, "commit", "-q", "-am", "here")
    git(top, "merge", "-q", "--no-edit", "other")  # the even records conflict, the odd ones merge
    assert git(top, "ls-files", "--unmerged")
    g = _Git(ws)
    assert g.is_repository()
    paths = log_paths(ws)
    for revision in ("HEAD", "MERGE_HEAD", ""):
        expected = by_name(g, revision, paths)
        assert expected and g.blobs_at(revision, paths) == expected
    assert "records/p-00.yaml" not in g.blobs_at("", paths)  # unmerged: not at stage 0


# --- the checks of one sync remember what they read and judged -----------------------------------


def shown(findings) -> list[tuple]:
    return [(f.path, f.line, f.code, sorted(f.params.items())) for f in findings]


@pytest.mark.parametrize("first", ["here", "other"])
def test_checks_that_remember_find_what_checks_reading_afresh_find(repository, first):
    """Two sides append to every record and one also rewrites a record; the merge, made in
    both orders with the in-process merge, takes one side of that record, adds a line no side
    wrote to another and loses a side's entry in a third. The history is checked with and
    without a memo (and with one already full)."""
    top, ws = repository
    main = _other_branch(top, ws)
    rewritten = ws / "records" / "p-05.yaml"
    rewritten.write_bytes(rewritten.read_bytes().replace(b"Start.", b"Tyst andrad."))
    git(top, "commit", "-q", "-am", "a rewrite")
    git(top, "checkout", "-q", main)
    for k in range(40):
        append(ws / "records" / f"p-{k:02d}.yaml", entry(2, "Härifrån."))
    git(top, "commit", "-q", "-am", "here")
    ours, theirs = ("HEAD", "other") if first == "here" else ("other", main)
    git(top, "checkout", "-q", "--detach", ours)
    (top / ".git" / "info" / "attributes").write_text("*.yaml merge=binary\n", encoding="utf-8")
    git(top, "merge", "-q", "--no-commit", theirs)
    staged, left = _merge_records(ws)
    assert len(staged) == 39 and left  # p-05 refused: its first entry was changed
    git(top, "checkout", "-q", "--ours", "--", "avdelning/records/p-05.yaml")  # resolved by taking one side
    append(ws / "records" / "p-07.yaml", entry(9, "Ingen skrev detta."))  # a line no side wrote
    (ws / "records" / "p-08.yaml").write_bytes(git(top, "show", "HEAD:avdelning/records/p-08.yaml").encode())
    git(top, "add", "avdelning/records")
    memo = Remembered()
    before = range_findings(ws, None, "HEAD", memo=memo)  # fills the memo from the history
    assert shown(before) == shown(range_findings(ws, None, "HEAD"))
    afresh = history_findings(ws, staged_only=True)
    assert afresh and shown(history_findings(ws, staged_only=True, memo=memo)) == shown(afresh)
    git(top, "commit", "-q", "--no-verify", "-m", "merged")
    (top / ".git" / "info" / "attributes").unlink()
    afresh = range_findings(ws, None)
    assert {f.code for f in afresh} >= {"history_merge_foreign_commit", "history_merge_lost_commit"}
    assert shown(range_findings(ws, None, memo=memo)) == shown(afresh)
    assert shown(range_findings(ws, None, memo=memo)) == shown(afresh)  # every judgment remembered
    assert memo.blobs and memo.kept


def test_a_memo_keeps_no_blob_beyond_its_budget(repository):
    _top, ws = repository
    ids = list((_Git(ws).ids_at("HEAD") or {}).values())
    memo = Remembered(budget=60)
    g = _Git(ws, memo)
    assert g.is_repository()
    read = g.blobs(ids)
    assert read == _Git(ws).blobs(ids) and sum(map(len, memo.blobs.values())) <= 60


# --- imr sync with every record looked up by id ----------------------------------------------------


@pytest.mark.parametrize("listed", [1, 10**9])
@pytest.mark.parametrize("first", ["a", "b"])
def test_sync_decides_alike_with_records_read_by_id_or_by_name(ward, monkeypatch, first, listed):
    monkeypatch.setattr(history, "_LISTED", listed)
    a, b, _ = ward
    no_driver(monkeypatch)
    log_everywhere(a, "2026-02-05", "Från A.")
    log_everywhere(b, "2026-02-06", "Från B.")
    ahead, behind = (a, b) if first == "a" else (b, a)
    ahead.ok("sync")
    base = {pid: git(behind.root, "show", f"HEAD:records/{pid}.yaml").encode() for pid in PIDS}
    own, theirs = records(behind), records(ahead)
    assert "Synkat" in behind.ok("sync").output
    for pid in PIDS:
        expected = merge_logs(base[pid], own[pid], theirs[pid]).text
        assert expected is not None and records(behind)[pid] == expected.encode("utf-8")
    # a rewrite of our own is refused on the way out, and one pushed past the gates on the way in
    ahead.ok("sync")  # the merge arrives
    path = ahead.record("p-02")
    path.write_bytes(path.read_bytes().replace("Från".encode(), b"Tyst"))
    git(ahead.root, "commit", "-q", "--no-verify", "-am", "tyst")
    refused = ahead("sync")
    assert refused.exit_code == 1 and "ändrar tidigare poster i records/p-02.yaml" in refused.stderr
    git(ahead.root, "push", "-q", "origin", "HEAD")
    behind.ok("session", "log", "p-01", "--date", "2026-02-07")
    refused = behind("sync")
    assert refused.exit_code == 1 and "records/p-02.yaml" in refused.stderr and "incheckning" in refused.stderr


def test_a_merge_git_stores_changed_is_checked_as_git_stores_it(ward, monkeypatch, tmp_path):
    """The merged bytes are remembered under the id git gives them when it stores them as they
    are; a clean filter that changes them (here: the colleague's note, which only the merge
    brings into this clone's files) gives another id, so the check of the staged merge reads
    what git stored and refuses it, as when nothing is remembered."""
    monkeypatch.setattr(history, "_LISTED", 1)  # every record read by id, through the memo
    a, b, _ = ward
    no_driver(monkeypatch)
    log_everywhere(a, "2026-02-05", "Från A.")
    a.ok("sync")
    log_everywhere(b, "2026-02-06", "Från B.")
    git(b.root, "commit", "-q", "--no-verify", "-am", "B")
    script = tmp_path / "mark.py"
    script.write_text(
        "import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read().replace(b'Fr\\xc3\\xa5n A.', b'Fr\\xc3\\xa5n X.'))\n"
    )
    git(b.root, "config", "filter.mark.clean", f'"{sys.executable}" "{script}"')
    (b.root / ".git" / "info" / "attributes").write_text("records/*.yaml filter=mark\n", encoding="utf-8")
    before = git(b.root, "rev-parse", "HEAD")
    refused = b("sync")
    assert refused.exit_code == 1 and "Sammanslagningen" in refused.stderr and "records/p-0" in refused.stderr
    assert git(b.root, "rev-parse", "HEAD") == before and not (b.root / ".git" / "MERGE_HEAD").exists()


@pytest.mark.parametrize("first", ["a", "b"])
def test_sync_merges_as_the_driver_process_merges_a_raw_pull(ward, first):
    """The same merge twice on real git: `imr sync` in its own process (regular expressions, a
    side cut in its added text) and a raw `git pull` in a copy of the clone, where git starts
    the driver (`python -S`, no `re`: every line read one by one): the same bytes, either way
    round."""
    a, b, _ = ward
    for day, note in (("2026-02-05", "Första."), ("2026-02-07", "Andra.")):
        log_everywhere(a, day, f"Från A. {note}")
    log_everywhere(b, "2026-02-06", "Från B.")
    for clone, name in ((a, "A"), (b, "B")):
        git(clone.root, "commit", "-q", "--no-verify", "-am", name)
    ahead, behind = (a, b) if first == "a" else (b, a)
    git(ahead.root, "push", "-q", "origin", "HEAD")
    copy = behind.root.parent / f"{behind.root.name}-copy"
    shutil.copytree(behind.root, copy, symlinks=True)
    behind.ok("sync")
    git(copy, "pull", "-q", "--no-rebase", "--no-edit", "--no-verify")
    assert git(copy, "ls-files", "--unmerged") == ""
    for pid in PIDS:
        merged = behind.record(pid).read_bytes()
        assert merged == (copy / "records" / f"{pid}.yaml").read_bytes()
        assert merged.count(b"kind: session") == 3
