"""Scale for a region (issue 18): every figure next to its baseline, measured in one run.

    python bench/bench_scale.py [--quick] [--runs 3] [--dir /tmp/imr-scale] [--merge] [--baseline DIR]

Builds (once; kept in --dir and reused) workspaces of 100, 1,000 and 10,000 participants x 40
entries and 1,000 x 400 (a participant over years); `--quick` builds 100 and 1,000 x 40 and
100 x 400 only. Then, with the two sides of each comparison interleaved so that a busy moment
on the shared machine hits both alike:
  * `imr status` and `imr check`, warm and on a first run (cache deleted), with peak memory;
  * `imr fidelity` warm and first run, against `imr status` on the same workspace
    (targets at 10,000 x 40: <= 1 s and <= 200 MB warm, first run <= 1.5x status's);
  * `imr diff` over a commit that appends one entry to 1,000 records, against `git diff`
    of the same range (target: <= 5x), and with --baseline against older imr code in DIR
    (e.g. `git archive <commit> | tar -x -C DIR`) in the same run;
  * `imr session log` on a 400-entry record against the same on a 40-entry record (<= 1.3x);
  * `imr session next` against a bare typer hello-world (<= 1.2x);
  * with `--merge`, bench/bench_merge.py at 1,000 records (merge driver against `merge=union`).
Every command runs from bytecode compiled once into `--dir`/pycache (never into either source
tree). Times are medians of --runs fresh processes; peak memory is the largest RSS of the command or
any worker process it waited for (resource usage of the child, `os.wait4`), counted from a
small launcher process so that the benchmark's own memory is not part of it (`bench_cli.run_once`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cli import imr_command, run_measured
from bench_merge import git

# The baseline runs with PYTHONPATH set to its tree; -P keeps the current folder (this worktree,
# when the benchmark is started from it) from coming first on sys.path and shadowing it.
BASELINE_PYTHON = [sys.executable, "-P"]


def workspace(base: Path, participants: int, entries: int) -> Path:
    from make_workspace import generate

    root = base / f"ws-{participants}x{entries}"
    if not (root / ".git").is_dir() or not (root / "built").exists():
        shutil.rmtree(root, ignore_errors=True)
        start = time.perf_counter()
        generate(root, participants, entries)
        (root / ".git" / "info").mkdir(exist_ok=True)
        (root / ".git" / "info" / "exclude").write_text(".imr-cache/\nbuilt\n", encoding="utf-8")
        (root / "built").write_text("", encoding="utf-8")
        print(f"  (built {participants} x {entries} in {time.perf_counter() - start:.0f} s)", flush=True)
    return root


def pair(commands: list[tuple[list[str], dict, object]], runs: int) -> list[tuple[float, float, int, float]]:
    """Median seconds, best seconds, peak RSS (MB) and median CPU seconds of each command, runs
    interleaved."""
    times: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    peaks: list[int] = [0 for _ in commands]
    for _ in range(runs):
        for index, (cmd, env, before) in enumerate(commands):
            if before:
                before()
            seconds, peak, cpu = run_measured(cmd, env)
            times[index].append(seconds)
            cpus[index].append(cpu)
            peaks[index] = max(peaks[index], peak)
    return [
        (statistics.median(t), min(t), p, statistics.median(c)) for t, p, c in zip(times, peaks, cpus, strict=False)
    ]


def show(label: str, figure: tuple[float, float, int, float], extra: str = "") -> None:
    median, best, peak, cpu = figure
    print(
        f"  {label:<36} {median:7.2f} s  best {best:6.2f} s  cpu {cpu:6.2f} s  peak {peak:5d} MB  {extra}", flush=True
    )


def dropper(root: Path):
    return lambda: shutil.rmtree(root / ".imr-cache", ignore_errors=True)


def bench_workspace(root: Path, label: str, runs: int, imr: list[str], baseline: Path | None = None) -> None:
    """Status, check and fidelity, warm and on a first run; with `baseline` (a source tree of older
    code, run with PYTHONPATH) each command's baseline run right after it, for a before/after."""
    env = dict(os.environ, IMR_WORKSPACE=str(root))
    print(f"\n{label}", flush=True)
    names = ["status", "check", "fidelity"]
    sides = [("", [*imr], env, dropper(root))]
    if baseline is not None:
        # Its own copy of the workspace (files hard-linked; these commands write only the cache),
        # since the caches are keyed by imr's code and the two sides would spoil each other's.
        twin = root.with_name(root.name + "-baseline")
        if not twin.is_dir():
            subprocess.run(["cp", "-al", str(root), str(twin)], check=True)
            shutil.rmtree(twin / ".imr-cache", ignore_errors=True)
        sides.append(
            (
                "baseline ",
                [*BASELINE_PYTHON, "-m", "imr"],
                dict(env, PYTHONPATH=str(baseline), IMR_WORKSPACE=str(twin)),
                dropper(twin),
            )
        )
    # First runs (cache deleted before each): status, check and fidelity (and their baselines) interleaved.
    first = pair([([*cmd, name], side_env, drop) for name in names for _, cmd, side_env, drop in sides], runs)
    for name in names:
        for _, cmd, side_env, _ in sides:
            subprocess.run([*cmd, name], capture_output=True, env=side_env)
    warm = pair([([*cmd, name], side_env, None) for name in names for _, cmd, side_env, _ in sides], runs)
    width = len(sides)
    targets = {
        ("status", "warm"): "(target <= 0.15 s at 1,000 x 40, <= 0.5 s at 10,000 x 40)",
        ("check", "warm"): "(target <= 0.15 s at 1,000 x 40, <= 0.5 s at 10,000 x 40)",
        ("fidelity", "warm"): "(target <= 1 s, 200 MB)",
        ("status", "first run"): "(target at 10,000 x 40: <= 5 s wall, <= 9 s CPU)",
        ("check", "first run"): "(target at 10,000 x 40: <= 5 s wall, <= 9 s CPU)",
        ("fidelity", "first run"): "(target <= 1.5x status's)",
    }
    # Each figure, then the same figure of the baseline right below it, with the ratio.
    for when, figures in (("warm", warm), ("first run", first)):
        for index, name in enumerate(names):
            for offset, (prefix, *_) in enumerate(sides):
                figure = figures[index * width + offset]
                if offset == 0:
                    extra = targets[(name, when)]
                    if name == "fidelity":
                        extra = f"= {figure[0] / figures[0 * width][0]:.2f}x status {when} {extra}"
                else:
                    mine = figures[index * width]
                    extra = f"(this code: {mine[0] / figure[0]:.2f}x wall, {mine[3] / max(figure[3], 1e-9):.2f}x cpu)"
                show(f"{prefix}{name} {when}", figure, extra)


