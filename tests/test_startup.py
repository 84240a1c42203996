"""Start-up: no pydantic on any command path, and imr's plain converter equal to typer's own.

typer 0.29 converts parameters through pydantic; `imr.cli.coercion` gives imr's parameters a
converter without it. These tests run real `imr` processes (not mocks) and compare the plain
converter with typer's pydantic one on every parameter of the command tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from imr.cli.app import build_app
from imr.cli.coercion import PlainRuntimeParam, handled, prefill


def _imports(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """`python -X importtime -m imr ARGS` in a fresh process: the run and every module it loaded."""
    env = {k: v for k, v in os.environ.items() if k not in ("IMR_WORKSPACE", "IMR_LANG")}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imr", *args], cwd=root, capture_output=True, text=True, env=env
    )
    modules = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    return run, modules


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("session", "next", "p-01", "--json"),
        ("session", "next", "p-01"),
        ("--help",),
        ("session", "next", "--help"),
        ("goal", "add", "--help"),
        ("check",),
        ("patient", "show", "p-01"),
        ("render", "handout", "1.1", "--for", "p-01", "--format", "md", "-o", "h.md"),
        ("--lang", "en", "curriculum", "list"),
        ("status", "--no-such-option"),
    ],
)
def test_commands_do_not_import_pydantic(enrolled, args):
    run, modules = _imports(enrolled.root, *args)
    assert run.returncode in (0, 2), run.stderr[-2000:]
    assert "imr.cli.app" in modules  # the command really ran through imr
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}, args


def _params():
    command = typer.main.get_command(build_app())
    found = []

    def walk(cmd, path):
        for param in cmd.params:
            found.append((" ".join(path), param))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(command, ("imr",))
    return found


SAMPLES = {
    str: ["demo-02", "", " x ", "Gå till affären", "--", "0", "\x00"],
    int: ["12", "-3", "0", "007", " 12 ", "+12", "1_000", "12.0", "12.5", "x", "", "١٢", "9" * 30, 5, True],
    Path: ["out/h.pdf", ".", "", " x ", "/", Path("out")],
    bool: [True, False],
}


def _outcome(runtime, value, param, ctx):
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
        return ("ok", type(result), result)
    except typer.BadParameter as err:
        return ("refused", type(err))


def test_every_parameter_is_converted_plainly_and_as_typer_would():
    """The plain converter covers every parameter imr declares and, over a sample of values
    (usual ones and odd ones, which it hands to typer), gives what typer's pydantic converter
    gives: the same value of the same type, or a refusal."""
    from typer._coercion import build_runtime_param

    params = _params()
    assert len(params) > 150
    ctx = typer.main.get_command(build_app()).make_context("imr", ["status"], resilient_parsing=True)
    for where, param in params:
        descriptor = param.type_descriptor
        assert handled(descriptor), (where, param.name, descriptor.annotation)
        param._runtime_param = None
        prefill(param)
        assert isinstance(param._runtime_param, PlainRuntimeParam)
        typers = build_runtime_param(descriptor)
        item = getattr(descriptor.annotation, "__args__", (descriptor.annotation,))[0]
        values = [None, *SAMPLES[item]]
        if descriptor.is_list:
            values = [None, (), [], *[[v] for v in SAMPLES[item]], SAMPLES[item][:3], "word"]
        for value in values:
            assert _outcome(param._runtime_param, value, param, ctx) == _outcome(typers, value, param, ctx), (
                where,
                param.name,
                value,
            )


def test_an_unreadable_path_is_refused_as_typer_refuses_it(tmp_path):
    """Paths go through typer's own checks (here: an existing file that cannot be read)."""
    if os.name == "nt" or os.geteuid() == 0:
        pytest.skip("root reads every file; Windows has no mode bits")
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    secret.chmod(0)
    param = next(param for _, param in _params() if param.type_descriptor.annotation is Path)
    ctx = typer.main.get_command(build_app()).make_context("imr", ["status"], resilient_parsing=True)
    prefill(param)
    with pytest.raises(typer.BadParameter):
        param._runtime_param.coerce(str(secret), param=param, ctx=ctx)


