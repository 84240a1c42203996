"""`imr render handout` without typer (issue 30): the same files, words and exit codes as typer's.

`imr.cli.app.main` runs the usual forms of `render handout` (`argv.render_handout`) without
importing typer; every other form goes through typer as before. These tests run real `imr`
processes in a real workspace and compare each fast run with the same request spelled so
that typer parses it (`-oFILE`, `-fFORMAT`: click's attached short options, which the fast
path leaves to typer), and check from `-X importtime` which of the two ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imr.cli import argv


@pytest.fixture
def planned(enrolled):
    """p-01 with a goal, a step, a relapse plan and homework: a handout with every personal part."""
    enrolled.ok("goal", "add", "p-01", "Att kunna gå till affären själv", "--step", "Gå till kiosken med kontaktperson")
    enrolled.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--warning-sign", "Sover dåligt", "--action", "Ring")
    enrolled.ok("session", "log", "p-01", "--homework", "Skriv ned tre saker som är viktiga för dig")
    return enrolled


def _run(root: Path, *args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, set[str], str]:
    """`python -X importtime -m imr ARGS` in `root`: the run, the top-level packages it loaded
    and its stderr without the import lines."""
    environment = {key: value for key, value in os.environ.items() if key not in ("IMR_WORKSPACE", "IMR_LANG")}
    environment.update(env or {})
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imr", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment,
    )
    lines = run.stderr.splitlines()
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in lines if line.startswith("import time:")}
    stderr = "".join(line + "\n" for line in lines if not line.startswith("import time:"))
    return run, loaded, stderr


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the workspace but git's, the cache's and the lock: what a run may have written."""
    skipped = (".git", ".imr-cache")
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in skipped and path.name != ".imr.lock"
    }


def _compare(root: Path, fast: tuple[str, ...], typed: tuple[str, ...], env: dict | None = None):
    """Run `fast` (which must take the fast path) and `typed` (which must go through typer) from
    the same workspace state; return both runs and the files each left that were not there before."""
    assert argv.render_handout(argv.parse(list(fast))) is not None, fast
    assert argv.render_handout(argv.parse(list(typed))) is None, typed
    before = _files(root)
    outcomes = []
    for args, typer_expected in ((fast, False), (typed, True)):
        run, loaded, stderr = _run(root, *args, env=env)
        assert "imr" in loaded and not loaded & {"pydantic", "pydantic_core"}
        if run.returncode == 0:  # a refusal raises typer's Exit, so typer is loaded to say it
            assert bool(loaded & {"typer", "click"}) == typer_expected, (args, sorted(loaded & {"typer", "click"}))
        after = _files(root)
        written = {name: data for name, data in after.items() if before.get(name) != data}
        assert set(before) <= set(after)
        for name in written:  # the next run starts from the same state
            if name in before:
                (root / name).write_bytes(before[name])
            else:
                (root / name).unlink()
        shutil.rmtree(root / "out", ignore_errors=True)
        outcomes.append((run.returncode, run.stdout, stderr, written))
    return outcomes


@pytest.mark.parametrize(
    ("fast", "typed"),
    [
        (
            ("render", "handout", "1.3", "--for", "p-01", "-o", "blad.pdf"),
            ("render", "handout", "1.3", "--for", "p-01", "-oblad.pdf"),
        ),
        (
            ("render", "handout", "--for=p-01", "1.3", "--date", "2026-03-02", "--force"),
            ("render", "handout", "--for=p-01", "1.3", "--date", "2026-03-02", "--force", "-fpdf"),
        ),
        (
            ("--lang", "en", "render", "handout", "2.1", "--for", "p-01", "--format", "md", "--output=blad.md"),
            ("--lang", "en", "render", "handout", "2.1", "--for", "p-01", "--format", "md", "-oblad.md"),
        ),
        (
            ("-w", ".", "render", "handout", "1.1", "-f", "html", "--variant", "bipolar"),
            ("-w", ".", "render", "handout", "1.1", "-fhtml", "--variant", "bipolar"),
        ),
    ],
)
def test_a_fast_run_writes_and_says_what_typer_does(planned, fast, typed):
    (fast_code, fast_out, fast_err, fast_files), (typer_code, typer_out, typer_err, typer_files) = _compare(
        planned.root, fast, typed
    )
    assert fast_code == typer_code == 0, fast_err + typer_err
    assert (fast_out, fast_err) == (typer_out, typer_err)
    assert len(fast_files) == 1 and fast_files == typer_files  # the same file, byte for byte
    assert fast_out.strip().endswith(next(iter(fast_files)))  # "Skrev blad.pdf", "Wrote blad.md"


