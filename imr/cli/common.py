"""What every command shares: the workspace option, error handling, output helpers.

Domain errors are one exception type (`ImrError`); `handle_errors` turns it into one
sentence on stderr and exit code 1, so users never see a traceback for their own input.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable

import typer

from imr.errors import ImrError

_state: dict[str, Any] = {"workspace": None, "lang": "sv", "lang_fixed": False}


def set_strings_root(root) -> None:
    _state["strings_root"] = root


def strings_root():
    """The workspace whose strings (and strings cache) apply, opened or only located."""
    ws = _state.get("opened")
    return ws.root if ws is not None else _state.get("strings_root")


def set_lang(chosen: str | None) -> None:
    """The language asked for on this run (`--lang`, IMR_LANG), else the user's own setting
    (`git config imr.language`, settings.yaml); with none of them the workspace decides."""
    from imr.strings import DEFAULT_LANG, LANGUAGES

    if chosen is None:
        from imr.workspace.user_settings import resolve

        chosen = resolve("language", None, None, user_config_dir()).value
    _state["lang_fixed"] = chosen in LANGUAGES
    _state["lang"] = chosen if chosen in LANGUAGES else DEFAULT_LANG


def set_workspace_option(path: str | None) -> None:
    _state["workspace"] = path


def workspace():
    """Open the workspace the user means (option, env, or walking up), once per run."""
    from imr.workspace.folder import find_workspace

    if "opened" not in _state:
        ws = find_workspace(_state["workspace"])
        ws.user_config_dir = user_config_dir()
        _state["opened"] = ws
        if not _state.get("lang_fixed"):
            _state["lang"] = ws.lang
        else:
            ws.lang_override = _state["lang"]  # plans, curriculum and messages in the language asked for
        if "signature" in ws.config and _state.get("command") != "check":  # check reports it as a finding
            console(stderr=True).print(escape(t("config_signature_ignored")), style="yellow")
    return _state["opened"]


def user_config_dir():
    """The platform's folder for this user's imr settings (settings.yaml lives there)."""
    from pathlib import Path

    return Path(typer.get_app_dir("imr"))


def lang() -> str:
    return _state["lang"]


def t(key: str, **params: Any) -> str:
    """A CLI label from the strings file in the workspace's language."""
    from imr.strings import label

    return label("cli", key, lang(), strings_root(), **params)


def value(group: str, raw: Any) -> str:
    """A record value as the reader says it (`individual` -> `individuell`); unknown values as they are."""
    from imr.strings import strings

    if raw is None:
        return t("none")
    table = strings(lang(), strings_root()).get("values", {}).get(group, {})
    return str(table.get(str(raw), raw))


def accepted(group: str, raw: str | None) -> str | None:
    """A value typed in either language (`klient`, `client`) as the record's key; others unchanged."""
    from imr.strings import LANGUAGES, strings

    if raw is None:
        return None
    wanted = raw.strip().casefold()
    for code in LANGUAGES:
        for key, shown in strings(code, strings_root()).get("values", {}).get(group, {}).items():
            if wanted in (str(key).casefold(), str(shown).casefold()):
                return str(key)
    return raw


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def emit(lines: list[tuple[str | None, str]]) -> None:
    """Print (style, text) lines: styled through rich on a terminal, plain text otherwise.

    Piped or redirected output gets no styling anyway, and skipping rich there keeps the
    most frequent command (`imr session next`) as quick to start as a bare typer program.
    User text is passed as rich Text, never parsed as markup.
    """
    if not sys.stdout.isatty():
        sys.stdout.write("".join(text + "\n" for _, text in lines))
        return
    from rich.text import Text

    out = console()
    for style, text in lines:
        out.print(Text(text, style=style or ""))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> None:
    from rich.markup import escape

    console(stderr=True).print(f"[bold red]{escape(_error_prefix())}[/] {escape(message)}")
    raise typer.Exit(code)


def _error_prefix() -> str:
    from imr.cli.i18n import fw

    return fw("error")


def handle_errors(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ImrError as err:
            fail(err.message(lang()))
        except (KeyboardInterrupt, EOFError):  # Ctrl-D at a question is Ctrl-C: nothing saved
            fail(t("interrupted"), 130)
        except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
            raise  # usage errors are printed by the root group (imr/cli/i18n.py), exit code 2
        except Exception as exc:  # a bug, not the user's fault: say so in one line
            if os.environ.get("IMR_DEBUG"):
                raise
            fail(t("internal_error", error=f"{type(exc).__name__}: {exc}"))

    return wrapper


def escape(text: Any) -> str:
    from rich.markup import escape as _escape

    return _escape("" if text is None else str(text))
