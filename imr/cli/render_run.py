"""`imr render`'s bodies without typer: where a document goes, rendering it, saving it.

`imr render handout` is the one command whose body lives here rather than beside its typer
declaration: `imr.cli.app.main` runs its usual forms without building a typer command (start-up,
issue 30; `argv.render_handout` says which forms), and `imr.cli.render_cmd` declares the typer
commands, which call the same functions. Nothing here imports typer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from imr.cli.common import console, emit, escape, handle_errors, t, workspace


@handle_errors
def handout(
    session: str,
    participant: str | None = None,
    variant: str | None = None,
    fmt: str | None = None,
    output: str | None = None,
    date: str | None = None,
    force: bool = False,
) -> None:
    """`imr render handout`: one session's handout, for everyone or personalised for one participant."""
    from imr.render.documents import handout_document  # lazy: 31 ms on imr --help and the module's other commands

    ws = workspace()
    target = output_target(ws, fmt, output, force)
    render_and_write(ws, handout_document(ws, session, participant, date, variant), target)


class Target:
    """Where and in which format a command's document goes (checked before rendering)."""

    def __init__(self, fmt: str, path=None, stdout: bool = False, explicit: bool = False, force: bool = False) -> None:
        self.fmt = fmt
        self.path = path
        self.stdout = stdout
        self.explicit = explicit
        self.force = force


def output_target(ws, fmt: str | None, output: str | None, force: bool = False) -> Target:
    """`--format` and `--output` checked: the format asked for (or the output's suffix, or PDF)
    and the path, refused before anything is rendered; `-o -` is Markdown to stdout."""
    from imr.render.output import check_output_path
    from imr.render.pipeline import FORMATS, check_format  # lazy: 8 ms on imr --help and the module's other commands

    if output == "-":
        if fmt is not None:
            check_format(fmt)
        return Target("md", stdout=True)
    if fmt is not None:
        chosen = check_format(fmt)
    elif output and Path(output).suffix.lower().lstrip(".") in FORMATS:
        chosen = Path(output).suffix.lower().lstrip(".")
    else:
        chosen = "pdf"
    if output:
        return Target(
            chosen, check_output_path(Path(output), create_parent=False, ws=ws, force=force), explicit=True, force=force
        )
    return Target(chosen, force=force)


def render_and_write(ws, document, target: Target, message_to_stderr: bool = False) -> None:
    """Render one document (with a progress bar for bundles on a terminal) and save it.

    Rich is only imported for the progress bar: a single handout from a script or a shell
    pipe starts as fast as it can.
    """
    from imr.render.output import MD_MARKER, check_output_path, default_path, write_output
    from imr.render.pipeline import render_document  # lazy: 8 ms on imr --help and the module's other commands

    path = target.path
    if not target.stdout and path is None:
        path = check_output_path(default_path(ws, document, target.fmt), create_parent=True, ws=ws, force=target.force)
    if len(document.parts) > 1 and sys.stderr.isatty():
        rendered = with_progress(ws, document, target.fmt, console(stderr=True))
    else:
        rendered = render_document(ws, document, target.fmt)
    for warning in rendered.warnings:
        sys.stderr.write(t("render_warning", message=warning) + "\n")
    if target.stdout:
        sys.stdout.write(rendered.data.decode("utf-8"))
        return
    write_output(path, (MD_MARKER + rendered.data) if target.fmt == "md" else rendered.data)
    if message_to_stderr:
        sys.stderr.write(t("render_written", path=_shown(path)) + "\n")
    else:
        emit([(None, t("render_written", path=_shown(path)))])


def with_progress(ws, document, fmt: str, err):
    """`render_document` with a progress bar on `err` (a rich console) for each step."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )  # lazy: 27 ms on imr --help and the module's other commands

    from imr.render.pipeline import render_document  # lazy: 8 ms on imr --help and the module's other commands

    steps = {"markdown": t("render_step_markdown"), "pandoc": t("render_step_pandoc"), "typst": t("render_step_typst")}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}  # rich's TaskID per step

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(escape(steps.get(step, step)), total=total)
            progress.update(tasks[step], completed=done, total=total)

        return render_document(ws, document, fmt, update)


def _shown(path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)
