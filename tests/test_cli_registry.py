"""Every command is registered, has help text, is documented, and starts on its own."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from imr.cli.app import COMMANDS, build_app, command_name

_ROOT = Path(__file__).resolve().parent.parent
# The README and the nurse's tour (docs/tour.md) together document every command.
README = "\n".join((_ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/tour.md"))


def _commands(app: typer.Typer) -> dict:
    return typer.main.get_command(app).commands


def test_every_command_in_the_table_is_registered():
    assert set(_commands(build_app())) == set(COMMANDS)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_and_builds_alone(name, lang):
    """Every command and every parameter has its help text in the strings file of each language."""
    from imr.core.strings import strings

    helps = strings(lang)["help"]
    alone = _commands(build_app(name))
    assert name in alone

    def check(command, path):
        entry = helps.get(" ".join(path), {})
        assert (entry.get("_") or "").strip(), f"{lang}: {' '.join(path)} has no help text"
        for param in command.params:
            assert (entry.get(param.name) or "").strip(), f"{lang}: {' '.join(path)} {param.name} has no help"
        for sub_name, sub in getattr(command, "commands", {}).items():
            check(sub, (*path, sub_name))

    check(alone[name], (name,))


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if n != "merge-driver"))
def test_command_appears_in_readme(name):
    assert re.search(rf"\bimr {re.escape(name)}\b", README), f"README shows no `imr {name}`"


def test_command_name_skips_global_options():
    assert command_name(["--workspace", "x", "session", "next", "p"]) == "session"
    assert command_name(["-w", "x", "check"]) == "check"
    assert command_name(["--workspace=x", "status"]) == "status"
    assert command_name(["--help"]) is None


def test_help_lists_everything():
    out = CliRunner().invoke(build_app(), ["--help"]).output
    for name in COMMANDS:
        if name != "merge-driver":
            assert name in out


def test_console_entry_point_runs_one_command(tmp_path):
    out = subprocess.run([sys.executable, "-m", "imr", "-w", str(tmp_path), "check"], capture_output=True, text=True)
    assert out.returncode == 1 and "imr init" in out.stderr


def _leaf_commands(command, path=()):
    subs = getattr(command, "commands", None)
    if not subs:
        yield path, command
        return
    for name, sub in subs.items():
        yield from _leaf_commands(sub, (*path, name))


def test_help_shows_plain_placeholders_not_python_types():
    """`--step TEXT`, not `--step <list[str]>`: the help is read by ward staff."""
    runner = CliRunner()
    root = typer.main.get_command(build_app())
    paths = [path for path, _ in _leaf_commands(root)]
    assert len(paths) > 25
    for path in paths:
        out = runner.invoke(build_app(path[0]), [*path, "--help"], terminal_width=200).output
        options = out[out.index("Flaggor:") :] if "Flaggor:" in out else ""
        assert "<" not in options and "list[" not in options, (path, options)
        usage = out.splitlines()[0]
        assert not re.search(r"\{[a-z_]+\}", usage), (path, usage)
    out = runner.invoke(build_app("goal"), ["goal", "add", "--help"], terminal_width=200).output
    assert "--step TEXT" in out and "{DELTAGARE} [TEXT]" in out  # TEXT is asked in a terminal when not given
    out = runner.invoke(build_app("session"), ["session", "log", "--help"], terminal_width=200).output
    assert "--date DATUM" in out and "--module N" in out
