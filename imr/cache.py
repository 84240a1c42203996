"""A disk cache of parsed YAML for files that rarely change (curriculum metadata, strings).

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
from pathlib import Path
from typing import Any

CACHE_DIR = ".imr-cache"
_VERSION = 1


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def write_json(path: Path, data: Any) -> None:
    """Replace a cache file atomically; a read-only workspace simply runs without a cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        temp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temp, path)
    except (OSError, TypeError, ValueError):
        pass


class YamlCache:
    def __init__(self, workspace_root: Path | None, name: str) -> None:
        self.path = workspace_root / CACHE_DIR / f"{name}.json" if workspace_root else None
        self.entries: dict[str, list] = {}
        self.dirty = False
        if self.path is not None:
            try:
                data = json.loads(self.path.read_bytes())
                if data.get("version") == _VERSION:
                    self.entries = data["files"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
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
