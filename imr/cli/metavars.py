"""Plain placeholders in `--help`: `--step TEXT`, `imr goal add PARTICIPANT TEXT`.

Typer 0.29 shows a parameter without a metavar by its Python type (`<str>`, `<list[str]>`, and
`{participant}` in the usage line), which means nothing to the nurses who read the help. Rather
than repeat `metavar=` on over a hundred parameters, the root group fills in the ones that are
not set, once, when typer has built the command tree.
"""

from __future__ import annotations

from pathlib import Path

from typer.core import TyperGroup


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


class PlainHelpGroup(TyperGroup):
    """The root `imr` group; see the module docstring."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _fill(self)
