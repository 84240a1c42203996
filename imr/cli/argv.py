"""The command line read once, before typer: global options, the command word, aliases.

`imr [--workspace DIR | -w DIR] [--lang sv|en] COMMAND ...`. Some things must be known before
typer parses anything: the language (help and usage errors are printed while parsing), the
workspace folder (its strings cache has the help texts), which command to build (`main` builds
only that one) and whether the run is one of the hot forms that run without typer (`session
next`, `render handout`, `status`, `check`).
`parse` is the one function that reads them; nothing else in imr looks at argv by hand. typer
then parses the same words again for real, so its rules (global options before the command)
and its messages stay as they are.

`--lang` and `--workspace` are also noticed after the command word, as they always were, so
that typer's "no such option" for a misplaced `--lang en` is said in English.

No typer here: `session next`, `render handout`, `status` and `check` run without importing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imr.workspace.folder import CONFIG_NAME, ENV_WORKSPACE

ENV_LANG = "IMR_LANG"
WITH_VALUE = ("--workspace", "-w", "--lang")
LANGS = ("sv", "en")

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


@dataclass(frozen=True)
class Invocation:
    """What the words of one run say before typer reads them."""

    words: list[str]  # argv (after `imr`), aliases expanded
    at: int | None  # index of the command word, None for `imr --help` and the like
    workspace: str | None  # --workspace/-w DIR or --workspace=DIR (the last one given)
    lang_option: str | None  # --lang X or --lang=X (the first one given)
    only_global_before: bool  # every word before the command is a global option or its value

    @property
    def lang(self) -> str | None:
        """The language asked for on this run: `--lang`, else IMR_LANG, else None."""
        return self.lang_option or os.environ.get(ENV_LANG) or None

    @property
    def command(self) -> str | None:
        return None if self.at is None else self.words[self.at]

    @property
    def rest(self) -> list[str]:
        """The words after the command word."""
        return [] if self.at is None else self.words[self.at + 1 :]


def _command_index(words: list[str]) -> int | None:
    """The first word that is neither an option nor the value of a global option."""
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
        elif word in WITH_VALUE:
            skip = True
        elif not word.startswith("-"):
            return index
    return None


def expand_aliases(args: list[str]) -> list[str]:
    """argv with a Swedish alias replaced by the command it stands for (`imr anteckna demo-02`
    is `imr session log demo-02`; `imr hjälp session` is `imr session --help`)."""
    index = _command_index(args)
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


def parse(args: list[str]) -> Invocation:
    """The one reading of argv: aliases expanded, the command word, the global options."""
    words = expand_aliases(list(args))
    at = _command_index(words)
    workspace = lang = None
    for index, word in enumerate(words):
        value = words[index + 1] if index + 1 < len(words) else None
        if word in ("--workspace", "-w") and value is not None:
            workspace = value
        elif word.startswith("--workspace="):
            workspace = word.split("=", 1)[1]
        elif lang is None and word == "--lang" and value is not None:
            lang = value
        elif lang is None and word.startswith("--lang="):
            lang = word.split("=", 1)[1]
    before = words[: len(words) if at is None else at]
    values = [i + 1 for i, word in enumerate(before) if word in WITH_VALUE]
    only_global = all(
        word in WITH_VALUE or i in values or word.startswith(("--lang=", "--workspace="))
        for i, word in enumerate(before)
    )
    return Invocation(words, at, workspace, lang, only_global)


def workspace_folder(invocation: Invocation) -> Path | None:
    """The workspace folder this run will use, found without opening or parsing anything.

    The strings are cached per workspace; knowing the folder before the command runs lets the
    help texts come from that cache too. None outside a workspace (help still works there).
    """
    explicit = invocation.workspace
    candidates = [Path(explicit)] if explicit else []
    if not candidates and os.environ.get(ENV_WORKSPACE):
        candidates = [Path(os.environ[ENV_WORKSPACE])]
    if not candidates:
        here = Path.cwd().resolve()
        candidates = [here, *here.parents]
    for folder in candidates:
        if (folder / CONFIG_NAME).is_file():
            return folder.resolve()
    return None


def session_next(invocation: Invocation) -> tuple[str | None, str | None, bool] | None:
    """(participant, group, --json) when the run is `[global options] session next` with a
    participant or `--group G`, and `--json` or not; None for any other shape (`--help`,
    `--render`, an unknown option, a bad `--lang`, both or neither target), which typer parses
    and answers as always."""
    at = invocation.at
    if at is None or invocation.words[at : at + 2] != ["session", "next"] or not invocation.only_global_before:
        return None
    if invocation.lang_option is not None and invocation.lang_option not in LANGS:
        return None
    participant = group = None
    as_json = False
    rest = invocation.rest[1:]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--json" and not as_json:
            as_json = True
        elif word == "--group" and group is None and index + 1 < len(rest) and not rest[index + 1].startswith("-"):
            group = rest[index + 1]
            index += 1
        elif word.startswith("--group=") and group is None and len(word) > len("--group="):
            group = word.split("=", 1)[1]
        elif not word.startswith("-") and participant is None:
            participant = word
        else:
            return None
        index += 1
    if (participant is None) == (group is None):
        return None
    return participant, group, as_json


# `imr render handout`'s options with a value (as imr.cli.render_cmd declares them for typer)
# -> the parameter of `imr.cli.render_run.handout` they set; `--force` is the one flag.
HANDOUT_OPTIONS = {
    "--for": "participant",
    "--variant": "variant",
    "--format": "fmt",
    "-f": "fmt",
    "--output": "output",
    "-o": "output",
    "--date": "date",
}


def render_handout(invocation: Invocation) -> dict[str, Any] | None:
    """The arguments of `imr.cli.render_run.handout` when the run is `[global options] render
    handout SESSION` with each of its options (HANDOUT_OPTIONS, `--force`) at most once, as
    `--option VALUE` or `--option=VALUE`, every value non-empty and not starting with `-`;
    None for any other shape (`--help`, an unknown or repeated option, `-o -`, `-oFILE`, a
    bad `--lang`, no session or two), which typer parses and answers as always."""
    at = invocation.at
    if at is None or invocation.words[at : at + 2] != ["render", "handout"] or not invocation.only_global_before:
        return None
    if invocation.lang_option is not None and invocation.lang_option not in LANGS:
        return None
    found: dict[str, Any] = {}
    rest = invocation.rest[1:]
    index = 0
    while index < len(rest):
        word = rest[index]
        name, _, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if word == "--force" and "force" not in found:
            found["force"] = True
        elif name in HANDOUT_OPTIONS and HANDOUT_OPTIONS[name] not in found:
            value = attached if attached else (rest[index + 1] if index + 1 < len(rest) and name == word else "")
            if not value or value.startswith("-"):
                return None
            found[HANDOUT_OPTIONS[name]] = value
            index += 0 if attached else 1
        elif not word.startswith("-") and "session" not in found:
            found["session"] = word
        else:
            return None
        index += 1
    return found if "session" in found else None


# The flags of `imr status` and `imr check` (as imr.cli.status_cmd and imr.cli.check_cmd declare
# them for typer) -> the parameter of the command's body they set; `--since REV` is check's one
# option with a value.
PLAIN_FLAGS: dict[str, dict[str, str]] = {
    "status": {"--json": "as_json"},
    "check": {
        "--strict": "strict",
        "--json": "as_json",
        "--staged": "staged",
        "--merge-commit": "merge_commit",
        "--full": "full",
    },
}


def plain_command(invocation: Invocation) -> tuple[str, dict[str, Any]] | None:
    """(command, the arguments of its body) when the run is `[global options] status` or
    `[global options] check` with each of its flags at most once (and check's `--since REV` or
    `--since=REV`, a value not starting with `-`); None for any other shape (`--help`, an
    unknown or repeated option, a word more, a bad `--lang`), which typer parses and answers
    as always."""
    at = invocation.at
    command = invocation.command
    if at is None or command not in PLAIN_FLAGS or not invocation.only_global_before:
        return None
    if invocation.lang_option is not None and invocation.lang_option not in LANGS:
        return None
    flags = PLAIN_FLAGS[command]
    found: dict[str, Any] = {}
    rest = invocation.rest
    index = 0
    while index < len(rest):
        word = rest[index]
        if word in flags and flags[word] not in found:
            found[flags[word]] = True
        elif command == "check" and "since" not in found and (word == "--since" or word.startswith("--since=")):
            value = word.split("=", 1)[1] if "=" in word else (rest[index + 1] if index + 1 < len(rest) else "")
            if not value or value.startswith("-"):
                return None
            found["since"] = value
            index += 0 if "=" in word else 1
        else:
            return None
        index += 1
    return command, found
