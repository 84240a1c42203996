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
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr import __version__

CACHE_DIR = ".imr-cache"
_VERSION = 2
_KEY_NAME = "imr-cache-key"


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@lru_cache(maxsize=4)
def code_fingerprint(*folders: Path) -> str:
    """imr's own code (and any `folders`, such as the built-in templates) as one hash.

    A cached value computed by imr is only as good as the code that computed it, and an
    editable install changes code without changing `__version__`; so caches of derived values
    carry this, made from each file's path, size and modification time (cheap to read).
    """
    package = Path(__file__).resolve().parent
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
    for part in path.parent.relative_to(folder).parts + ("",):
        if os.path.islink(current) or (current.exists() and not current.is_dir()):
            return False
        if part:
            current = current / part
    return not os.path.islink(path)


@lru_cache(maxsize=8)
def _key(root: Path) -> bytes:
    """This clone's signing key: in `.git/` when there is one (never committed), else in the cache."""
    git = root / ".git"
    folder = git if git.is_dir() and not git.is_symlink() else root / CACHE_DIR
    key_path = folder / _KEY_NAME
    try:
        if not key_path.is_symlink():
            key = key_path.read_bytes()
            if len(key) == 32:
                return key
    except OSError:
        pass
    key = os.urandom(32)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    except OSError:
        pass
    return key


def _mac(root: Path, body: bytes) -> str:
    """BLAKE2b in keyed mode (a MAC by design, no hmac module needed on the start-up path)."""
    return hashlib.blake2b(__version__.encode() + b"\0" + body, key=_key(root), digest_size=32).hexdigest()


def read_json(path: Path) -> Any:
    """A cache file's data, or None when it is missing, unsigned, tampered with or from another imr."""
    root = _cache_root(path)
    if root is None or not _usable(path):
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    mac, _, body = raw.partition(b"\n")
    if mac != _mac(root, body).encode("ascii"):  # a local cache, not a secret: a plain compare is enough
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def write_json(path: Path, data: Any) -> None:
    """Replace a cache file atomically, signed; a read-only workspace simply runs without a cache."""
    root = _cache_root(path)
    if root is None:
        return
    try:
        if not _usable(path):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _usable(path):
            return
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        temp.write_bytes(_mac(root, body).encode("ascii") + b"\n" + body)
        os.replace(temp, path)
    except (OSError, TypeError, ValueError):
        pass


class YamlCache:
    def __init__(self, workspace_root: Path | None, name: str) -> None:
        self.path = workspace_root / CACHE_DIR / f"{name}.json" if workspace_root else None
        self.entries: dict[str, list] = {}
        self.dirty = False
        if self.path is not None:
            data = read_json(self.path)
            try:
                if data.get("version") == _VERSION:
                    self.entries = data["files"]
            except (KeyError, TypeError, AttributeError):
                self.entries = {}

    def load(self, path: Path) -> Any:
        """Parsed YAML of `path`, from the cache when the file is unchanged."""
        from imr.yamlio import load_file

        if self.path is None:
            return load_file(path)
        stat = path.stat()
        key = str(path)
        raw = None
        cached = self.entries.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            raw = path.read_bytes()
            if cached[2] == digest(raw):
                return cached[3]
        data = load_file(path)
        raw = raw if raw is not None else path.read_bytes()
        self.entries[key] = [stat.st_size, stat.st_mtime_ns, digest(raw), data]
        self.dirty = True
        return data

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        write_json(self.path, {"version": _VERSION, "files": self.entries})
        self.dirty = False
