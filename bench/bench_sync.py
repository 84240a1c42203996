"""`imr sync` against the raw git commands it replaces, in one run (issues 25 and 30).

    python bench/bench_sync.py [--participants 1000] [--entries 40] [--runs 5] [--dir DIR]
                               [--baseline DIR] [--both-sides [--previous DIR]]

Builds a workspace of N participants, shares it (`imr share` to a bare repository) and clones a
colleague's copy. Each round, the colleague first pushes one new entry to another record, so
both sides below must fetch and merge; then one new entry is appended in our clone and sent:
  * raw: `git add -A && git commit && git pull --no-rebase && git push`, with imr's hooks
    (`imr check --staged` before the commit, `imr check --merge-commit` before the merge);
  * imr: `imr sync` (checks before committing, every incoming and outgoing commit, the merge
    against both parents; commits and merges without hooks, since it has run the checks).
  * base: with `--baseline DIR`, `imr sync` of the imr source tree in DIR (`PYTHONPATH=DIR`).
They alternate round by round, so a busy moment on the shared machine hits all alike.
Target: imr sync <= 1.3x raw (issue 30). Times are medians of --runs rounds.

`--both-sides`: every record changed on both sides (the colleague and we each appended one entry
to every record and committed), and each round starts from those same two commits:
  * union: `git pull --no-rebase` with `merge=union` for the records, then `git push` (git's own
    line merge: the floor; it makes a wrong record, so it is only timed);
  * imr: `imr sync` (checks, the merge of every record in its own process, checks, push);
  * previous: with `--previous DIR`, `imr sync` of the imr source tree in DIR (`PYTHONPATH=DIR`,
    its own driver and hooks set up before the round, its own warm cache): an earlier version
    of the same sync;
  * base: with `--baseline DIR`, `git pull` + `git push` with the merge driver of the tree in DIR
    (one driver process per record: what the older `imr sync` ran inside its `git merge`, so a
    lower bound for it; that sync itself stops at its 120 s git timeout on a busy machine).
Target: imr sync <= 3x the union merge (issue 30).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cli import imr_command
from make_workspace import generate

from imr.core.yamlio import dump

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@invalid",
    "LC_ALL": "C",
    "IMR_SIGNATURE": "KL",
}


def run(root: Path, *command: str) -> None:
    result = subprocess.run(list(command), cwd=root, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {root}:\n{result.stdout}{result.stderr}")


def append(root: Path, pid: str, n: int, by: str) -> None:
    entry = {
        "id": ("ka" if by == "KL" else "kb") + f"{n:06d}",
        "kind": "contact",
        "at": f"2026-03-02T10:{n % 60:02d}:00+01:00",
        "by": by,
        "date": "2026-03-02",
        "who": "mamma",
        "note": f"Kontakt {n}.",
    }
    with open(root / "records" / f"{pid}.yaml", "ab") as handle:
        handle.write(dump([entry]).encode("utf-8"))


def baseline_command(folder: Path | None) -> tuple[list[str], dict[str, str]] | None:
    """`imr` of the source tree in `folder` (its own modules first on the path), or None."""
    if folder is None:
        return None
    return [sys.executable, "-m", "imr"], {**ENV, "PYTHONPATH": str(folder.resolve())}


def timed(root: Path, command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=root, env=env or ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {root}:\n{result.stdout}{result.stderr}")
    return seconds


class Caches:
    """Each imr version's `.imr-cache` kept aside while the other runs, so that neither finds the
    other's cache (a different format: rebuilt from scratch) and every side runs warm."""

    def __init__(self, root: Path, aside: Path) -> None:
        self.live, self.aside, self.current = root / ".imr-cache", aside, "this"

    def use(self, version: str) -> None:
        if version == self.current:
            return
        if self.live.exists():
            shutil.move(str(self.live), str(self.aside / f"cache-{self.current}"))
        kept = self.aside / f"cache-{version}"
        if kept.exists():
            shutil.move(str(kept), str(self.live))
        self.current = version


def one_entry(args: argparse.Namespace, base: Path) -> None:
    imr = imr_command()
    older = baseline_command(args.baseline)
    ours, theirs, hub = base / "ours", base / "theirs", base / "hub.git"
    generate(ours, args.participants, args.entries)
    run(ours, *imr, "init", ".")
    run(ours, *imr, "share", str(hub))
    run(base, "git", "clone", "-q", str(hub), str(theirs))
    run(theirs, *imr, "init", ".")
    run(ours, *imr, "status")  # the summaries cache, as on a ward's computer
    pids = sorted(p.stem for p in (ours / "records").glob("*.yaml"))
    sides = ["raw", "imr", *(["base"] if older else [])]
    times: dict[str, list[float]] = {side: [] for side in sides}
    caches = Caches(ours, base)
    if older:  # the older code keeps its own cache (its format differs), warmed once like ours
        caches.use("base")
        timed(ours, [*older[0], "status"], older[1])
    for n in range(args.runs * len(sides)):
        side = sides[n % len(sides)]
        caches.use("base" if side == "base" else "this")  # raw's hooks run this release
        append(theirs, pids[-1 - n], n, "AB")  # a colleague sent one entry first
        run(theirs, "git", "commit", "-q", "--no-verify", "-am", f"colleague {n}")
        run(theirs, "git", "push", "-q")
        append(ours, pids[n], n, "KL")
        start = time.perf_counter()
        if side == "raw":
            run(ours, "git", "add", "-A")
            run(ours, "git", "commit", "-q", "-m", f"raw {n}")  # the pre-commit hook: imr check --staged
            run(ours, "git", "pull", "-q", "--no-rebase", "--no-edit")  # pre-merge-commit: imr check --merge-commit
            run(ours, "git", "push", "-q")
        elif side == "imr":
            run(ours, *imr, "sync")
        else:
            assert older is not None
            timed(ours, [*older[0], "sync"], older[1])
        times[side].append(time.perf_counter() - start)
        if side == "base":
            run(ours, *imr, "init", ".")  # this release's driver and hooks again, as on a ward's computer
        run(theirs, "git", "pull", "-q", "--no-rebase", "--no-edit", "--no-verify")
    caches.use("this")
    run(ours, *imr, "init", ".")  # this release's driver and hooks again
    raw = statistics.median(times["raw"])
    print(
        f"one new entry: {args.participants} participants x {args.entries} entries, median of {args.runs} rounds each"
    )
    print(f"  raw git add+commit+pull+push with imr's hooks  {raw:6.2f} s")
    for side, label in (("imr", "imr sync"), ("base", f"imr sync at {args.baseline}")):
        if side in times:
            median = statistics.median(times[side])
            print(f"  {label:<46}  {median:6.2f} s   {median / raw:.2f}x raw (target <= 1.3x)")


