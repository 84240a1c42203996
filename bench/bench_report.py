"""`imr report --format pdf` at 1,000 participants × 40 entries: wall time and peak memory of the
whole process tree, beside the baseline code in the same run.

    python bench/bench_report.py [--baseline /work/base] [--dir /tmp/imr-bench-report] [--runs 3]

Builds (once; kept in --dir and reused) a workspace with bench/make_workspace.py, then runs,
interleaved so that a busy moment on a shared machine hits both sides alike, the report as a
PDF: first runs (the workspace's `.imr-cache/` deleted before each) and warm runs, with this
tree's imr and with the baseline's (`PYTHONPATH=DIR`, a source tree such as `git archive <commit>
| tar -x -C DIR`). Peak memory is the largest sum over imr and every process it started at that
moment (pandoc, git, parsing workers) of each one's proportional set size (resident memory, a
page shared by several processes split between them), sampled every 5 ms with psutil (0
without it), and beside it the largest single process as the kernel counts it (`ru_maxrss`).
Reading a process's proportional set size walks its page tables and stalls it meanwhile (about
0.1 s of a warm run's 1.6 s), so the times come from runs nobody watches and the tree's peak
from one more first and warm run of each side after them, watched. Both sides keep their
compiled bytecode, as an installed imr does, in --dir (`PYTHONPYCACHEPREFIX`, so neither source
tree is written to) even where PYTHONDONTWRITEBYTECODE is set: compiling every module of imr
again on each run cost about 0.08 s of CPU. Targets: ≤ 200 MB and ≤ 2 s warm.
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

try:
    import psutil  # the process tree's memory; without it, only the largest process is measured
except ImportError:
    psutil = None

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

UNTIL = "2025-12-31"  # inside the synthetic records' dates


def build(root: Path, participants: int, entries: int) -> Path:
    from make_workspace import generate

    if not (root / "built").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, participants, entries)
        (root / ".git" / "info").mkdir(exist_ok=True)
        (root / ".git" / "info" / "exclude").write_text(".imr-cache/\nout/\nbuilt\n", encoding="utf-8")
        (root / "built").write_text("", encoding="utf-8")
    return root


def measure(cmd: list[str], env: dict[str, str], cwd: Path, watch: bool = True) -> tuple[float, float, float, float]:
    """Wall seconds, the process tree's peak (MB, sampled when `watch`, else 0), the largest
    single process (MB) and the CPU seconds of imr and the processes it waited for (steadier
    than the wall clock on a shared machine)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid) if psutil and watch else None
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, 0 if parent is None else os.WNOHANG)
        if pid:
            break
        try:
            total = 0
            for member in [parent, *parent.children(recursive=True)]:
                try:
                    total += _proportional(member)
                except psutil.Error:
                    pass  # ended between the listing and the reading
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, with its resource usage
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return seconds, peak / 2**20, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _proportional(process) -> int:
    """The process's proportional set size where the system has it (Linux): pages shared with
    another process of the tree count once in the sum, such as a child just started with vfork,
    which shows its parent's whole memory until it runs its program. Elsewhere resident memory."""
    try:
        return process.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return process.memory_info().rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, default=Path("/work/base"))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/imr-bench-report"))
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    root = build(args.dir / f"ws-{args.participants}x{args.entries}", args.participants, args.entries)
    out = args.dir / "out"
    out.mkdir(exist_ok=True)
    compiled = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    compiled["PYTHONPYCACHEPREFIX"] = str(args.dir.resolve() / "pycache")
    sides = {
        "this tree": compiled,
        "baseline": dict(compiled, PYTHONPATH=str(args.baseline.resolve())),
    }
    figures: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    trees: dict[tuple[str, str], float] = {}
    for run in range(args.runs + 1):
        watch = run == args.runs  # the last round, for the tree's memory only
        for kind in ("first", "warm"):
            for side, env in sides.items():
                if kind == "first":
                    shutil.rmtree(root / ".imr-cache", ignore_errors=True)
                else:  # the warm run after a run of the same code
                    measure(_command(out, side), env, root, watch=False)
                figures_now = measure(_command(out, side), env, root, watch=watch)
                if watch:
                    trees[(side, kind)] = figures_now[1]
                else:
                    figures.setdefault((side, kind), []).append(figures_now)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"imr report --format pdf, {args.participants} × {args.entries}, medians of {args.runs} (load {load:.1f}):")
    for kind in ("first", "warm"):
        for side in sides:
            runs = figures[(side, kind)]
            seconds = statistics.median(r[0] for r in runs)
            tree = trees[(side, kind)]
            single = statistics.median(r[2] for r in runs)
            cpu = statistics.median(r[3] for r in runs)
            print(
                f"  {kind:5s} {side:9s} {seconds:5.2f} s ({cpu:5.2f} s CPU)  "
                f"tree peak {tree:4.0f} MB  largest process {single:4.0f} MB"
            )
        ours, theirs = figures[("this tree", kind)], figures[("baseline", kind)]
        wall = statistics.median(r[0] for r in ours) / statistics.median(r[0] for r in theirs)
        cpu = statistics.median(r[3] for r in ours) / statistics.median(r[3] for r in theirs)
        print(f"  {kind:5s} this tree / baseline: {wall:.2f}× the wall time, {cpu:.2f}× the CPU time")
    for side in sides:
        size = (out / f"{side.replace(' ', '-')}.pdf").stat().st_size
        print(f"  {side}: PDF {size / 2**20:.1f} MB")


def _command(out: Path, side: str) -> list[str]:
    pdf = out / f"{side.replace(' ', '-')}.pdf"
    return [sys.executable, "-m", "imr", "report", "--format", "pdf", "--until", UNTIL, "-o", str(pdf)]


if __name__ == "__main__":
    main()
