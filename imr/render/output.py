"""Where rendered documents go, and writing them so that a failure leaves no file behind.

The default place is `out/` in the workspace (git-ignored: printouts are not records). The
output path is checked before any rendering starts, so a typo in `-o` fails at once, and the
file is written to a hidden temp file beside it and renamed into place, so an error or an
interruption never leaves half a PDF.
"""

from __future__ import annotations

import os
from pathlib import Path

from imr.core.errors import ImrError
from imr.core.files import replace_atomically
from imr.render.documents import Document
from imr.workspace.folder import Workspace


def default_path(ws: Workspace, document: Document, fmt: str) -> Path:
    return ws.out_dir / f"{document.name}.{fmt}"


def check_output_path(path: Path, *, create_parent: bool, ws: Workspace | None = None, force: bool = False) -> Path:
    """Refuse a path that cannot or must not be written, before the work of rendering begins.

    Printouts never land on records: not in `records/`, `groups/` or `.git/`, not on
    `imr.yaml` (after `..` and links are resolved). An existing file is only replaced if imr
    made it (it carries imr's marker), unless `force` says so.
    """
    path = Path(os.path.abspath(path))
    if ws is not None:
        _refuse_protected(ws, path)
    if path.is_dir():
        raise ImrError("render_output_is_folder", path=str(path))
    parent = path.parent
    if not parent.is_dir():
        if parent.exists() or not create_parent:
            raise ImrError("render_output_folder_missing", path=str(parent))
        existing = next((p for p in parent.parents if p.exists()), None)
        if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise ImrError("render_unwritable", path=str(path), reason=_no_permission())
        return path
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ImrError("render_unwritable", path=str(path), reason=_no_permission())
    if (path.exists() or path.is_symlink()) and not force and not is_imr_output(path):
        raise ImrError("render_output_exists", path=str(path))
    return path


PROTECTED = ("records", "groups", ".git")


def _refuse_protected(ws: Workspace, path: Path) -> None:
    root = Path(os.path.realpath(ws.root))
    for candidate in {path, Path(os.path.realpath(path))}:
        for name in PROTECTED:
            for base in {root / name, Path(os.path.abspath(ws.root)) / name}:
                if candidate == base or base in candidate.parents:
                    raise ImrError("render_output_protected", place=f"{name}/")
        for config in {root / "imr.yaml", Path(os.path.abspath(ws.root)) / "imr.yaml"}:
            if candidate == config:
                raise ImrError("render_output_protected", place="imr.yaml")


MD_MARKER = b"<!-- imr-output -->\n"


def is_imr_output(path: Path) -> bool:
    """Whether a file is one imr wrote: each format carries a marker (PDF and DOCX keywords,
    the HTML generator tag, a first-line comment in Markdown). A link is never followed."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            if head.startswith(MD_MARKER):
                return True
            if b'<meta name="generator" content="imr">' in head:
                return True
            if head.startswith(b"%PDF"):
                handle.seek(0)
                return b"imr-output" in handle.read()
            if head.startswith(b"PK"):
                import zipfile  # lazy: 5 ms on imr render

                with zipfile.ZipFile(path) as archive:
                    return b"imr-output" in archive.read("docProps/core.xml")
    except (OSError, KeyError, ValueError):
        return False
    except Exception:  # a damaged zip is not ours to replace
        return False
    return False


def _no_permission() -> str:
    return os.strerror(13)


def write_output(path: Path, data: bytes) -> None:
    """Write all of `data` to `path` or nothing: a new temp file with a random name in the same
    folder (created exclusively, never through a link), then a rename over the target (which
    replaces a link there rather than writing through it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, data, 0o644, sync=False)
    except OSError as err:
        raise ImrError("render_unwritable", path=str(path), reason=err.strerror or type(err).__name__) from None
