"""`imr sync`: share the ward's records through git for people who never use git.

One call commits the user's own new entries (with a message naming participants and kinds,
signed), pulls with the merge driver, checks the result, and pushes only when it is clean.
Every git situation ends in one outcome code with its parameters; the CLI turns it into one
sentence. Nothing is lost on any path: a conflicted merge is aborted (the user's commit stays),
a refused push leaves the commit for the next sync.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.files import read_regular, replace_atomically
from imr.core.git import run as git_run
from imr.core.strings import strings
from imr.gates.check import check_workspace
from imr.gates.history import (
    NOTICES,
    Remembered,
    committed_blobs,
    history_findings,
    is_log_file,
    range_findings,
    stored_blobs,
)
from imr.gates.integrity import NOTICES as LOOK_OVER
from imr.gates.integrity import RESOLVED_AFTER_MERGE
from imr.gates.merge import block_fields, is_item, item_indent, log_blocks, merge_logs
from imr.gates.pending import TRACKED, own_changes
from imr.workspace import gitsetup
from imr.workspace.folder import Workspace

_OFFLINE = (
    "could not resolve host",
    "unable to access",
    "could not read from remote",
    "connection refused",
    "does not appear to be a git repository",
    "network is unreachable",
    "timed out",
    "no such file or directory",
)
_REJECTED = ("fetch first", "non-fast-forward", "cannot lock ref", "stale info", "[rejected]")
# A refusal that running sync again cannot cure: a server hook, a protected branch, no rights.
_REFUSED = (
    "hook declined",
    "protected branch",
    "permission denied",
    "denied",
    "not allowed",
    "403",
    "forbidden",
    "read-only",
    "read only",
)


@dataclass
class SyncResult:
    outcome: str
    params: dict = field(default_factory=dict)
    committed: str | None = None  # the commit message when own entries were committed


def _out(root: Path, *args: str) -> str:
    """What `git ARGS` printed, as text (empty when it failed: a setting not made, no branch)."""
    return git_run(root, *args).stdout.decode("utf-8", "replace").strip()


def _identity(root: Path, signature: str) -> list[str]:
    """`-c user.name/email` for a clone with no git identity, so the commit is signed anyway."""
    return _settings(root).identity(signature)


@dataclass
class _Settings:
    """What sync needs from git's configuration, read in one call."""

    values: dict[str, str]
    driver_here: str  # merge.imr.driver as this clone's own configuration sets it

    def identity(self, signature: str) -> list[str]:
        args: list[str] = []
        if not self.values.get("user.name"):
            args += ["-c", f"user.name={signature}"]
        if not self.values.get("user.email"):
            args += ["-c", f"user.email={signature.replace(' ', '.')}@imr.invalid"]
        return args


def _settings(root: Path) -> _Settings:
    listing = _out(root, "config", "--show-scope", "--get-regexp", r"^(user\.(name|email)|merge\.imr\.driver)$")
    values: dict[str, str] = {}
    driver_here = ""
    for line in listing.splitlines():
        scope, _tab, rest = line.partition("\t")
        key, _space, value = rest.partition(" ")
        values[key] = value  # the last one read wins, as git reads them
        if key == "merge.imr.driver" and scope == "local":
            driver_here = value
    return _Settings(values, driver_here)


def commit_message(ws: Workspace, root: Path, paths: list[str], signature: str) -> str:
    """`imr sync (KL): p-01 träff, mål; p-02 frånvaro` – who, for whom, what kinds.

    The new entries are the bytes after the committed version (the history check has already
    held every earlier byte to that), read as the writer writes them: one block per entry.
    """
    kinds_shown = strings(ws.lang, ws.root).get("values", {}).get("kind", {})
    old_versions = committed_blobs(root, "HEAD", paths)
    parts = []
    for path in paths:
        try:
            new = read_regular(root / path)  # never through a link
            new.decode("utf-8")
        except (OSError, ImrError, UnicodeDecodeError):
            continue
        kinds: list[str] = []
        for kind in new_kinds(old_versions.get(path, b""), new):
            shown = str(kinds_shown.get(kind, kind))
            if shown not in kinds:
                kinds.append(shown)
        parts.append(f"{Path(path).stem} {', '.join(kinds)}".strip())
    return f"imr sync ({signature}): " + ("; ".join(parts) or ", ".join(paths))


