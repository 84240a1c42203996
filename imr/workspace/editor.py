"""Writing a note in the user's editor, the way `git commit` does, without losing what was typed.

The form's own help lines are marked `# imr:` and only those are removed when the text comes
back, so a line the user starts with "#" ("#1 prioritet") is kept. An empty result aborts,
so closing the editor without writing saves nothing. When the guard then refuses the text
(a name, a phone number), `keep_refused_text` puts it in a private file instead of letting
it vanish with the temporary one, so the user can copy from it and rewrite.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from imr.core.errors import ImrError

HELP_MARK = "# imr:"
REFUSED_DIR = Path(".imr-cache") / "refused"
KEEP_REFUSED_DAYS = 7


def editor_command() -> list[str]:
    """$VISUAL, then $EDITOR, then nano where it exists (Notepad on Windows).

    Falling back to vi, as git does, strands a nurse in an editor she cannot leave; with no
    editor at all the caller gets `editor_missing` and can offer --note or ask instead.
    """
    configured = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if configured and configured.strip():
        if os.name != "nt":
            return shlex.split(configured)
        # Windows paths have backslashes and spaces: split without escapes, drop the quotes.
        return [
            part[1:-1] if len(part) > 1 and part[0] == part[-1] == '"' else part
            for part in shlex.split(configured, posix=False)
        ]
    here = Path.cwd().resolve()
    for name in ("nano", "notepad") if os.name == "nt" else ("nano",):
        found = shutil.which(name)
        # Never a program in the current folder (Windows looks there first, and so does a PATH
        # with `.`): in a workspace that folder holds what colleagues pushed.
        if found and Path(found).resolve().parent != here:
            return [found]
    raise ImrError("editor_missing")


def mark_help(template: str) -> str:
    """The template with its comment lines marked as imr's own help lines."""
    lines = []
    for line in template.rstrip("\n").split("\n"):
        if line.startswith(HELP_MARK):
            lines.append(line)
        elif line.startswith("#"):
            rest = line[1:].lstrip()
            lines.append(f"{HELP_MARK} {rest}" if rest else HELP_MARK)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def strip_help(text: str) -> str:
    """What the user wrote: every line except imr's help lines, trimmed at both ends."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(HELP_MARK)]
    return "\n".join(kept).strip()


def note_from_editor(template: str, initial: str = "") -> str:
    command = editor_command()
    fd, name = tempfile.mkstemp(prefix="imr-note-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(mark_help(template) + (initial + "\n" if initial else ""))
        shown = " ".join(command)
        try:
            result = subprocess.run([*command, str(path)])
        except OSError:
            raise ImrError("editor_failed", editor=shown) from None
        if result.returncode != 0:
            raise ImrError("editor_failed", editor=shown)
        # utf-8-sig: Notepad and some Windows editors write a byte-order mark first.
        text = path.read_text(encoding="utf-8-sig")
    finally:
        path.unlink(missing_ok=True)
    note = strip_help(text)
    if not note:
        raise ImrError("editor_aborted")
    return note


def keep_refused_text(text: str, workspace_root: Path | None) -> Path:
    """Save text the privacy guard refused to a file only this user can read; return its path.

    It goes to `.imr-cache/refused/` in the workspace, which holds a `.gitignore` of its own
    ("*"), so it is never staged, even in a repository whose .gitignore lacks `.imr-cache/`;
    it is outside records/ and groups/, so `imr check` and the hook never read it. Without a
    workspace (or if that folder cannot be written) it goes to the OS temp folder. The file is
    created with mode 0600 (by mkstemp; on Windows the user's own temp/profile ACLs apply).
    The text may hold the very personal data that was refused, so files older than
    KEEP_REFUSED_DAYS are removed whenever a new one is saved.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    body = text.rstrip("\n") + "\n"
    if workspace_root is not None:
        folder = Path(workspace_root) / REFUSED_DIR
        try:
            from imr.core.files import check_folder

            check_folder(folder.parent)  # never through a linked .imr-cache/ or refused/
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            check_folder(folder)
            ignore = folder / ".gitignore"
            if not os.path.lexists(ignore):
                with open(ignore, "x", encoding="utf-8") as handle:  # exclusive: never through a link
                    handle.write("# Text the privacy guard refused; never committed.\n*\n")
            _prune(folder)
            return _write_private(folder, f"{stamp}-", body)
        except (OSError, ImrError):
            pass
    return _write_private(Path(tempfile.gettempdir()), f"imr-refused-{stamp}-", body)


def _write_private(folder: Path, prefix: str, body: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".txt", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    return Path(name)


def _prune(folder: Path) -> None:
    cutoff = time.time() - KEEP_REFUSED_DAYS * 86400
    for old in folder.glob("*.txt"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
