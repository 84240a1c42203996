"""Benchmarks of rendering, as a coordinator runs it from the shell.

    python bench/bench_render.py [--runs 7] [--compare /path/to/other/bin/imr] [--baseline DIR]

Measures, in a fresh workspace with one participant (goal, steps, relapse plan, homework):
  * one personalised handout to PDF, `imr render handout 1.3 --for p-01`  (goal: <= 0.25 s);
  * the whole Swedish programme to one PDF, `imr render bundle --all`     (goal: <= 1.3 s);
  * the same programme done the naive way, one pandoc process per handout file, against
    imr's pandoc run for the whole bundle, in one process and cut into pieces that pandoc
    processes convert at once (one per core; the Typst must be the same), both for the pandoc
    stage alone and for the whole pipeline (goal: >= 3x faster; naive: pandoc + typst per
    file, as a shell loop over the handouts would do; imr: one pandoc run, one typst compile);
  * typst compiles of the 41 handouts as separate documents, one after the other and in
    parallel threads (what `render_documents` does for several documents).
Shell timings are the median (and best) of several fresh processes; stage timings are
in-process, median of the runs. The machine's load is printed, since a busy 2-core machine
moves every number. With `--compare`, the two shell timings are also taken with another
installation of imr (say, the previous release in its own virtual environment), runs of the
two interleaved, so "before" and "after" come from one run on the same machine state; with
`--baseline DIR` the same with another source tree in this environment (`PYTHONPATH=DIR
python -m imr`, and this tree the same way). Python's bytecode cache is on for every run
(see `bench_cli.with_bytecode`).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cli import with_bytecode

HERE = Path(__file__).resolve().parent


def imr_command() -> list[str]:
    exe = shutil.which("imr")
    return [exe] if exe else [sys.executable, "-m", "imr"]


def shell(cmd: list[str], runs: int, cwd: Path, env: dict) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()}")
    return statistics.median(times), min(times)


def stage(func, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def make_workspace(root: Path, env: dict) -> None:
    imr = imr_command()
    steps = [
        ["init", str(root), "--name", "Bänkprov"],
        ["patient", "add", "p-01", "--variant", "schizophrenia", "--leader", "AB"],
        [
            "goal",
            "add",
            "p-01",
            "Att kunna gå till affären själv",
            "--step",
            "Gå till kiosken med kontaktperson",
            "--step",
            "Handla en sak själv",
        ],
        [
            "relapse-plan",
            "p-01",
            "--trigger",
            "Sömnbrist",
            "--warning-sign",
            "Sover dåligt",
            "--action",
            "Säga till min kontaktperson",
        ],
        ["session", "log", "p-01", "--homework", "Skriv ned tre saker som är viktiga för dig"],
    ]
    for args in steps:
        subprocess.run(imr + args, check=True, capture_output=True, cwd=root.parent, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", help="another imr executable to time the same shell commands with")
    parser.add_argument("--baseline", type=Path, help="another source tree to time the same shell commands with")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp()) / "ws"
    env = with_bytecode(dict(os.environ, IMR_SIGNATURE="KL", IMR_WORKSPACE=str(root)))
    make_workspace(root, env)
    imr = imr_command()
    # The other installation works in its own copy of the workspace: caches of derived values
    # carry a fingerprint of the code that made them, so two versions taking turns in one
    # workspace would each rebuild them on every run, which a user never sees.
    other_root = root.parent / "ws-other"
    shutil.copytree(root, other_root, symlinks=True)
    other_cmd, other_env = ([args.compare], dict(env, IMR_WORKSPACE=str(other_root))) if args.compare else (None, env)
    if args.baseline:
        imr = other_cmd = [sys.executable, "-m", "imr"]
        env = dict(env, PYTHONPATH=str(HERE.parent))
        other_env = dict(env, PYTHONPATH=str(args.baseline.resolve()), IMR_WORKSPACE=str(other_root))
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.runs} runs each")

    commands = [
        (
            "handout 1.3 --for p-01 -> PDF (shell):",
            ["render", "handout", "1.3", "--for", "p-01", "--force"],
            "h",
            args.runs,
            "goal <= 0.25 s",
        ),
        (
            "bundle --all -> one PDF (shell):        ",
            ["render", "bundle", "--all", "--force"],
            "all",
            max(3, args.runs // 2),
            "goal <= 1.3 s",
        ),
    ]
    for label, command, stem, runs, goal in commands:
        if other_cmd:
            for _ in range(2):  # compile both trees' modules (and fill their caches) outside the timings
                shell(imr + command + ["-o", f"{stem}.pdf"], 1, root, env)
                shell(other_cmd + command + ["-o", f"{stem}-other.pdf"], 1, other_root, other_env)
            other: list[float] = []
            ours: list[float] = []
            for _ in range(runs):  # interleaved, so both see the same machine load
                other.append(shell(other_cmd + command + ["-o", f"{stem}-other.pdf"], 1, other_root, other_env)[0])
                ours.append(shell(imr + command + ["-o", f"{stem}.pdf"], 1, root, env)[0])
            shown = "baseline" if args.baseline else "compared"
            print(
                f"{label} median {statistics.median(ours):.3f} s, best {min(ours):.3f} s "
                f"({shown}: median {statistics.median(other):.3f} s, best {min(other):.3f} s)   {goal}"
            )
        else:
            median, best = shell(imr + command + ["-o", f"{stem}.pdf"], runs, root, env)
            print(f"{label} median {median:.3f} s, best {best:.3f} s   {goal}")

    os.environ.update(env)
    from imr.core.strings import strings
    from imr.render import pandoc, typst_pdf
    from imr.render.documents import programme_document
    from imr.render.markdown import document_markdown
    from imr.workspace.folder import open_workspace

    ws = open_workspace(root)
    labels = strings(ws.lang, ws.root)["render"]
    document = programme_document(ws)
    markdown = document_markdown(ws, document)
    marker, end = "::: {.imr-part n=", "::: {.imr-end}\n:::\n"
    pieces = [marker + piece.replace(end, "") + "\n" + end for piece in markdown.split(marker)[1:]]
    runs = max(3, args.runs // 2)

    def convert(texts: list[str], processes: int | None = None) -> list[str]:
        return pandoc.convert_many_to_typst(texts, lang="sv", workspace_root=root, processes=processes)

    one_run, bodies = stage(lambda: convert([markdown], 1), runs)
    at_once, piece_bodies = stage(lambda: convert([markdown]), runs)
    count = len(pandoc.split_at_parts(markdown, pandoc._piece_count(len(markdown))))
    per_file, per_bodies = stage(lambda: [convert([p])[0] for p in pieces], runs)
    print(
        f"pandoc, {len(pieces)} handouts: one process {one_run:.3f} s, {count} pieces at once {at_once:.3f} s "
        f"(same Typst: {piece_bodies == bodies}), one process per file {per_file:.3f} s "
        f"-> {per_file / one_run:.1f}x one process, {per_file / at_once:.1f}x in pieces"
    )

    source = typst_pdf.typst_source(bodies[0], root)
    inputs = typst_pdf.document_inputs(document, labels)
    compile_once, _ = stage(lambda: typst_pdf.compile_pdf(source, inputs, root), runs)
    sources = [(typst_pdf.typst_source(body, root), inputs) for body in per_bodies]
    sequential, _ = stage(lambda: [typst_pdf.compile_pdf(s, i, root) for s, i in sources], runs)
    parallel, _ = stage(lambda: typst_pdf.compile_many(sources, root), runs)
    print(
        f"typst: whole bundle once {compile_once:.3f} s; {len(sources)} separate documents "
        f"{sequential:.3f} s one after the other, {parallel:.3f} s in parallel threads"
    )
    ours = at_once + compile_once
    naive = per_file + sequential
    print(
        f"whole pipeline after Markdown: imr {ours:.3f} s, naive per file (pandoc + typst each) {naive:.3f} s "
        f"-> {naive / ours:.1f}x   goal >= 3x"
    )


if __name__ == "__main__":
    main()
