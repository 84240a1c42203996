"""Writing a note in the user's editor, the way `git commit` does.

The form is prefilled with instructions on lines starting with `#`; those lines are removed
and an empty result aborts, so closing the editor without writing saves nothing.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from imr.errors import ImrError


def note_from_editor(template: str, initial: str = "") -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="imr-note-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(template.rstrip("\n") + "\n" + (initial + "\n" if initial else ""))
        try:
            result = subprocess.run([*shlex.split(editor), str(path)])
        except OSError:
            raise ImrError("editor_failed", editor=editor) from None
        if result.returncode != 0:
            raise ImrError("editor_failed", editor=editor)
        text = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    note = "\n".join(lines).strip()
    if not note:
        raise ImrError("editor_aborted")
    return note
