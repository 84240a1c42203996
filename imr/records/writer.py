"""The one writer for records and groups: append-only, atomic, locked, verified.

Every change is new bytes added at the end of a file, so earlier bytes never change (not even a
byte-order mark or CRLF line ends: new text follows the file's own line-end style) and `git diff`
shows only added lines. A write happens under a cross-platform lock on the workspace (the kept
`filelock` library: flock on POSIX, LockFileEx on Windows), into a temp file in the same folder
that is fsynced, re-parsed and compared with what was meant before it replaces the original with a
rename. The file's mode is kept. A crash at any moment leaves either the old file or the new one.

Entries that depend on what the file holds now (a goal's label, a step's number, a check that a
meeting is not logged twice) are built by a callback that runs under the lock with the freshly
parsed file, so two concurrent writers can never both take the same label.

Several files can be changed as one transaction (a group session touches every member's record):
all new texts are built, verified and written to fsynced temp files first; then an intent journal
naming every temp and its target is written and fsynced; then the renames run with SIGINT and
SIGTERM held back; then the journal is removed. If the process dies between (SIGKILL, power), the
next writer (or reader, see `recover`) finds the journal and completes the renames, so every
member ends up with the entry or, when the journal was never written, none does.

Files that are symbolic links or not regular files are refused, never read or written through.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr.core.errors import ImrError
from imr.core.files import (
    TEMP_MARK,
    _shown,
    check_regular,
    create_temp,
    is_regular,
    read_regular,
    remove_stale_temps,
)
from imr.core.yamlio import MAX_FILE_BYTES, YamlProblem, decode, dump, parse_text

LOCK_TIMEOUT_S = 60.0
# Ordinary appends stop well before the reader's limit, so a record can always be read and
# corrected: the last megabyte is headroom, never reached by normal use (a participant over many
# years writes a few hundred kilobytes).
APPEND_LIMIT_BYTES = MAX_FILE_BYTES - 1024 * 1024
JOURNAL_NAME = ".imr-journal.json"  # the intent journal of a group transaction, at the workspace root
ENV_TEST_DELAY = "IMR_TEST_RENAME_DELAY"  # seconds between renames; only tests set it

Builder = Callable[[Any], list[dict]]


@dataclass
class Append:
    """New entries for the end of an existing file's `log:` list.

    `build`, when given, is called under the lock with the parsed file and returns the entries;
    `entries` is then filled with what it returned.
    """

    path: Path
    entries: list[dict] = field(default_factory=list)
    build: Builder | None = None


@dataclass
class Create:
    """A new file that must not exist yet; its text is complete, including its log."""

    path: Path
    text: str
    entries: list[dict]


@contextmanager
def workspace_lock(lock_path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialise writers across processes with an OS lock on a separate lock file.

    The lock is not taken on the record itself because the record is replaced by rename; a lock
    on the old inode would not protect the new one.
    """
    if os.path.islink(lock_path):
        raise ImrError("not_regular_file", path=lock_path.name)
    from filelock import FileLock, Timeout  # lazy: 12 ms on every command that only reads (session next)

    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire(poll_interval=0.01)
    except Timeout:
        raise ImrError("workspace_busy") from None
    try:
        _complete_journal(lock_path.parent)
        yield
    finally:
        lock.release()


def entries_text(entries: list[dict]) -> str:
    return dump(entries)


