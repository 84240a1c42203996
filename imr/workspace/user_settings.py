"""Settings that belong to a person, not to the ward: the signature and the language.

`imr.yaml` is tracked by git and shared by every staff clone, so a signature written there would
sign everybody's entries. Each value is looked up, in order, on the command line, in an
environment variable, in git's own configuration (`git config imr.signature`, which git keeps
per user) and in a small `settings.yaml` in the user's config folder. The folder is passed in by
the caller (the CLI asks typer for the platform's place), so the library stays free of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from imr.core import git
from imr.core.errors import ImrError
from imr.core.files import read_regular, replace_atomically

SETTINGS_FILE = "settings.yaml"
ENV = {"signature": "IMR_SIGNATURE", "language": "IMR_LANG"}
GIT_KEY = {"signature": "imr.signature", "language": "imr.language"}


@dataclass(frozen=True)
class Setting:
    """A value and where it came from: `option`, `env`, `git`, `file` or `none`."""

    value: str | None
    source: str
    where: str = ""


def settings_path(config_dir: Path | None) -> Path | None:
    return None if config_dir is None else Path(config_dir) / SETTINGS_FILE


def _from_git(root: Path | None, key: str) -> str | None:
    try:
        done = git.run(root or None, "config", "--get", key, timeout=10)
    except ImrError:
        return None  # no git on this computer: the other places still count
    value = done.stdout.decode("utf-8", "replace").strip()
    return value if done.returncode == 0 and value else None


def _from_file(config_dir: Path | None, key: str) -> str | None:
    path = settings_path(config_dir)
    if path is None:
        return None
    try:  # never a link's target: a linked settings file counts as none (saving to it is refused)
        text = read_regular(path).decode("utf-8")
    except (OSError, ImrError, UnicodeDecodeError):
        return None  # most users have no settings file: the YAML parser is not even imported
    from imr.core.yamlio import YamlProblem, parse_text

    try:
        data = parse_text(text)
    except YamlProblem:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value).strip() if value is not None and str(value).strip() else None


def resolve(name: str, given: str | None, root: Path | None, config_dir: Path | None) -> Setting:
    """The value of `signature` or `language` in effect, and its source."""
    if given is not None:
        return Setting(given, "option")
    env = os.environ.get(ENV[name])
    if env:
        return Setting(env, "env", ENV[name])
    value = _from_git(root, GIT_KEY[name])
    if value:
        return Setting(value, "git", GIT_KEY[name])
    value = _from_file(config_dir, name)
    if value:
        return Setting(value, "file", str(settings_path(config_dir)))
    return Setting(None, "none")


def save(config_dir: Path, name: str, value: str) -> Path:
    """Write one value into the user's settings file (created when missing).

    Read without following a link and replaced atomically, never written through one: a settings
    file that is a link is refused with one sentence (issue 26); so is one that is not YAML."""
    from imr.core.yamlio import YamlProblem, decode, dump, parse_text

    path = settings_path(config_dir)
    assert path is not None
    data: dict = {}
    try:
        loaded = parse_text(decode(read_regular(path)))
        data = dict(loaded) if isinstance(loaded, dict) else {}
    except FileNotFoundError:
        pass
    except YamlProblem as problem:
        raise ImrError("bad_config", path=f"{path}:{problem.line}") from None
    data[name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, dump(dict(sorted(data.items(), key=lambda pair: str(pair[0])))).encode("utf-8"))
    return path
