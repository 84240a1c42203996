"""A form (imr/forms) asked in the terminal: flags pre-fill, the rest is asked, then a summary.

Each answer is checked when it is given (`form.set`), and only a refused field is asked again,
with the text typed offered back for editing; nothing is written before the last yes. Questions
use prompt_toolkit (kept library): real line editing (arrow keys move the cursor instead of
reaching the record as control characters), no line-length limit of the terminal's own line
editor (which cut a 5,000-character note to 3,953), and multi-line notes. Ctrl-C and Ctrl-D both
stop with nothing saved.

Without a terminal, or with `--ja`, nothing is asked: the flags and the defaults are saved as
they are, so scripts keep working, and a refused flag is an error (one sentence, exit 1).
"""

from __future__ import annotations

import sys
from typing import Any

from imr.cli.common import console, escape, t
from imr.core.errors import ImrError


def interactive() -> bool:
    """Questions only when a person can answer them: both stdin and stdout are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_form(
    form: Any, prefill: dict[str, Any] | None = None, *, ask: bool = True, accept: tuple[str, ...] = ()
) -> Any:
    """Fill the form from `prefill` (flag values as typed), ask what is missing when `ask` (and
    in a terminal), show the summary and confirm; then save. Returns what `form.save()` returns,
    or None when the person answered no at the summary (nothing saved, not an error).

    `accept` names warnings already answered yes (`--again`: `logged_that_day`).
    """
    asking = ask and interactive()
    for code in accept:
        form.accept(code)
    refused: dict[str, str] = {}
    for key, typed in (prefill or {}).items():
        if typed is None:
            continue
        problem = form.set(key, typed)
        if problem:
            if not asking:
                from imr.forms.model import refusal  # lazy: 10 ms on every command run without a terminal

                raise refusal(form.field(key).label, problem)
            refused[key] = problem
    if not asking:
        return form.save()
    out = console()
    out.print(f"[bold]{escape(form.title)}[/]")
    out.print(escape(t("ask_intro")))
    _ask_missing(form, prefill or {}, refused)
    while True:
        _summary(form)
        for warning in form.warnings():
            out.print(f"[yellow]{escape(warning.message)}[/]")
            if not ask_yes_no(warning.question, False):
                raise ImrError("nothing_saved")
            form.accept(warning.code)
        choice = _confirm(form)
        if choice is True:
            return form.save()
        if choice is False:
            out.print(escape(t("ask_nothing_saved")))
            return None
        _ask_field(form, choice, again=True)


def _ask_missing(form: Any, prefill: dict[str, Any], refused: dict[str, str]) -> None:
    """Ask every active field that no flag gave, in order, re-reading which fields are active
    after each answer (homework is asked only when the participant came)."""
    done: set[str] = set()
    while True:
        pending = [f for f in form.active_fields() if f.key not in done]
        if not pending:
            return
        item = pending[0]
        done.add(item.key)
        if item.key in refused:
            console().print(f"[red]{escape(refused[item.key])}[/]")
            _ask_field(form, item.key, start=str(prefill.get(item.key) or ""))
        elif not form.given(item.key) or item.key not in prefill:
            if form.given(item.key):
                continue
            _ask_field(form, item.key)


def _ask_field(form: Any, key: str, *, again: bool = False, start: str = "") -> None:
    """Ask one field until its answer is accepted; a refused text is offered back for editing."""
    item = form.field(key)
    if item.kind == "multichoice" and len(item.choices) <= 6 and not again:
        _ask_each_choice(form, item)
        return
    previous = form.answers.get(key) if again else None
    if again and not start and form.given(key) and item.kind in ("text", "date", "session"):
        start = _as_text(form, item, form.value(key))
    elif not start and item.kind == "text" and item.default and not form.given(key):
        start = str(item.default)  # a text that is already there (a relapse-plan section): edited, not retyped
    listed = _long_choices(item)
    if item.hint and (item.kind in ("text", "session", "date", "multichoice", "step") or listed):
        console().print(f"[dim]{escape(item.hint)}[/]")
    if listed:  # choices too long for one line (the IMRS anchors): one per line
        for choice in item.choices:
            console().print(f"  {escape(choice.label)}")
    while True:
        typed = _prompt(_question(form, item), start, multiline=item.multiline)
        if not typed.strip() and item.kind in ("choice", "role") and item.default is None and not form.given(key):
            console().print(
                f"[red]{escape(form.t('answer_pick_one', choices=', '.join(c.label for c in item.choices)))}[/]"
            )
            continue
        if not typed.strip() and previous is not None:
            form.set_value(key, previous)  # Enter when changing a line: it stays as it was
            return
        problem = form.set(key, typed)
        if problem is None:
            if not typed.strip() and item.default is not None and item.kind != "text":
                form.set_value(key, item.default)  # Enter on the default: the person chose it
            return
        console().print(f"[red]{escape(problem)}[/]")
        start = typed if item.kind == "text" else ""


def _long_choices(item: Any) -> bool:
    return item.kind in ("choice", "role") and any(len(c.label) > 24 for c in item.choices)


def _ask_each_choice(form: Any, item: Any) -> None:
    """A few steps: one yes/no question each (`Är delmålet GK7M.1 klart: …`)."""
    chosen = [c.value for c in item.choices if ask_yes_no(t("ask_step_done_one", step=c.label), False)]
    form.set_value(item.key, chosen)


def _as_text(form: Any, item: Any, value: Any) -> str:
    if value is None:
        return ""
    if item.kind == "bool":
        return t("ask_y") if value else t("ask_n")
    if isinstance(value, list):
        return ", ".join(value)
    return form.shown(item.key) if item.kind in ("choice", "role") else str(value)


def _question(form: Any, item: Any) -> str:
    """`Label [a/b/c] (default): ` as the questions have always looked."""
    text = item.label
    if item.kind == "bool":
        text += f" [{t('ask_y')}/{t('ask_n')}]"
    elif item.kind in ("choice", "role") and item.choices:
        text += " [" + "/".join(c.value if _long_choices(item) else c.label for c in item.choices) + "]"
    default = item.default
    if default is not None and default != [] and item.kind != "text":
        text += f" ({_as_text(form, item, default)})"
    elif item.multiline:
        text += " " + t("ask_multiline_edit" if item.default else "ask_multiline")
    elif item.kind == "text" and not item.required:
        text += " " + t("ask_enter_if_none")
    return text + ": "


def ask_yes_no(question: str, default: bool) -> bool:
    shown = t("ask_y") if default else t("ask_n")
    while True:
        typed = _prompt(f"{question} [{t('ask_y')}/{t('ask_n')}] ({shown}): ", "").strip().casefold()
        if not typed:
            return default
        if typed in ("j", "ja", "y", "yes", "jo"):
            return True
        if typed in ("n", "nej", "no"):
            return False
        console().print(f"[red]{escape(t('ask_yes_no'))}[/]")


def _confirm(form: Any) -> Any:
    """True to save, False for nothing, or the key of a field to change (its number)."""
    fields = form.active_fields()
    while True:
        typed = _prompt(t("ask_confirm_or_change", last=len(fields)), "").strip().casefold()
        if typed in ("", "j", "ja", "y", "yes", "spara", "save"):
            return True
        if typed in ("n", "nej", "no"):
            return False
        if typed.isdigit() and 1 <= int(typed) <= len(fields):
            return fields[int(typed) - 1].key
        console().print(f"[red]{escape(t('ask_confirm_help', last=len(fields)))}[/]")


def _summary(form: Any) -> None:
    out = console()
    out.print(f"\n[bold]{escape(t('ask_summary_heading'))}[/]")
    for number, (label, shown) in enumerate(form.summary(), start=1):
        out.print(f"  {number}. {escape(label)}: {escape(shown)}")


def _prompt(message: str, default: str, *, multiline: bool = False) -> str:
    """One answer with line editing. Enter ends a one-line answer; in a note Enter starts a new
    line at the end and an empty last line (Enter twice) ends it. Ctrl-C and Ctrl-D raise KeyboardInterrupt."""
    from prompt_toolkit import prompt  # lazy: 83 ms on every command run without a terminal
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()
    if multiline:

        @bindings.add("enter")
        def _enter(event: Any) -> None:
            buffer = event.current_buffer
            if not buffer.text.strip() or buffer.text.rstrip(" ").endswith("\n"):
                buffer.text = buffer.text.rstrip()
                buffer.validate_and_handle()
            else:  # a new line at the end, wherever the cursor was (a fixed typo never splits a line)
                buffer.cursor_position = len(buffer.text)
                buffer.insert_text("\n")

    sys.stdout.flush()
    try:
        answer = prompt(message, default=default, multiline=multiline, key_bindings=bindings)
    except EOFError:
        raise KeyboardInterrupt from None
    return answer.rstrip("\n") if multiline else answer
