"""The workspace: a folder with `imr.yaml`, `records/`, `groups/`, usually a git repository.

Commands find it the way git finds a repository (an explicit option, then an environment
variable, then walking up from the current folder), so staff can work from any subfolder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from imr.errors import ImrError

CONFIG_NAME = "imr.yaml"
ENV_WORKSPACE = "IMR_WORKSPACE"
ENV_SIGNATURE = "IMR_SIGNATURE"
_SIGNATURE = re.compile(r"[^\W_][\w .-]{0,39}")

GITIGNORE_LINES = [
    "# Rendered documents and caches are not records; keep them out of git.",
    "/out/",
    ".imr-cache/",
    ".imr.lock",
    ".*.tmp-*",
]


@dataclass
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)

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
        from imr.ids import check_participant_id

        return self.records_dir / f"{check_participant_id(participant_id)}.yaml"

    @cached_property
    def curriculum(self):
        from imr.curriculum import load_curriculum

        return load_curriculum(self.lang, self.root)

    def signature(self, given: str | None = None) -> str:
        """Who signs an entry: `--by`, then IMR_SIGNATURE, then `signature` in imr.yaml."""
        for candidate in (given, os.environ.get(ENV_SIGNATURE), self.config.get("signature")):
            if candidate is None:
                continue
            return check_signature(str(candidate))
        raise ImrError("no_signature")

    def defaults(self) -> dict[str, Any]:
        value = self.config.get("defaults")
        return value if isinstance(value, dict) else {}


def check_signature(value: str) -> str:
    value = value.strip()
    if not value:
        raise ImrError("empty_signature")
    if not _SIGNATURE.fullmatch(value):
        from imr.ids import _shown

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
    from imr.cache import YamlCache
    from imr.yamlio import YamlProblem

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
    from imr.writer import JOURNAL_NAME, recover

    if (root / JOURNAL_NAME).exists():  # a group write was killed midway: complete it before anything reads
        recover(root, ws.lock_path)
    return ws


def init_workspace(directory: Path, lang: str = "sv", name: str | None = None) -> list[str]:
    """Create what is missing of a workspace; never overwrite. Returns what was created."""
    if lang not in ("sv", "en"):
        raise ImrError("bad_language", lang=lang)
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise ImrError("init_not_a_folder", path=str(directory))
    created: list[str] = []
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    if not config.exists():
        from imr.yamlio import dump

        body = {
            "name": name or directory.name,
            "language": lang,
            "defaults": {"format": "individual", "variant": "general"},
        }
        text = (
            "# imr workspace settings. Your signature for entries can be set here as\n"
            "# `signature: AB` or per person with the IMR_SIGNATURE environment variable.\n"
        ) + dump(body)
        _write_new(config, text)
        created.append(CONFIG_NAME)
    for sub in ("records", "groups"):
        folder = directory / sub
        if not folder.exists():
            folder.mkdir()
            (folder / ".gitkeep").touch()
            created.append(sub + "/")
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        _write_new(gitignore, "\n".join(GITIGNORE_LINES) + "\n")
        created.append(".gitignore")
    if not (directory / ".git").exists():
        import subprocess

        try:
            subprocess.run(
                ["git", "init", "-q", str(directory)],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError):
            raise ImrError("git_init_failed", path=str(directory)) from None
        created.append(".git/")
    from imr.gitsetup import install

    created.extend(install(directory))
    return created


def _write_new(path: Path, text: str) -> None:
    """Create a file that must not exist yet (a second `init` never overwrites)."""
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
