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
        trigger: List[str] = typer.Option([], "--trigger", help="Add something that has set off symptoms before (repeatable)."),
        warning_sign: List[str] = typer.Option([], "--warning-sign", help="Add an early warning sign (repeatable)."),
        action: List[str] = typer.Option([], "--action", help="Add what to do when a sign appears (repeatable)."),
        calming: List[str] = typer.Option([], "--calming", help="Add what helps to calm down if staff step in (repeatable)."),
        not_wanted: List[str] = typer.Option([], "--not-wanted", help="Add what the participant does not want others to do (repeatable)."),
        helper: List[str] = typer.Option([], "--helper", help="Add who helps and how, as a role, e.g. kontaktperson (repeatable)."),
        emergency: List[str] = typer.Option([], "--emergency", help="Add an emergency contact as a role, e.g. avdelningens telefon (repeatable)."),
        copy: List[str] = typer.Option([], "--copy", help="Add who has a copy of the plan, as a role (repeatable)."),
        kept_at: Optional[str] = typer.Option(None, "--kept-at", help="Where the plan is kept."),
        remove_trigger: List[str] = typer.Option([], "--remove-trigger", help="Remove this trigger (repeatable)."),
        remove_warning_sign: List[str] = typer.Option([], "--remove-warning-sign", help="Remove this warning sign (repeatable)."),
        remove_action: List[str] = typer.Option([], "--remove-action", help="Remove this action (repeatable)."),
        remove_calming: List[str] = typer.Option([], "--remove-calming", help="Remove this item (repeatable)."),
        remove_not_wanted: List[str] = typer.Option([], "--remove-not-wanted", help="Remove this item (repeatable)."),
        remove_helper: List[str] = typer.Option([], "--remove-helper", help="Remove this helper (repeatable)."),
        remove_emergency: List[str] = typer.Option([], "--remove-emergency", help="Remove this emergency contact (repeatable)."),
        remove_copy: List[str] = typer.Option([], "--remove-copy", help="Remove this copy holder (repeatable)."),
        replace: bool = typer.Option(False, "--replace", help="The sections given replace the old ones whole, instead of adding to them."),
        note: Optional[str] = typer.Option(None, "--note", help="Note about this version."),
        edit: bool = typer.Option(False, "--edit", help="Write the plan in your editor ($VISUAL or $EDITOR) as a YAML form."),
        show_history: bool = typer.Option(False, "--history", help="Every version with what it added and removed."),
        by: Optional[str] = typer.Option(None, "--by", help="Your signature."),
        as_json: bool = typer.Option(False, "--json", help="Show the current plan (or the history) as JSON."),
    ) -> None:
        """Show the current relapse-prevention plan; with options, append a new version.

        Items given are added to their section; --remove-… takes an item out and --replace
        replaces the sections given. Sections not named are carried over. Contacts are roles,
        never names or phone numbers.
        """
        from imr import relapse_plan as rp
        from imr import store
        from imr.strings import strings

        ws = workspace()
        changes = {"triggers": trigger or None, "warning_signs": warning_sign or None, "actions": action or None,
                   "calming": calming or None, "not_wanted": not_wanted or None,
                   "helpers": helper or None, "emergency": emergency or None, "copies": copy or None,
                   "kept_at": kept_at}
        changes = {k: v for k, v in changes.items() if v is not None}
        removals = {"triggers": remove_trigger, "warning_signs": remove_warning_sign, "actions": remove_action,
                    "calming": remove_calming, "not_wanted": remove_not_wanted, "helpers": remove_helper,
                    "emergency": remove_emergency, "copies": remove_copy}
        removals = {k: v for k, v in removals.items() if v}
        labels = strings(ws.lang, ws.root)["relapse_plan"]
        if show_history:
            _, state = store.load_state(ws, participant)
            versions = rp.history(state)
            print_json(versions) if as_json else _print_history(participant, versions, labels)
            return
        if not changes and not removals and not edit and note is None:
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
            prefill = {**(current or {}), **rp.merged_plan(current, changes, removals=removals, replace=replace)}
            try:
                text = note_from_editor(rp.form_text(prefill, labels, participant))
            except ImrError as err:
                if err.code == "editor_aborted":
                    raise ImrError("relapse_plan_edit_empty") from None
                raise
            changes, removals, replace = rp.parse_form(text, labels, ws.lang), {}, True
        entry = rp.save_version(ws, participant, changes, note=note, by=by, removals=removals, replace=replace)
        _, state = store.load_state(ws, participant)
        console().print(escape(labels["saved"].format(id=participant, version=state.relapse_plan_versions,
                                                      by=entry["by"])))


def _print_history(participant: str, versions: list, labels: dict) -> None:
    out = console()
    if not versions:
        out.print(escape(labels["none"].format(id=participant)))
        return
    for version in versions:
        out.print("[bold]" + escape(labels["version_line"].format(version=version["version"], date=version["date"],
                                                                  by=version["by"])) + "[/]")
        for name, change in version["changes"].items():
            for item in change["added"]:
                out.print(f"  [green]+ {escape(labels['sections'][name])}: {escape(item)}[/]")
            for item in change["removed"]:
                out.print(f"  [red]− {escape(labels['sections'][name])}: {escape(item)}[/]")


def _print_plan(participant: str, plan: dict | None, labels: dict) -> None:
    out = console()
    if plan is None:
        out.print(escape(labels["none"].format(id=participant)))
        return
    out.print(f"[bold]{escape(labels['heading'].format(id=participant))}[/]")
    out.print("[dim]" + escape(labels["version_line"].format(version=plan["version"], date=plan["date"],
                                                             by=plan["by"])) + "[/]")
    from imr.relapse_plan import LIST_SECTIONS

    for name in LIST_SECTIONS:
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
