"""Where rendered documents go, and writing them so that a failure leaves no file behind.

The default place is `out/` in the workspace (git-ignored: printouts are not records). The
output path is checked before any rendering starts, so a typo in `-o` fails at once, and the
file is written to a hidden temp file beside it and renamed into place, so an error or an
interruption never leaves half a PDF.
"""

from __future__ import annotations

import os
from pathlib import Path

from imr.errors import ImrError
from imr.render.documents import Document
from imr.workspace import Workspace


def default_path(ws: Workspace, document: Document, fmt: str) -> Path:
    return ws.out_dir / f"{document.name}.{fmt}"


def check_output_path(path: Path, *, create_parent: bool) -> Path:
    """Refuse a path that cannot be written, before the work of rendering begins."""
    path = Path(os.path.abspath(path))
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
    return path


def _no_permission() -> str:
    return os.strerror(13)


def write_output(path: Path, data: bytes) -> None:
    """Write all of `data` to `path` or nothing: temp file in the same folder, then rename."""
    temp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError as err:
        try:
            temp.unlink()
        except OSError:
            pass
        raise ImrError("render_unwritable", path=str(path), reason=err.strerror or type(err).__name__) from None
    except BaseException:
        try:
            temp.unlink()
        except OSError:
            pass
        raise
