"""The one writer for records and groups: append-only, atomic, locked, verified.

Every change is new text added at the end of a file, so earlier bytes never change and
`git diff` shows only added lines. A write happens under an exclusive OS lock on the
workspace, into a temp file in the same folder that is fsynced, re-parsed and compared with
what was meant before it replaces the original with a rename. A crash at any moment leaves
either the old file or the new one; leftover temp files are hidden, ignored by every reader
and removed by the next write.

Several files can be changed as one transaction (a group session touches every member's
record): all new texts are built and verified first, and if a rename fails midway the files
already replaced are put back.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from imr.errors import ImrError
from imr.yamlio import YamlProblem, decode, dump, parse_text

LOCK_TIMEOUT_S = 60.0
TEMP_MARK = ".tmp-"


@dataclass
class Append:
    """New entries for the end of an existing file's `log:` list."""

    path: Path
    entries: list[dict]


@dataclass
class Create:
    """A new file that must not exist yet; its text is complete, including its log."""

    path: Path
    text: str
    entries: list[dict]


@contextmanager
def workspace_lock(lock_path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialise writers across processes with flock on a separate lock file.

    The lock is not taken on the record itself because the record is replaced by rename;
    a lock on the old inode would not protect the new one.
    """
    handle = open(lock_path, "a+b")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ImrError("workspace_busy") from None
                time.sleep(0.01)
        yield
    finally:
        handle.close()


def entries_text(entries: list[dict]) -> str:
    return dump(entries)


def write_changes(changes: list[Append | Create], lock_path: Path) -> None:
    """Apply appends and creations as one all-or-nothing transaction."""
    if not changes:
        return
    with workspace_lock(lock_path):
        for folder in {change.path.parent for change in changes}:
            _remove_stale_temps(folder)
        plans: list[tuple[Path, bytes | None, str]] = []
        for change in changes:
            if isinstance(change, Create):
                if change.path.exists():
                    raise ImrError("record_exists", path=change.path.stem)
                new_text = change.text
                old = None
                old_count = 0
            else:
                try:
                    old = change.path.read_bytes()
                except FileNotFoundError:
                    raise ImrError("unknown_file", path=change.path.stem) from None
                old_text = _decode_or_refuse(old, change.path)
                old_count = _log_length(old_text, change.path)
                if not old.endswith(b"\n") and old:
                    old_text += "\n"
                new_text = old_text + entries_text(change.entries)
            _verify(new_text, change.path, old_count, change.entries)
            plans.append((change.path, old, new_text))

        temps: list[tuple[Path, Path]] = []
        try:
            for path, _, text in plans:
                temps.append((_write_temp(path, text.encode("utf-8")), path))
            done: list[int] = []
            try:
                for index, (temp, path) in enumerate(temps):
                    os.replace(temp, path)
                    done.append(index)
            except OSError:
                _roll_back([plans[i] for i in done])
                raise ImrError("write_failed", path=str(temps[len(done)][1])) from None
            for folder in {path.parent for path, _, _ in plans}:
                _fsync_dir(folder)
        except OSError:
            raise ImrError("write_failed", path=str(plans[0][0])) from None
        finally:
            for temp, _ in temps:
                if temp.exists():
                    temp.unlink()


def append_entries(path: Path, entries: list[dict], lock_path: Path) -> None:
    write_changes([Append(path, entries)], lock_path)


def _decode_or_refuse(data: bytes, path: Path) -> str:
    try:
        return decode(data)
    except YamlProblem:
        raise ImrError("record_unreadable_fix_first", path=path.name, line=0) from None


def _log_length(text: str, path: Path) -> int:
    try:
        data = parse_text(text)
    except YamlProblem as problem:
        raise ImrError("record_unreadable_fix_first", path=path.name, line=problem.line) from None
    if not isinstance(data, dict) or not isinstance(data.get("log"), list):
        raise ImrError("record_unreadable_fix_first", path=path.name, line=0)
    return len(data["log"])


def _verify(text: str, path: Path, old_count: int, entries: list[dict]) -> None:
    """Re-parse the text that is about to be written; it must hold exactly old + new."""
    try:
        data = parse_text(text)
    except YamlProblem as problem:
        raise ImrError("write_verify_failed", path=path.name, line=problem.line) from None
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, list) or len(log) != old_count + len(entries) or log[old_count:] != entries:
        raise ImrError("write_verify_failed", path=path.name, line=0)


def _write_temp(path: Path, data: bytes) -> Path:
    temp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    return temp


def _roll_back(done: list[tuple[Path, bytes | None, str]]) -> None:
    for path, old, _ in done:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            temp = _write_temp(path, old)
            os.replace(temp, path)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_temps(folder: Path) -> None:
    """Temp files left by a killed writer; safe to delete because we hold the lock."""
    if not folder.is_dir():
        return
    for leftover in folder.glob(f".*{TEMP_MARK}*"):
        try:
            leftover.unlink()
        except OSError:
            pass
