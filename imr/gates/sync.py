"""`imr sync`: share the ward's records through git for people who never use git.

One call commits the user's own new entries (with a message naming participants and kinds,
signed), pulls with the merge driver, checks the result, and pushes only when it is clean.
Every git situation ends in one outcome code with its parameters; the CLI turns it into one
sentence. Nothing is lost on any path: a conflicted merge is aborted (the user's commit stays),
a refused push leaves the commit for the next sync.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.files import read_regular
from imr.core.strings import strings
from imr.gates.check import check_workspace
from imr.gates.history import NOTICES, history_findings, is_log_file, range_findings
from imr.gates.integrity import NOTICES as LOOK_OVER
from imr.gates.integrity import RESOLVED_AFTER_MERGE
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
TRACKED = ("records", "groups")


@dataclass
class SyncResult:
    outcome: str
    params: dict = field(default_factory=dict)
    committed: str | None = None  # the commit message when own entries were committed


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=_env(), timeout=120)


def _env():
    import os

    # English git messages are parsed below; the user only ever sees imr's own sentence.
    return {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT": "0"}


def _identity(root: Path, signature: str) -> list[str]:
    """`-c user.name/email` for a clone with no git identity, so the commit is signed anyway."""
    args: list[str] = []
    if not _git(root, "config", "user.name").stdout.strip():
        args += ["-c", f"user.name={signature}"]
    if not _git(root, "config", "user.email").stdout.strip():
        args += ["-c", f"user.email={signature.replace(' ', '.')}@imr.invalid"]
    return args


def own_changes(root: Path) -> list[str]:
    """Files under records/ and groups/ that differ from the last commit (new entries)."""
    done = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *TRACKED)
    return sorted(line[3:].strip().strip('"') for line in done.stdout.splitlines() if line.strip())


def commit_message(ws: Workspace, root: Path, paths: list[str], signature: str) -> str:
    """`imr sync (KL): p-01 träff, mål; p-02 frånvaro` – who, for whom, what kinds."""
    import yaml

    kinds_shown = strings(ws.lang, ws.root).get("values", {}).get("kind", {})
    parts = []
    for path in paths:
        name = Path(path).stem
        try:
            new = yaml.safe_load(read_regular(root / path).decode("utf-8")) or {}  # never through a link
        except (OSError, ImrError, UnicodeDecodeError, yaml.YAMLError):
            continue
        old_text = _git(root, "show", f"HEAD:{path}")
        old = yaml.safe_load(old_text.stdout) if old_text.returncode == 0 else {}
        log_new = new.get("log") if isinstance(new, dict) else None
        log_old = (old or {}).get("log") if isinstance(old, dict) else None
        added = (log_new or [])[len(log_old or []) :]
        kinds: list[str] = []
        for entry in added:
            kind = str(entry.get("kind")) if isinstance(entry, dict) else "?"
            shown = str(kinds_shown.get(kind, kind))
            if shown not in kinds:
                kinds.append(shown)
        parts.append(f"{name} {', '.join(kinds)}".strip())
    return f"imr sync ({signature}): " + ("; ".join(parts) or ", ".join(paths))


def _offline(text: str) -> bool:
    low = text.lower()
    return any(p in low for p in _OFFLINE)


def _refused_push(text: str) -> bool:
    """A push the server refused for a reason other than a race: a hook, a protected branch, rights."""
    low = text.lower()
    return any(p in low for p in _REFUSED)


def upstream_of(root: Path) -> tuple[str, str] | None:
    """(remote, branch on the remote) this branch syncs with, or None without an upstream."""
    branch = _git(root, "symbolic-ref", "-q", "--short", "HEAD").stdout.strip()
    if not branch:
        return None
    remote = _git(root, "config", f"branch.{branch}.remote").stdout.strip()
    merge = _git(root, "config", f"branch.{branch}.merge").stdout.strip()
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
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except OSError:
        return SyncResult("sync_no_git")
    if inside.returncode != 0:
        return SyncResult("sync_not_git")
    gitsetup.install(root)  # a fresh clone has no merge driver registered yet
    # Duplicates a merge revealed are resolved by a new entry (a correction), so they are shown by
    # `imr check` and `imr status` but never keep a clone from sending that correction.
    findings = [f for f in check_workspace(ws) if f.code not in RESOLVED_AFTER_MERGE and f.code not in LOOK_OVER]
    findings.extend(f for f in history_findings(root) if f.code not in NOTICES)
    if findings:
        return SyncResult("sync_check_before", _first(findings))
    message = None
    changed = [path for path in own_changes(root) if is_log_file(path)]
    if changed:
        message = commit_message(ws, root, changed, signature)
        _git(root, "add", "--", *changed)
        done = _git(root, *_identity(root, signature), "commit", "-q", "--no-verify", "-m", message, "--", *changed)
        if done.returncode != 0:
            _git(root, "reset", "-q", "--", *changed)
            return SyncResult("sync_commit_refused")
    target = upstream_of(root)
    if target is None:
        return SyncResult(
            "sync_no_upstream" if _git(root, "remote").stdout.split() else "sync_no_remote", committed=message
        )
    remote, branch = target
    received = 0
    for _attempt in range(3):
        outcome = _fetch_and_merge(ws, signature, remote, branch, message)
        if isinstance(outcome, SyncResult):
            return outcome
        received += outcome
        tracking = f"refs/remotes/{remote}/{branch}"
        has_remote = _git(root, "rev-parse", "--verify", "--quiet", tracking).returncode == 0
        outgoing = [f for f in range_findings(root, tracking if has_remote else None) if f.code not in NOTICES]
        if outgoing:
            return SyncResult("sync_outgoing_rewrite", _first(outgoing), committed=message)
        push = _git(root, "push", "-q", remote, f"HEAD:refs/heads/{branch}")
        if push.returncode == 0:
            return SyncResult("sync_done", {"sent": len(changed), "received": received}, committed=message)
        low = push.stderr.lower()
        if any(p in low for p in _REJECTED):
            continue  # a colleague got there first: fetch, merge and push again
        if _refused_push(push.stderr):
            return SyncResult("sync_push_refused", {"detail": _last_line(push.stderr)}, committed=message)
        if _offline(push.stderr):
            return SyncResult("sync_offline", committed=message)
        return SyncResult("sync_push_failed", {"detail": _last_line(push.stderr)}, committed=message)
    return SyncResult("sync_rejected", committed=message)


def _fetch_and_merge(ws: Workspace, signature: str, remote: str, branch: str, message: str | None) -> int | SyncResult:
    """Fetch the upstream branch, check the incoming commits, merge and check the merge; the
    number of commits received, or the outcome that stops the sync."""
    root = ws.root
    fetch = _git(root, "fetch", "-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    if fetch.returncode != 0:
        if "couldn't find remote ref" in fetch.stderr.lower():
            return 0  # an empty shared copy: the push fills it
        if _offline(fetch.stderr):
            return SyncResult("sync_offline", committed=message)
        return SyncResult("sync_pull_failed", {"detail": _last_line(fetch.stderr)}, committed=message)
    tracking = f"refs/remotes/{remote}/{branch}"
    incoming = int(_git(root, "rev-list", "--count", f"HEAD..{tracking}").stdout.strip() or 0)
    if not incoming:
        return 0
    found = [f for f in range_findings(root, "HEAD", tracking) if f.code not in NOTICES]
    if found:
        return SyncResult("sync_incoming_rewrite", _first(found), committed=message)
    merge = _git(root, *_identity(root, signature), "merge", "-q", "--no-commit", "--no-verify", tracking)
    unmerged = _git(root, "diff", "--name-only", "--diff-filter=U").stdout.split()
    if merge.returncode != 0 or unmerged:
        _git(root, "merge", "--abort")
        if unmerged:
            return SyncResult("sync_conflict", {"files": ", ".join(unmerged)}, committed=message)
        return SyncResult("sync_pull_failed", {"detail": _last_line(merge.stderr or merge.stdout)}, committed=message)
    if _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD").returncode == 0:
        merged = [f for f in history_findings(root, staged_only=True) if f.code not in NOTICES]
        if merged:
            _git(root, "merge", "--abort")
            return SyncResult("sync_merge_refused", _first(merged), committed=message)
        done = _git(root, *_identity(root, signature), "commit", "-q", "--no-verify", "--no-edit")
        if done.returncode != 0:
            _git(root, "merge", "--abort")
            return SyncResult("sync_pull_failed", {"detail": _last_line(done.stderr)}, committed=message)
    return incoming


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
