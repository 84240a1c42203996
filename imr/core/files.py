"""What counts as a record or group file, and how imr reads and writes any file in a workspace.

A regular file, never a link or anything else: a link committed into `records/` (or named like
a temp file) must never carry a write or a read outside the workspace. So:

- `read_regular` opens a file without following a link (`O_NOFOLLOW` on POSIX; on Windows a
  reparse point is refused by `lstat` first) and refuses anything that is not a regular file,
  checked on the opened descriptor (a FIFO never blocks: it is opened non-blocking).
- `create_temp` makes a temp file beside its target under a random name with
  `O_CREAT|O_EXCL|O_NOFOLLOW` (`O_EXCL` alone on Windows, where it already refuses an existing
  name of any kind), so a planted link or file under a predictable name is never written through.
- `check_folder` refuses a workspace folder (`records/`, `out/`, `.imr-cache/`, ...) that is a link.

Kept apart from the writer so that readers (a plan, a status row) can refuse a link without
importing the writer and its lock library. Only portable calls: the same code runs on Windows.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from imr.core.errors import ImrError

TEMP_MARK = ".tmp-"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
# The folders of a workspace imr reads or writes files in; none may be a link.
WORKSPACE_FOLDERS = ("records", "groups", "out", ".imr-cache", "templates", "curriculum")


def check_regular(path: Path, missing_ok: bool = False) -> bool:
    """True for a regular file, False for a missing one (when allowed); refuse links and others."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if missing_ok:
            return False
        raise
    if _is_link(info) or not stat.S_ISREG(info.st_mode):
        raise ImrError("not_regular_file", path=_shown(path))
    return True


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file and no link (False for missing or anything else)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and not _is_link(info)


def is_regular_below(base: Path, relative: str) -> bool:
    """Whether `base/relative` is a regular file reached through no link below `base` (a linked
    subfolder of a workspace's own curriculum or templates is not followed either)."""
    current = base
    parts = Path(relative).parts
    for part in parts[:-1]:
        current = current / part
        try:
            info = os.lstat(current)
        except OSError:
            return False
        if _is_link(info) or not stat.S_ISDIR(info.st_mode):
            return False
    return is_regular(base / relative)


def _is_link(info: os.stat_result) -> bool:
    return stat.S_ISLNK(info.st_mode) or bool(getattr(info, "st_file_attributes", 0) & _REPARSE_POINT)


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without following a link (at most `limit` + 1 bytes).

    Raises FileNotFoundError for a missing file and ImrError("not_regular_file") for a link,
    a folder, a FIFO or a device.
    """
    return read_regular_stat(path, limit)[0]


def read_regular_stat(path: Path, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """`read_regular`, with the stat of the file that was read, taken just before reading it
    (a cache's stamp of the very bytes it keeps, without a second stat by name)."""
    if os.name == "nt" or not _NOFOLLOW:
        check_regular(path)  # no O_NOFOLLOW here: lstat refuses links and reparse points first
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY | _NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as err:
        if os.path.islink(path) or os.path.isdir(path):
            raise ImrError("not_regular_file", path=_shown(path)) from None
        raise err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImrError("not_regular_file", path=_shown(path))
        chunks = []
        remaining = -1 if limit is None else limit + 1
        while remaining != 0:
            chunk = os.read(fd, 1 << 20 if remaining < 0 else min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            if remaining > 0:
                remaining -= len(chunk)
        return b"".join(chunks), info
    finally:
        os.close(fd)


_TEMP_TAIL = 16  # hex digits of a temp name's random part


def is_own_temp(path: Path) -> bool:
    """Whether `path` is a regular file named as `create_temp` names them (a temp an
    interrupted write left behind), not a link or anything else under such a name."""
    name = path.name
    mark = name.rfind(TEMP_MARK)
    tail = name[mark + len(TEMP_MARK) :] if mark > 0 else ""
    return (
        name.startswith(".")
        and len(tail) == _TEMP_TAIL
        and all(c in "0123456789abcdef" for c in tail)
        and is_regular(path)
    )


def remove_stale_temps(path: Path) -> None:
    """Remove the temp files interrupted writes of `path` left beside it (call under the lock).
    A link or other file named like one is left alone: `imr check` reports it."""
    prefix = f".{path.name}{TEMP_MARK}"
    try:
        with os.scandir(path.parent) as entries:
            stale = [Path(entry.path) for entry in entries if entry.name.startswith(prefix)]
    except OSError:
        return
    for temp in stale:
        if is_own_temp(temp):
            with contextlib.suppress(OSError):
                os.unlink(temp)


def temp_path(path: Path) -> Path:
    """A fresh random temp name beside `path` (`.<name>.tmp-<random>`)."""
    return path.with_name(f".{path.name}{TEMP_MARK}{os.urandom(8).hex()}")


def create_temp(path: Path, data: bytes, mode: int = 0o644, sync: bool = True) -> Path:
    """Write `data` to a new temp file beside `path` and return its name.

    The name is random and the file is created exclusively without following links, so
    nothing that was there before (a planted link, a stale temp) is ever written through.
    """
    check_folder(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
    for _attempt in range(16):
        temp = temp_path(path)
        try:
            fd = os.open(temp, flags, mode)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(str(path))
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.chmod(temp, mode)  # the umask may have narrowed it; keep exactly the mode asked for
        except OSError:
            pass
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def replace_atomically(path: Path, data: bytes, mode: int = 0o644, sync: bool = True) -> None:
    """Write `data` to `path` whole or not at all, never through a link at `path` (the rename
    replaces a link itself, not what it points at)."""
    temp = create_temp(path, data, mode, sync)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def check_folder(folder: Path) -> None:
    """Refuse a folder that is a link (or not a folder): nothing is read or written through it."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return
    if _is_link(info) or not stat.S_ISDIR(info.st_mode):
        raise ImrError("folder_is_link", path=_shown(folder))


def check_workspace_folders(root: Path) -> None:
    """Refuse a workspace whose `records/`, `groups/`, `out/`, `.imr-cache/`, `templates/` or
    `curriculum/` is a link: imr would read or write outside the workspace through it."""
    for name in WORKSPACE_FOLDERS:
        check_folder(root / name)


def _shown(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)