def test_a_parameter_imr_does_not_convert_plainly_keeps_typers_converter():
    """A parser, a range or a choice is left to typer (the slot stays empty until typer fills it)."""
    app = typer.Typer()

    @app.command()
    def run(count: int = typer.Option(1, min=0), word: str = typer.Option("a", parser=str.upper)) -> None:
        pass

    command = typer.main.get_command(app)
    mine = [param for param in command.params if param.name in ("count", "word")]
    assert len(mine) == 2
    for param in mine:
        prefill(param)
        assert param._runtime_param is None


# --------------------------------------------------------------------------------------------
# `imr session next` without typer (P1): what typer's path prints, neither typer nor pydantic


def _process(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("IMR_WORKSPACE", "IMR_LANG")}
    environment.update(env or {})
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, env=environment)


@pytest.fixture
def grouped(enrolled):
    enrolled.ok("patient", "add", "p-02", "--variant", "bipolar")
    enrolled.ok("group", "create", "torsdag", "--leader", "MA", "--weekday", "torsdag")
    enrolled.ok("group", "add", "torsdag", "p-01", "p-02")
    return enrolled


@pytest.mark.parametrize(
    "args",
    [
        ("session", "next", "p-01"),
        ("session", "next", "p-01", "--json"),
        ("session", "next", "--json", "p-01"),
        ("--lang", "en", "session", "next", "p-01"),
        ("--lang=en", "session", "next", "p-01", "--json"),
        ("-w", ".", "session", "next", "p-01"),
        ("planera", "p-01"),
        ("session", "nästa", "p-01"),
        ("session", "next", "--group", "torsdag"),
        ("session", "next", "--group=torsdag", "--json"),
        ("session", "next", "p-99"),
        ("session", "next", "Demo 01"),
        ("session", "next", "--group", "fredag"),
    ],
)
def test_session_next_without_typer_prints_what_typer_prints(grouped, args):
    from imr.cli import argv

    assert argv.session_next(argv.parse(list(args))) is not None
    code, loaded = _as_typer_prints(grouped, args)
    if code == 0:  # a refusal raises typer's Exit, so typer is loaded to say it
        assert not loaded & {"typer", "click"}


def _as_typer_prints(ws, args) -> tuple[int, set[str]]:
    """`imr ARGS` in a process of its own printed and exited as typer's path in this one does:
    its exit code, and the top-level modules it loaded (never pydantic)."""
    through_typer = ws(*args)
    run = _process(ws.root, "-X", "importtime", "-m", "imr", *args)
    assert run.returncode == through_typer.exit_code
    out = [line for line in run.stderr.splitlines() if not line.startswith("import time:")]
    assert run.stdout + "".join(line + "\n" for line in out) == through_typer.output
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines() if "import time:" in line}
    assert "imr" in loaded and not loaded & {"pydantic", "pydantic_core"}
    return run.returncode, loaded


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--json"),
        ("--lang", "en", "status"),
        ("-w", ".", "status"),
        ("check",),
        ("check", "--json"),
        ("--lang=en", "check", "--strict", "--full"),
        ("check", "--since", "HEAD"),
        ("check", "--since=HEAD", "--json"),
        ("check", "--staged"),
        ("check", "--since", "no-such-commit"),
    ],
)
@pytest.mark.parametrize("finding", [False, True])
def test_status_and_check_without_typer_print_what_typer_prints(grouped, args, finding):
    """`imr status` and `imr check` in their usual forms (the hook's and CI's among them) run
    without typer and answer exactly as typer's path does: output, messages and exit code."""
    from imr.cli import argv

    grouped.commit_all()
    if finding:  # a record with a finding: check exits 1, status counts it
        record = grouped.record("p-02")
        record.write_text(record.read_text(encoding="utf-8").replace("  by: KL", "  by: KL\n  ring: 070-123 45 67", 1))
        grouped.git("add", "-A")
    assert argv.plain_command(argv.parse(list(args))) is not None
    code, loaded = _as_typer_prints(grouped, args)
    if "no-such-commit" not in args:  # (a refusal raises typer's Exit, so typer is loaded to say it)
        assert not loaded & {"typer", "click"}
    assert code == (1 if "check" in args and (finding or "no-such-commit" in args) else 0)


