"""Wall-clock benchmarks of whole commands, as a user runs them from the shell.

    python bench/bench_cli.py [--participants 1000] [--entries 40] [--runs 10] [--baseline DIR] [--startup-only]

Measures, side by side in this environment:
  * start-up: `imr session next ID`, `imr session next ID --json` (targets: <= 0.8x) and every
    command's `--help` (target: <= 1.0x) against a bare typer hello-world, with `--baseline DIR`
    also the same commands from another source tree (`PYTHONPATH=DIR python -m imr`, say
    `git archive <commit> | tar -x -C DIR`), all interleaved so a busy moment hits every side;
  * `imr status` on N participants x M entries (target: <= 1 s, peak memory <= 200 MB);
  * `imr check` on the same workspace (target: <= 4 s).
Each is the median of several runs in fresh processes, with a warm cache and on a first run
(cache deleted). Peak memory is the largest RSS of the command or any of its worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def imr_command() -> list[str]:
    exe = shutil.which("imr")
    return [exe] if exe else [sys.executable, "-m", "imr"]


# The peak memory of a child (`ru_maxrss`) counts what its process held before it started the
# command: a forked child begins as a copy of the benchmark itself, which holds the workspaces it
# generated and the figures so far, so even `/bin/true` read as hundreds of MB. Commands are
# therefore started by this small launcher, a fresh interpreter that holds nothing else, and
# each figure is the command's own peak (or the launcher's ~10 MB, whichever is larger).
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    start = time.perf_counter()
    proc = subprocess.Popen(job["cmd"], env=job["env"], cwd=job["cwd"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), stderr, cpu]), flush=True)
"""
_launcher: subprocess.Popen | None = None


def with_bytecode(env: dict) -> dict:
    """The environment with Python's bytecode cache on, as a user's installation has it.

    A shell with PYTHONDONTWRITEBYTECODE set (some development set-ups, this one included)
    would otherwise compile every imr module from source on every run, while typer's and
    pydantic's came compiled with their wheels: that measures the compiler, not start-up.
    The cache goes under one temporary folder (PYTHONPYCACHEPREFIX), so a baseline tree such
    as /work/base is read, never written."""
    env = dict(env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "imr-bench-pycache"))
    return env


def run_once(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of one run; the peak is the largest of the process and any
    worker processes it waited for. Fails loudly on an internal error."""
    seconds, peak, _ = run_measured(cmd, env)
    return seconds, peak


def run_measured(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, int, float]:
    """`run_once` and the CPU seconds of the process and the workers it waited for: on a shared
    machine the steadier figure of the two, as other people's work stretches the wall clock."""
    global _launcher
    if _launcher is None or _launcher.poll() is not None:
        _launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
    assert _launcher.stdin is not None and _launcher.stdout is not None
    job = {"cmd": cmd, "env": dict(os.environ if env is None else env), "cwd": str(cwd) if cwd else None}
    _launcher.stdin.write(json.dumps(job) + "\n")
    _launcher.stdin.flush()
    seconds, maxrss_kb, returncode, stderr, cpu = json.loads(_launcher.stdout.readline())
    if returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return seconds, maxrss_kb // 1024, cpu


def timed(cmd: list[str], runs: int, env: dict | None = None, before=None) -> tuple[float, float, int]:
    """Median seconds, best seconds and the largest peak RSS (MB) over the runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        seconds, peak = run_once(cmd, env)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), min(times), max(peaks)


def command_names() -> list[str]:
    from imr.cli.app import COMMANDS

    return list(COMMANDS)


STARTUP_TARGETS = {"session next ID": 0.8, "session next ID --json": 0.8}


def startup(env: dict, runs: int, baseline: Path | None) -> None:
    """Start-up of the hot commands and of every command's --help, as ratios to typer hello.

    Each runs in a neutral folder: `python -m imr` would import `imr` from the current folder
    first, whatever PYTHONPATH says."""
    neutral = Path(tempfile.mkdtemp())
    sources = {"this tree": HERE.parent}
    if baseline is not None:
        sources["baseline"] = baseline.resolve()
    cases = [
        ("session next ID", ["session", "next", "b-00001"]),
        ("session next ID --json", ["session", "next", "b-00001", "--json"]),
    ]
    cases += [("imr --help", ["--help"]), ("session next --help", ["session", "next", "--help"])]
    cases += [(f"{name} --help", [name, "--help"]) for name in command_names() if name != "merge-driver"]
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    hello_cmd = [sys.executable, str(HERE / "hello_typer.py"), "KL"]
    for folder in sources.values():  # compile every module once, outside the timings
        for _, args in cases:
            subprocess.run(
                [sys.executable, "-m", "imr", *args],
                capture_output=True,
                env=dict(env, PYTHONPATH=str(folder)),
                cwd=neutral,
            )
    subprocess.run(hello_cmd, capture_output=True, env=env)
    for _ in range(runs):
        for label, args in [("hello", None), *cases]:
            for source, folder in sources.items() if args is not None else [("hello", None)]:
                cmd = hello_cmd if args is None else [sys.executable, "-m", "imr", *args]
                run_env = dict(env, PYTHONPATH=str(folder)) if folder else env
                seconds, _, used = run_measured(cmd, run_env, neutral)
                wall.setdefault((label, source), []).append(seconds)
                cpu.setdefault((label, source), []).append(used)
    hello_wall = statistics.median(wall[("hello", "hello")])
    hello_cpu = statistics.median(cpu[("hello", "hello")])
    print(f"typer hello-world                 median {hello_wall * 1000:6.1f} ms wall, {hello_cpu * 1000:6.1f} ms CPU")
    for label, _ in cases:
        figures = []
        for source in sources:
            w, c = statistics.median(wall[(label, source)]), statistics.median(cpu[(label, source)])
            figures.append(f"{source}: {w * 1000:6.1f} ms = {w / hello_wall:4.2f}x wall, {c / hello_cpu:4.2f}x CPU")
        target = STARTUP_TARGETS.get(label, 1.0)
        print(f"{label:<33} " + "   ".join(figures) + f"   (target <= {target}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="Build the workspace here and keep it.")
    parser.add_argument("--baseline", type=Path, help="another source tree to time the start-up beside")
    parser.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    args = parser.parse_args()

    from make_workspace import generate

    root = args.keep or Path(tempfile.mkdtemp()) / "ws"
    if not (root / "imr.yaml").exists():
        generate(root, args.participants, args.entries)
    env = with_bytecode(dict(os.environ, IMR_WORKSPACE=str(root)))
    imr = imr_command()
    subprocess.run([*imr, "session", "next", "b-00001"], capture_output=True, env=env)  # warm the cache
    startup(env, args.runs, args.baseline)
    if args.startup_only:
        return

    def drop_cache() -> None:
        shutil.rmtree(root / ".imr-cache", ignore_errors=True)

    for name, cmd, target in [("status", [*imr, "status"], 1.0), ("check", [*imr, "check"], 4.0)]:
        # Warm: what a user sees day to day. First run: after a fresh clone or a deleted cache.
        subprocess.run(cmd, capture_output=True, env=env)
        for label, before in (("warm", None), ("first run", drop_cache)):
            median, best, peak = timed(cmd, max(3, args.runs // 2), env, before)
            print(
                f"imr {name:<6} {label:<15} median {median * 1000:7.1f} ms  best {best * 1000:7.1f} ms"
                f"  peak RSS {peak} MB  (target <= {target:.0f} s) on {args.participants}x{args.entries}"
            )
        subprocess.run(cmd, capture_output=True, env=env)


if __name__ == "__main__":
    main()