def both_sides(args: argparse.Namespace, base: Path) -> None:
    imr = imr_command()
    ours, theirs, hub = base / "ours", base / "theirs", base / "hub.git"
    generate(ours, args.participants, args.entries)
    run(ours, *imr, "init", ".")
    run(ours, *imr, "share", str(hub))
    run(base, "git", "clone", "-q", str(hub), str(theirs))
    pids = sorted(p.stem for p in (ours / "records").glob("*.yaml"))
    start_commit = git_out(ours, "rev-parse", "HEAD")
    branch = git_out(ours, "symbolic-ref", "--short", "HEAD")
    for n, pid in enumerate(pids):
        append(theirs, pid, n, "AB")
        append(ours, pid, n, "KL")
    run(theirs, "git", "commit", "-q", "--no-verify", "-am", "colleague: one entry in every record")
    run(theirs, "git", "push", "-q", "--no-verify")
    run(ours, "git", "commit", "-q", "--no-verify", "-am", "ours: one entry in every record")
    theirs_commit, ours_commit = git_out(theirs, "rev-parse", "HEAD"), git_out(ours, "rev-parse", "HEAD")
    run(ours, *imr, "status")  # the summaries cache, as on a ward's computer
    attributes = ours / ".git" / "info" / "attributes"
    sides = ["union", "imr", *(["previous"] if args.previous else []), *(["base"] if args.baseline else [])]
    previous = baseline_command(args.previous)
    caches = Caches(ours, base)  # the earlier imr keeps its own cache (warmed once), as in one_entry
    if previous:
        caches.use("previous")
        timed(ours, [*previous[0], "status"], previous[1])
    times: dict[str, list[float]] = {side: [] for side in sides}
    for n in range(args.runs * len(sides)):
        side = sides[n % len(sides)]
        caches.use("previous" if side == "previous" else "this")
        run(hub, "git", "update-ref", f"refs/heads/{branch}", theirs_commit)  # the colleague's commit waits
        run(ours, "git", "update-ref", f"refs/remotes/origin/{branch}", start_commit)
        run(ours, "git", "reset", "-q", "--hard", ours_commit)
        if side in ("union", "base"):
            if side == "union":
                attributes.write_text("records/*.yaml merge=union\n", encoding="utf-8")
            else:
                assert args.baseline is not None
                driver = args.baseline.resolve() / "imr" / "merge_driver.py"
                run(ours, "git", "config", "merge.imr.driver", f"{sys.executable} -S {driver} %O %A %B %L %P")
            seconds = timed(ours, ["git", "pull", "-q", "--no-rebase", "--no-edit", "--no-verify"])
            seconds += timed(ours, ["git", "push", "-q", "--no-verify"])
            attributes.unlink(missing_ok=True)
            run(ours, *imr, "init", ".")  # this release's driver again
        elif side == "previous":
            assert previous is not None
            timed(ours, [*previous[0], "init", "."], previous[1])  # its own driver and hooks, untimed
            seconds = timed(ours, [*previous[0], "sync"], previous[1])
            run(ours, *imr, "init", ".")  # this release's driver and hooks again
        else:
            seconds = timed(ours, [*imr, "sync"])
        times[side].append(seconds)
        assert git_out(ours, "rev-list", "--count", f"{ours_commit}..HEAD") == "2", side  # theirs + the merge
    caches.use("this")
    union = statistics.median(times["union"])
    print(
        f"every record changed on both sides: {args.participants} records x {args.entries} entries, "
        f"median of {args.runs} rounds each"
    )
    print(f"  raw git pull + push, merge=union               {union:6.2f} s")
    labels = (
        ("imr", "imr sync"),
        ("previous", f"imr sync at {args.previous}"),
        ("base", f"git pull + push, driver at {args.baseline}"),
    )
    for side, label in labels:
        if side in times:
            median = statistics.median(times[side])
            print(f"  {label:<46}  {median:6.2f} s   {median / union:.2f}x union (target for imr sync <= 3x)")


def git_out(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], env=ENV, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--baseline", type=Path, default=None, help="an older imr source tree to time beside")
    parser.add_argument("--both-sides", action="store_true", help="every record changed on both sides")
    parser.add_argument("--previous", type=Path, default=None, help="with --both-sides: an earlier imr's sync beside")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="imr-sync-"))
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    try:
        (both_sides if args.both_sides else one_entry)(args, base)
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