def bench_diff(root: Path, changed: int, runs: int, imr: list[str], baseline: Path | None = None) -> None:
    """A commit appending one entry to `changed` records: `imr diff` against `git diff` (and, with
    `baseline`, against the imr code in that folder, run with PYTHONPATH, in the same run)."""
    import random

    from make_workspace import entry_id

    from imr.core.yamlio import dump

    rng = random.Random(18)
    base = git(root, "rev-parse", "HEAD").strip()
    branch = f"diff-{changed}"
    if branch not in git(root, "branch", "--list", branch):
        git(root, "checkout", "-q", "-b", branch)
        for number, path in enumerate(sorted((root / "records").glob("*.yaml"))[:changed]):
            entry = {
                "id": entry_id(rng, 1000 + number % 1000),
                "kind": "session",
                "at": "2026-03-02T10:00:00+01:00",
                "by": "KL",
                "module": 2,
                "session": 1,
                "date": "2026-03-02",
                "homework_review": "done",
                "note": "Träff efter uppdateringen.",
            }
            with open(path, "ab") as handle:
                handle.write(dump([entry]).encode("utf-8"))
        git(root, "commit", "-q", "--no-verify", "-am", "one entry in many records")
        git(root, "checkout", "-q", base)
        git(root, "branch", "-f", "diff-base", base)
    env = dict(os.environ, IMR_WORKSPACE=str(root))
    commands = [
        (["git", "-C", str(root), "diff", "diff-base", branch], env, None),
        ([*imr, "diff", "diff-base", branch], env, None),
    ]
    if baseline is not None:
        old_env = dict(env, PYTHONPATH=str(baseline.resolve()))
        # `-m` would put the current folder (this checkout, when run from it) before PYTHONPATH.
        old_imr = [
            sys.executable,
            "-c",
            "import runpy, sys; del sys.path[0]; runpy.run_module('imr', run_name='__main__')",
        ]
        commands.append(([*old_imr, "diff", "diff-base", branch], old_env, None))
    figures = pair(commands, runs)
    print(f"\ndiff over a commit touching {changed} records", flush=True)
    show("git diff", figures[0])
    show("imr diff", figures[1], f"= {figures[1][0] / figures[0][0]:.1f}x git diff (target <= 5x)")
    if baseline is not None:
        show(f"imr diff, code in {baseline}", figures[2], f"= {figures[2][0] / figures[0][0]:.1f}x git diff")


