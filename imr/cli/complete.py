"""Shell completion for the words nurses would otherwise have to remember: ids, groups, sessions.

Completion runs on every Tab press, so it reads folder listings only (no records parsed) and
never fails loudly: outside a workspace it simply offers nothing.
"""

from __future__ import annotations

from pathlib import Path

from imr.cli.common import _state


def _root() -> Path | None:
    from imr.workspace.folder import find_workspace  # lazy: 27 ms on imr --help

    try:
        return find_workspace(_state.get("workspace")).root
    except Exception:  # no workspace here: nothing to offer
        return None


def _stems(folder: str, incomplete: str) -> list[str]:
    root = _root()
    if root is None or not (root / folder).is_dir():
        return []
    return sorted(p.stem for p in (root / folder).glob("*.yaml") if p.stem.startswith(incomplete or ""))


def participants(incomplete: str) -> list[str]:
    return _stems("records", incomplete)


def groups(incomplete: str) -> list[str]:
    return _stems("groups", incomplete)


def sessions(incomplete: str) -> list[str]:
    """Session references (3.2) from the curriculum's folder names, without loading any text."""
    from imr.core import resources

    refs: set[str] = set()
    for base in resources.search_path("curriculum", _root()):
        for module in base.glob("*/[0-9]*"):
            number = module.name.split("-")[0]
            for handout in module.glob("*.handout.md"):
                session = handout.name.split(".")[0]
                if number.isdigit() and session.isdigit():
                    refs.add(f"{int(number)}.{int(session)}")
    return sorted((r for r in refs if r.startswith(incomplete or "")), key=lambda r: tuple(map(int, r.split("."))))
