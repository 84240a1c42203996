"""`imr sync` against the raw git commands it replaces, in one run (issue 25).

    python bench/bench_sync.py [--participants 1000] [--entries 40] [--runs 5] [--dir DIR]

Builds a workspace of N participants, shares it (`imr share` to a bare repository) and clones a
colleague's copy. Each round, the colleague first pushes one new entry to another record, so
both sides below must fetch and merge; then one new entry is appended in our clone and sent:
  * raw: `git add -A && git commit && git pull --no-rebase && git push`, with imr's hooks
    (`imr check --staged` before the commit, `imr check --merge-commit` before the merge);
  * imr: `imr sync` (checks before committing, every incoming and outgoing commit, the merge
    against both parents; commits and merges without hooks, since it has run the checks).
The two alternate round by round, so a busy moment on the shared machine hits both alike.
Target: imr sync <= 1.5x raw. Times are medians of --runs rounds.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="imr-sync-"))
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    imr = imr_command()
    ours, theirs, hub = base / "ours", base / "theirs", base / "hub.git"
    generate(ours, args.participants, args.entries)
    run(ours, *imr, "init", ".")
    run(ours, *imr, "share", str(hub))
    run(base, "git", "clone", "-q", str(hub), str(theirs))
    run(theirs, *imr, "init", ".")
    run(ours, *imr, "status")  # the summaries cache, as on a ward's computer
    pids = sorted(p.stem for p in (ours / "records").glob("*.yaml"))
    times: dict[str, list[float]] = {"raw": [], "imr": []}
    for n in range(args.runs * 2):
        side = "raw" if n % 2 == 0 else "imr"
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
        else:
            run(ours, *imr, "sync")
        times[side].append(time.perf_counter() - start)
        run(theirs, "git", "pull", "-q", "--no-rebase", "--no-edit", "--no-verify")
    raw, synced = statistics.median(times["raw"]), statistics.median(times["imr"])
    print(f"{args.participants} participants x {args.entries} entries, median of {args.runs} rounds each")
    print(f"  raw git add+commit+pull+push with imr's hooks  {raw:6.2f} s")
    print(f"  imr sync                                        {synced:6.2f} s   {synced / raw:.2f}x (target <= 1.5x)")
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
