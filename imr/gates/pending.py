"""What this clone has written that `imr sync` has not shared yet.

Kept apart from `imr.gates.sync` (which imports every gate it runs) so that `imr status` and
imr web's Idag page can say "N files not synced" without loading the gates.
"""

from __future__ import annotations

from pathlib import Path

from imr.core.git import run as git_run

# The folders sync commits: the records and the group files, nothing else in the workspace.
TRACKED = ("records", "groups")


def own_changes(root: Path) -> list[str]:
    """Files under records/ and groups/ that differ from the last commit (new entries)."""
    done = git_run(root, "status", "--porcelain", "--untracked-files=all", "--", *TRACKED).stdout.decode(
        "utf-8", "replace"
    )
    return sorted(line[3:].strip().strip('"') for line in done.splitlines() if line.strip())