def bench_session_log(small: Path, large: Path, runs: int, imr: list[str]) -> None:
    """`imr session log` on a 400-entry record against a 40-entry one (each run appends one entry)."""
    commands = []
    for root in (small, large):
        env = dict(os.environ, IMR_WORKSPACE=str(root), IMR_SIGNATURE="KL")
        commands.append(
            (
                [*imr, "session", "log", "b-00002", "--by", "KL", "--note", "Bra träff.", "--again", "--handout"],
                env,
                None,
            )
        )
    figures = pair(commands, runs)
    for root in (small, large):
        git(root, "checkout", "-q", "--", "records")
    print("\nsession log", flush=True)
    show("imr session log, 40-entry record", figures[0])
    show(
        "imr session log, 400-entry record",
        figures[1],
        f"= {figures[1][0] / figures[0][0]:.2f}x the 40-entry record (target <= 1.3x)",
    )


def bench_next(root: Path, runs: int, imr: list[str], baseline: Path | None = None) -> None:
    env = dict(os.environ, IMR_WORKSPACE=str(root))
    commands = [
        ([sys.executable, str(HERE / "hello_typer.py"), "KL"], env, None),
        ([*imr, "session", "next", "b-00001"], env, None),
    ]
    if baseline is not None:
        commands.append(
            ([*BASELINE_PYTHON, "-m", "imr", "session", "next", "b-00001"], dict(env, PYTHONPATH=str(baseline)), None)
        )
    for cmd, side_env, _ in commands[1:]:
        subprocess.run(cmd, capture_output=True, env=side_env)
    figures = pair(commands, max(runs, 5))
    print("\nsession next", flush=True)
    show("typer hello-world", figures[0])
    show("imr session next ID", figures[1], f"= {figures[1][0] / figures[0][0]:.2f}x hello-world (target <= 1.2x)")
    if baseline is not None:
        show("baseline imr session next ID", figures[2], f"= {figures[2][0] / figures[0][0]:.2f}x hello-world")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 x 40 (and 100 x 400) only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/imr-scale"), help="where workspaces are kept")
    parser.add_argument("--merge", action="store_true", help="also run bench/bench_merge.py at 1,000 records")
    parser.add_argument("--only", help="comma-separated parts: workspaces,diff,log,next,merge")
    parser.add_argument("--sizes", help="workspaces to time, e.g. 10000x40,1000x400 (default: all of the mode)")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a source tree of older imr (e.g. `git archive` of main) to run with PYTHONPATH "
        "beside each status, check, fidelity, diff and session next figure",
    )
    parser.add_argument(
        "--big-runs",
        type=int,
        default=1,
        help="runs for workspaces of 10,000 records or 400 entries (a first run there is minutes "
        "on a busy 2-core machine)",
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    # Both sides run from compiled bytecode, as an installed imr does: with PYTHONDONTWRITEBYTECODE
    # set (some shells and containers do), every run would compile imr's modules from source
    # afresh. The bytecode goes to a folder of its own, so the baseline's tree is left as it is.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.dir.resolve() / "pycache")
    imr = imr_command()
    parts = set((args.only or "workspaces,diff,log,next" + (",merge" if args.merge else "")).split(","))
    sizes = [(100, 40), (1000, 40)] if args.quick else [(100, 40), (1000, 40), (10000, 40), (1000, 400)]
    long = (100, 400) if args.quick else (1000, 400)
    print(
        f"imr scale benchmark ({'quick' if args.quick else 'full'}; median of {args.runs}; "
        f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')})",
        flush=True,
    )
    roots: dict[tuple[int, int], Path] = {}

    def root(size: tuple[int, int]) -> Path:  # built on first use, so --only and --sizes build no more
        if size not in roots:
            roots[size] = workspace(args.dir, *size)
        return roots[size]

    if args.sizes:
        sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    if "workspaces" in parts:
        for size in sizes:
            runs = args.big_runs if size[0] >= 10000 or size[1] >= 400 else args.runs
            bench_workspace(
                root(size), f"{size[0]} participants x {size[1]} entries (median of {runs})", runs, imr, args.baseline
            )
    if "diff" in parts:
        bench_diff(root(sizes[-1] if args.quick else (10000, 40)), 1000, args.runs, imr, args.baseline)
    if "log" in parts:
        bench_session_log(root((1000, 40)) if not args.quick else root((100, 40)), root(long), args.runs, imr)
    if "next" in parts:
        bench_next(root((1000, 40)), args.runs, imr, args.baseline)
    if "merge" in parts:
        print(flush=True)
        subprocess.run([sys.executable, str(HERE / "bench_merge.py"), "--records", "1000", "--runs", "1"], check=True)


if __name__ == "__main__":
    main()
