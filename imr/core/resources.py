"""Where the built-in curriculum and templates are, in a checkout and in an installed wheel.

A wheel carries them under `imr/_data/`; an editable install or a source checkout has them
at the repository root. A workspace may override any file by putting one at the same
relative path in its own `curriculum/` or `templates/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from imr.core.files import is_regular_below

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def builtin_dir(name: str) -> Path:
    """The built-in `curriculum` or `templates` folder."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def search_path(name: str, workspace_root: Path | None) -> list[Path]:
    """Folders to look in for `name` files, most specific first."""
    dirs = []
    if workspace_root is not None:
        own = workspace_root / name
        if own.is_dir() and own.resolve() != builtin_dir(name).resolve():
            dirs.append(own)
    dirs.append(builtin_dir(name))
    return dirs


def find_file(name: str, relative: str, workspace_root: Path | None) -> Path | None:
    for base in search_path(name, workspace_root):
        candidate = base / relative
        if is_regular_below(base, relative):  # a link is never followed (a workspace's own file or not)
            return candidate
    return None
