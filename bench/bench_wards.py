"""A region's report (issue 17, item 3): `imr report --wards manifest` over many wards, beside
the same wards reported one by one, in one run.

    python bench/bench_wards.py [--wards 50] [--participants 200] [--entries 40] [--dir /tmp/imr-wards]

Builds (once; kept in --dir and reused) N ward workspaces with bench/make_workspace.py (a
different seed per ward) and a manifest listing them. Then, interleaved so that a busy moment
on a shared machine hits both sides alike:
  1. baseline, first run: every ward's caches deleted, then `imr report` in each ward, one after
     the other (what a coordinator does today);
  2. the region's report, first run: every ward's caches deleted, then one `imr report --wards`;
  3. baseline, warm: `imr report` in each ward again;
  4. the region's report, warm: `imr report --wards` again (nothing changed);
  5. the region's report for another period (each ward's report is made again from its parsed
     records: what a coordinator sees the next day).
Targets on the 2-core development machine: (2) <= 30 s, (4) a few seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cli import imr_command

UNTIL = "2025-12-31"  # inside the synthetic records' dates


def build_ward(args: tuple[Path, int, int, int]) -> Path:
    from make_workspace import generate

    root, participants, entries, seed = args
    if not (root / "built").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, participants, entries, seed=seed)
        (root / ".git" / "info").mkdir(exist_ok=True)
        (root / ".git" / "info" / "exclude").write_text(".imr-cache/\nout/\nbuilt\n", encoding="utf-8")
        (root / "imr.yaml").write_text(
            (root / "imr.yaml").read_text(encoding="utf-8").replace("Benchmark", f"Avdelning {seed}"), encoding="utf-8"
        )
        (root / "built").write_text("", encoding="utf-8")
    return root


def build(base: Path, wards: int, participants: int, entries: int) -> tuple[list[Path], Path]:
    base.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    jobs = [(base / f"avd-{n:02d}-{participants}x{entries}", participants, entries, n) for n in range(1, wards + 1)]
    with ProcessPoolExecutor() as pool:
        roots = list(pool.map(build_ward, jobs))
    manifest = base / "wards.yaml"
    manifest.write_text("wards:\n" + "".join(f"  - path: {r.name}\n" for r in roots), encoding="utf-8")
    print(f"  ({wards} wards x {participants} x {entries} ready in {time.perf_counter() - start:.0f} s)", flush=True)
    return roots, manifest


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and every worker it waited
    for) of one run: on a shared machine the second says what the work costs."""
    import os
    import subprocess

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return seconds, usage.ru_utime + usage.ru_stime


def drop_caches(roots: list[Path]) -> None:
    for root in roots:
        shutil.rmtree(root / ".imr-cache", ignore_errors=True)


def one_by_one(roots: list[Path], out: Path) -> tuple[float, float]:
    wall = cpu = 0.0
    for root in roots:
        seconds, used = run_once(
            [*imr_command(), "-w", str(root), "report", "--until", UNTIL, "-o", str(out / f"{root.name}.html")]
        )
        wall, cpu = wall + seconds, cpu + used
    return wall, cpu


def region(manifest: Path, out: Path, until: str = UNTIL) -> tuple[float, float]:
    return run_once(
        [*imr_command(), "report", "--wards", str(manifest), "--until", until, "-o", str(out / "region.html")]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wards", type=int, default=50)
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/imr-wards"))
    args = parser.parse_args()
    roots, manifest = build(args.dir, args.wards, args.participants, args.entries)
    out = args.dir / "out"
    out.mkdir(exist_ok=True)
    label = f"{args.wards} wards x {args.participants} x {args.entries}"
    drop_caches(roots)
    base_cold, base_cold_cpu = one_by_one(roots, out)
    drop_caches(roots)
    cold, cold_cpu = region(manifest, out)
    base_warm, base_warm_cpu = one_by_one(roots, out)
    warm, warm_cpu = region(manifest, out)
    moved, moved_cpu = region(manifest, out, "2025-12-30")  # another period: records cached, reports not
    size = (out / "region.html").stat().st_size / 1e6
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine)")
    print(
        f"{label}: region report, first run {cold:6.1f} s wall, {cold_cpu:6.1f} s CPU   "
        f"baseline (imr report per ward, one after the other) {base_cold:6.1f} s wall, "
        f"{base_cold_cpu:6.1f} s CPU   target <= 30 s"
    )
    print(
        f"{label}: region report, warm      {warm:6.1f} s wall, {warm_cpu:6.1f} s CPU   "
        f"baseline (imr report per ward, one after the other) {base_warm:6.1f} s wall, "
        f"{base_warm_cpu:6.1f} s CPU   target: a few seconds"
    )
    print(
        f"{label}: region report, another period (parsed records cached, each ward's report made again) "
        f"{moved:6.1f} s wall, {moved_cpu:6.1f} s CPU"
    )
    print(f"  region.html {size:.1f} MB")


if __name__ == "__main__":
    main()