def new_kinds(old: bytes, new: bytes) -> list[str]:
    """The `kind` of each entry `new` adds to `old`, in order ("?" for one without a readable kind)."""
    indent = item_indent(new) if item_indent(new) else item_indent(old)
    if old and new.startswith(old):
        added = [block for block in log_blocks(new[len(old) :], indent=indent) if is_item(block, indent)]
    else:  # a new file (or one the checks let through otherwise): its log's entries beyond the old
        known = len(_log_items(old, indent)) if old else 0
        added = _log_items(new, indent)[known:]
    return [_kind(block, indent) for block in added]


def _log_items(data: bytes, indent: int) -> list[bytes]:
    """The entries of a file's `log:` list, as blocks."""
    start = 0 if data.lstrip(b"\xef\xbb\xbf").startswith(b"log:") else data.find(b"\nlog:") + 1
    if start == 0 and not data.lstrip(b"\xef\xbb\xbf").startswith(b"log:"):
        return []
    line_end = data.find(b"\n", start)
    if line_end < 0:
        return []
    return [block for block in log_blocks(data[line_end + 1 :], indent=indent) if is_item(block, indent)]


def _kind(block: bytes, indent: int) -> str:
    kind = block_fields(block, indent).get("kind")
    if kind is not None:
        return kind
    from imr.core.yamlio import YamlProblem, parse_text  # an entry not in the writer's own style

    lines = block.decode("utf-8", "replace").splitlines(keepends=True)
    try:
        parsed = parse_text("".join(line[indent:] if line[:indent].strip() == "" else line for line in lines))
    except YamlProblem:
        return "?"
    entry = parsed[0] if isinstance(parsed, list) and parsed else None
    return str(entry.get("kind")) if isinstance(entry, dict) else "?"


def _offline(text: str) -> bool:
    low = text.lower()
    return any(p in low for p in _OFFLINE)


def _refused_push(text: str) -> bool:
    """A push the server refused for a reason other than a race: a hook, a protected branch, rights."""
    low = text.lower()
    return any(p in low for p in _REFUSED)


def upstream_of(root: Path) -> tuple[str, str] | None:
    """(remote, branch on the remote) this branch syncs with, or None without an upstream."""
    branch = _out(root, "symbolic-ref", "-q", "--short", "HEAD")
    if not branch:
        return None
    remote = _out(root, "config", f"branch.{branch}.remote")
    merge = _out(root, "config", f"branch.{branch}.merge")
    if not remote or remote == "." or not merge.startswith("refs/heads/"):
        return None
    return remote, merge[len("refs/heads/") :]


def _first(findings) -> dict:
    finding = findings[0]
    return {
        "count": len(findings),
        "path": finding.path,
        "commit": str(finding.params.get("commit", "")),
        "author": str(finding.params.get("author", "")),
    }


