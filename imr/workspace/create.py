"""`imr init`: a new workspace, or what an existing folder or repository lacks, all or nothing.

Kept apart from the workspace itself (`imr.workspace.folder`) because it also sets up git
(`imr.workspace.gitsetup`), which in turn opens workspaces: each module imports only downwards.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from imr.core import git
from imr.core.errors import ImrError
from imr.core.yamlio import dump
from imr.workspace.folder import CONFIG_NAME, write_new
from imr.workspace.gitsetup import append_missing_lines, install

GITIGNORE_HEADER = "# imr: rendered documents, caches, the lock and temporary files are not records.\n"
# Without a trailing slash, so that a file or a link of that name is ignored too, not only a folder.
GITIGNORE_LINES = [
    "/out",
    ".imr-cache",
    ".imr.lock",
    ".*.tmp-*",
]


class InitReport(list):
    """What `imr init` created (a list of names), and what a person must still look at."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[tuple[str, dict]] = []


def init_workspace(directory: Path, lang: str = "sv", name: str | None = None) -> InitReport:
    """Create what is missing of a workspace; never overwrite. Returns what was created.

    Runs as one unit: every file is written whole or not at all (temp file, then link into
    place), and when a step fails, what this run made is taken back, so a workspace is never
    left half made; running `imr init` again completes whatever an earlier run lacked.
    """
    if lang not in ("sv", "en"):
        raise ImrError("bad_language", lang=lang)
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise ImrError("init_not_a_folder", path=str(directory))
    report = InitReport()
    undo: list = []
    try:
        _init_steps(directory, lang, name, report, undo)
    except (OSError, ImrError) as problem:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        if isinstance(problem, ImrError):
            detail = problem.message(lang)
        else:
            detail = getattr(problem, "strerror", None) or type(problem).__name__
            filename = getattr(problem, "filename", None)
            if filename:
                detail = f"{detail}: {filename}"
        raise ImrError("init_failed", path=str(directory), detail=str(detail)) from None
    return report


def _init_steps(directory: Path, lang: str, name: str | None, report: InitReport, undo: list) -> None:
    if not directory.exists():
        missing = [folder for folder in (directory, *directory.parents) if not folder.exists()]
        directory.mkdir(parents=True)
        for folder in reversed(missing):
            undo.append(lambda folder=folder: _remove_tree(folder))
    cache = directory / ".imr-cache"
    if not os.path.lexists(cache):  # reading settings and strings on the way may fill it
        undo.append(lambda: _remove_tree(cache))
    config = directory / CONFIG_NAME
    if not config.exists() and _is_git_repository(directory):
        _say_what_the_clone_is(directory, report)
    if not config.exists():
        body = {
            "name": name or directory.name,
            "language": lang,
            "defaults": {"format": "individual", "variant": "general"},
        }
        text = (
            "# imr workspace settings, shared by everyone who works here. Your own signature is\n"
            "# personal: `git config --global imr.signature AB` (see `imr whoami`), never here.\n"
        ) + dump(body)
        write_new(config, text)
        undo.append(lambda: config.unlink(missing_ok=True))
        report.append(CONFIG_NAME)
    for sub in ("records", "groups"):
        folder = directory / sub
        keep = folder / ".gitkeep"
        if not folder.exists():
            folder.mkdir()
            undo.append(lambda folder=folder: _remove_tree(folder))
            write_new(keep, "")
            report.append(sub + "/")
    gitignore = directory / ".gitignore"
    if not os.path.lexists(gitignore):  # a link is refused by append_missing_lines, not written through
        write_new(gitignore, GITIGNORE_HEADER + "\n".join(GITIGNORE_LINES) + "\n")
        undo.append(lambda: gitignore.unlink(missing_ok=True))
        report.append(".gitignore")
    elif append_missing_lines(gitignore, GITIGNORE_LINES, GITIGNORE_HEADER, undo):
        report.append(".gitignore")
    if not _is_git_repository(directory):
        git_dir = directory / ".git"
        undo.append(lambda: _remove_tree(git_dir))
        result = git.run(None, "init", "-q", str(directory), missing="git_init_failed")
        if result.returncode != 0:
            raise ImrError("git_init_failed", path=str(directory))
        report.append(".git/")
    report.extend(install(directory, None, report.warnings, undo))
    if _ignores_records(directory):
        report.warnings.append(("init_records_ignored", {"path": str(directory / ".gitignore")}))


def _say_what_the_clone_is(directory: Path, report: InitReport) -> None:
    """`imr init .` in a clone without imr.yaml: say whether the shared copy is empty (nobody
    has shared a workspace yet) or holds something else, instead of quietly making a second one."""
    remote = git.run(directory, "remote", "get-url", "origin")
    url = remote.stdout.decode("utf-8", "replace").strip()
    if remote.returncode != 0 or not url:
        return
    unborn = git.run(directory, "rev-parse", "-q", "--verify", "HEAD").returncode != 0
    report.warnings.append(
        ("init_empty_clone" if unborn else "init_existing_in_clone", {"path": str(directory), "url": url})
    )


def _is_git_repository(directory: Path) -> bool:
    """Whether `directory` has its own repository (`.git`, a folder or a worktree's file)."""
    return os.path.lexists(directory / ".git")


def _ignores_records(directory: Path) -> bool:
    """An existing `.gitignore` that would keep records or group files out of git."""
    result = git.run(directory, "check-ignore", "--no-index", "records/p-01.yaml", "groups/grupp.yaml")
    return result.returncode == 0 and bool(result.stdout.strip())


def _remove_tree(path: Path) -> None:
    import shutil

    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
