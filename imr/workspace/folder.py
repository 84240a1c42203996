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

from imr.core.cache import YamlCache
from imr.core.errors import ImrError
from imr.core.files import check_workspace_folders, create_temp
from imr.core.yamlio import YamlProblem
from imr.curriculum.model import load_curriculum
from imr.records.ids import _shown, check_participant_id
from imr.records.pii import MAX_SIGNATURE_CHARS, signature_shape_ok
from imr.records.writer import JOURNAL_NAME, recover
from imr.workspace.user_settings import resolve

CONFIG_NAME = "imr.yaml"
ENV_WORKSPACE = "IMR_WORKSPACE"
ENV_SIGNATURE = "IMR_SIGNATURE"
_SIGNATURE = re.compile(r"[^\W_][\w .-]{0,39}")


@dataclass
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    # The user's own config folder (typer.get_app_dir("imr") in the CLI); None: git config only.
    user_config_dir: Path | None = None
    # The language asked for on this run (`--lang`, IMR_LANG, the user's own setting), over imr.yaml's.
    lang_override: str | None = None

    @property
    def lang(self) -> str:
        lang = self.lang_override or self.config.get("language", "sv")
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
    if not signature_shape_ok(value):  # initials or a short code, never a name
        raise ImrError("signature_not_initials", signature=_shown(value), limit=MAX_SIGNATURE_CHARS)
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
    check_workspace_folders(root)  # records/, out/, .imr-cache/ ... as links: one sentence, nothing read
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
    data = text.encode("utf-8") if isinstance(text, str) else text
    return create_temp(path, data, 0o644 if mode is None else mode)
