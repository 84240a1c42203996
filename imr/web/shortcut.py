"""`imr web --genväg`: a desktop and menu shortcut that starts `imr web` in this workspace.

One code path for every system: `shortcut_files` says which files to write with which text, and
`install` writes them. Linux (freedesktop `.desktop` files, in `~/.local/share/applications` and
the desktop folder) is tested; Windows (`.cmd` files on the desktop and in the Start menu) and
macOS (`.command` files on the desktop and in `~/Applications`) are written the same way and are
untested (README says so).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FILE_STEM = "imr-web"


@dataclass(frozen=True)
class ShortcutFile:
    path: Path
    text: str
    executable: bool


def imr_command() -> list[str]:
    """How to start this imr again: the running interpreter calling `imr.cli.app.main` never depends on
    PATH (pipx and uv put `imr` on a PATH that a desktop session may not have)."""
    return [sys.executable, "-c", "from imr.cli.app import main; main()"]


def desktop_folder(home: Path, platform: str) -> Path:
    if platform.startswith("linux"):
        try:
            found = subprocess.run(["xdg-user-dir", "DESKTOP"], capture_output=True, text=True, timeout=5)
            if found.returncode == 0 and found.stdout.strip() and Path(found.stdout.strip()) != home:
                return Path(found.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
        for name in ("Skrivbord", "Desktop"):
            if (home / name).is_dir():
                return home / name
    return home / "Desktop"


def menu_folder(home: Path, platform: str) -> Path:
    if platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        return base / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    if platform == "darwin":
        return home / "Applications"
    base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "applications"


def shortcut_files(
    workspace_root: Path, name: str, comment: str, *, home: Path | None = None, platform: str | None = None
) -> list[ShortcutFile]:
    home = home or Path.home()
    platform = platform or sys.platform
    command = [*imr_command(), "--workspace", str(workspace_root), "web"]
    folders = [desktop_folder(home, platform), menu_folder(home, platform)]
    if platform.startswith("win"):
        line = subprocess.list2cmdline(command)
        text = f'@echo off\r\nrem {comment}\r\nstart "{name}" /min {line}\r\n'
        return [ShortcutFile(folder / f"{FILE_STEM}.cmd", text, False) for folder in folders]
    if platform == "darwin":
        text = f"#!/bin/sh\n# {comment}\nexec {shlex.join(command)}\n"
        return [ShortcutFile(folder / f"{FILE_STEM}.command", text, True) for folder in folders]
    exec_line = " ".join(_desktop_quote(word) for word in command)
    text = (
        "[Desktop Entry]\nType=Application\nVersion=1.0\n"
        f"Name={name}\nComment={comment}\nExec={exec_line}\nPath={workspace_root}\n"
        "Icon=text-x-generic\nTerminal=false\nCategories=Office;MedicalSoftware;\n"
    )
    return [ShortcutFile(folder / f"{FILE_STEM}.desktop", text, True) for folder in folders]


def _desktop_quote(word: str) -> str:
    """A word of a .desktop Exec line (the freedesktop rules: quote, escape \\ " ` $, and %%)."""
    word = word.replace("%", "%%")
    if not any(c in word for c in " \t\n\"'\\><~|&;$*?#()`"):
        return word
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in word)
    return f'"{escaped}"'


def install(files: list[ShortcutFile]) -> list[Path]:
    written = []
    for item in files:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.text, encoding="utf-8", newline="")
        if item.executable:
            item.path.chmod(0o755)
        written.append(item.path)
    return written
