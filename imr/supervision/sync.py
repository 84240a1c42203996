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

from imr.strings import strings
from imr.supervision.check import check_workspace
from imr.supervision.history import history_findings
from imr.workspace import gitsetup
from imr.workspace.folder import Workspace, open_workspace

_OFFLINE = ("could not resolve host", "unable to access", "could not read from remote", "connection refused",
            "does not appear to be a git repository", "network is unreachable", "timed out",
            "no such file or directory")
_REJECTED = ("rejected", "fetch first", "non-fast-forward")
TRACKED = ("records", "groups")


@dataclass
class SyncResult:
    outcome: str
    params: dict = field(default_factory=dict)
    committed: str | None = None  # the commit message when own entries were committed


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=_env(), timeout=120)


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
            new = yaml.safe_load((root / path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        old_text = _git(root, "show", f"HEAD:{path}")
        old = yaml.safe_load(old_text.stdout) if old_text.returncode == 0 else {}
        log_new = new.get("log") if isinstance(new, dict) else None
        log_old = (old or {}).get("log") if isinstance(old, dict) else None
        added = (log_new or [])[len(log_old or []):]
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


def sync(ws: Workspace, signature: str) -> SyncResult:
    root = ws.root
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except OSError:
        return SyncResult("sync_no_git")
    if inside.returncode != 0:
        return SyncResult("sync_not_git")
    gitsetup.install(root)  # a fresh clone has no merge driver registered yet
    message = None
    changed = own_changes(root)
    if changed:
        message = commit_message(ws, root, changed, signature)
        _git(root, "add", "--", *changed)
        done = _git(root, *_identity(root, signature), "commit", "-q", "-m", message, "--", *changed)
        if done.returncode != 0:
            _git(root, "reset", "-q", "--", *changed)
            return SyncResult("sync_commit_refused")
    remotes = _git(root, "remote").stdout.split()
    if not remotes:
        return SyncResult("sync_no_remote", committed=message)
    before = _git(root, "rev-parse", "HEAD").stdout.strip()
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    target = [] if upstream.returncode == 0 else [remotes[0], branch]
    pull = _git(root, *_identity(root, signature), "pull", "-q", "--no-rebase", "--no-edit", *target)
    if pull.returncode != 0:
        unmerged = _git(root, "diff", "--name-only", "--diff-filter=U").stdout.split()
        if unmerged:
            _git(root, "merge", "--abort")
            return SyncResult("sync_conflict", {"files": ", ".join(unmerged)}, committed=message)
        low = pull.stderr.lower()
        if "couldn't find remote ref" in low:
            pass  # an empty shared copy: nothing to fetch yet, the push below fills it
        elif _offline(pull.stderr):
            return SyncResult("sync_offline", committed=message)
        else:
            return SyncResult("sync_pull_failed", {"detail": _last_line(pull.stderr)}, committed=message)
    after = _git(root, "rev-parse", "HEAD").stdout.strip()
    received = int(_git(root, "rev-list", "--count", f"{before}..{after}").stdout.strip() or 0) if before else 0

    findings = check_workspace(open_workspace(root))
    if before and before != after:
        findings.extend(history_findings(root, since=before))
    if findings:
        return SyncResult("sync_check_failed", {"count": len(findings)}, committed=message)
    push = _git(root, "push", "-q", *(["-u", remotes[0], branch] if target else []))
    if push.returncode != 0:
        low = push.stderr.lower()
        if any(p in low for p in _REJECTED):
            return SyncResult("sync_rejected", committed=message)
        if _offline(push.stderr):
            return SyncResult("sync_offline", committed=message)
        return SyncResult("sync_push_failed", {"detail": _last_line(push.stderr)}, committed=message)
    return SyncResult("sync_done", {"sent": len(changed), "received": received}, committed=message)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
