"""The append-only rule checked against git: every change to a record only added bytes at the end.

`imr check` runs this over the working tree and the index (against HEAD), the pre-commit hook
over the index alone (`--staged`: what is about to be committed), and CI over a pushed range
(`--since REV`: every commit in REV..HEAD against each of its parents). It works on bytes,
not on parsed entries, so a changed line ending, a removed byte-order mark or an edited
comment counts like any other rewrite, and a file git does not hand to the merge driver (one
side touched it) is held to the rule all the same.

The rules, for each `records/*.yaml` and `groups/*.yaml`:
- One parent: the new version adds entries at the end (if the old one did not end with a line
  break, the new bytes start with one: text glued to the last line changes that line), or
  exactly where the canonical merge (`imr.gates.merge`) puts a colleague's entries, as a
  rebase, cherry-pick or `git am -3` gives (`insertion_problem`). Every earlier block stays
  byte for byte and in order. Removing the file is a finding too.
- A merge (several parents, or a merge in progress): split each version into blocks (a log
  item with its continuation lines, or a top-level line); each parent's blocks must appear in
  the result in their order, unchanged (a block several sides have appears once), and every
  block of the result must come from a parent. So a merge may join what the sides added, and
  nothing else: a line lost, changed or added while resolving a conflict is a finding.
- A later commit that brings back what a rewrite changed ends that incident (`history_repaired`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.files import is_regular, read_regular
from imr.core.git import output as git_output
from imr.core.git import run as git_run
from imr.core.strings import label
from imr.gates.merge import (
    block_starts,
    first_missing,
    is_comment,
    is_item,
    is_subsequence,
    item_indent,
    log_blocks,
    merge_runs,
)
from imr.records.findings import Finding
from imr.workspace.folder import open_workspace

FOLDERS = ("records", "groups")
# From this many files on, `_Git.blobs_at` finds them by id from one listing of the folders.
_LISTED = 32
# Shown by `imr check` and the report, but no longer a failure: the rewrite was undone.
NOTICES = frozenset({"history_repaired"})
ZERO = "0" * 40
_EMPTY_BLOB_IDS = {ZERO, "0" * 64}


def history_findings(
    ws_root: Path, since: str | None = None, staged_only: bool = False, memo: Remembered | None = None
) -> list[Finding]:
    """Rewrites and removals of records and group files, as findings with file, line and commit.

    Default: the index and the working tree against HEAD (and against MERGE_HEAD while a
    merge is in progress). `staged_only`: the index alone, as the pre-commit hook wants.
    `since`: also every commit in since..HEAD; empty or all zeros (what forges send for a new
    branch) means the whole history. `memo`: see `Remembered`.
    """
    root = Path(ws_root).resolve()
    git = _Git(root, memo)
    if not git.is_repository():
        if since is not None:
            raise ImrError("history_not_git", path=str(root))
        return []
    findings: list[Finding] = []
    if since is not None:
        findings.extend(_range_findings(git, since))
    findings.extend(_local_findings(git, staged_only))
    return findings


@contextmanager
def staged_copy(ws_root: Path) -> Iterator[Path]:
    """The workspace as it is staged for commit, in a temporary folder, for `imr check --staged`.

    The hook must judge what is committed, not the working tree (a file can be staged with a
    phone number and then cleaned on disk). When the index and the working tree agree on
    every workspace file, the workspace itself is that copy (and its cache stays warm).
    """
    root = Path(ws_root).resolve()
    git = _Git(root)
    if not git.is_repository():
        yield root
        return
    spec = ["imr.yaml", "records", "groups", "curriculum", "templates"]
    unmerged = git.run("ls-files", "-z", "--unmerged", "--", *spec)
    if unmerged:
        raise ImrError(
            "history_staged_conflict", path=unmerged.split(b"\t", 1)[-1].split(b"\0")[0].decode("utf-8", "replace")
        )
    differs = git.call("diff", "--quiet", "--no-ext-diff", "--", *spec).returncode != 0
    untracked = git.run("ls-files", "-z", "--others", "--exclude-standard", "--", *spec)
    if not differs and not untracked:
        yield root
        return
    import shutil
    import tempfile

    listing = git.run("ls-files", "-z", "--stage", "--", *spec)
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, sha, _stage = meta.decode().split()
        entries.append((mode, sha, name.decode("utf-8", "surrogateescape")))
    blobs = git.blobs([sha for _mode, sha, _path in entries])
    folder = Path(tempfile.mkdtemp(prefix="imr-staged-"))
    try:
        workspace = folder / "ws"
        workspace.mkdir()
        for mode, sha, path in entries:
            target = workspace / path  # ls-files names paths from the workspace
            target.parent.mkdir(parents=True, exist_ok=True)
            data = blobs.get(sha, b"")
            if mode == "120000":
                try:
                    os.symlink(data.decode("utf-8", "surrogateescape"), target)
                except OSError:
                    pass  # no links here (Windows without the right); the reader refuses links anyway
                continue
            target.write_bytes(data)
        if not os.path.lexists(workspace / "imr.yaml") and is_regular(root / "imr.yaml"):
            try:  # the working tree's imr.yaml, never a link's target (issue 26)
                (workspace / "imr.yaml").write_bytes(read_regular(root / "imr.yaml"))
            except (OSError, ImrError):
                pass
        for sub in FOLDERS:
            (workspace / sub).mkdir(exist_ok=True)
        yield workspace
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the checks -----------------------------------------------------------------------------


def appended(old: bytes | None, new: bytes | None) -> int | None:
    """None when `new` only adds entries to `old` by the merge rule; else the 1-based line of
    `old` that changed (0: removed).

    Adding at the end is always fine. Adding between earlier entries is fine only where the
    canonical merge puts a new entry (`insertion_is_canonical`): what a rebase, cherry-pick or
    `git am -3` of a colleague's entries gives. Every earlier block must stay byte for byte.
    """
    if old is None:
        return None
    if new is None:
        return 0
    if new.startswith(old):
        added = new[len(old) :]
        if old and added and not old.endswith(b"\n") and not added.startswith((b"\n", b"\r\n")):
            return old.count(b"\n") + 1  # text glued to the last line changes that line
        if old and added:
            return _last_entry_grown(old, new)
        return None
    indent = item_indent(new) if item_indent(new) else item_indent(old)
    old_blocks = log_blocks(old, indent=indent, blank_apart=True)
    new_blocks = log_blocks(new, indent=indent, blank_apart=True)
    if old_blocks and not old.endswith(b"\n"):
        old_blocks[-1] += b"\r\n" if new_blocks and b"\r\n" in new_blocks[-1] else b"\n"
    if insertion_problem(old_blocks, new_blocks, indent) is None:
        return None
    limit = min(len(old), len(new))
    index = 0
    step = 4096
    while index < limit and old[index : index + step] == new[index : index + step]:
        index += step
    while index < limit and old[index] == new[index]:
        index += 1
    return old[:index].count(b"\n") + 1


def insertion_problem(old: list[bytes], new: list[bytes], indent: int) -> int | None:
    """None when `new` is `old` with entries added where the canonical merge puts them;
    else the index of the first block of `old` that is changed, missing or out of place.

    Let k be where the first added block stands. Everything before it is unchanged; from k on,
    the new version must be exactly the merge step (`merge.merge_runs`) of the old blocks from
    k and the added blocks in their order. So a rebased or cherry-picked append passes, and an
    entry slipped in anywhere else, a reordering, a change or a removal does not.
    """
    k = 0
    while k < len(old) and k < len(new) and old[k] == new[k]:
        k += 1
    if k == len(old):
        return None if all(is_item(b, indent) or is_comment(b) for b in new[k:]) else _first_header(old)
    rest = old[k:]
    if not is_subsequence(rest, new[k:]):
        return k
    counted: dict[bytes, int] = {}
    for block in rest:
        counted[block] = counted.get(block, 0) + 1
    added = []
    for block in new[k:]:
        if counted.get(block, 0) > 0:
            counted[block] -= 1
        else:
            added.append(block)
    if not all(is_item(block, indent) or is_comment(block) for block in added):
        return k
    if merge_runs(rest, added, indent) != new[k:]:
        return k
    return None


def _first_header(blocks: list[bytes]) -> int:
    return max(len(blocks) - 1, 0)


def merge_kept(parents: list[bytes | None], result: bytes | None) -> tuple[str, int, int] | None:
    """None when `result` joins the parents' versions by the merge rule (see the module doc).

    Otherwise (problem, parent index, line): "lost" with the line of that parent's version
    that is missing, changed or out of order in the result, or "foreign" with the result's
    first line that no parent has, or "removed".
    """
    present = [(n, version) for n, version in enumerate(parents) if version is not None]
    if result is None:
        return ("removed", present[0][0], 0) if present else None
    if not present:
        return None
    like = result if item_indent(result) else next((v for _n, v in present if item_indent(v)), result)
    indent = item_indent(like)
    split = [
        _closed(log_blocks(version if version is not None else b"", indent=indent, blank_apart=True))
        for version in parents
    ]
    result_blocks = _closed(log_blocks(result, indent=indent, blank_apart=True))
    for n, blocks in enumerate(split):
        missing = first_missing(blocks, result_blocks)
        if missing is not None:
            return ("lost", n, _line_of(blocks, missing))
    known = {block for blocks in split for block in blocks}
    for k, block in enumerate(result_blocks):
        if block not in known:
            return ("foreign", 0, _line_of(result_blocks, k))
    return None


def _closed(blocks: list[bytes]) -> list[bytes]:
    """The last block with a line end, as a merge gives it when more follows."""
    if blocks and not blocks[-1].endswith(b"\n"):
        blocks = [*blocks[:-1], blocks[-1] + b"\n"]
    return blocks


def _last_entry_grown(old: bytes, new: bytes) -> int | None:
    """The line of `old`'s last entry when `new` adds lines inside it, not after it.

    Appending bytes is not enough: `  note: …` added under the last entry keeps every earlier
    byte and still changes a signed entry. New text must start a new item (or be blank lines
    and comments, which change no entry).

    `new` is `old` and more (with a line break first when `old` has none at its end), so the
    two are cut alike up to the end of `old` (`log_blocks(old, like=new)` and
    `log_blocks(new, like=new)`): the last block of `old` grows by the added lines up to the
    first one that starts a block. Only those lines are read, not the whole of both files.
    """
    indent = item_indent(new)
    last = _last_block_start(old, indent)
    added = new[len(old) :]
    later = block_starts(added, indent)  # the added text's first piece is blank ("" or "\r") or a whole line
    for line in added[: later[0] if later else len(added)].split(b"\n"):
        text = line.strip()
        if text and not text.startswith(b"#"):
            return old[:last].count(b"\n") + 1
    return None


def _last_block_start(data: bytes, indent: int) -> int:
    """Where the last block of `data` starts (`block_starts`' last, or 0): searched for in the
    last kilobyte or so, from a line's start, then in eight times as much, and so on (whether a
    line starts a block depends on that line alone)."""
    window = 1024
    while True:
        begin = data.rfind(b"\n", 0, len(data) - window) + 1 if window < len(data) else 0
        starts = block_starts(data[begin:], indent)
        if starts or begin == 0:
            return begin + starts[-1] if starts else 0
        window *= 8


def _line_of(blocks: list[bytes], index: int) -> int:
    return sum(block.count(b"\n") for block in blocks[:index]) + 1


def is_log_file(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 2 and parts[0] in FOLDERS and parts[1].endswith(".yaml") and not parts[1].startswith(".")


def _stray(path: str, new_mode: str) -> bool:
    """A file added or changed in records/ or groups/ that is not an ordinary `<id>.yaml`
    (a link, a temp-named file, a subfolder's file): reported by `--since` as `imr check` does."""
    from imr.records.ids import is_valid_id

    parts = path.split("/")
    if parts[0] not in FOLDERS or new_mode == "000000":
        return False
    name = parts[-1]
    regular = new_mode in ("100644", "100755")
    return (
        not (regular and len(parts) == 2 and name.endswith(".yaml") and is_valid_id(name[:-5])) and name != ".gitkeep"
    )


# --- a merge about to be committed (the pre-merge-commit hook) ------------------------------


def merge_commit_findings(ws_root: Path) -> list[Finding]:
    """What `git merge`/`git pull` is about to commit, held against both parents.

    Git runs the pre-merge-commit hook before it writes MERGE_HEAD, so the other side is found
    from what git tells the hook (`GIT_REFLOG_ACTION`: "merge <rev>", or "pull" with the
    fetched head in FETCH_HEAD). The staged result must keep every block of both sides (a
    file only the other side touched never reaches the merge driver), and every incoming
    commit is held to the rule too, so a rewrite made in another clone with `--no-verify` is
    named with its commit and author. Without a known other side, the result must still
    keep every block of HEAD.
    """
    root = Path(ws_root).resolve()
    git = _Git(root)
    if not git.is_repository() or not git.head_exists():
        return []
    others = _incoming_heads(git)
    findings: list[Finding] = []
    for other in others:
        findings.extend(_commits_findings(git, f"HEAD..{other}"))
    parents = ["HEAD", *others]
    paths: set[str] = set()
    for parent in parents:
        paths.update(p for p in git.changed(["diff-index", "--cached", parent]) if is_log_file(p))
    old = {parent: git.blobs_at(parent, sorted(paths)) for parent in parents}
    staged = git.blobs_at("", sorted(paths))
    names = ["HEAD", *(sha[:10] for sha in others)]
    for path in sorted(paths):
        versions = [old[p].get(path) for p in parents]
        new = staged.get(path)
        problem = merge_kept(versions, new)
        if problem is None:
            continue
        kind, side, line = problem
        if kind == "removed":
            findings.append(Finding(path, 0, "history_removed_staged", {"path": path}))
            continue
        findings.append(
            Finding(
                path,
                line if kind == "foreign" else 0,
                f"history_merge_{kind}_staged",
                {"path": path, "parent": names[side] if side < len(names) else "?", "parent_line": line},
            )
        )
    return findings


def _incoming_heads(git: _Git) -> list[str]:
    action = os.environ.get("GIT_REFLOG_ACTION", "")
    revisions: list[str] = []
    if action.startswith("merge "):
        revisions = action.split()[1:]
    elif action.startswith("pull"):
        path = git.run("rev-parse", "--git-path", "FETCH_HEAD").decode().strip()
        file = Path(path) if Path(path).is_absolute() else git.ws_root / path
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        revisions = [line.split("\t")[0] for line in lines if "\tnot-for-merge\t" not in line and line.strip()]
    heads = []
    for revision in revisions:
        if revision.startswith("-"):
            continue
        found = git.call("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
        if found.returncode == 0:
            heads.append(found.stdout.decode().strip())
    return heads


# --- the working tree and the index ---------------------------------------------------------


def _local_findings(git: _Git, staged_only: bool) -> list[Finding]:
    if not git.head_exists():
        return []
    parents = ["HEAD", *git.merge_heads()]
    if len(parents) == 1 and not staged_only:
        unmerged, staged_paths, worktree_paths = git.status()
    else:
        unmerged = set()
        for record in git.run("ls-files", "-z", "--unmerged", "--", *FOLDERS).split(b"\0"):
            if b"\t" in record:
                unmerged.add(record.split(b"\t", 1)[1].decode("utf-8", "surrogateescape"))
        staged_paths, worktree_paths = set(), set()
        for parent in parents:
            staged_paths.update(git.changed(["diff-index", "--cached", parent]))
            if not staged_only:
                worktree_paths.update(git.changed(["diff-index", parent]))
    staged_paths = {p for p in staged_paths if is_log_file(p) and p not in unmerged}
    worktree_paths = {p for p in worktree_paths if is_log_file(p)}
    findings: list[Finding] = []
    paths = sorted(staged_paths | worktree_paths)
    old = {parent: git.blobs_at(parent, paths) for parent in parents}
    staged = git.blobs_at("", sorted(staged_paths)) if staged_paths else {}
    flagged: set[str] = set()
    for path in sorted(staged_paths):
        finding = _judge(path, [old[p].get(path) for p in parents], staged.get(path), "staged", git)
        if finding:
            findings.append(finding)
            flagged.add(path)
    for path in sorted(worktree_paths - flagged):
        regular, data = _read_regular(git.ws_root / path)
        if not regular:
            continue  # a link or not a regular file: the readers refuse it and say so
        finding = _judge(path, [old[p].get(path) for p in parents], data, "worktree", git)
        if finding:
            findings.append(finding)
    return findings


def _judge(
    path: str, parents: list[bytes | None], new: bytes | None, where: str, git: _Git, commit: dict | None = None
) -> Finding | None:
    params = dict(commit or {})
    params.setdefault("path", path)
    if len(parents) == 1:
        line = appended(parents[0], new)
        if line is None:
            return None
        code = "removed" if line == 0 else "rewritten"
        return Finding(path, line, f"history_{code}_{where}", params)
    problem = git.merge_kept(parents, new)
    if problem is None:
        return None
    kind, parent, line = problem
    if kind == "removed":
        return Finding(path, 0, f"history_removed_{where}", params)
    names = params.get("parents") or git.merge_parent_names()
    params["parent"] = names[parent] if parent < len(names) else str(parent + 1)
    params["parent_line"] = line
    if where == "commit":
        params["lost_parent"] = parent
    return Finding(path, line if kind == "foreign" else 0, f"history_merge_{kind}_{where}", params)


def _read_regular(path: Path) -> tuple[bool, bytes | None]:
    """A working-tree file's bytes (None if missing), never through a link: (False, None) for one."""
    try:
        return True, read_regular(path)  # opened without following a link, not checked and then opened
    except FileNotFoundError:
        return True, None
    except ImrError:
        return False, None


# --- a pushed range ------------------------------------------------------------------------------


def range_findings(
    ws_root: Path, start: str | None, end: str = "HEAD", memo: Remembered | None = None
) -> list[Finding]:
    """The history rule over the commits in start..end (every commit reachable from `end` when
    `start` is None): what `imr sync` checks before it merges what it fetched and before it pushes."""
    git = _Git(Path(ws_root).resolve(), memo)
    if not git.is_repository():
        raise ImrError("history_not_git", path=str(ws_root))
    return _commits_findings(git, f"{start}..{end}" if start else end)


def _range_findings(git: _Git, since: str) -> list[Finding]:
    if not git.head_exists():
        raise ImrError("history_bad_revision", rev=since)
    whole = since.strip() == "" or set(since.strip()) == {"0"}
    if whole:
        return _commits_findings(git, "HEAD")
    if since.startswith("-"):
        raise ImrError("history_bad_revision", rev=since)
    verified = git.call("rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}")
    if verified.returncode != 0:
        raise ImrError("history_bad_revision", rev=since)
    start = verified.stdout.decode().strip()
    return _commits_findings(git, f"{start}..HEAD")


def _commits_findings(git: _Git, spec: str) -> list[Finding]:
    """Every commit in `spec` judged against each of its parents, oldest first.

    A rewrite followed by a commit that brings back what was there (the original bytes, with
    whatever was validly added since) ends the incident: both become one `history_repaired`
    notice naming the commit pair, which `imr check` shows without failing.
    """
    listing = git.run("rev-list", "--topo-order", "--parents", spec)
    commits = [line.split() for line in listing.decode().splitlines() if line.strip()]
    pairs = [(c[0], parent) for c in commits for parent in c[1:]]
    if not pairs:
        return []
    spec_paths = git.top_spec()
    request = "".join(f"{commit} {parent}\n" for commit, parent in pairs).encode()
    out = git.run("diff-tree", "--stdin", "-r", "--no-renames", "-z", "--always", "--", *spec_paths, input=request)
    changes: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    stray: dict[str, str] = {}  # a link, a temp-named or other file added in records/ or groups/
    tokens = out.split(b"\0")
    k = 0
    pair_index = -1
    while k < len(tokens):
        token = tokens[k]
        if not token:
            k += 1
            continue
        if token.startswith(b":"):
            meta = token[1:].decode().split()
            path = git.relative(tokens[k + 1].decode("utf-8", "surrogateescape"))
            k += 2
            if pair_index >= 0 and is_log_file(path) and meta[1] in ("100644", "100755", "000000"):
                changes.setdefault(pairs[pair_index], {})[path] = (meta[2], meta[3])
            elif pair_index >= 0 and _stray(path, meta[1]):
                stray.setdefault(path, pairs[pair_index][0])
            continue
        pair_index += 1
        k += 1
    wanted = {sha for files in changes.values() for old, new in files.values() for sha in (old, new)}
    blobs = git.blobs(sorted(sha for sha in wanted if sha not in _EMPTY_BLOB_IDS))

    def blob(sha: str) -> bytes | None:
        return None if sha in _EMPTY_BLOB_IDS else blobs.get(sha, b"")

    findings: list[Finding] = [
        Finding(path, 0, "history_stray_commit", {"commit": sha, "path": path}) for path, sha in sorted(stray.items())
    ]
    open_incidents: dict[str, tuple[bytes | None, int]] = {}  # path -> (the good version, finding index)
    repaired: set[int] = set()
    for commit in reversed(commits):  # oldest first, as the history was written
        sha, parents = commit[0], commit[1:]
        per_parent = [changes.get((sha, parent), {}) for parent in parents]
        paths = sorted({path for files in per_parent for path in files})
        for path in paths:
            new_sha = next(files[path][1] for files in per_parent if path in files)
            olds = [blob(files[path][0]) if path in files else blob(new_sha) for files in per_parent]
            new = blob(new_sha)
            if path in open_incidents:
                good, index = open_incidents[path]
                if good is not None and new is not None and appended(good, new) is None:
                    findings[index] = Finding(
                        path, 0, "history_repaired", {**findings[index].params, "path": path, "repair": sha}
                    )
                    repaired.add(index)
                    del open_incidents[path]
                continue  # commits on top of a rewrite are judged against the version before it
            finding = _judge(path, olds, new, "commit", git, {"commit": sha, "parents": [p[:10] for p in parents]})
            if finding:
                lost = finding.params.get("lost_parent", 0)
                open_incidents[path] = (olds[lost] if lost < len(olds) else olds[0], len(findings))
                findings.append(finding)
    if findings:
        shas = {f.params["commit"] for f in findings} | {f.params["repair"] for f in findings if "repair" in f.params}
        described = {sha: git.describe_commit(sha) for sha in shas}
        out_findings = []
        for f in findings:
            params = {
                **{k: v for k, v in f.params.items() if k not in ("parents", "lost_parent")},
                **described[f.params["commit"]],
            }
            if "repair" in f.params:
                repair = described[f.params["repair"]]
                params.update(
                    {"repair": repair["commit"], "repair_author": repair["author"], "repair_date": repair["date"]}
                )
            out_findings.append(Finding(f.path, f.line, f.code, params))
        findings = out_findings
    return findings


def committed_blobs(ws_root: Path, revision: str, paths: list[str]) -> dict[str, bytes]:
    """The bytes of workspace files at a revision ("" for the index), in one git call; a path
    missing there is missing from the answer."""
    git = _Git(Path(ws_root).resolve())
    if not paths or not git.is_repository():
        return {}
    return git.blobs_at(revision, paths)


def stored_blobs(ws_root: Path, shas: list[str], memo: Remembered | None = None) -> dict[str, bytes]:
    """The bytes of blobs by their ids, in one git call."""
    return _Git(Path(ws_root).resolve(), memo).blobs(shas)


class Remembered:
    """What one `imr sync` has read from git and judged, so that its checks and its merge each
    read a version once and judge a merge once.

    A sync reads the same versions of every record several times: the incoming commits'
    check, the merge, the check of the merge before it is committed, and the outgoing
    commits' check (which holds the merge commit against its parents exactly as the check
    before committing held the staged merge). Blobs are kept by their id (the same id, the
    same bytes), up to `budget` bytes; a merge's judgment (`merge_kept`, a function of the
    bytes alone) by the versions' bytes.
    """

    def __init__(self, budget: int = 256 * 1024 * 1024) -> None:
        self.blobs: dict[str, bytes] = {}
        self.kept: dict[tuple[tuple[bytes | None, ...], bytes | None], tuple[str, int, int] | None] = {}
        self.left = budget

    def wrote(self, data: bytes, id_length: int) -> None:
        """Bytes about to be staged, kept under the id git gives them when it stores them as they
        are (no clean filter or line-end conversion changes them): the check of the staged
        merge then finds them without reading them back. Where git changes them, the index
        holds another id and that blob is read from git."""
        import hashlib

        digest = {40: hashlib.sha1, 64: hashlib.sha256}.get(id_length)
        if digest is not None:
            self.keep({digest(b"blob %d\0" % len(data) + data).hexdigest(): data})

    def keep(self, found: dict[str, bytes]) -> None:
        for sha, data in found.items():
            if len(data) <= self.left:
                self.blobs[sha] = data
                self.left -= len(data)


# --- git -----------------------------------------------------------------------------------------


class _Git:
    """The few git calls the checks need, run in the workspace; paths relative to it."""

    def __init__(self, ws_root: Path, memo: Remembered | None = None) -> None:
        self.ws_root = ws_root
        self.memo = memo
        self.prefix = ""
        self._merge_heads: list[str] | None = None
        self._merge_head_path = ""
        self._head: bool | None = None

    def is_repository(self) -> bool:
        """Whether the workspace is in a git repository; one `rev-parse` also learns where the
        workspace sits in it, where git keeps MERGE_HEAD and whether there is a commit yet."""
        try:
            result = git_run(
                self.ws_root,
                *("rev-parse", "--show-prefix", "--git-path", "MERGE_HEAD", "--verify", "--quiet", "HEAD^{commit}"),
                missing="history_not_git",
            )
        except ImrError:  # git is not installed: nothing to compare with
            return False
        said = result.stdout.decode("utf-8", "surrogateescape").split("\n")
        if result.returncode not in (0, 1) or len(said) < 3:
            return False  # not a repository (128), or an answer this code does not know
        self.prefix, self._merge_head_path = said[0].strip(), said[1].strip()
        self._head = result.returncode == 0
        return True

    def head_exists(self) -> bool:
        if self._head is None:
            self._head = self.call("rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode == 0
        return self._head

    def relative(self, path: str) -> str:
        return path[len(self.prefix) :] if self.prefix and path.startswith(self.prefix) else path

    def merge_heads(self) -> list[str]:
        if self._merge_heads is None:
            path = self._merge_head_path or self.run("rev-parse", "--git-path", "MERGE_HEAD").decode().strip()
            file = Path(path) if Path(path).is_absolute() else self.ws_root / path
            try:
                self._merge_heads = [line.strip() for line in file.read_text().splitlines() if line.strip()]
            except OSError:
                self._merge_heads = []
        return self._merge_heads

    def merge_parent_names(self) -> list[str]:
        return ["HEAD", *(sha[:10] for sha in self.merge_heads())]

    def top_spec(self) -> list[str]:
        """Pathspecs for records/ and groups/ that mean the same from any folder."""
        return [f":(top){self.prefix}{folder}/" for folder in FOLDERS]

    def changed(self, command: list[str]) -> list[str]:
        out = self.run(*command, "--no-renames", "--name-only", "-z", "--", *self.top_spec())
        # diff-index prints paths from the top of the repository
        return [self.relative(p) for p in out.decode("utf-8", "surrogateescape").split("\0") if p]

    def status(self) -> tuple[set[str], set[str], set[str]]:
        """The unmerged paths, the paths staged against HEAD and the paths whose working copy
        may differ from HEAD (changed in the index or in the working tree: a superset of
        `diff-index HEAD`, and a path that differs in neither is judged unchanged anyway),
        under records/ and groups/, from one `git status` instead of three calls."""
        out = self.run(
            *("status", "--porcelain=v2", "-z", "--untracked-files=no", "--no-renames", "--ignore-submodules"),
            *("--", *self.top_spec()),
        )
        unmerged: set[str] = set()
        staged: set[str] = set()
        changed: set[str] = set()
        for line in out.decode("utf-8", "surrogateescape").split("\0"):
            kind = line[:2]
            if kind == "1 ":
                path = self.relative(line.split(" ", 8)[8])
                if line[2] != ".":
                    staged.add(path)
                changed.add(path)
            elif kind == "u ":
                path = self.relative(line.split(" ", 10)[10])
                unmerged.add(path)
                staged.add(path)
                changed.add(path)
        return unmerged, staged, changed

    def blobs_at(self, revision: str, paths: list[str]) -> dict[str, bytes]:
        """Contents of `paths` at a revision ("" for the index), in one `git cat-file --batch`.

        Many records and group files are looked up by their ids from one listing of the two
        folders (`ids_at`) instead of by name: git finds each `REV:path` afresh from the top
        tree, which at a thousand records took three times as long as reading the blobs, and
        blobs by id are what `Remembered` keeps.
        """
        if not paths:
            return {}
        ids = self.ids_at(revision) if len(paths) >= _LISTED and all(is_log_file(path) for path in paths) else None
        if ids is not None:
            by_id = self.blobs([ids[path] for path in paths if path in ids])
            return {path: by_id[ids[path]] for path in paths if path in ids and ids[path] in by_id}
        names = [f"{revision}:{self.prefix}{path}" for path in paths]
        found = self._batch(names)
        return {path: found[name] for path, name in zip(paths, names, strict=False) if name in found}

    def ids_at(self, revision: str) -> dict[str, str] | None:
        """The blob id of every file in records/ and groups/ at a revision ("" for the index: its
        entries at stage 0, as `:path` names them), by path from the workspace; None when git
        cannot list it (a revision that is not one: looked up by name, each file is missing)."""
        if revision:
            listed = self.call("ls-tree", "-r", "-z", "--end-of-options", revision, "--", *FOLDERS)
        else:
            listed = self.call("ls-files", "-s", "-z", "--", *FOLDERS)
        if listed.returncode != 0:
            return None
        ids: dict[str, str] = {}
        for record in listed.stdout.split(b"\0"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode().split()
            if not tab or len(fields) != 3:
                continue
            if revision:  # mode, type, id
                blob, sha = fields[1] == "blob", fields[2]
            else:  # mode, id, stage: an unmerged path has no stage 0, a submodule is a commit
                blob, sha = fields[2] == "0" and fields[0] != "160000", fields[1]
            if blob:
                ids[name.decode("utf-8", "surrogateescape")] = sha
        return ids

    def blobs(self, shas: list[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(shas))
        if self.memo is None:
            return self._batch(wanted)
        known = self.memo.blobs
        found = self._batch([sha for sha in wanted if sha not in known])
        self.memo.keep(found)
        return {sha: known[sha] if sha in known else found[sha] for sha in wanted if sha in known or sha in found}

    def merge_kept(self, parents: list[bytes | None], result: bytes | None) -> tuple[str, int, int] | None:
        """`merge_kept`, judged once per set of versions while a `Remembered` is given."""
        if self.memo is None:
            return merge_kept(parents, result)
        key = (tuple(parents), result)
        if key not in self.memo.kept:
            self.memo.kept[key] = merge_kept(parents, result)
        return self.memo.kept[key]

    def _batch(self, names: list[str]) -> dict[str, bytes]:
        if not names:
            return {}
        data = self.run("cat-file", "--batch", input="".join(name + "\n" for name in names).encode())
        out: dict[str, bytes] = {}
        position = 0
        for name in names:
            end = data.index(b"\n", position)
            header = data[position:end].split()
            position = end + 1
            if len(header) == 3 and header[1] != b"missing":
                size = int(header[2])
                if header[1] == b"blob":
                    out[name] = data[position : position + size]
                position += size + 1
        return out

    def describe_commit(self, sha: str) -> dict[str, str]:
        """Who made a commit and whether it is signed, for a finding's message."""
        out = self.run("log", "-1", "--date=short", "--format=%h%x00%an <%ae>%x00%ad%x00%G?%x00%GS", sha)
        short, author, day, status, signer = (out.decode("utf-8", "replace").rstrip("\n").split("\0") + [""] * 5)[:5]
        return {"commit": short, "author": author, "date": day, "signed": self._signed(status, signer)}

    def _signed(self, status: str, signer: str) -> str:

        key = {
            "N": "signed_none",
            "": "signed_none",
            "G": "signed_good",
            "U": "signed_good",
            "B": "signed_bad",
            "R": "signed_bad",
        }.get(status, "signed_unknown")
        return label("gates", key, _lang(self.ws_root), signer=signer or "?")

    def call(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """`git ARGS` in the workspace, whatever its exit status (through `imr.core.git`)."""
        return git_run(self.ws_root, *args, input=input)

    def run(self, *args: str, input: bytes | None = None) -> bytes:
        """What `git ARGS` printed; a failure is the one sentence `history_git_failed`."""
        return git_output(self.ws_root, *args, input=input, failed="history_git_failed")


def _lang(root: Path) -> str:

    try:
        return open_workspace(root).lang
    except (ImrError, OSError):
        return "sv"