def sync(ws: Workspace, signature: str) -> SyncResult:
    """Check, commit the user's own entries, fetch, check what came, merge, check, push; or say why not.

    Nothing is committed before it is checked, nothing fetched is merged before every incoming
    commit is checked, the merge is checked against both parents before it is committed, and
    every outgoing commit is checked before the push. The push always goes to the upstream's
    branch, whatever the local branch is called; a push refused because a colleague got there
    first is retried (fetch, merge, push) a few times.
    """
    root = ws.root
    try:
        inside = git_run(
            root, "rev-parse", "--git-path", "info/attributes", "--git-path", "hooks", missing="sync_no_git"
        )
    except ImrError:
        return SyncResult("sync_no_git")
    if inside.returncode != 0:
        return SyncResult("sync_not_git")
    attributes, _, hooks = inside.stdout.strip().partition(b"\n")
    settings = _settings(root)
    if settings.driver_here != gitsetup.driver_command() or not _hooks_in_place(root, hooks):
        gitsetup.install(root)  # a fresh clone has no merge driver (nor hooks) registered yet
    _drop_override(_attributes_file(root, attributes))  # left by a sync stopped in its merge
    # Duplicates a merge revealed are resolved by a new entry (a correction), so they are shown by
    # `imr check` and `imr status` but never keep a clone from sending that correction.
    findings = [f for f in check_workspace(ws) if f.code not in RESOLVED_AFTER_MERGE and f.code not in LOOK_OVER]
    memo = Remembered()  # each version read once, each merge judged once, over all the checks
    findings.extend(f for f in history_findings(root, memo=memo) if f.code not in NOTICES)
    if findings:
        return SyncResult("sync_check_before", _first(findings))
    message = None
    changed = [path for path in own_changes(root) if is_log_file(path)]
    if changed:
        message = commit_message(ws, root, changed, signature)
        git_run(root, "add", "--", *changed)
        done = git_run(
            root, *settings.identity(signature), "commit", "-q", "--no-verify", "-m", message, "--", *changed
        )
        if done.returncode != 0:
            git_run(root, "reset", "-q", "--", *changed)
            return SyncResult("sync_commit_refused")
    target = upstream_of(root)
    if target is None:
        return SyncResult("sync_no_upstream" if _out(root, "remote") else "sync_no_remote", committed=message)
    try:
        return _exchange(ws, settings.identity(signature), target, len(changed), message, memo)
    except ImrError as error:
        if error.code == "sync_offline":  # the server did not answer within git's timeout
            return SyncResult("sync_offline", committed=message)
        raise


def _exchange(
    ws: Workspace, identity: list[str], target: tuple[str, str], sent: int, message: str | None, memo: Remembered
) -> SyncResult:
    """Fetch, merge and push (again, when a colleague pushed first); the outcome."""
    root = ws.root
    remote, branch = target
    received = 0
    for _attempt in range(3):
        outcome = _fetch_and_merge(ws, identity, remote, branch, message, memo)
        if isinstance(outcome, SyncResult):
            return outcome
        received += outcome
        tracking = f"refs/remotes/{remote}/{branch}"
        has_remote = git_run(root, "rev-parse", "--verify", "--quiet", tracking).returncode == 0
        outgoing = [
            f for f in range_findings(root, tracking if has_remote else None, memo=memo) if f.code not in NOTICES
        ]
        if outgoing:
            return SyncResult("sync_outgoing_rewrite", _first(outgoing), committed=message)
        push = git_run(root, "push", "-q", remote, f"HEAD:refs/heads/{branch}", missing="sync_offline")
        if push.returncode == 0:
            return SyncResult("sync_done", {"sent": sent, "received": received}, committed=message)
        error = push.stderr.decode("utf-8", "replace")
        low = error.lower()
        if any(p in low for p in _REJECTED):
            continue  # a colleague got there first: fetch, merge and push again
        if _refused_push(error):
            return SyncResult("sync_push_refused", {"detail": _last_line(error)}, committed=message)
        if _offline(error):
            return SyncResult("sync_offline", committed=message)
        return SyncResult("sync_push_failed", {"detail": _last_line(error)}, committed=message)
    return SyncResult("sync_rejected", committed=message)


