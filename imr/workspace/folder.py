"""The workspace: a folder with `imr.yaml`, `records/`, `groups/`, usually a git repository.

Commands find it the way git finds a repository (an explicit option, then an environment
variable, then walking up from the current folder), so staff can work from any subfolder.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from imr.cache import YamlCache
from imr.curriculum.model import load_curriculum
from imr.errors import ImrError
from imr.records.ids import _shown, check_participant_id
from imr.records.writer import JOURNAL_NAME, recover
from imr.workspace.user_settings import resolve
from imr.yamlio import YamlProblem, dump

CONFIG_NAME = "imr.yaml"
ENV_WORKSPACE = "IMR_WORKSPACE"
ENV_SIGNATURE = "IMR_SIGNATURE"
_SIGNATURE = re.compile(r"[^\W_][\w .-]{0,39}")

GITIGNORE_HEADER = "# imr: rendered documents, caches, the lock and temporary files are not records.\n"
# Without a trailing slash, so that a file or a link of that name is ignored too, not only a folder.
GITIGNORE_LINES = [
    "/out",
    ".imr-cache",
    ".imr.lock",
    ".*.tmp-*",
]


@dataclass
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    # The user's own config folder (typer.get_app_dir("imr") in the CLI); None: git config only.
    user_config_dir: Path | None = None

    @property
    def lang(self) -> str:
        lang = self.config.get("language", "sv")
        return lang if lang in ("sv", "en") else "sv"

    @property
    def name(self) -> str:
        return str(self.config.get("name") or self.root.name)

    @property
    def allowed_words(self) -> frozenset[str]:
        """Words the ward lists in `imr.yaml` (`allowed_words:`) that look like names but are not
        (a place on the ward, a programme term); the privacy guard lets them through."""
        value = self.config.get("allowed_words")
        if not isinstance(value, list):
            return frozenset()
        return frozenset(str(v).casefold() for v in value if isinstance(v, str))

    @property
    def records_dir(self) -> Path:
        return self.root / "records"

    @property
    def groups_dir(self) -> Path:
        return self.root / "groups"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def lock_path(self) -> Path:
        return self.root / ".imr.lock"

    def record_path(self, participant_id: str) -> Path:

        return self.records_dir / f"{check_participant_id(participant_id)}.yaml"

    @cached_property
    def curriculum(self):

        return load_curriculum(self.lang, self.root)

    def signature(self, given: str | None = None) -> str:
        """Who signs an entry: `--by`, IMR_SIGNATURE, `git config imr.signature`, the user's settings.

        Never `signature:` in imr.yaml: that file is shared by every clone (imr check reports it).
        """

        found = resolve("signature", given, self.root, self.user_config_dir)
        if found.value is None:
            raise ImrError("no_signature")
        return check_signature(str(found.value))

    def defaults(self) -> dict[str, Any]:
        value = self.config.get("defaults")
        return value if isinstance(value, dict) else {}


def check_signature(value: str) -> str:
    value = value.strip()
    if not value:
        raise ImrError("empty_signature")
    if not _SIGNATURE.fullmatch(value):

        raise ImrError("bad_signature", signature=_shown(value))
    return value


def find_workspace(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Workspace:
    """Locate and open the workspace; one clear error if there is none."""
    if explicit is not None:
        root = Path(explicit)
        if not (root / CONFIG_NAME).is_file():
            raise ImrError("not_a_workspace", path=str(root))
        return open_workspace(root)
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        root = Path(env)
        if not (root / CONFIG_NAME).is_file():
            raise ImrError("env_not_a_workspace", path=env)
        return open_workspace(root)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder)
    raise ImrError("no_workspace", path=str(here))


def open_workspace(root: Path) -> Workspace:

    root = root.resolve()
    try:
        cache = YamlCache(root, "config")
        config = cache.load(root / CONFIG_NAME)
        cache.save()
    except YamlProblem as problem:
        raise ImrError("bad_config", path=f"{root / CONFIG_NAME}:{problem.line}") from None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ImrError("bad_config", path=str(root / CONFIG_NAME))
    ws = Workspace(root=root, config=config)
    if (root / JOURNAL_NAME).exists():  # a group write was killed midway: complete it before anything reads

        recover(root, ws.lock_path)
    return ws


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
    except (OSError, ImrError, subprocess.SubprocessError) as problem:
        for step in reversed(undo):
            try:
                step()
            except OSError:
                pass
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
    from imr.workspace.gitsetup import append_missing_lines

    if not gitignore.exists():
        write_new(gitignore, GITIGNORE_HEADER + "\n".join(GITIGNORE_LINES) + "\n")
        undo.append(lambda: gitignore.unlink(missing_ok=True))
        report.append(".gitignore")
    elif append_missing_lines(gitignore, GITIGNORE_LINES, GITIGNORE_HEADER, undo):
        report.append(".gitignore")
    if not _is_git_repository(directory):
        git_dir = directory / ".git"
        undo.append(lambda: _remove_tree(git_dir))
        try:
            result = subprocess.run(["git", "init", "-q", str(directory)], capture_output=True)
        except OSError:
            raise ImrError("git_init_failed", path=str(directory)) from None
        if result.returncode != 0:
            raise ImrError("git_init_failed", path=str(directory))
        report.append(".git/")
    from imr.workspace.gitsetup import install

    report.extend(install(directory, None, report.warnings, undo))
    if _ignores_records(directory):
        report.warnings.append(("init_records_ignored", {"path": str(directory / ".gitignore")}))


def _is_git_repository(directory: Path) -> bool:
    """Whether `directory` has its own repository (`.git`, a folder or a worktree's file)."""
    return os.path.lexists(directory / ".git")


def _ignores_records(directory: Path) -> bool:
    """An existing `.gitignore` that would keep records or group files out of git."""
    result = subprocess.run(["git", "-C", str(directory), "check-ignore", "--no-index",
                             "records/p-01.yaml", "groups/grupp.yaml"], capture_output=True)
    return result.returncode == 0 and bool(result.stdout.strip())


def _remove_tree(path: Path) -> None:
    import shutil

    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def write_new(path: Path, text: str | bytes, mode: int | None = None) -> None:
    """Create a file that must not exist yet, whole or not at all (a second `init` never overwrites).

    The text goes to a temporary file beside it first and is then linked into place, which
    fails if the name exists; a full disk leaves no truncated file for the next run to trust.
    """
    temp = _write_temp(path, text, mode)
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: as close as it allows
            if os.path.lexists(path):
                raise FileExistsError(str(path)) from None
            os.replace(temp, path)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def replace_file(path: Path, text: str | bytes, mode: int | None = None) -> None:
    """Write a file imr itself made earlier anew, atomically."""
    temp = _write_temp(path, text, mode)
    try:
        os.replace(temp, path)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def _write_temp(path: Path, text: str | bytes, mode: int | None) -> Path:
    path = Path(path)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(temp, "xb") as handle:
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            handle.close()
            os.unlink(temp)
            raise
    if mode is not None:
        os.chmod(temp, mode)
    return temp
