"""`imr diff [REV [REV]]` or `imr diff --since DATE`: what was added to which records, in words;
rewrites listed first."""

from __future__ import annotations

import typer

from imr.cli.common import emit, handle_errors, print_json, strings_root, workspace


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @handle_errors
    def diff(
        revisions: list[str] | None = typer.Argument(None, metavar="[REV [REV]]"),
        since: str | None = typer.Option(None, "--since", metavar="DATE"),
        until: str | None = typer.Option(None, "--until", metavar="DATE"),
        by: str | None = typer.Option(None, "--by"),
        as_json: bool = typer.Option(False, "--json"),
        strict: bool = typer.Option(False, "--strict"),
    ) -> None:
        """What was added to records and groups between two revisions, in words; rewrites first."""
        from imr.core.dates import parse_date
        from imr.core.errors import ImrError
        from imr.reports.diff import diff_period, diff_workspace, signed_by
        from imr.reports.diff_text import Words, diff_json, diff_lines

        ws = workspace()
        if (since is not None or until is not None) and revisions:
            raise ImrError("diff_period_and_revisions")
        if until is not None and since is None:
            raise ImrError("diff_until_without_since")
        if since is not None:
            report = diff_period(ws.root, parse_date(since), parse_date(until) if until is not None else None)
        else:
            report = diff_workspace(ws.root, list(revisions or []))
        if by is not None:
            report = signed_by(report, by)
        if as_json:
            print_json(diff_json(report, ws.lang))
        else:
            emit(diff_lines(report, Words(ws.lang, strings_root()), by))
        if strict and report.rewrites:
            raise typer.Exit(1)
