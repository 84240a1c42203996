"""`imr share PLACE`: make the shared copy once, so every clone syncs with the same branch.

PLACE is a folder (a bare repository is made there, or an empty one is used) or a git URL
(the server's empty repository). The whole workspace is checked, committed (imr.yaml, the
git setup and the CI files included, never what .gitignore leaves out), pushed, and the
branch's upstream is set, so `imr sync` pushes to the same branch in every clone whatever
the local branch is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.git import run as git_run
from imr.gates.check import check_workspace
from imr.gates.history import NOTICES, history_findings
from imr.gates.integrity import NOTICES as LOOK_OVER
from imr.gates.integrity import RESOLVED_AFTER_MERGE
from imr.gates.sync import _identity, _last_line, _offline, _out, _refused_push
from imr.workspace import gitsetup
from imr.workspace.folder import Workspace

REMOTE = "origin"


@dataclass
class ShareResult:
    place: str
    branch: str
    made_bare: bool = False
    committed: bool = False
    params: dict = field(default_factory=dict)


def is_url(place: str) -> bool:
    """A git URL (`https://…`, `ssh://…`, `git://…`, `file://…`, or scp-like `user@host:path`)."""
    if "://" in place:
        return True
    head = place.split(":", 1)[0]
    return ":" in place and "/" not in head and "\\" not in head and len(head) > 1


def share(ws: Workspace, place: str, signature: str) -> ShareResult:
    root = ws.root
    if git_run(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise ImrError("share_not_git", path=str(root))
    gitsetup.install(root)
    findings = [
        f
        for f in check_workspace(ws) + history_findings(root)
        if f.code not in NOTICES and f.code not in LOOK_OVER and f.code not in RESOLVED_AFTER_MERGE
    ]
    if findings:
        raise ImrError("share_check_failed", count=len(findings), first=findings[0].message(ws.lang))
    branch = _out(root, "symbolic-ref", "-q", "--short", "HEAD")
    if not branch:
        raise ImrError("share_detached")
    remotes = _out(root, "remote").split()
    made_bare = False
    url = place
    if not is_url(place):
        folder = Path(place).expanduser()
        folder = folder if folder.is_absolute() else (Path.cwd() / folder)
        folder = folder.resolve()
        if folder == root or root in folder.parents:
            raise ImrError("share_inside_workspace", path=str(folder))
        if folder.exists() and any(folder.iterdir()):
            if _out(folder, "rev-parse", "--is-bare-repository") != "true":
                raise ImrError("share_folder_not_empty", path=str(folder))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            made = git_run(folder, "init", "-q", "--bare", f"--initial-branch={branch}")
            if made.returncode != 0:
                made = git_run(folder, "init", "-q", "--bare")
                if made.returncode != 0:
                    raise ImrError("share_failed", detail=_last_line(made.stderr.decode("utf-8", "replace")))
                git_run(folder, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
            made_bare = True
        url = str(folder)
    if REMOTE in remotes:
        current = _out(root, "remote", "get-url", REMOTE)
        if current != url:
            raise ImrError("share_other_remote", remote=REMOTE, url=current)
    else:
        git_run(root, "remote", "add", REMOTE, url)
    git_run(root, "add", "-A")
    committed = False
    if (
        git_run(root, "diff", "--cached", "--quiet").returncode != 0
        or git_run(root, "rev-parse", "-q", "--verify", "HEAD").returncode != 0
    ):
        done = git_run(
            root,
            *_identity(root, signature),
            "commit",
            "-q",
            "--no-verify",
            "-m",
            f"imr share ({signature}): the workspace",
        )
        if done.returncode != 0:
            raise ImrError("share_failed", detail=_last_line((done.stderr or done.stdout).decode("utf-8", "replace")))
        committed = True
    try:
        push = git_run(root, "push", "-q", "--no-verify", "-u", REMOTE, f"HEAD:refs/heads/{branch}")
    except ImrError:  # no answer within git's timeout
        raise ImrError("share_offline", url=url) from None
    if push.returncode != 0:
        error = push.stderr.decode("utf-8", "replace")
        if _refused_push(error):
            raise ImrError("share_refused", detail=_last_line(error))
        if _offline(error):
            raise ImrError("share_offline", url=url)
        if "fetch first" in error or "non-fast-forward" in error:
            raise ImrError("share_not_empty", url=url)
        raise ImrError("share_failed", detail=_last_line(error))
    # `push -u` with HEAD:refs/heads/<branch> sets the upstream; say it plainly for old gits too.
    git_run(root, "config", f"branch.{branch}.remote", REMOTE)
    git_run(root, "config", f"branch.{branch}.merge", f"refs/heads/{branch}")
    return ShareResult(place=url, branch=branch, made_bare=made_bare, committed=committed)