def _fetch_and_merge(
    ws: Workspace, identity: list[str], remote: str, branch: str, message: str | None, memo: Remembered
) -> int | SyncResult:
    """Fetch the upstream branch, check the incoming commits, merge and check the merge; the
    number of commits received, or the outcome that stops the sync."""
    root = ws.root
    tracking = f"refs/remotes/{remote}/{branch}"
    fetch = git_run(root, "fetch", "-q", remote, f"+refs/heads/{branch}:{tracking}", missing="sync_offline")
    if fetch.returncode != 0:
        error = fetch.stderr.decode("utf-8", "replace")
        if "couldn't find remote ref" in error.lower():
            return 0  # an empty shared copy: the push fills it
        if _offline(error):
            return SyncResult("sync_offline", committed=message)
        return SyncResult("sync_pull_failed", {"detail": _last_line(error)}, committed=message)
    incoming = int(_out(root, "rev-list", "--count", f"HEAD..{tracking}") or 0)
    if not incoming:
        return 0  # nothing arrived: nothing to check or merge
    found = [f for f in range_findings(root, "HEAD", tracking, memo=memo) if f.code not in NOTICES]
    if found:
        return SyncResult("sync_incoming_rewrite", _first(found), committed=message)
    with _merging_in_process(root):
        merge = git_run(root, *identity, "merge", "-q", "--no-commit", "--no-verify", tracking)
    merged_here, left = _merge_records(root, memo)
    unmerged = _out(root, "diff", "--name-only", "--diff-filter=U").split() if left else []
    if unmerged or (merge.returncode != 0 and not merged_here):
        git_run(root, "merge", "--abort")
        if unmerged:
            return SyncResult("sync_conflict", {"files": ", ".join(unmerged)}, committed=message)
        detail = _last_line((merge.stderr or merge.stdout).decode("utf-8", "replace"))
        return SyncResult("sync_pull_failed", {"detail": detail}, committed=message)
    if git_run(root, "rev-parse", "-q", "--verify", "MERGE_HEAD").returncode == 0:
        merged = [f for f in history_findings(root, staged_only=True, memo=memo) if f.code not in NOTICES]
        if merged:
            git_run(root, "merge", "--abort")
            return SyncResult("sync_merge_refused", _first(merged), committed=message)
        # --cleanup=strip: the "# Conflicts:" lines git notes for the records merged here are not
        # part of the message (the merge commit reads as one the driver made).
        done = git_run(root, *identity, "commit", "-q", "--no-verify", "--no-edit", "--cleanup=strip")
        if done.returncode != 0:
            git_run(root, "merge", "--abort")
            detail = _last_line(done.stderr.decode("utf-8", "replace"))
            return SyncResult("sync_pull_failed", {"detail": detail}, committed=message)
    return incoming


# --- merging every record in this process ---------------------------------------------------------
#
# Git starts the merge driver once per file both sides changed: at a thousand records that is a
# thousand Python start-ups (about 27x git's own union merge). For the merge `imr sync` makes,
# the records are marked `merge=binary` in the clone's own attributes file (it takes precedence
# over .gitattributes) for the one `git merge` call: git leaves each record both sides changed
# unmerged, with the base, ours and theirs in the index, and sync joins them here with the same
# merge function the driver runs, writes the results and stages them. A record the function
# refuses stays unmerged, so the merge stops exactly as with the driver. A raw `git pull` still
# runs the driver.
#
# One sync reads every record's versions several times (the incoming commits' check, this merge,
# the check of the staged merge, the outgoing commits' check) and judges the merge twice (staged,
# then as the merge commit it became): a `Remembered` (see imr.gates.history) carries the blobs
# read by id and the merge judgments from one step to the next, and the merged bytes written
# here, under the id git gives them if it stores them unchanged.

_OVERRIDE_MARK = "# imr sync: records merged in one process; removed after the merge\n"


def _hooks_in_place(root: Path, said: bytes) -> bool:
    """Both of imr's hooks are in the clone's hooks folder (`git rev-parse --git-path hooks`): a
    hook deleted by hand is put back by the next sync, as `imr init .` would (two stats, no git)."""
    folder = Path(said.decode("utf-8", "surrogateescape").strip())
    folder = folder if folder.is_absolute() else root / folder
    return all((folder / name).is_file() for name in gitsetup.HOOKS)


