"""`imr check`: silent and exit 0 when all is well, one line per finding otherwise."""

from __future__ import annotations

import sys

import typer

from imr.cli.common import handle_errors, lang, print_json, workspace


def register(app: typer.Typer) -> None:
    @app.command("check")
    @handle_errors
    def check(
        strict: bool = typer.Option(False, "--strict", help="Also check readability (LIX) and text length."),
        as_json: bool = typer.Option(False, "--json", help="Findings as JSON."),
    ) -> None:
        """Check the curriculum and every record: syntax, schema, references, personal data."""
        from imr.check import check_workspace

        ws = workspace()
        findings = check_workspace(ws, strict=strict)
        if as_json:
            print_json([{"path": f.path, "line": f.line, "code": f.code, "message": f.message(lang())} for f in findings])
        else:
            for finding in findings:
                sys.stdout.write(finding.message(lang()) + "\n")
        if findings:
            raise typer.Exit(1)