def write_changes(changes: list[Append | Create], lock_path: Path) -> None:
    """Apply appends and creations as one all-or-nothing transaction."""
    if not changes:
        return
    with workspace_lock(lock_path):
        plans: list[tuple[Path, bytes | None, bytes]] = []
        for change in changes:
            if isinstance(change, Create):
                if check_regular(change.path, missing_ok=True):
                    raise ImrError("record_exists", path=change.path.stem)
                new_bytes = change.text.encode("utf-8")
                old = None
                old_count = 0
                entries = change.entries
            else:
                try:
                    old = read_regular(change.path)
                except FileNotFoundError:
                    raise ImrError("unknown_file", path=change.path.stem) from None
                data = _parse_or_refuse(old, change.path)
                old_count = len(data["log"])
                if change.build is not None:
                    change.entries = change.build(data)
                entries = change.entries
                if not entries:
                    continue
                new_bytes = old + _appended_bytes(old, entries_text(entries))
                if len(new_bytes) > APPEND_LIMIT_BYTES:
                    raise ImrError("record_full", path=change.path.stem, limit_mb=APPEND_LIMIT_BYTES // (1024 * 1024))
            if old is None:
                _verify(new_bytes, change.path, old_count, entries)
            else:
                _verify_appended(old, new_bytes, change.path, old_count, entries)
            plans.append((change.path, old, new_bytes))
        if plans:
            _commit(plans, lock_path.parent)


def append_entries(path: Path, entries: list[dict], lock_path: Path) -> None:
    write_changes([Append(path, entries)], lock_path)


def _appended_bytes(old: bytes, text: str) -> bytes:
    """New text in the old file's own line-end style, after a line end if the file lacks one."""
    first_end = old.find(b"\n")
    crlf = first_end > 0 and old[first_end - 1 : first_end] == b"\r"
    newline = "\r\n" if crlf else "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    prefix = newline if old and not old.endswith(b"\n") else ""
    return (prefix + text).encode("utf-8")


def _parse_or_refuse(old: bytes, path: Path) -> dict:
    try:
        data = parse_text(decode(old))
    except YamlProblem as problem:
        if problem.code == "file_too_large":
            raise ImrError("record_full", path=path.stem, limit_mb=APPEND_LIMIT_BYTES // (1024 * 1024)) from None
        raise ImrError("record_unreadable_fix_first", path=path.name, line=problem.line) from None
    if not isinstance(data, dict) or not isinstance(data.get("log"), list):
        raise ImrError("record_unreadable_fix_first", path=path.name, line=0)
    return data


def _verify(new_bytes: bytes, path: Path, old_count: int, entries: list[dict]) -> None:
    """Re-parse the bytes that are about to be written; they must hold exactly old + new."""
    try:
        data = parse_text(decode(new_bytes))
    except YamlProblem as problem:
        raise ImrError("write_verify_failed", path=path.name, line=problem.line) from None
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, list) or len(log) != old_count + len(entries) or log[old_count:] != entries:
        raise ImrError("write_verify_failed", path=path.name, line=0)


# After the `log:` line, a line at the left margin is a list item or a comment; anything else
# (another top-level key, a document marker, an indented list) means items written at the end
# of the file would not simply continue the log.
_LOG_LINE = re.compile(r"^log:[ ]*(?:#[^\n]*)?$", re.MULTILINE)
# A line at the left margin that is not an item, a comment or blank (written so that the regex
# engine jumps from line end to line end).
_NOT_AN_ITEM = re.compile(r"\n(?:[^ \-#\n]|-[^ \n])")


def open_log_end(text: str) -> int | None:
    """Where the `log:` line ends when the log is the file's last key and its items start at the
    left margin (as in every file this writer makes), so that items appended after the text
    continue that log and nothing else; None for any other shape. `imr diff` reads appended
    tails by the same test.
    """
    log_at = text.rfind("\nlog:") + 1
    log_line = _LOG_LINE.match(text, log_at) if log_at or text.startswith("log:") else None
    if log_line is None:
        return None
    end = log_line.end()
    first_item = text.find("\n-", end)
    if first_item < 0 or text.count("\n ", end, first_item) or _NOT_AN_ITEM.search(text, end):
        return None  # no items yet, something indented before the first, or a key after the log
    return end


def _verify_appended(old: bytes, new_bytes: bytes, path: Path, old_count: int, entries: list[dict]) -> None:
    """Check that the bytes about to be written hold exactly the old log plus the new entries.

    The old bytes were parsed once under the lock and are the prefix of the new ones by
    construction, so what is parsed here is only the appended tail: when the old file's log is
    its last key and its items start at the left margin (as every file this writer makes),
    items after it continue that log and nothing else. Any other file is parsed whole, as before.
    """
    if new_bytes[: len(old)] != old:
        raise ImrError("write_verify_failed", path=path.name, line=0)
    text = old.decode("utf-8", "replace").replace("\r\n", "\n")
    log_end = open_log_end(text)
    if log_end is None or "\t" in text[log_end:]:
        _verify(new_bytes, path, old_count, entries)
        return
    try:
        tail = parse_text(decode(new_bytes[len(old) :]))
    except YamlProblem as problem:
        raise ImrError("write_verify_failed", path=path.name, line=text.count("\n") + problem.line) from None
    if not isinstance(tail, list) or tail != entries:
        raise ImrError("write_verify_failed", path=path.name, line=0)


def _commit(plans: list[tuple[Path, bytes | None, bytes]], root: Path) -> None:
    temps: list[tuple[Path, Path]] = []
    journal = root / JOURNAL_NAME
    try:
        try:
            for path, _, data in plans:
                remove_stale_temps(path)  # a killed writer's temps: under the lock, never in use
                temps.append((_write_temp(path, data, _mode_of(path)), path))
            if len(temps) > 1:
                _write_journal(journal, temps)
        except OSError:
            raise ImrError("write_failed", path=_shown(plans[0][0])) from None
        with _signals_held():
            delay = float(os.environ.get(ENV_TEST_DELAY, "0") or 0)
            for index, (temp, path) in enumerate(temps):
                if index and delay:
                    time.sleep(delay)
                try:
                    os.replace(temp, path)
                except OSError:
                    # An error (not a kill): put back what was replaced, so no member keeps the
                    # entry, and drop the journal. A kill never gets here; its journal is
                    # completed by the next writer instead.
                    _roll_back(plans[:index])
                    journal.unlink(missing_ok=True)
                    raise ImrError("write_failed", path=_shown(path)) from None
            for folder in {path.parent for _, path in temps}:
                _fsync_dir(folder)
            if len(temps) > 1:
                journal.unlink(missing_ok=True)
                _fsync_dir(root)
    finally:
        if not journal.exists():
            for temp, _ in temps:
                if temp.exists():
                    temp.unlink()


def _roll_back(done: list[tuple[Path, bytes | None, bytes]]) -> None:
    for path, old, _ in done:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(_write_temp(path, old, _mode_of(path)), path)


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(os.lstat(path).st_mode)
    except FileNotFoundError:
        return 0o644


def _write_temp(path: Path, data: bytes, mode: int) -> Path:
    # A random name created exclusively without following links (files.create_temp): a link or
    # a file someone committed under a temp-looking name is never written through, and a temp a
    # killed writer left is reported by `imr check` instead of being reused.
    return create_temp(path, data, mode)


def _write_journal(journal: Path, temps: list[tuple[Path, Path]]) -> None:
    root = journal.parent
    body = {"renames": [[str(t.relative_to(root)), str(p.relative_to(root))] for t, p in temps]}
    data = json.dumps(body).encode("utf-8")
    temp = _write_temp(journal, data, 0o644)
    os.replace(temp, journal)
    _fsync_dir(root)


def _complete_journal(root: Path) -> bool:
    """Finish a transaction a killed writer left behind (call with the lock held)."""
    journal = root / JOURNAL_NAME
    if not journal.exists() or os.path.islink(journal):
        return False
    try:
        body = json.loads(read_regular(journal))
        renames = [(root / t, root / p) for t, p in body["renames"]]
    except (OSError, ValueError, KeyError, TypeError, ImrError):
        journal.unlink(missing_ok=True)
        return False
    for temp, path in renames:
        # Only names this writer makes, inside this workspace: a journal is local, never pulled,
        # but a damaged one must not move arbitrary files.
        if temp.parent != path.parent or not temp.name.startswith(f".{path.name}{TEMP_MARK}"):
            continue
        if is_regular(temp):
            os.replace(temp, path)
    for folder in {path.parent for _, path in renames}:
        if folder.is_dir():
            _fsync_dir(folder)
    journal.unlink(missing_ok=True)
    return True


def recover(root: Path, lock_path: Path) -> None:
    """Complete an interrupted group transaction before reading, if one was left behind."""
    if (root / JOURNAL_NAME).exists():
        with workspace_lock(lock_path):
            pass


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the renames run, so a Ctrl-C cannot split them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, getattr(signal, "SIGTERM", None)):
        if signum is None:
            continue
        with suppress(ValueError, OSError):
            previous[signum] = signal.signal(signum, lambda s, _f: received.append(s))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        # The transaction is complete: the command finishes and says what it saved. A held-back
        # SIGTERM still ends the process, after the write, as the sender asked.
        if any(s != signal.SIGINT for s in received):
            raise SystemExit(128 + received[-1])


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS renames are journaled
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