def _attributes_file(root: Path, said: bytes | None = None) -> Path:
    """The clone's own attributes file (`git rev-parse --git-path info/attributes`)."""
    if said is None:
        said = git_run(root, "rev-parse", "--git-path", "info/attributes").stdout
    path = Path(said.decode("utf-8", "surrogateescape").strip())
    return path if path.is_absolute() else root / path


def _drop_override(file: Path) -> None:
    """Remove the lines `_merging_in_process` adds, if a stopped sync left them."""
    with contextlib.suppress(FileNotFoundError):
        text = read_regular(file).decode("utf-8", "replace")
        if _OVERRIDE_MARK in text:
            kept = text[: text.index(_OVERRIDE_MARK)]
            if kept:
                replace_atomically(file, kept.encode("utf-8"), sync=False)
            else:
                file.unlink()


@contextlib.contextmanager
def _merging_in_process(root: Path) -> Iterator[None]:
    """For one merge, git leaves the records both sides changed to `_merge_records`."""
    said = git_run(root, "rev-parse", "--show-prefix", "--git-path", "info/attributes").stdout
    prefix, _newline, path = said.decode("utf-8", "surrogateescape").partition("\n")
    if not all(c.isalnum() or c in "/._-" for c in prefix):
        yield  # a folder name an attributes pattern cannot hold as it is: the driver merges
        return
    file = _attributes_file(root, path.encode("utf-8", "surrogateescape"))
    try:
        before = read_regular(file)
    except FileNotFoundError:
        before = b""
    lines = "".join(f"{prefix}{folder}/*.yaml merge=binary\n" for folder in TRACKED)
    separator = b"" if not before or before.endswith(b"\n") else b"\n"
    file.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(file, before + separator + (_OVERRIDE_MARK + lines).encode("utf-8"), sync=False)
    try:
        yield
    finally:
        _drop_override(file)


def _merge_records(root: Path, memo: Remembered | None = None) -> tuple[list[str], bool]:
    """Join every unmerged record and group file with the merge function: the paths staged,
    and whether any file is still unmerged.

    A file the function refuses (a rewrite, text it cannot read) stays unmerged and is named
    in the conflict, as when the driver refuses it.
    """
    listing = git_run(root, "ls-files", "-z", "--unmerged", "--", ":(top)").stdout
    stages: dict[str, dict[str, tuple[str, str]]] = {}
    for record in listing.split(b"\0"):
        if b"\t" not in record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, sha, stage = meta.decode().split()
        stages.setdefault(name.decode("utf-8", "surrogateescape"), {})[stage] = (mode, sha)
    wanted = {
        path: versions
        for path, versions in stages.items()
        if is_log_file(path)
        and "2" in versions
        and "3" in versions
        and all(mode in ("100644", "100755") for mode, _sha in versions.values())
    }
    if not wanted:
        return [], bool(stages)
    blobs = stored_blobs(root, [sha for versions in wanted.values() for _mode, sha in versions.values()], memo)
    staged: list[str] = []
    for path, versions in sorted(wanted.items()):
        base, ours, theirs = (blobs.get(versions[k][1], b"") if k in versions else b"" for k in "123")
        outcome = merge_logs(base, ours, theirs)
        if outcome.text is None:
            continue
        target = root / path
        try:
            file_mode = os.lstat(target).st_mode & 0o777
        except FileNotFoundError:
            file_mode = 0o644
        merged = outcome.text.encode("utf-8")
        replace_atomically(target, merged, file_mode, sync=False)
        if memo is not None:
            memo.wrote(merged, len(versions["2"][1]))
        staged.append(path)
    if staged:
        paths = "".join(f"{path}\0" for path in staged).encode("utf-8", "surrogateescape")
        added = git_run(
            root, "--literal-pathspecs", "add", "--pathspec-from-file=-", "--pathspec-file-nul", input=paths
        )
        if added.returncode != 0:
            return [], True
    return staged, len(staged) < len(stages)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
