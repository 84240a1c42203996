"""`imr relapse-plan`: show the current relapse-prevention plan or append a new version."""

from __future__ import annotations

from typing import List, Optional

import typer

from imr.cli.common import console, escape, handle_errors, print_json, workspace


def register(app: typer.Typer) -> None:
    @app.command("relapse-plan")
    @handle_errors
    def relapse_plan(
        participant: str = typer.Argument(..., help="Participant id."),
        trigger: List[str] = typer.Option([], "--trigger", help="Something that has set off symptoms before (repeatable)."),
        warning_sign: List[str] = typer.Option([], "--warning-sign", help="An early warning sign (repeatable)."),
        action: List[str] = typer.Option([], "--action", help="What to do when a sign appears (repeatable)."),
        helper: List[str] = typer.Option([], "--helper", help="Who helps and how, as a role, e.g. kontaktperson (repeatable)."),
        emergency: List[str] = typer.Option([], "--emergency", help="Emergency contact as a role, e.g. avdelningens telefon (repeatable)."),
        copy: List[str] = typer.Option([], "--copy", help="Who has a copy of the plan, as a role (repeatable)."),
        kept_at: Optional[str] = typer.Option(None, "--kept-at", help="Where the plan is kept."),
        note: Optional[str] = typer.Option(None, "--note", help="Note about this version."),
        edit: bool = typer.Option(False, "--edit", help="Write the plan in your editor ($VISUAL or $EDITOR) as a YAML form."),
        by: Optional[str] = typer.Option(None, "--by", help="Your signature."),
        as_json: bool = typer.Option(False, "--json", help="Show the current plan as JSON."),
    ) -> None:
        """Show the current relapse-prevention plan; with options, append a new version.

        Each option replaces that whole section; sections not named are carried over from the
        current version. Contacts are roles, never names or phone numbers.
        """
        from imr import relapse_plan as rp
        from imr import store
        from imr.strings import strings

        ws = workspace()
        changes = {"triggers": trigger or None, "warning_signs": warning_sign or None, "actions": action or None,
                   "helpers": helper or None, "emergency": emergency or None, "copies": copy or None,
                   "kept_at": kept_at}
        changes = {k: v for k, v in changes.items() if v is not None}
        labels = strings(ws.lang, ws.root)["relapse_plan"]
        if not changes and not edit and note is None:
            _, state = store.load_state(ws, participant)
            plan = rp.current_plan(state)
            if as_json:
                print_json(plan)
            else:
                _print_plan(participant, plan, labels)
            return
        if edit:
            from imr.editor import note_from_editor
            from imr.errors import ImrError

            _, state = store.load_state(ws, participant)
            ws.signature(by)
            current = rp.current_plan(state)
            prefill = {**(current or {}), **rp.merged_plan(current, changes)}
            try:
                text = note_from_editor(rp.form_text(prefill, labels, participant))
            except ImrError as err:
                if err.code == "editor_aborted":
                    raise ImrError("relapse_plan_edit_empty") from None
                raise
            changes = rp.parse_form(text, labels, ws.lang)
        entry = rp.save_version(ws, participant, changes, note=note, by=by)
        _, state = store.load_state(ws, participant)
        console().print(escape(labels["saved"].format(id=participant, version=state.relapse_plan_versions,
                                                      by=entry["by"])))


def _print_plan(participant: str, plan: dict | None, labels: dict) -> None:
    out = console()
    if plan is None:
        out.print(escape(labels["none"].format(id=participant)))
        return
    out.print(f"[bold]{escape(labels['heading'].format(id=participant))}[/]")
    out.print("[dim]" + escape(labels["version_line"].format(version=plan["version"], date=plan["date"],
                                                             by=plan["by"])) + "[/]")
    for name in ("triggers", "warning_signs", "actions", "helpers", "emergency", "copies"):
        out.print()
        out.print(f"[bold cyan]{escape(labels['sections'][name])}[/]")
        if plan[name]:
            for item in plan[name]:
                out.print(f"  • {escape(item)}")
        else:
            out.print(f"  {escape(labels['empty_section'])}")
    out.print()
    out.print(f"[bold cyan]{escape(labels['sections']['kept_at'])}[/]")
    out.print(f"  {escape(plan['kept_at'] or labels['empty_section'])}")
