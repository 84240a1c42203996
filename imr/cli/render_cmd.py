"""`imr render handout|bundle|manual`: printable documents as PDF, DOCX, HTML or Markdown."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from imr.cli import complete
from imr.cli.common import console, emit, escape, handle_errors, t, workspace
from imr.core.errors import ImrError

app = typer.Typer(no_args_is_help=True)


def _force_option():
    return typer.Option(False, "--force")


def _duplex_option():
    return typer.Option(True, "--duplex/--simplex")


def _format_option():
    return typer.Option(None, "--format", "-f", metavar="FORMAT")


def _output_option():
    return typer.Option(None, "--output", "-o", metavar="PATH")


@app.command("handout")
@handle_errors
def handout(
    session: str = typer.Argument(..., autocompletion=complete.sessions),
    participant: str | None = typer.Option(None, "--for", autocompletion=complete.participants),
    variant: str | None = typer.Option(None, "--variant", metavar="VARIANT"),
    fmt: str | None = _format_option(),
    output: str | None = _output_option(),
    date: str | None = typer.Option(None, "--date"),
    force: bool = _force_option(),
) -> None:
    """One session's handout, for everyone or personalised for one participant."""
    from imr.render.documents import handout_document  # lazy: 31 ms on imr --help and the module's other commands

    ws = workspace()
    target = _target(ws, fmt, output, force)
    render_and_write(ws, handout_document(ws, session, participant, date, variant), target)


@app.command("bundle")
@handle_errors
def bundle(
    module: int | None = typer.Option(None, "--module"),
    all_: bool = typer.Option(False, "--all"),
    participant: str | None = typer.Option(None, "--for", autocompletion=complete.participants),
    group: str | None = typer.Option(None, "--group", autocompletion=complete.groups),
    next_: bool = typer.Option(False, "--next"),
    variants: str | None = typer.Option(None, "--variants", metavar="all"),
    duplex: bool = _duplex_option(),
    fmt: str | None = _format_option(),
    output: str | None = _output_option(),
    date: str | None = typer.Option(None, "--date"),
    force: bool = _force_option(),
) -> None:
    """Several handouts in one document: a module, the programme, a folder or a group."""
    from imr.render import documents

    ws = workspace()
    chosen = [module is not None, all_, participant is not None, group is not None]
    if sum(chosen) != 1:
        raise ImrError("render_bundle_choice")
    if next_ and group is None:
        raise ImrError("render_next_needs_group")
    if variants is not None and (variants != "all" or (module is None and not all_)):
        raise ImrError("render_variants_choice")
    target = _target(ws, fmt, output, force)
    every = variants == "all"
    if module is not None:
        document = documents.module_document(ws, module, variants=every, duplex=duplex)
    elif all_:
        document = documents.programme_document(ws, variants=every, duplex=duplex)
    elif participant is not None:
        document = documents.folder_document(ws, participant, date, duplex=duplex)
    else:
        from imr.records.ids import check_group_name

        document = documents.group_document(
            ws, check_group_name(str(group)), next_session=next_, date=date, duplex=duplex
        )
    render_and_write(ws, document, target)


@app.command("manual")
@handle_errors
def manual(
    module: int | None = typer.Option(None, "--module"),
    duplex: bool = _duplex_option(),
    fmt: str | None = _format_option(),
    output: str | None = _output_option(),
    force: bool = _force_option(),
) -> None:
    """The leader guides as one manual: introduction, module introductions, contents."""
    from imr.render.documents import manual_document  # lazy: 31 ms on imr --help and the module's other commands

    ws = workspace()
    target = _target(ws, fmt, output, force)
    render_and_write(ws, manual_document(ws, module, duplex=duplex), target)


class Target:
    """Where and in which format a command's document goes (checked before rendering)."""

    def __init__(self, fmt: str, path=None, stdout: bool = False, explicit: bool = False, force: bool = False) -> None:
        self.fmt = fmt
        self.path = path
        self.stdout = stdout
        self.explicit = explicit
        self.force = force


def _target(ws, fmt: str | None, output: str | None, force: bool = False) -> Target:
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
        rendered = _with_progress(ws, document, target.fmt, console(stderr=True))
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


def _with_progress(ws, document, fmt: str, err):
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


def render_next(
    ws,
    fmt: str,
    participant: str | None = None,
    group: str | None = None,
    message_to_stderr: bool = False,
    plan: dict | None = None,
) -> None:
    """`imr session next … --render FORMAT`: the leader's one-page plan and today's handout(s)
    in one document in out/ (the plan page first, each handout on a front page)."""
    from imr.render.documents import (
        group_document,
        handout_document,
        next_session_documents,
    )  # lazy: 31 ms on imr --help and the module's other commands
    from imr.render.pipeline import check_format  # lazy: 8 ms on imr --help and the module's other commands

    fmt = check_format(fmt)
    if plan is not None and not plan.get("complete"):
        # The leader's plan is a file of its own (never handed out), beside today's handouts.
        for document in next_session_documents(ws, plan, participant=participant, group=group):
            render_and_write(ws, document, Target(fmt), message_to_stderr)
        return
    elif group is not None:
        document = group_document(ws, group, next_session=True)
    else:
        from imr.core.errors import ImrError
        from imr.programme.planning import next_session
        from imr.workspace import store

        assert participant is not None  # one of participant and group is given (checked by the caller)
        _, state = store.load_state(ws, participant)
        ref = next_session(state, ws.curriculum)
        if ref is None:
            raise ImrError("render_programme_complete", id=participant)
        document = handout_document(ws, ref, participant)
    render_and_write(ws, document, Target(fmt), message_to_stderr)
