"""Converting command-line words to str, int and Path without pydantic (issue 30).

typer 0.29 converts every parameter that is not a boolean flag through a pydantic TypeAdapter,
built the first time the parameter is processed (`_TyperParameter.get_runtime_param`), which
happens on every run for every option of the command and of the root group, given or not. That
imports pydantic whole: about 70 ms of CPU before any command starts, for converting a word to
the word itself. imr's parameters are all `str`, `int`, `Path`, `bool` or lists of them, so
`prefill` puts a plain converter into each parameter's (lazily filled) runtime slot when typer
has built the command tree. For the values a command line gives (a word, a whole decimal
number, a path) it returns exactly what typer's own converter returns; anything else (an empty
path, `1_000`, `12.0`, a value of another type) is handed to typer's own converter, built
then, so every answer and every error stays typer's. `tests/test_startup.py` holds the two
equal over a sample of values for every parameter and checks that common commands, run as
real processes, never import pydantic.

This reads two names from typer's private modules (`RuntimeParam`, `build_runtime_param`) and
one private attribute (`_runtime_param`). A typer without them is detected here and left to do
its own conversion: slower, never wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # typer >= 0.29; see the module docstring for what happens without it
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover (a typer that moved them: typer converts as it likes)
    RuntimeParam = None  # type: ignore[assignment,misc]

_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")
_LEAVES = (str, int, Path, bool)


def _plain_leaf(annotation: Any) -> bool:
    return annotation in _LEAVES


def _list_item(annotation: Any) -> Any:
    """X for `list[X]`, else None."""
    if getattr(annotation, "__origin__", None) is list:
        args: tuple[Any, ...] = getattr(annotation, "__args__", ())
        return args[0] if len(args) == 1 else None
    return None


def handled(descriptor: Any) -> bool:
    """Whether the plain converter covers this parameter (no parser, range, choice or file;
    a path with typer's default checks only)."""
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    leaf = _list_item(annotation) or annotation
    if not _plain_leaf(leaf) or descriptor.file_annotation is not None:
        return False
    if getattr(info, "parser", None) is not None or getattr(info, "formats", None) is not None:
        return False
    if (
        getattr(info, "min", None) is not None
        or getattr(info, "max", None) is not None
        or getattr(info, "clamp", False)
    ):
        return False
    return leaf is not Path or getattr(info, "path_type", None) is None


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """typer's runtime converter for one parameter, without pydantic for the usual values."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            item = _list_item(self.annotation)
            if item is not None:
                if isinstance(value, (list, tuple)):
                    converted = [self._leaf(item, part, param, ctx) for part in value]
                    if all(part is not _UNUSUAL for part in converted):
                        return converted
            else:
                result = self._leaf(self.annotation, value, param, ctx)
                if result is not _UNUSUAL:
                    return result
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

        def _leaf(self, annotation: Any, value: Any, param: Any, ctx: Any) -> Any:
            kind = type(value)
            if annotation is str and kind is str:
                return value
            if annotation is int:
                if kind is int:
                    return value
                if kind is str and _PLAIN_INT.fullmatch(value):
                    return int(value)
            if annotation is Path and ((kind is str and value) or isinstance(value, Path)):
                path = value if isinstance(value, Path) else Path(value)
                return coerce_cli_path(path, self.parameter_info, path_type=Path, param=param, ctx=ctx)
            if annotation is bool and kind is bool:
                return value
            return _UNUSUAL


_UNUSUAL = object()


def prefill(param: Any) -> None:
    """Give one typer parameter the plain converter, when it is one imr can convert plainly and
    typer keeps its converter where imr expects (`_runtime_param`, still empty)."""
    if RuntimeParam is None or getattr(param, "_runtime_param", False) is not None:
        return
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not handled(descriptor):
        return
    param._runtime_param = PlainRuntimeParam(
        parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
    )
