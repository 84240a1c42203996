"""The `imr` command: a table of command modules and the global --workspace option.

Every command lives in its own module, listed once in COMMANDS. `main()` builds only the
command the user asked for (typer inspects every registered function when it starts, and
importing and inspecting twenty commands to run one costs more than the command itself);
help, typos and the tests get the full tree through `build_app()` / `imr.cli.app.app`.
Command modules import the library inside their functions for the same reason.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from imr.cli.common import set_workspace_option
from imr.cli.metavars import PlainHelpGroup

# name on the command line -> (module in imr.cli, how it is attached):
#   "app"       the module has a typer sub-app `app`, added under this name;
#   other text  the module has a function of that name that registers the command(s).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init_cmd", "register"),
    "patient": ("patient_cmd", "app"),
    "session": ("session_cmd", "app"),
    "absent": ("session_cmd", "register_absent"),
    "correct": ("correct_cmd", "register"),
    "goal": ("goal_cmd", "app"),
    "relapse-plan": ("relapse_cmd", "register"),
    "imrs": ("imrs_cmd", "app"),
    "group": ("group_cmd", "app"),
    "render": ("render_cmd", "app"),
    "curriculum": ("curriculum_cmd", "app"),
    "check": ("check_cmd", "register"),
    "status": ("status_cmd", "register"),
    "diff": ("diff_cmd", "register"),
    "fidelity": ("fidelity_cmd", "register"),
    "report": ("report_cmd", "register"),
    "export": ("export_cmd", "register"),
    "schedule": ("schedule_cmd", "register"),
    "merge-driver": ("merge_cmd", "register"),
    "whoami": ("whoami_cmd", "register"),
    "sync": ("sync_cmd", "register"),
    "share": ("share_cmd", "register"),
    "web": ("web_cmd", "register"),
}

_GLOBAL_OPTIONS_WITH_VALUE = ("--workspace", "-w", "--lang")

# Swedish words for the weekly verbs, as a nurse would say them (listed in `imr --help`):
# the word on the command line -> the words it stands for.
ALIASES: dict[str, tuple[str, ...]] = {
    "anteckna": ("session", "log"),
    "logga": ("session", "log"),
    "planera": ("session", "next"),
    "dela": ("sync",),
    "frånvaro": ("absent",),
    "hjälp": ("--help",),
    "help": ("--help",),
}
# The same inside a command group (`imr session nästa`).
SUB_ALIASES: dict[str, dict[str, str]] = {
    "session": {"nästa": "next", "planera": "next", "logga": "log", "anteckna": "log", "frånvaro": "log"},
    "patient": {"lägg-till": "add", "ny": "add", "lista": "list", "visa": "show"},
    "goal": {"nytt": "add", "ny": "add", "delmål": "step", "uppdatera": "update", "lista": "list"},
    "group": {
        "skapa": "create",
        "lägg-till": "add",
        "ta-bort": "remove",
        "visa": "show",
        "lista": "list",
        "ändra": "set",
    },
    "imrs": {"ny": "add", "visa": "show"},
}


def expand_aliases(args: list[str]) -> list[str]:
    """argv with a Swedish alias replaced by the command it stands for (`imr anteckna demo-02`
    is `imr session log demo-02`; `imr hjälp session` is `imr session --help`)."""
    index = next(
        (
            i
            for i, word in enumerate(args)
            if not word.startswith("-") and (i == 0 or args[i - 1] not in _GLOBAL_OPTIONS_WITH_VALUE)
        ),
        None,
    )
    if index is None:
        return args
    word = args[index]
    if word in ALIASES:
        expansion = list(ALIASES[word])
        rest = args[index + 1 :]
        if expansion == ["--help"]:
            return args[:index] + [w for w in rest if not w.startswith("-")] + ["--help"]
        return args[:index] + expansion + rest
    subs = SUB_ALIASES.get(word)
    if subs and index + 1 < len(args) and args[index + 1] in subs:
        return [*args[: index + 1], subs[args[index + 1]], *args[index + 2 :]]
    return args


def _root(
    workspace: str | None = typer.Option(
        None,
        "--workspace",
        "-w",
        metavar="DIR",
    ),
    lang: str | None = typer.Option(None, "--lang", metavar="sv|en"),
) -> None:
    """The root callback; the language was already chosen from argv by the root group's `main`."""
    if lang is not None and lang not in ("sv", "en"):
        from imr.cli.i18n import bad_usage

        raise bad_usage("bad_lang", "--lang")
    set_workspace_option(workspace)


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just the one named `only`."""
    root = typer.Typer(
        name="imr",
        cls=PlainHelpGroup,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback()(_root)
    names = [only] if only in COMMANDS else list(COMMANDS)
    attached: set[tuple[str, str]] = set()
    for name in names:
        module_name, how = COMMANDS[name]
        if (module_name, how) in attached:
            continue
        attached.add((module_name, how))
        module = importlib.import_module(f"imr.cli.{module_name}")
        if how == "app":
            root.add_typer(module.app, name=name)
        else:
            getattr(module, how)(root)
    return root


def command_name(argv: list[str]) -> str | None:
    """The first word of argv that is not a global option (or its value)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def __getattr__(name: str):
    # `from imr.cli.app import app` (tests, documentation tools) gets the full tree.
    if name == "app":
        return build_app()
    raise AttributeError(name)


def plain_session_next(args: list[str]) -> tuple[str, str | None] | None:
    """(participant, --workspace value) when argv is exactly `[global options] session next ID`.

    That command opens every session, so it is the one whose start-up counts (target P1). typer
    0.29 builds a pydantic TypeAdapter for every parameter that is not a flag as it parses
    (`_TyperParameter.process_value` -> `build_runtime_param`, which imports pydantic whole),
    about a third of this command's time, and has no public switch for it; so this one plain
    form is run without typer parsing it. Any other shape (an option after the command,
    `--help`, `--lang=en`, a bad value) goes through typer as before and gets its messages.
    """
    workspace = None
    index = 0
    while index + 1 < len(args) and args[index] in _GLOBAL_OPTIONS_WITH_VALUE:
        option, value = args[index], args[index + 1]
        if option == "--lang" and value not in ("sv", "en"):
            return None
        if option != "--lang":
            workspace = value
        index += 2
    rest = args[index:]
    if len(rest) != 3 or rest[:2] != ["session", "next"] or rest[2].startswith("-"):
        return None
    return rest[2], workspace


def _run_session_next(args: list[str], participant: str, workspace: str | None) -> None:
    """What the root group's `main` and callback do before `session next`, then the command."""
    from imr.cli import common, i18n
    from imr.cli.session_cmd import next_

    common._state["command"] = "session"
    common.set_strings_root(i18n.quiet_root(args))
    common.set_lang(i18n.requested_lang(args))
    set_workspace_option(workspace)
    try:
        next_(participant=participant, group=None, as_json=False, render=None)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.stderr.write(i18n.fw("aborted") + "\n")
        sys.exit(1)
    sys.exit(0)


def main() -> None:
    if os.name == "nt":
        # Windows runs a program found in the current folder before one on PATH; in a workspace
        # that folder holds what colleagues pushed, so a `git.exe` there must never be what runs.
        os.environ["NoDefaultCurrentDirectoryInExePath"] = "1"  # noqa: SIM112 (Windows spells it so)
    args = expand_aliases(sys.argv[1:])
    sys.argv[1:] = args
    plain = plain_session_next(args)
    if plain is not None:
        _run_session_next(args, *plain)
    build_app(command_name(args))(prog_name="imr")
