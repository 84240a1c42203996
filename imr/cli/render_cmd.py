"""`imr render handout|bundle|manual`: printable documents as PDF, DOCX, HTML or Markdown.

The typer declarations; where a document goes and how it is rendered and saved is in
`imr.cli.render_run`, with the handout's body, which `imr.cli.app.main` also runs without typer.
"""

from __future__ import annotations

import typer

from imr.cli import complete, render_run
from imr.cli.common import handle_errors, workspace
from imr.cli.render_run import Target, output_target, render_and_write
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
    render_run.handout(session, participant, variant, fmt, output, date, force)


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
    target = output_target(ws, fmt, output, force)
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
    target = output_target(ws, fmt, output, force)
    render_and_write(ws, manual_document(ws, module, duplex=duplex), target)


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
