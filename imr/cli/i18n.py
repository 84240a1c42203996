"""The words typer and click print themselves (help pages, usage errors), in the user's language.

The help texts live in templates/strings/<lang>/help.yaml, one key per command and parameter,
and are put on the command tree once the language is known (`localise`). The framework's own
words are replaced through click's public customisation points: a Context subclass whose
`formatter_class` writes the usage prefix and the section headings, and the root group's
`main`, which formats usage errors itself instead of letting click print English. Errors are
recognised by their class name and attributes, not by patching click.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import typer

from imr.cli import complete
from imr.cli.argv import ALIASES, SUB_ALIASES
from imr.cli.coercion import prefill
from imr.cli.common import lang, strings_root, t
from imr.core.strings import strings


def _table(lang: str) -> dict[str, Any]:
    return strings(lang, strings_root())


def fw(key: str, **params: Any) -> str:
    """A framework word (usage prefix, headings, error sentences) in the current language."""
    text = _table(lang()).get("cli_framework", {}).get(key, key)
    return text.format(**params) if params else text


class ImrHelpFormatter(typer.Context.formatter_class):  # type: ignore[misc,valid-type]
    """click's help formatter with the usage prefix, headings and option notes translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else fw("usage_prefix") + " ")

    def write_heading(self, heading: str) -> None:
        key = {"Options": "options", "Arguments": "arguments", "Commands": "commands"}.get(heading)
        super().write_heading(fw(key) if key else heading)

    def write_dl(self, rows, *args: Any, **kwargs: Any) -> None:
        rows = [(re.sub(r"\s*<[^>]*>", "", first), _translate_notes(second)) for first, second in rows]
        super().write_dl(rows, *args, **kwargs)


def _translate_notes(text: str) -> str:
    if text == "Show this message and exit.":
        return fw("help_option")
    text = re.sub(r"\[default: ", "[" + fw("default") + ": ", text)
    return re.sub(r"\brequired\]", fw("required") + "]", text)


class ImrContext(typer.Context):
    """The context of every imr command: translated help, and (as the place where each command
    meets its parameters before any is parsed, the help option and typer's completion options
    included) plain value conversion without pydantic (`imr.cli.coercion`)."""

    formatter_class = ImrHelpFormatter

    def __init__(self, command: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(command, *args, **kwargs)
        for param in command.get_params(self):
            prefill(param)


def localise(root, lang: str) -> None:
    """Put the help texts, placeholders and the translating context on every command."""
    table = _table(lang)
    helps = table.get("help", {})
    metavars = table.get("cli_framework", {}).get("metavars", {})

    for param in getattr(root, "params", []):
        if param.name == "install_completion":
            param.callback = _install_completion  # typer's own callback says it in English

    def walk(command, path: tuple[str, ...]) -> None:
        command.context_class = ImrContext
        entry = helps.get(" ".join(path) or "imr", {})
        if entry.get("_"):
            command.help = entry["_"]
            command.short_help = None
        if getattr(command, "options_metavar", None):
            command.options_metavar = fw("options_metavar")
        if getattr(command, "subcommand_metavar", None):
            command.subcommand_metavar = fw("subcommand_metavar")
        for param in command.params:
            if param.name in entry:
                param.help = entry[param.name]
            original = getattr(param, "_imr_metavar", None) or param.metavar
            if original:
                param._imr_metavar = original
                param.metavar = metavars.get(original, original)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(root, ())


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """`imr --install-completion`: typer's installer, its two sentences in the user's language."""
    if not value or ctx.resilient_parsing:
        return value
    from typer.completion import install

    shell, path = install(shell=value) if isinstance(value, str) else install()
    sys.stdout.write(fw("completion_installed", shell=shell, path=str(path)) + "\n")
    sys.stdout.write(fw("completion_restart") + "\n")
    sys.exit(0)


def usage_error_text(error: Exception) -> str:
    """A click usage error as Swedish (or English) lines: usage, where to get help, the error."""
    ctx = getattr(error, "ctx", None)
    lines: list[str] = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(fw("try_help", command=f"{ctx.command_path} --help"))
        lines.append("")
    lines.append(f"{fw('error')} {_message(error)}")
    return "\n".join(lines)


def _hint(error: Any) -> str:
    hint = getattr(error, "param_hint", None)
    param = getattr(error, "param", None)
    if hint is None and param is not None:
        if param.param_type_name == "argument":
            hint = (param.metavar or param.name or "").upper()
        else:
            hint = " / ".join(param.opts)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)

    metavars = _table(lang()).get("cli_framework", {}).get("metavars", {})
    return " / ".join(metavars.get(part, part) for part in str(hint or "").split(" / "))


