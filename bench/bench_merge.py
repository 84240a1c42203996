"""Merge speed: git's own union merge against the imr merge driver on the same repository.

    python bench/bench_merge.py [--records 1000] [--entries 40] [--runs 3] [--with-cli]

Builds one repository with N records of M entries, then two branches that each append one
entry to every record (as two clones logging the same week would), and times `git merge` of
one branch into the other, in one run:
  * with `merge=union` (git's built-in line merge, the baseline; it cannot see rewrites);
  * with the imr merge driver as `imr init` registers it (target: within 50x the union merge);
  * with `--with-cli`, also through the full command line (`imr merge-driver`), as before.
Git starts one driver process per file, so the driver's start-up time is most of the cost.
The driver's merged records are compared, file by file, with what the careful merge (the
merge function as it was, parsing everything) makes of the same three versions: they must be
byte-identical. Union's output is only timed: it interleaves lines, not entries, so it is
not a correct merge of two appended entries (it makes duplicate keys).

The driver's modules are byte-compiled first, as `pip install` does for a wheel; a source
checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile them in every process.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_workspace import generate

from imr.core.yamlio import dump

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@invalid",
    "LC_ALL": "C",
}


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def append_everywhere(root: Path, branch: str, hour: int, by: str) -> None:
    """One session entry at the end of every record, in the writer's house style."""
    git(root, "checkout", "-q", "-b", branch, "main")
    for path in sorted((root / "records").glob("*.yaml")):
        entry = {
            "kind": "session",
            "at": f"2026-03-02T{hour:02d}:00:00+01:00",
            "by": by,
            "module": 2,
            "session": 1,
            "date": "2026-03-02",
            "homework_review": "done",
            "note": f"Träff loggad i klon {branch}.",
        }
        with open(path, "ab") as handle:
            handle.write(dump([entry]).encode("utf-8"))
    git(root, "commit", "-q", "--no-verify", "-am", f"{branch}: one entry per record")


def build(root: Path, records: int, entries: int) -> None:
    generate(root, records, entries)
    git(root, "branch", "-M", "main")
    append_everywhere(root, "a", 10, "KL")
    append_everywhere(root, "b", 11, "AB")


def merge_once(root: Path, mode: str, driver: str) -> tuple[float, dict[str, bytes]]:
    """Seconds for `git merge b` into a fresh checkout of a, and the merged records."""
    git(root, "checkout", "-q", "-f", "--detach", "a")  # the branch itself never moves
    attributes = root / ".git" / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)
    attributes.write_text("records/*.yaml merge=union\n" if mode == "union" else "", encoding="utf-8")
    git(root, "config", "merge.imr.driver", driver)
    env = {**os.environ, **GIT_ENV}
    start = time.perf_counter()
    result = subprocess.run(
        ["git", "-C", str(root), "merge", "-q", "--no-edit", "--no-verify", "b"],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"merge ({mode}) failed:\n{result.stdout}{result.stderr[-2000:]}")
    merged = {p.name: p.read_bytes() for p in sorted((root / "records").glob("*.yaml"))}
    return seconds, merged


def expected_merges(root: Path) -> tuple[dict[str, bytes], float]:
    """The merge function's result for each record's three versions, each checked with the strict
    reader: every entry of both sides there once, in each side's order; and the seconds the
    merge function took for all of them in this one process (as `imr sync` merges)."""
    from imr.core.yamlio import parse_text
    from imr.gates.merge import merge_logs

    triples = {
        path.name: [git_bytes(root, f"{rev}:records/{path.name}") for rev in ("main", "a", "b")]
        for path in sorted((root / "records").glob("*.yaml"))
    }
    start = time.perf_counter()
    merged_all = {name: merge_logs(*versions).text or "" for name, versions in triples.items()}
    seconds = time.perf_counter() - start
    out = {}
    for name, versions in triples.items():
        merged = merged_all[name]
        log = parse_text(merged)["log"]
        for side in versions[1:]:
            position = 0
            for entry in parse_text(side.decode("utf-8"))["log"]:
                position = log.index(entry, position) + 1
        out[name] = merged.encode("utf-8")
    return out, seconds


def git_bytes(root: Path, spec: str) -> bytes:
    return subprocess.run(["git", "-C", str(root), "show", spec], capture_output=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3, help="merges per mode; the median is shown")
    parser.add_argument(
        "--with-cli",
        action="store_true",
        help="also time the driver through the whole command line (slow: minutes at 1,000)",
    )
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="also time the driver of other imr code in DIR (`git archive <commit> | tar -x -C DIR`); repeatable",
    )
    args = parser.parse_args()

    import compileall

    import imr
    from imr.workspace.gitsetup import driver_command

    package = Path(imr.__file__).parent
    for name in ("__init__.py", "gates/__init__.py", "gates/merge.py", "merge_driver.py"):
        compileall.compile_file(str(package / name), quiet=1)
    root = args.keep or Path(tempfile.mkdtemp(prefix="imr-bench-merge-")) / "ward"
    try:
        build(root, args.records, args.entries)
        modes = [("union", "git merge=union", driver_command()), ("imr", "imr merge driver", driver_command())]
        for number, folder in enumerate(args.baseline):
            old = folder.resolve() / "imr" / "merge_driver.py"
            for name in ("__init__.py", "gates/__init__.py", "gates/merge.py", "merge_driver.py"):
                compileall.compile_file(str(old.parent / name), quiet=1)
            modes.append(
                (
                    f"baseline{number}",
                    f"driver at {folder.name}",
                    f"{shlex.quote(sys.executable)} -S {shlex.quote(str(old))} %O %A %B %L %P",
                )
            )
        if args.with_cli:
            cli = shutil.which("imr")
            program = shlex.quote(cli) if cli else f"{shlex.quote(sys.executable)} -m imr"
            modes.append(("cli", "imr merge-driver (CLI)", f"{program} merge-driver %O %A %B %P"))
        results: dict[str, list[float]] = {mode: [] for mode, _, _ in modes}
        outputs: dict[str, dict[str, bytes]] = {}
        for _ in range(args.runs):
            for mode, _label, driver in modes:
                seconds, merged = merge_once(root, mode, driver)
                results[mode].append(seconds)
                outputs[mode] = merged
        union = statistics.median(results["union"])
        print(
            f"merge of {args.records} records x {args.entries} entries, one entry appended on each side "
            f"(median of {args.runs}; git {git(root, 'version').split()[-1]}, {os.cpu_count()} cores)"
        )
        for mode, label, _driver in modes:
            median = statistics.median(results[mode])
            per_file = median / args.records * 1000
            print(f"  {label:<24} {median:7.2f} s  {per_file:6.1f} ms/file  {median / union:6.1f}x union")
        expected, in_process = expected_merges(root)
        print(
            f"  {'merge function, one process':<24} {in_process:7.2f} s  {in_process / args.records * 1000:6.1f} ms/file  "
            f"{in_process / union:6.1f}x union (what `imr sync` runs)"
        )
        print("  target: imr merge driver within 50x union (issue 18: 342x before)")
        same = all(
            outputs[mode] == expected for mode, _, _ in modes if mode != "union" and not mode.startswith("baseline")
        )
        print(
            f"  driver's records byte-identical to the merge function's, every entry there: {'yes' if same else 'NO'}"
        )
        if not same:
            raise SystemExit(1)
    finally:
        if args.keep is None:
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
