"""The `imr` command: a table of command modules and the global --workspace option.

Every command lives in its own module, listed once in COMMANDS. `main()` builds only the
command the user asked for (typer inspects every registered function when it starts, and
importing and inspecting twenty commands to run one costs more than the command itself);
help, typos and the tests get the full tree through `build_app()` / `imr.cli.app.app`.
The usual forms of `imr session next`, `imr render handout`, `imr status` and `imr check` run
without typer at all (`argv.session_next`, `argv.render_handout`, `argv.plain_command`).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import typer

    from imr.cli import argv

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


def _root_callback():
    """The root callback, made where typer is imported (its options are typer defaults)."""
    import typer  # lazy: 26 ms on session next

    from imr.cli import argv
    from imr.cli.common import set_workspace_option

    def _root(
        workspace: str | None = typer.Option(None, "--workspace", "-w", metavar="DIR"),
        lang: str | None = typer.Option(None, "--lang", metavar="sv|en"),
    ) -> None:
        """The root callback; the language was already chosen from argv by the root group's `main`."""
        if lang is not None and lang not in argv.LANGS:
            from imr.cli.i18n import bad_usage

            raise bad_usage("bad_lang", "--lang")
        set_workspace_option(workspace)

    return _root


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just the one named `only`."""
    import typer  # lazy: 45 ms that `session next` does without (see `main`)

    from imr.cli.metavars import PlainHelpGroup

    root = typer.Typer(
        name="imr",
        cls=PlainHelpGroup,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback()(_root_callback())
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


def command_name(args: list[str]) -> str | None:
    """The first word of argv that is not a global option (or its value)."""
    from imr.cli import argv

    return argv.parse(args).command


def __getattr__(name: str):
    # `from imr.cli.app import app` (tests, documentation tools) gets the full tree.
    if name == "app":
        return build_app()
    raise AttributeError(name)


# The commands `argv.plain_command` reads -> the function in their module that the typer
# command calls too.
PLAIN = {"status": "show_status", "check": "run_check"}


def _run_plain(invocation: argv.Invocation, body: Callable[[], int | None], collect: bool = False) -> NoReturn:
    """A hot command without typer (`argv.session_next`, `argv.render_handout`,
    `argv.plain_command`): what the root group's `main` and callback do first (the command's
    name, the workspace whose strings apply, the language, `--workspace`), then `body`, which
    calls the function the typer command calls and may return the exit code. Building a typer
    command for `imr session next ID` would cost more than the command, as importing typer
    alone does. `collect`: a command that may run long (a region's first check) gets the cycle
    collector back, the loaded modules frozen out of its passes."""
    from imr.cli import argv, common

    common._state["command"] = invocation.command
    common.set_strings_root(argv.workspace_folder(invocation))
    common.set_lang(invocation.lang)
    common.set_workspace_option(invocation.workspace)
    if collect:
        gc.freeze()
        gc.enable()
    code = 0
    try:
        code = body() or 0
    except RuntimeError as done:  # typer.Exit from `common.fail`: the message is printed
        exit_code = getattr(done, "exit_code", None)
        if exit_code is None:
            raise
        code = int(exit_code)
    # The collector was off (see `main`): Python's last pass at exit would go over every object
    # the run made, about 10 ms that free nothing the exit does not. Frozen, they are skipped.
    gc.freeze()
    sys.exit(code)


def main() -> None:
    # Python's cycle collector stays off while the command's modules load: they are never
    # garbage, and its passes over them cost about 5 ms of a 0.2 s command. The hot commands
    # end within a fraction of a second, so they run without it (exit frees everything); every
    # other command gets it back, with the loaded modules frozen out of its passes.
    gc.disable()
    from imr.cli import argv  # after gc.disable(): it loads the workspace finder and its layers

    if os.name == "nt":
        # Windows runs a program found in the current folder before one on PATH; in a workspace
        # that folder holds what colleagues pushed, so a `git.exe` there must never be what runs.
        os.environ["NoDefaultCurrentDirectoryInExePath"] = "1"  # noqa: SIM112 (Windows spells it so)
    invocation = argv.parse(sys.argv[1:])
    sys.argv[1:] = invocation.words
    plan = argv.session_next(invocation)
    if plan is not None:
        from imr.cli.session_next import show_next

        _run_plain(invocation, lambda: show_next(*plan, None))
    handout = argv.render_handout(invocation)
    if handout is not None:
        from imr.cli import render_run

        _run_plain(invocation, lambda: render_run.handout(**handout))
    plain = argv.plain_command(invocation)
    if plain is not None:
        name, arguments = plain
        run = getattr(importlib.import_module(f"imr.cli.{COMMANDS[name][0]}"), PLAIN[name])
        _run_plain(invocation, lambda: run(**arguments), collect=True)
    command = build_app(invocation.command)
    gc.freeze()
    gc.enable()
    command(prog_name="imr")
