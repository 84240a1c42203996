"""A ward in miniature for the convergence property: clones of one workspace, a bare shared
repository, and random sequences of appends, syncs, pushes, merges and rebases with real git.

Used by tests/test_convergence.py (a few seeded runs, bounded for CI) and by
bench/bench_converge.py (long runs). Entries are appended the way the writer appends them (one
block in the house style at the end of the file, with a random id and the clone's own clock,
which may run early or late), so the merge sees what it sees on a ward; the clock skew is
what makes orders interesting.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from imr.core.yamlio import dump

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Avd",
    "GIT_AUTHOR_EMAIL": "avd@invalid",
    "GIT_COMMITTER_NAME": "Avd",
    "GIT_COMMITTER_EMAIL": "avd@invalid",
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
}
RECORDS = ("p-01", "p-02")
ZONE = timezone(timedelta(hours=1))
OPERATIONS = (
    "append",
    "append",
    "append",
    "pull",
    "pull",
    "rebase",
    "push",
    "push",
    "peer",
    "cherry-pick",
    "am",
    "sync",
)


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {root.name}:\n{result.stdout}{result.stderr}")
    return result


@dataclass
class Clone:
    root: Path
    skew: timedelta
    written: list[str] = field(default_factory=list)


@dataclass
class Ward:
    hub: Path
    clones: list[Clone]
    rng: random.Random
    clock: datetime
    sync: object = None  # a callable(clone) -> None running `imr sync`, when the caller offers one
    log: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return [entry for clone in self.clones for entry in clone.written]


def make_ward(folder: Path, template: Path, clones: int, seed: int, sync=None) -> Ward:
    """`template`: a committed imr workspace (p-01 and p-02 enrolled) on branch main."""
    folder.mkdir(parents=True, exist_ok=True)
    hub = folder / "hub.git"
    git(folder, "clone", "-q", "--bare", str(template), str(hub))
    rng = random.Random(seed)
    made = []
    for n in range(clones):
        root = folder / f"clone-{n}"
        git(folder, "clone", "-q", str(hub), str(root))
        git(root, "config", "merge.imr.driver", _driver())
        git(root, "config", "merge.imr.name", "imr")
        git(root, "config", "pull.rebase", "false")
        skew = timedelta(minutes=rng.choice([-90, -5, 0, 0, 3, 45]))
        made.append(Clone(root, skew))
    return Ward(hub, made, rng, datetime(2026, 3, 2, 9, 0, tzinfo=ZONE), sync)


def _driver() -> str:
    import shlex

    script = Path(__file__).resolve().parents[1] / "imr" / "merge_driver.py"
    return f"{shlex.quote(sys.executable)} -S {shlex.quote(str(script))} %O %A %B %L %P"


def append(ward: Ward, clone: Clone) -> None:
    ward.clock += timedelta(minutes=ward.rng.randint(1, 20))
    for _ in range(ward.rng.choice((1, 1, 2))):
        pid = ward.rng.choice(RECORDS)
        entry_id = "".join(ward.rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(8))
        at = (ward.clock + clone.skew).isoformat(timespec="seconds")
        entry = {
            "id": entry_id,
            "kind": "contact",
            "at": at,
            "by": "KL",
            "date": at[:10],
            "who": "mamma",
            "note": f"{clone.root.name} {len(clone.written)}",
        }
        with open(clone.root / "records" / f"{pid}.yaml", "ab") as handle:
            handle.write(dump([entry]).encode("utf-8"))
        clone.written.append(entry_id)
    git(clone.root, "commit", "-q", "--no-verify", "-am", f"{clone.root.name}: {len(clone.written)}")


def step(ward: Ward) -> None:
    clone = ward.rng.choice(ward.clones)
    operation = ward.rng.choice(OPERATIONS if ward.sync else [o for o in OPERATIONS if o != "sync"])
    ward.log.append(f"{clone.root.name} {operation}")
    if operation == "append":
        append(ward, clone)
    elif operation == "pull":
        _merged(
            git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", "--no-verify", "origin", "main", check=False),
            clone,
        )
    elif operation == "rebase":
        _merged(git(clone.root, "pull", "-q", "--rebase", "origin", "main", check=False), clone, rebase=True)
    elif operation == "push":
        git(clone.root, "push", "-q", "origin", "HEAD:main", check=False)  # refused when behind: a race
    elif operation == "peer":
        other = ward.rng.choice([c for c in ward.clones if c is not clone])
        _merged(
            git(
                clone.root,
                "pull",
                "-q",
                "--no-rebase",
                "--no-edit",
                "--no-verify",
                str(other.root),
                "HEAD",
                check=False,
            ),
            clone,
        )
    elif operation in ("cherry-pick", "am"):
        _replay(clone, operation)
    elif operation == "sync":
        ward.sync(clone)  # type: ignore[operator]


def _merged(result: subprocess.CompletedProcess, clone: Clone, rebase: bool = False) -> None:
    if result.returncode != 0:
        raise AssertionError(
            f"{'rebase' if rebase else 'merge'} in {clone.root.name} failed:\n{result.stdout}{result.stderr}"
        )


def _replay(clone: Clone, how: str) -> None:
    """The clone's own commits on top of the shared copy by cherry-pick or by `git am -3`."""
    git(clone.root, "fetch", "-q", "origin")
    if git(clone.root, "rev-list", "--count", "--merges", "origin/main..HEAD").stdout.strip() != "0":
        return  # only a straight line of own commits is replayed this way
    own = git(clone.root, "rev-list", "--reverse", "origin/main..HEAD").stdout.split()
    if not own:
        return
    if how == "am":
        patches = git(clone.root, "format-patch", "-q", "--stdout", "origin/main..HEAD").stdout
    git(clone.root, "reset", "-q", "--hard", "origin/main")
    if how == "am":
        done = subprocess.run(
            ["git", "-C", str(clone.root), "am", "-q", "-3"],
            input=patches,
            capture_output=True,
            text=True,
            env={**os.environ, **GIT_ENV},
        )
        while done.returncode != 0 and "No changes" in done.stdout + done.stderr:
            done = git(clone.root, "am", "--skip", check=False)  # a patch already there via a peer
        if done.returncode != 0:
            raise AssertionError(f"git am -3 in {clone.root.name} failed:\n{done.stdout}{done.stderr}")
        return
    for commit in own:
        git(clone.root, "cherry-pick", "--allow-empty", "--keep-redundant-commits", commit)  # already there via a peer


def settle(ward: Ward, rounds: int = 8) -> None:
    """Every clone pulls and pushes until all hold the shared copy's commit."""
    for _ in range(rounds):
        for clone in ward.clones:
            _merged(
                git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", "--no-verify", "origin", "main", check=False),
                clone,
            )
            git(clone.root, "push", "-q", "origin", "HEAD:main", check=False)
        heads = {git(clone.root, "rev-parse", "HEAD").stdout for clone in ward.clones}
        shared = git(ward.hub, "rev-parse", "main").stdout
        if heads == {shared}:
            return
    raise AssertionError("the clones did not settle on one commit")


def contents(clone: Clone) -> dict[str, bytes]:
    return {pid: (clone.root / "records" / f"{pid}.yaml").read_bytes() for pid in RECORDS}


def run(ward: Ward, steps: int) -> None:
    for _ in range(steps):
        step(ward)
    settle(ward)


def cleanup(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
