"""The `imr` command: registers each command module and the global --workspace option.

Command modules import the library inside their functions, so starting `imr` only pays for
typer and what the one command needs.
"""

from __future__ import annotations

from typing import Optional

import typer

from imr.cli import check_cmd, correct_cmd, curriculum_cmd, goal_cmd, group_cmd, imrs_cmd, init_cmd, patient_cmd, relapse_cmd, session_cmd
from imr.cli import diff_cmd, fidelity_cmd, merge_cmd, status_cmd
from imr.cli import render_cmd
from imr.cli.common import set_workspace_option

app = typer.Typer(
    name="imr",
    help="Run the IMR programme (sjukdomshantering och återhämtning): plans, handouts and append-only records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    workspace: Optional[str] = typer.Option(
        None, "--workspace", "-w", help="Workspace folder (default: IMR_WORKSPACE, or the folder with imr.yaml above here).",
        metavar="DIR",
    ),
) -> None:
    """Run the IMR programme: plans, handouts and append-only records."""
    set_workspace_option(workspace)


init_cmd.register(app)
app.add_typer(patient_cmd.app, name="patient")
app.add_typer(session_cmd.app, name="session")
session_cmd.register_absent(app)
correct_cmd.register(app)
check_cmd.register(app)
app.add_typer(curriculum_cmd.app, name="curriculum")
app.add_typer(goal_cmd.app, name="goal")
relapse_cmd.register(app)
app.add_typer(imrs_cmd.app, name="imrs")
app.add_typer(group_cmd.app, name="group")
app.add_typer(render_cmd.app, name="render")
diff_cmd.register(app)
status_cmd.register(app)
fidelity_cmd.register(app)
merge_cmd.register(app)


def main() -> None:
    app()
