"""Plain placeholders in `--help`: `--step TEXT`, `imr goal add PARTICIPANT TEXT`.

Typer 0.29 shows a parameter without a metavar by its Python type (`<str>`, `<list[str]>`, and
`{participant}` in the usage line), which means nothing to the nurses who read the help. Rather
than repeat `metavar=` on over a hundred parameters, the root group fills in the ones that are
not set, once, when typer has built the command tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from imr.cli import argv, common, i18n


def _metavar(param) -> str:
    if param.param_type_name == "argument":
        return param.name.upper()
    annotation = param.type_descriptor.annotation
    if annotation is int:
        return "N"
    if annotation is Path:
        return "PATH"
    if param.name.endswith("date"):
        return "DATE"
    return "TEXT"


def _fill(command) -> None:
    for sub in getattr(command, "commands", {}).values():
        _fill(sub)
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False) and not param.type_descriptor.is_choice:
            param.metavar = _metavar(param)


def _click_exception() -> type:
    """click's ClickException, reached through typer's public BadParameter (no private import)."""
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")


class PlainHelpGroup(TyperGroup):
    """The root `imr` group; see the module docstring.

    `main` also decides the language before anything is parsed (help is printed while parsing)
    and prints usage errors in that language itself: click's own messages are English.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _fill(self)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]

        invocation = argv.parse(list(sys.argv[1:] if args is None else args))
        args = invocation.words
        common._state["command"] = invocation.command
        common.set_strings_root(argv.workspace_folder(invocation))
        common.set_lang(invocation.lang)
        i18n.localise(self, common.lang())
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            sys.stderr.write(i18n.fw("aborted") + "\n")
            sys.exit(1)
        except _click_exception() as error:
            if getattr(error, "exit_code", 1) == 2:
                i18n.show_usage_error(error)
            else:
                sys.stderr.write(f"{i18n.fw('error')} {error.format_message()}\n")
            sys.exit(error.exit_code)
        sys.exit(result if isinstance(result, int) else 0)
