"""What every command shares: the workspace option, error handling, output helpers.

Domain errors are one exception type (`ImrError`); `handle_errors` turns it into one
sentence on stderr and exit code 1, so users never see a traceback for their own input.

No typer at import: `session next` runs through this module without typer (see
`imr.cli.session_next`); typer is imported where an error is raised for it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr.core.cache import user_folder
from imr.core.errors import ImrError
from imr.core.strings import DEFAULT_LANG, LANGUAGES, label, strings
from imr.workspace.folder import find_workspace  # every command finds its workspace first (argv.workspace_folder)
from imr.workspace.user_settings import resolve

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
    if chosen is None:
        chosen = resolve("language", None, None, user_config_dir()).value
    _state["lang_fixed"] = chosen in LANGUAGES
    _state["lang"] = chosen if chosen in LANGUAGES else DEFAULT_LANG


def set_workspace_option(path: str | None) -> None:
    _state["workspace"] = path


def workspace():
    """Open the workspace the user means (option, env, or walking up), once per run."""
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


def user_config_dir() -> Path:
    """The platform's folder for this user's imr settings (settings.yaml lives there): the
    folder `typer.get_app_dir("imr")` names, as `imr.core.cache.user_folder` says it."""
    return user_folder("config")


def lang() -> str:
    return _state["lang"]


def t(key: str, **params: Any) -> str:
    """A CLI label from the strings file in the workspace's language."""
    return label("cli", key, lang(), strings_root(), **params)


def value(group: str, raw: Any) -> str:
    """A record value as the reader says it (`individual` -> `individuell`); unknown values as they are."""
    if raw is None:
        return t("none")
    table = strings(lang(), strings_root()).get("values", {}).get(group, {})
    return str(table.get(str(raw), raw))


def accepted(group: str, raw: str | None) -> str | None:
    """A value typed in either language (`klient`, `client`) as the record's key; others unchanged."""
    if raw is None:
        return None
    wanted = raw.strip().casefold()
    for code in LANGUAGES:
        for key, shown in strings(code, strings_root()).get("values", {}).get(group, {}).items():
            if wanted in (str(key).casefold(), str(shown).casefold()):
                return str(key)
    return raw


def console(stderr: bool = False):
    from rich.console import Console  # lazy: 20 ms on session next

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def emit(lines: list[tuple[str | None, str]]) -> None:
    """Print (style, text) lines: styled through rich on a terminal, plain text otherwise.

    Piped or redirected output gets no styling anyway, and skipping rich there keeps the
    most frequent command (`imr session next`) as quick to start as a bare typer program.
    User text is passed as rich Text, never parsed as markup.
    """
    if not sys.stdout.isatty():
        sys.stdout.write("".join(visible(text) + "\n" for _, text in lines))
        return
    from rich.text import Text

    out = console()
    for style, text in lines:
        out.print(Text(visible(text), style=style or ""))


def visible(text: str) -> str:
    """Text for a terminal with every control, bidi and invisible character shown as a visible
    escape (`<U+202E>`), so a reviewer never sees reversed or hidden text: the one function
    every view uses (through `emit` and `escape`). Line breaks and tabs stay; a joiner or
    variation selector inside an emoji (👨‍👩‍👧, ❤️) stays too."""
    if text.isascii() and (text.isprintable() or not _ASCII_CONTROL.search(text)):
        return text
    return _VISIBLE.sub(_shown_char, text) if _VISIBLE.search(text) else text


def _shown_char(match) -> str:
    char = match.group(0)
    if char in "\u200d\ufe0e\ufe0f":
        import unicodedata

        text, at = match.string, match.start()
        around = text[at - 1 : at] + text[at + 1 : at + 2]
        if any(not c.isascii() and unicodedata.category(c) in ("So", "Sk") for c in around):
            return char
    return f"<U+{ord(char):04X}>"


_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# C0 and C1 controls (but line break and tab), DEL, format characters (bidi embeddings,
# overrides and isolates, marks, zero-width characters, soft hyphen, word joiner, BOM, tags),
# line and paragraph separators, and the invisible letters the privacy guard also knows.
_VISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f\U0001d173-\U0001d17a]"
)
# The same characters, and a lone surrogate (a file name in no encoding), escaped in JSON.
_JSON_ESCAPED = re.compile(_VISIBLE.pattern[:-1] + "\ud800-\udfff]")


def print_json(data: Any) -> None:
    """Data as JSON: Swedish letters as they are, but every control, bidi and invisible character
    (the ones `visible` marks) written as a `\\uXXXX` escape, so the JSON stays the same data and
    never reaches a terminal raw (issue 26)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_JSON_ESCAPED.sub(_json_escape, text) + "\n")


def _json_escape(match) -> str:
    code = ord(match.group(0))
    if code > 0xFFFF:  # outside the BMP: a surrogate pair, as JSON writes it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def fail(message: str, code: int = 1) -> None:
    import typer  # lazy: 20 ms on session next
    from rich.markup import escape

    console(stderr=True).print(f"[bold red]{escape(_error_prefix())}[/] {escape(message)}")
    raise typer.Exit(code)


def _error_prefix() -> str:
    from imr.cli.i18n import fw  # lazy: 2 ms on session next

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
        except SystemExit:
            raise
        except Exception as exc:
            if _from_typer(exc) or os.environ.get("IMR_DEBUG"):
                raise  # usage errors are printed by the root group (imr/cli/i18n.py), exit code 2
            fail(t("internal_error", error=f"{type(exc).__name__}: {exc}"))  # a bug: one line

    return wrapper


def _from_typer(exc: Exception) -> bool:
    """typer's Exit, Abort or BadParameter (typer is loaded whenever one could be raised)."""
    typer = sys.modules.get("typer")
    return typer is not None and isinstance(exc, (typer.Exit, typer.Abort, typer.BadParameter))


def escape(text: Any) -> str:
    """User text for rich: markup escaped, control, bidi and invisible characters made visible."""
    from rich.markup import escape as _escape

    return _escape(visible("" if text is None else str(text)))
