"""Disk caches: parsed YAML of files that rarely change, parsed records, per-record summaries.

One rule for every cache file here: it is a hint, never a source of truth. Each value carries
the hash of the bytes it was computed from and is used only when that hash equals the hash of
the bytes just read. Each file is signed with a key that belongs to this clone (kept in `.git/`,
never committed) over the imr version and the file's body, so a cache someone committed, pulled
or edited by hand fails the check and is rebuilt from the YAML; an upgrade of imr starts afresh.
A cache folder that is a link, or not a folder, is never read or written.

Starting a command should not mean re-parsing a dozen YAML files that have not changed since
last week. Parsed data is kept as JSON in the workspace's `.imr-cache/` (git-ignored), keyed by
each file's path, size, mtime and a hash of its bytes. The cache is never the source of truth:
any mismatch re-reads the file, a broken or missing cache is rebuilt, and deleting the folder
is always safe. JSON (not pickle) so that a tampered cache can at worst give wrong data, never
run code; line numbers are not kept, so `imr check` reads the files themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr import __version__
from imr.core.errors import ImrError
from imr.core.files import read_regular, replace_atomically

CACHE_DIR = ".imr-cache"
_VERSION = 3
_KEY_NAME = "imr-cache-key"


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


# How long before it was read a file must have been last modified for its stat to vouch for
# it later (the "racy git" problem): a file written again within the same tick of the file
# system's clock keeps its size and modification time, so a stamp taken in that tick proves
# nothing. A tick is milliseconds on ext4, APFS and NTFS but two seconds on FAT (a USB stick),
# and a network share's clock may be a little off; three seconds covers them all. A record
# edited in the last three seconds is simply hashed on the next run.
SETTLED_NS = 3_000_000_000


def stamp(stat: os.stat_result, read_after_ns: int) -> list[int] | None:
    """What says later that a file is unchanged since it was read at or after `read_after_ns`
    (from `time.time_ns()`, taken before `stat`): its size, modification time, inode number
    and, on POSIX, the time its inode last changed (which `os.utime` cannot set back, and a
    copy never keeps). None when the stat cannot vouch for the file: modified (or its inode
    changed) too recently (see SETTLED_NS), or no inode number (some Windows file systems)."""
    changed = stat.st_ctime_ns if os.name != "nt" else 0  # creation time on Windows: no help
    if not stat.st_ino or max(stat.st_mtime_ns, changed) >= read_after_ns - SETTLED_NS:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, changed]


def unchanged(stat: os.stat_result, cached: object) -> bool:
    """The file's stat is the `stamp` it had when it was read (so its bytes are the same)."""
    return (
        isinstance(cached, list)
        and len(cached) == 4
        and cached[0] == stat.st_size
        and cached[1] == stat.st_mtime_ns
        and cached[2] == stat.st_ino
        and cached[3] == (stat.st_ctime_ns if os.name != "nt" else 0)
    )


def place(folder: Path) -> list[int] | None:
    """The folder's device and inode: stamps taken here are worth nothing anywhere else (a
    cache copied along with a clone, a folder restored from a backup). None when the file
    system gives no inode numbers."""
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return [stat.st_dev, stat.st_ino] if stat.st_ino else None


@lru_cache(maxsize=4)
def code_fingerprint(*folders: Path) -> str:
    """imr's own code (and any `folders`, such as the built-in templates) as one hash.

    A cached value computed by imr is only as good as the code that computed it, and an
    editable install changes code without changing `__version__`; so caches of derived values
    carry this, made from each file's path, size and modification time (cheap to read).
    """
    package = Path(__file__).resolve().parent.parent
    found = []
    for base, pattern in [(package, "*.py")] + [(folder, "*") for folder in folders]:
        for source in sorted(base.rglob(pattern)):
            try:
                stat = source.stat()
            except OSError:
                continue
            if source.is_file():
                found.append([str(source.relative_to(base)), stat.st_size, stat.st_mtime_ns])
    return digest(json.dumps(found).encode())


def _cache_root(path: Path) -> Path | None:
    """The workspace folder of a cache file under `<root>/.imr-cache/`, or None."""
    for parent in path.parents:
        if parent.name == CACHE_DIR:
            return parent.parent
    return None


def _usable(path: Path) -> bool:
    """Every folder from `.imr-cache` down to the file is a real folder (no link anywhere)."""
    root = _cache_root(path)
    if root is None:
        return False
    folder = root / CACHE_DIR
    current = folder
    for part in (*path.parent.relative_to(folder).parts, ""):
        if os.path.islink(current) or (current.exists() and not current.is_dir()):
            return False
        if part:
            current = current / part
    return not os.path.islink(path)


def user_folder(kind: str = "config") -> Path:
    """This user's own folder for imr (`config`: the signing key; `cache`: caches of reports
    about other folders), by the platform's convention, the same place typer.get_app_dir uses
    for `config` (XDG on Linux, Application Support on macOS, %APPDATA% on Windows)."""
    home = Path.home()
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA" if kind == "cache" else "APPDATA") or str(home / "AppData" / "Roaming")
        return Path(base) / "imr"
    if sys.platform == "darwin":
        return home / "Library" / ("Caches" if kind == "cache" else "Application Support") / "imr"
    variable, fallback = ("XDG_CACHE_HOME", ".cache") if kind == "cache" else ("XDG_CONFIG_HOME", ".config")
    return Path(os.environ.get(variable) or home / fallback) / "imr"


