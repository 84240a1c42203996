"""Wall-clock benchmarks of whole commands, as a user runs them from the shell.

    python bench/bench_cli.py [--participants 1000] [--entries 40] [--runs 10]

Measures, side by side in this environment:
  * `imr session next ID` against a bare typer hello-world (target: within 1.2x);
  * `imr status` on N participants x M entries (target: <= 1 s, peak memory <= 200 MB);
  * `imr check` on the same workspace (target: <= 4 s).
Each is the median of several runs in fresh processes. Peak memory is the child's max RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def imr_command() -> list[str]:
    exe = shutil.which("imr")
    return [exe] if exe else [sys.executable, "-m", "imr"]


def timed(cmd: list[str], runs: int, env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, int]:
    """Median seconds, best seconds, and the max RSS (MB) over the runs; fails loudly on error."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return statistics.median(times), min(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="Build the workspace here and keep it.")
    args = parser.parse_args()

    from make_workspace import generate

    root = args.keep or Path(tempfile.mkdtemp()) / "ws"
    if not (root / "imr.yaml").exists():
        generate(root, args.participants, args.entries)
    env = dict(os.environ, IMR_WORKSPACE=str(root))
    imr = imr_command()

    # Interleaved, so that a busy moment on the machine hits both sides alike.
    subprocess.run([*imr, "session", "next", "b-00001"], capture_output=True, env=env)  # warm the cache
    pairs = [(timed([sys.executable, str(HERE / "hello_typer.py"), "KL"], 1)[0],
              timed([*imr, "session", "next", "b-00001"], 1, env)[0]) for _ in range(args.runs)]
    hello, hello_best = statistics.median(p[0] for p in pairs), min(p[0] for p in pairs)
    nxt, nxt_best = statistics.median(p[1] for p in pairs), min(p[1] for p in pairs)
    print(f"typer hello-world          median {hello * 1000:7.1f} ms  best {hello_best * 1000:7.1f} ms")
    print(f"imr session next ID        median {nxt * 1000:7.1f} ms  best {nxt_best * 1000:7.1f} ms"
          f"  ratio {nxt / hello:.2f}x (target <= 1.2x)")

    rows = [("status", [*imr, "status"], 1.0), ("check", [*imr, "check"], 4.0)]
    for name, cmd, target in rows:
        # First run warms any cache; the median of the rest is what a user sees day to day.
        subprocess.run(cmd, capture_output=True, env=env)
        median, best, peak = timed(cmd, max(3, args.runs // 2), env)
        print(f"imr {name:<22} median {median * 1000:7.1f} ms  best {best * 1000:7.1f} ms"
              f"  peak RSS {peak} MB  (target <= {target:.0f} s) on {args.participants}x{args.entries}")


if __name__ == "__main__":
    main()