def _message(error: Any) -> str:
    kind = type(error).__name__
    message = str(getattr(error, "message", "") or "")
    if kind == "NoSuchOption":
        text = fw("no_such_option", option=error.option_name)
        if error.possibilities:
            text += " " + fw("possible_options", options=", ".join(sorted(error.possibilities)))
        return text
    if kind == "MissingParameter":
        key = "missing_argument" if getattr(error.param, "param_type_name", "") == "argument" else "missing_option"
        return fw(key, name=_hint(error))
    if kind == "BadOptionUsage":
        if "does not take a value" in message:
            return fw("no_value", option=error.option_name)
        return fw("requires_value", option=error.option_name)
    if kind == "BadParameter" or isinstance(error, typer.BadParameter):
        if getattr(error, "localised", False):
            return fw("invalid_value", name=_hint(error), message=message)
        return fw("invalid_value", name=_hint(error), message=_conversion_message(error))
    found = re.match(r"No such command '(.*)'\.", message)
    if found:
        return fw("no_such_command", name=found.group(1)) + _did_you_mean(error, found.group(1))
    found = re.match(r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", message)
    if found:
        return fw("extra_args", args=found.group(1)) + _joined_id(error, found.group(1).split())
    if message == "Missing command.":
        return fw("missing_command")
    return message


def _did_you_mean(error: Any, word: str) -> str:
    """ " Menade du ”session”?" for a mistyped command, as git does (its aliases count too)."""
    from imr.cli.app import COMMANDS
    from imr.forms.targets import closest  # lazy: 3 ms on imr --help

    ctx = getattr(error, "ctx", None)
    command = getattr(ctx, "command", None)
    path = (getattr(ctx, "command_path", "") or "").split()[1:]
    if path:
        known = sorted(getattr(command, "commands", {}) or {}) + sorted(SUB_ALIASES.get(path[-1], {}))
    else:
        known = sorted(COMMANDS) + sorted(ALIASES)
    suggestion = closest(word, [k for k in known if not k.startswith("merge-")])
    return " " + fw("did_you_mean", suggestion=" ".join(["imr", *path, suggestion])) if suggestion else ""


def _joined_id(error: Any, extra: list[str]) -> str:
    """ " Menade du ”demo-02”?" when the words split by a space, joined with a dash, name a
    participant (or a group) that exists: `imr session next demo 02`."""
    ctx = getattr(error, "ctx", None)
    command = getattr(ctx, "command", None)
    if ctx is None or command is None or not extra:
        return ""
    words: list[str] = []
    for param in command.params:
        if param.param_type_name != "argument":
            continue
        value = ctx.params.get(param.name)
        values = value if isinstance(value, (list, tuple)) else [value]
        words.extend(str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool))
    known = {name.casefold(): name for name in complete.participants("") + complete.groups("")}
    tokens = [*words, *extra]
    for start in range(len(tokens) - 1):  # `goal add demo 02 Mål`: demo and 02 are joined, not 02 and Mål
        for end in range(len(tokens), start + 1, -1):
            match = known.get("-".join(tokens[start:end]).casefold())
            if match:
                return " " + fw("did_you_mean", suggestion=match)
    return ""


def _conversion_message(error: Any) -> str:
    """What typer's own type conversion refused, said in words (its text is English)."""
    param = getattr(error, "param", None)
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(descriptor, "annotation", None) is int:
        return fw("not_int")
    if descriptor is not None and getattr(descriptor, "is_choice", False):
        return fw("not_choice")
    return fw("not_valid")


class LocalisedBadParameter(typer.BadParameter):
    """A usage error whose message is already in the user's language."""

    localised = True


def bad_usage(key: str, hint: str, **params: Any) -> LocalisedBadParameter:
    return LocalisedBadParameter(t(key, **params), param_hint=hint)


def show_usage_error(error: Exception) -> None:
    if type(error).__name__ == "NoArgsIsHelpError":
        ctx: Any = getattr(error, "ctx")  # noqa: B009 (click's error class is not typed with it)
        sys.stderr.write(ctx.get_help() + "\n")
        return
    sys.stderr.write(usage_error_text(error) + "\n")
