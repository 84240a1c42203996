"""The merge driver git runs for records and group files; `imr init` registers it.

    <python> -m imr.merge_driver %O %A %B %L %P

Git starts one process per file that both sides changed, so this entry point imports as
little as it can: no typer, rich or pydantic, and no YAML parser unless a merge needs one
(see `imr.gates.merge`). `imr init` registers it with the absolute path of the interpreter that
installed imr (and `-S`, see `imr.workspace.gitsetup.driver_command`), so merges work from git GUIs
and shells without the virtual environment on PATH. Exit 0: the merged file is in %A.
Exit 1: %A holds every difference between conflict markers and git reports a conflict.
"""

from __future__ import annotations

import contextlib
import sys

if __name__ == "__main__" and not __package__:  # run as a file (`python -S .../imr/merge_driver.py`)
    import os

    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        sys.stderr.write("usage: python -m imr.merge_driver BASE OURS THEIRS [MARKER-SIZE] [PATH]\n")
        return 2
    base, ours, theirs = args[:3]
    marker_size = int(args[3]) if len(args) > 3 and args[3].isdigit() else 7
    shown = args[4] if len(args) > 4 else ""
    from imr.gates.merge import merge_files

    try:
        outcome = merge_files(base, ours, theirs, shown, marker_size)
    except OSError:
        _explain("merge_unreadable", shown or ours)
        return 1
    if outcome.clean:
        return 0
    _explain(outcome.reason or "merge_rewritten", shown or ours)
    return 1


def _explain(reason: str, path: str) -> None:
    """One sentence on stderr, in the workspace's language (git runs us at the top of the worktree)."""
    _with_site_packages()
    try:
        from pathlib import Path

        from imr.core.errors import ImrError

        lang = "sv"
        if Path("imr.yaml").is_file():
            from imr.workspace.folder import open_workspace

            with contextlib.suppress(ImrError, OSError):
                lang = open_workspace(Path.cwd()).lang
        message = ImrError(reason, path=path).message(lang)
    except Exception:
        message = f"{path}: {reason}"
    sys.stderr.write(f"imr: {message}\n")


def _with_site_packages() -> None:
    """Under `python -S` (quick start-up), add site-packages before anything needs PyYAML."""
    if sys.flags.no_site:
        import site

        site.main()


if __name__ == "__main__":
    sys.exit(main())