@pytest.mark.parametrize(
    ("fast", "typed"),
    [
        (  # an output on the records is refused
            ("render", "handout", "1.3", "--for", "p-01", "-o", "records/blad.pdf"),
            ("render", "handout", "1.3", "--for", "p-01", "-orecords/blad.pdf"),
        ),
        (  # an existing file imr did not make is not replaced without --force
            ("render", "handout", "1.3", "-o", "imr.yaml.bak"),
            ("render", "handout", "1.3", "-oimr.yaml.bak"),
        ),
        (
            ("render", "handout", "9.9", "--for", "p-01"),
            ("render", "handout", "9.9", "--for", "p-01", "-fpdf"),
        ),
        (
            ("render", "handout", "1.3", "--for", "p-99", "--output", "blad.pdf"),
            ("render", "handout", "1.3", "--for", "p-99", "-oblad.pdf"),
        ),
        (
            ("--lang", "en", "render", "handout", "1.3", "--format", "odt"),
            ("--lang", "en", "render", "handout", "1.3", "-fodt"),
        ),
    ],
)
def test_a_fast_refusal_is_typers_one_sentence_and_writes_nothing(planned, fast, typed):
    (planned.root / "imr.yaml.bak").write_text("not imr's\n", encoding="utf-8")
    (fast_code, fast_out, fast_err, fast_files), (typer_code, typer_out, typer_err, typer_files) = _compare(
        planned.root, fast, typed
    )
    assert fast_code == typer_code == 1
    assert (fast_out, fast_err) == (typer_out, typer_err) == ("", fast_err)
    assert len(fast_err.strip().splitlines()) == 1 and "Traceback" not in fast_err
    assert fast_files == typer_files == {}


def test_other_forms_go_through_typer_as_before(planned):
    root = planned.root
    before = _files(root)
    run, loaded, stderr = _run(root, "render", "handout", "1.3", "--for", "p-01", "-o", "-")
    assert run.returncode == 0 and "typer" in loaded
    assert run.stdout.startswith("::: {.imr-part n=1}") and "p-01" in run.stdout and not stderr
    run, loaded, _ = _run(root, "render", "handout", "--help")
    assert run.returncode == 0 and "typer" in loaded and "--for" in run.stdout
    run, loaded, stderr = _run(root, "render", "handout", "1.3", "--to", "p-01")
    assert run.returncode == 2 and "typer" in loaded and "--to" in stderr
    run, loaded, stderr = _run(root, "--lang", "de", "render", "handout", "1.3")
    assert run.returncode == 2 and "typer" in loaded and "--lang" in stderr
    assert _files(root) == before and not (root / "out").exists()


def test_the_fast_forms_and_the_rest():
    def parsed(*args: str):
        return argv.render_handout(argv.parse(list(args)))

    assert parsed("render", "handout", "1.3") == {"session": "1.3"}
    assert parsed("-w", "ward", "--lang=en", "render", "handout", "--force", "1.3", "--for", "p-01") == {
        "session": "1.3",
        "participant": "p-01",
        "force": True,
    }
    assert parsed(
        "render", "handout", "1.3", "--variant=bipolar", "-f", "docx", "--output", "a b.docx", "--date", "2026-03-02"
    ) == {"session": "1.3", "variant": "bipolar", "fmt": "docx", "output": "a b.docx", "date": "2026-03-02"}
    for args in (
        ["render", "handout"],
        ["render", "handout", "--help"],
        ["render", "handout", "1.3", "-h"],
        ["render", "handout", "1.3", "1.4"],
        ["render", "handout", "1.3", "-o", "-"],
        ["render", "handout", "1.3", "-o"],
        ["render", "handout", "1.3", "-oblad.pdf"],
        ["render", "handout", "1.3", "--output="],
        ["render", "handout", "1.3", "--for", "--force"],
        ["render", "handout", "1.3", "--for", "p-01", "--for", "p-02"],
        ["render", "handout", "1.3", "--force", "--force"],
        ["render", "handout", "1.3", "--force=yes"],
        ["render", "handout", "1.3", "-f", "pdf", "--format", "pdf"],
        ["render", "handout", "1.3", "--lang", "en"],
        ["render", "handout", "1.3", "--", "x"],
        ["--lang", "de", "render", "handout", "1.3"],
        ["--help", "render", "handout", "1.3"],
        ["render", "bundle", "--all"],
        ["render", "--help"],
        ["handout", "1.3"],
    ):
        assert parsed(*args) is None, args


def test_the_fast_path_knows_every_option_typer_declares():
    """argv's table of the handout's options is the typer command's, so a new option cannot be
    left to the fast path by mistake (it would refuse it, and typer would answer)."""
    import typer.main

    from imr.cli.app import build_app

    root = typer.main.get_command(build_app("render"))
    command = root.commands["render"].commands["handout"]  # type: ignore[attr-defined]
    declared = {opt: param.name for param in command.params for opt in param.opts if opt.startswith("-")}
    fast = {**argv.HANDOUT_OPTIONS, "--force": "force"}
    assert declared == fast


def test_ctrl_c_in_a_fast_run_is_typers_exit_130(planned):
    """The fast path's set-up turns the interrupted body into typer's answer: one sentence, 130."""
    code = (
        "import sys; sys.argv = ['imr', 'render', 'handout', '1.3']\n"
        "from imr.cli import app, argv, common\n"
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "app._run_plain(argv.parse(sys.argv[1:]), common.handle_errors(interrupted))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key not in ("IMR_WORKSPACE", "IMR_LANG")}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=planned.root, capture_output=True, text=True, env=environment
    )
    assert run.returncode == 130 and len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