def git_common_dir(root: Path) -> Path | None:
    """git's common directory for a work tree (what `git rev-parse --git-common-dir` prints),
    read from the files themselves: `.git` as a folder, or a `.git` file (a worktree or a
    submodule) naming a git folder that may name its common folder in `commondir`. None without
    git, or when the folder would lie inside the work tree other than as its own `.git/` (a
    ward folder someone provides could otherwise bring its own key)."""
    dot_git = root / ".git"
    try:
        if dot_git.is_symlink():
            return None
        if dot_git.is_dir():
            return dot_git
        line = dot_git.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = Path(line[len("gitdir:") :].strip())
    gitdir = gitdir if gitdir.is_absolute() else root / gitdir
    common = gitdir
    try:
        named = (gitdir / "commondir").read_text(encoding="utf-8").strip()
        common = Path(named) if Path(named).is_absolute() else gitdir / named
    except (OSError, UnicodeDecodeError):
        pass
    common = Path(os.path.realpath(common))
    real_root = Path(os.path.realpath(root))
    if common == real_root or real_root in common.parents or not common.is_dir():
        return None
    return common


def key_path(root: Path | None) -> Path:
    """Where the key that signs `root`'s caches lives (the user's own when `root` is None)."""
    common = git_common_dir(root) if root is not None else None
    return (common if common is not None else user_folder()) / _KEY_NAME


# Workspaces imr reads but must leave as they are (the wards of a regional report): their
# caches are neither read (their key may come with the folder) nor written.
_UNTOUCHED: set[Path] = set()


def leave_untouched(root: Path) -> None:
    """Read nothing from and write nothing into `root`'s `.imr-cache/` in this process."""
    _UNTOUCHED.add(Path(os.path.abspath(root)))


@lru_cache(maxsize=8)
def _key(root: Path | None) -> bytes:
    """The key that signs `root`'s caches: made once, readable only by the user, never in the
    work tree (see `key_path`)."""
    path = key_path(root)
    try:
        key = read_regular(path, limit=64)
        if len(key) == 32:
            return key
    except (OSError, ImrError):
        pass
    key = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, key, 0o600)
    except (OSError, ImrError):
        pass
    return key


def _mac(root: Path | None, body: bytes) -> str:
    """BLAKE2b in keyed mode (a MAC by design, no hmac module needed on the start-up path)."""
    return hashlib.blake2b(__version__.encode() + b"\0" + body, key=_key(root), digest_size=32).hexdigest()


def _signing_root(path: Path, own: bool) -> tuple[bool, Path | None]:
    """(usable, root whose key signs): a workspace cache under `.imr-cache/`, or (`own`) a
    cache in the user's own folder, signed with the user's key."""
    if own:
        return True, None
    root = _cache_root(path)
    if root is None or Path(os.path.abspath(root)) in _UNTOUCHED or not _usable(path):
        return False, None
    return True, root


def read_json(path: Path, own: bool = False) -> Any:
    """A cache file's data, or None when it is missing, unsigned, tampered with or from another imr.

    `own`: a cache in the user's own folder (not under a workspace), signed with the user's key.
    """
    usable, root = _signing_root(path, own)
    if not usable:
        return None
    try:
        raw = read_regular(path)
    except (OSError, ImrError):
        return None
    mac, _, body = raw.partition(b"\n")
    if mac != _mac(root, body).encode("ascii"):  # a local cache, not a secret: a plain compare is enough
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def write_json(path: Path, data: Any, own: bool = False) -> None:
    """Replace a cache file atomically, signed; a read-only workspace simply runs without a cache."""
    usable, root = _signing_root(path, own)
    if not usable:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not own and not _usable(path):
            return
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        replace_atomically(path, _mac(root, body).encode("ascii") + b"\n" + body, 0o600 if own else 0o644, sync=False)
    except (OSError, TypeError, ValueError, ImrError):
        pass


class YamlCache:
    """Parsed YAML files (the strings, the curriculum, imr.yaml) by path. A file whose stat is
    the `stamp` it had when it was read is taken from here without being read again; any other
    is read, and its hash decides whether it is parsed again."""

    def __init__(self, workspace_root: Path | None, name: str) -> None:
        self.path = workspace_root / CACHE_DIR / f"{name}.json" if workspace_root else None
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.place: list[int] | None = None
        self.stored_place: object = None
        self.trusted = False
        self.now = time.time_ns()  # before any file below is looked at: see `stamp`
        if self.path is not None:
            self.place = place(self.path.parent)
            data = read_json(self.path)
            try:
                if data.get("version") == _VERSION:
                    self.entries = data["files"]
                    self.stored_place = data.get("place")
                    self.trusted = self.place is not None and self.stored_place == self.place
            except (KeyError, TypeError, AttributeError):
                self.entries = {}

    def load(self, path: Path) -> Any:
        """Parsed YAML of `path`, from the cache when the file is unchanged."""
        from imr.core.yamlio import MAX_FILE_BYTES, decode, load_file, parse_text

        if self.path is None:
            return load_file(path)
        stat = os.lstat(path)
        key = str(path)
        cached = self.entries.get(key)
        if self.trusted and cached and len(cached) == 5 and unchanged(stat, cached[4]):
            return cached[3]
        raw = read_regular(path, MAX_FILE_BYTES)
        hashed = digest(raw)
        if cached and len(cached) == 5 and cached[0] == stat.st_size and cached[2] == hashed:
            data = cached[3]
        else:
            data = parse_text(decode(raw))
        self.entries[key] = [stat.st_size, stat.st_mtime_ns, hashed, data, stamp(stat, self.now)]
        self.dirty = self.dirty or cached != self.entries[key]
        return data

    def save(self) -> None:
        if self.path is None or (not self.dirty and self.stored_place == self.place):
            return
        write_json(self.path, {"version": _VERSION, "place": self.place, "files": self.entries})
        self.dirty = False
