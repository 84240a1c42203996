"""The convergence property at length: many seeds, long random sequences, more clones (issue 25).

    python bench/bench_converge.py [--seeds 20] [--steps 120] [--clones 3]

The same simulation as tests/test_convergence.py (tests/convergence_sim.py: real git, a bare
repository, appends with skewed clocks, pulls, rebases, peer merges, cherry-picks, `git am -3`),
without `imr sync` (that needs the test fixtures), then settles and asserts: every clone
identical, every entry exactly once, the whole-history check clean. Prints the time per merge
the driver made, for comparison with bench/bench_merge.py.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from convergence_sim import GIT_ENV, RECORDS, contents, make_ward, run

from imr.gates.history import history_findings
from imr.workspace.create import init_workspace


def template(folder: Path) -> Path:
    import os

    root = folder / "ws"
    init_workspace(root, name="Konvergens")
    env = {**os.environ, **GIT_ENV, "IMR_SIGNATURE": "KL"}
    for pid in RECORDS:
        subprocess.run(
            [sys.executable, "-m", "imr", "patient", "add", pid, "--date", "2026-01-05"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    for args in (["add", "-A"], ["commit", "-q", "--no-verify", "-m", "start"], ["branch", "-M", "main"]):
        subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--clones", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="imr-converge-"))
    try:
        root = template(folder)
        started = time.perf_counter()
        merges = 0
        for seed in range(args.seeds):
            ward = make_ward(folder / f"ward-{seed}", root, args.clones, seed)
            run(ward, args.steps)
            first = contents(ward.clones[0])
            assert all(contents(c) == first for c in ward.clones[1:]), (seed, ward.log)
            found = sorted(i.decode() for pid in RECORDS for i in re.findall(rb"^- id: (\w+)$", first[pid], re.M))
            assert [i for i in found if i in ward.written] == sorted(ward.written), (seed, ward.log)
            for clone in ward.clones:
                assert history_findings(clone.root, since="") == [], (seed, ward.log)
            merges += sum(1 for line in ward.log if line.split()[1] in ("pull", "rebase", "peer", "cherry-pick", "am"))
            shutil.rmtree(folder / f"ward-{seed}", ignore_errors=True)
            print(
                f"  seed {seed}: {args.clones} clones, {args.steps} steps, "
                f"{len(ward.written)} entries: identical, each once, history clean",
                flush=True,
            )
        seconds = time.perf_counter() - started
        print(f"{args.seeds} seeds converged in {seconds:.0f} s ({merges} merging operations besides settling)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
