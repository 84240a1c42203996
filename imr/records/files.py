"""What counts as a record or group file: a regular file, never a link or anything else.

Kept apart from the writer so that readers (a plan, a status row) can refuse a link without
importing the writer and its lock library.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from imr.errors import ImrError


def check_regular(path: Path, missing_ok: bool = False) -> bool:
    """True for a regular file, False for a missing one (when allowed); refuse links and others."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if missing_ok:
            return False
        raise
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise ImrError("not_regular_file", path=_shown(path))
    return True


def _shown(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)
