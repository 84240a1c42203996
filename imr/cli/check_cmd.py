"""`imr check`: one line per finding; when all is well, one line in a terminal and silence in a pipe.

The body (`run_check`) imports no typer: `imr.cli.app.main` runs the usual forms of `imr check`
(the hook's and CI's among them) without building a typer command (`argv.plain_command`);
`register` declares the command for typer, which calls the same function.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from imr.cli.common import handle_errors, lang, print_json, visible, workspace

if TYPE_CHECKING:
    import typer


def register(app: typer.Typer) -> None:
    import typer

    @app.command("check")
    def check(
        strict: bool = typer.Option(False, "--strict"),
        as_json: bool = typer.Option(False, "--json"),
        since: str | None = typer.Option(None, "--since", metavar="REV"),
        staged: bool = typer.Option(False, "--staged"),
        merge_commit: bool = typer.Option(False, "--merge-commit", hidden=True),
        full: bool = typer.Option(False, "--full"),
    ) -> None:
        """Check the curriculum and every record: syntax, schema, references, personal data, history."""
        code = run_check(strict, as_json, since, staged, merge_commit, full)
        if code:
            raise typer.Exit(code)


@handle_errors
def run_check(
    strict: bool = False,
    as_json: bool = False,
    since: str | None = None,
    staged: bool = False,
    merge_commit: bool = False,
    full: bool = False,
) -> int:
    """The check; its exit code (1: findings that are more than notices)."""
    from imr.gates.check import check_workspace
    from imr.gates.history import history_findings, staged_copy

    ws = workspace()
    # The gates (the hook: --staged, --merge-commit; CI: --since) and --full read every
    # record's bytes; a plain check trusts records whose stat is unchanged since last read.
    full = full or staged or merge_commit or since is not None
    if staged:
        from imr.workspace.folder import open_workspace

        with staged_copy(ws.root) as root:
            findings = check_workspace(ws if root == ws.root else open_workspace(root), strict=strict, full=True)
    else:
        findings = check_workspace(ws, strict=strict, full=full)
    if merge_commit:
        from imr.gates.history import merge_commit_findings

        findings.extend(merge_commit_findings(ws.root))
    else:
        findings.extend(history_findings(ws.root, since=since, staged_only=staged))
    if as_json:
        print_json([{"path": f.path, "line": f.line, "code": f.code, "message": f.message(lang())} for f in findings])
    else:
        for finding in findings:
            sys.stdout.write(visible(finding.message(lang())) + "\n")  # a name or note never raw
    from imr.gates.history import NOTICES
    from imr.gates.integrity import NOTICES as LOOK_OVER

    findings = [f for f in findings if f.code not in NOTICES and f.code not in LOOK_OVER]
    if merge_commit:
        from imr.gates.integrity import RESOLVED_AFTER_MERGE

        findings = [f for f in findings if f.code not in RESOLVED_AFTER_MERGE]
    if findings:
        return 1
    if not as_json and not staged and not merge_commit and sys.stdout.isatty():  # a person, not a hook or script
        from imr.cli.common import t

        sys.stdout.write(t("check_all_well") + "\n")
    return 0