def test_every_other_shape_goes_through_typer():
    from imr.cli import argv

    for args in (
        ["session", "next"],
        ["session", "next", "--help"],
        ["session", "next", "p-01", "--render", "pdf"],
        ["session", "next", "p-01", "--group", "g1"],
        ["session", "next", "p-01", "p-02"],
        ["session", "next", "p-01", "--json", "--json"],
        ["session", "next", "p-01", "--lang", "en"],
        ["session", "next", "--group"],
        ["session", "next", "--group", "--json"],
        ["--lang", "de", "session", "next", "p-01"],
        ["--help", "session", "next", "p-01"],
        ["session", "log", "p-01"],
        ["next", "session", "p-01"],
        ["status"],
        [],
    ):
        assert argv.session_next(argv.parse(args)) is None, args
    for args in (
        ["status", "--help"],
        ["status", "--json", "--json"],
        ["status", "p-01"],
        ["status", "--lang", "en"],
        ["status", "--workspace", "."],
        ["--lang", "de", "status"],
        ["--help", "status"],
        ["check", "--since"],
        ["check", "--since", "--json"],
        ["check", "--since="],
        ["check", "--since", "a", "--since", "b"],
        ["check", "--full", "--full"],
        ["check", "--bogus"],
        ["check", "records"],
        ["check", "--merge-commit", "-h"],
        ["session", "next", "p-01"],
        ["fidelity"],
    ):
        assert argv.plain_command(argv.parse(args)) is None, args


def test_global_options_are_read_in_one_place(monkeypatch):
    from imr.cli import argv

    monkeypatch.delenv("IMR_LANG", raising=False)
    call = argv.parse(["-w", "ward", "--lang", "en", "anteckna", "p-01", "--note", "x"])
    assert call.words == ["-w", "ward", "--lang", "en", "session", "log", "p-01", "--note", "x"]
    assert (call.command, call.workspace, call.lang, call.only_global_before) == ("session", "ward", "en", True)
    assert call.rest == ["log", "p-01", "--note", "x"]
    call = argv.parse(["--workspace=a", "--lang=sv", "status", "--lang", "en"])  # the first --lang counts
    assert (call.command, call.workspace, call.lang) == ("status", "a", "sv")
    assert argv.parse(["status", "--lang", "en"]).lang == "en"  # so typer's refusal is said in English
    assert argv.parse(["--help"]).command is None and not argv.parse(["--help", "status"]).only_global_before
    monkeypatch.setenv("IMR_LANG", "en")
    assert argv.parse(["status"]).lang == "en" and argv.parse(["status"]).lang_option is None
    assert argv.parse(["hjälp", "session"]).words == ["session", "--help"]


def test_the_settings_folder_is_the_one_typer_names():
    from imr.cli.common import user_config_dir

    assert user_config_dir() == Path(typer.get_app_dir("imr"))


@pytest.mark.parametrize(
    ("args", "collecting"),
    [
        (("status",), True),
        (("render", "handout", "1.1", "-o", "-"), True),
        (("session", "next", "p-01"), False),
        (("render", "handout", "1.1", "--format", "md", "-o", "h.md"), False),
    ],
)
def test_only_the_hot_commands_run_without_the_cycle_collector(enrolled, args, collecting):
    """`main` keeps Python's cycle collector off while modules load; a command typer runs (a
    report, the web page, a long check) gets it back, the hot forms end without it."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: sys.stderr.write(f'collector: {gc.isenabled()}\\n'))\n"
        "from imr.cli.app import main\n"
        f"sys.argv = ['imr', *{list(args)!r}]\n"
        "main()\n"
    )
    run = _process(enrolled.root, "-c", code)
    assert run.returncode == 0, run.stderr
    assert f"collector: {collecting}" in run.stderr
