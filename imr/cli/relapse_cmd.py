"""`imr relapse-plan`: show the current relapse-prevention plan or append a new version."""

from __future__ import annotations

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, lang, print_json, workspace
from imr.core.strings import strings


def register(app: typer.Typer) -> None:
    @app.command("relapse-plan")
    @handle_errors
    def relapse_plan(
        participant: str = typer.Argument(..., autocompletion=complete.participants),
        trigger: list[str] = typer.Option([], "--trigger"),
        warning_sign: list[str] = typer.Option([], "--warning-sign"),
        action: list[str] = typer.Option([], "--action"),
        calming: list[str] = typer.Option([], "--calming"),
        not_wanted: list[str] = typer.Option([], "--not-wanted"),
        helper: list[str] = typer.Option([], "--helper"),
        emergency: list[str] = typer.Option([], "--emergency"),
        copy: list[str] = typer.Option([], "--copy"),
        kept_at: str | None = typer.Option(None, "--kept-at"),
        remove_trigger: list[str] = typer.Option([], "--remove-trigger"),
        remove_warning_sign: list[str] = typer.Option([], "--remove-warning-sign"),
        remove_action: list[str] = typer.Option([], "--remove-action"),
        remove_calming: list[str] = typer.Option([], "--remove-calming"),
        remove_not_wanted: list[str] = typer.Option([], "--remove-not-wanted"),
        remove_helper: list[str] = typer.Option([], "--remove-helper"),
        remove_emergency: list[str] = typer.Option([], "--remove-emergency"),
        remove_copy: list[str] = typer.Option([], "--remove-copy"),
        replace: bool = typer.Option(False, "--replace"),
        note: str | None = typer.Option(None, "--note"),
        edit: bool = typer.Option(False, "--edit"),
        show_history: bool = typer.Option(False, "--history"),
        by: str | None = typer.Option(None, "--by"),
        as_json: bool = typer.Option(False, "--json"),
        date: str | None = typer.Option(None, "--date"),
        yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
    ) -> None:
        """Show the current relapse-prevention plan; with options, append a new version.

        Items given are added to their section; --remove-… takes an item out and --replace
        replaces the sections given. Sections not named are carried over. Contacts are roles,
        never names or phone numbers. In a terminal the options only pre-fill the new version: the
        other sections are asked (the current items offered for editing), then a summary and a
        confirm; --ja (or no terminal) saves without asking.
        """
        from imr.programme import relapse_plan as rp
        from imr.workspace import store

        ws = workspace()
        changes = {
            "triggers": trigger or None,
            "warning_signs": warning_sign or None,
            "actions": action or None,
            "calming": calming or None,
            "not_wanted": not_wanted or None,
            "helpers": helper or None,
            "emergency": emergency or None,
            "copies": copy or None,
            "kept_at": kept_at,
        }
        changes = {k: v for k, v in changes.items() if v is not None}
        removals = {
            "triggers": remove_trigger,
            "warning_signs": remove_warning_sign,
            "actions": remove_action,
            "calming": remove_calming,
            "not_wanted": remove_not_wanted,
            "helpers": remove_helper,
            "emergency": remove_emergency,
            "copies": remove_copy,
        }
        removals = {k: v for k, v in removals.items() if v}
        labels = strings(ws.lang, ws.root)["relapse_plan"]
        if show_history:
            _, state = store.load_state(ws, participant)
            versions = rp.history(state)
            print_json(versions) if as_json else _print_history(participant, versions, labels)
            return
        if not changes and not removals and not edit and note is None and date is None:
            _, state = store.load_state(ws, participant)
            plan = rp.current_plan(state)
            if as_json:
                print_json(plan)
            else:
                _print_plan(participant, plan, labels)
            return
        from imr.cli.ask import interactive

        if edit:
            from imr.core.errors import ImrError
            from imr.workspace.editor import note_from_editor

            _, state = store.load_state(ws, participant)
            ws.signature(by)
            current = rp.current_plan(state)
            prefill = {**(current or {}), **rp.merged_plan(current, changes, removals=removals, replace=replace)}
            try:
                text = note_from_editor(rp.form_text(prefill, labels, participant))
                changes = rp.parse_form(text, labels, ws.lang)
            except ImrError as err:
                if err.code == "editor_aborted":
                    raise ImrError("relapse_plan_edit_empty") from None
                if err.code != "editor_missing" or not interactive():
                    raise
                _ask_form(ws, participant, {}, {}, False, note, date, by)  # no editor: the questions
                return
            removals, replace = {}, True
        elif interactive() and not yes:
            _ask_form(ws, participant, changes, removals, replace, note, date, by)
            return
        entry = rp.save_version(
            ws, participant, changes, note=note, by=by, removals=removals, replace=replace, date=date
        )
        _, state = store.load_state(ws, participant)
        console().print(
            escape(labels["saved"].format(id=participant, version=state.relapse_plan_versions, by=entry["by"]))
        )


def _ask_form(
    ws,
    participant: str,
    changes: dict,
    removals: dict,
    replace: bool,
    note: str | None,
    date: str | None,
    by: str | None,
) -> None:
    """The relapse-plan form asked in the terminal: the sections the options named are pre-filled
    (the current items with those added or removed), the rest asked with the current items
    offered for editing, then a summary and a confirm (imr/cli/ask.py)."""
    from imr.cli.ask import run_form
    from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands
    from imr.forms.targets import participant_id
    from imr.programme import relapse_plan as rp
    from imr.programme.relapse_plan import LIST_SECTIONS
    from imr.workspace import store

    participant = participant_id(ws, participant)
    ws.signature(by)  # no signature: say so before the questions, not after them
    _, state = store.load_state(ws, participant)
    merged = rp.merged_plan(rp.current_plan(state), changes, removals=removals, replace=replace)
    prefill: dict = {"note": note, "date": date}
    for name in {*changes, *removals}:
        value = merged.get(name)
        prefill[name] = "\n".join(value or []) if name in LIST_SECTIONS else (value or "")
    form = build_form(ws, "relapse-plan", participant, by=by, lang=lang())
    entry = run_form(form, prefill)
    if entry is None:
        return
    _, state = store.load_state(ws, participant)
    labels = strings(ws.lang, ws.root)["relapse_plan"]
    console().print(escape(labels["saved"].format(id=participant, version=state.relapse_plan_versions, by=entry["by"])))


def _print_history(participant: str, versions: list, labels: dict) -> None:
    out = console()
    if not versions:
        out.print(escape(labels["none"].format(id=participant)))
        return
    for version in versions:
        out.print(
            "[bold]"
            + escape(labels["version_line"].format(version=version["version"], date=version["date"], by=version["by"]))
            + "[/]"
        )
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
    out.print(
        "[dim]"
        + escape(labels["version_line"].format(version=plan["version"], date=plan["date"], by=plan["by"]))
        + "[/]"
    )
    from imr.programme.relapse_plan import LIST_SECTIONS

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
