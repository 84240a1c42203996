"""`imr correct`: a correction entry that points at an earlier one; the old entry stays."""

from __future__ import annotations

import typer

from imr.cli import complete
from imr.cli.common import console, escape, handle_errors, lang, t, workspace

_YES_NO = ("handout", "significant_other")
_TRUTH = {"true": True, "false": False, "ja": True, "nej": False, "yes": True, "no": False}


def register(app: typer.Typer) -> None:
    @app.command("correct")
    @handle_errors
    def correct(
        participant: str = typer.Argument(..., autocompletion=complete.participants),
        entry: str = typer.Argument(...),
        note: str | None = typer.Option(None, "--note"),
        by: str | None = typer.Option(None, "--by"),
        void: bool = typer.Option(False, "--void"),
        set_: list[str] = typer.Option([], "--set"),
        yes: bool = typer.Option(False, "--ja", "--yes", "-y"),
    ) -> None:
        """Append a correction to an earlier entry (the original stays readable)."""
        from imr.cli.ask import interactive
        from imr.programme.sessions import correct as do_correct

        if interactive() and not yes and len(set_) <= 1 and (void or set_ or note is None):
            _asked(participant, entry, note, by, void, set_)
            return
        if note is None:
            from imr.cli.i18n import bad_usage

            raise bad_usage("usage_correct_note", "--note")

        fields: dict[str, object] = {}
        for item in set_:
            if "=" not in item:
                from imr.cli.i18n import bad_usage

                raise bad_usage("usage_set_field", "--set")
            key, value = item.split("=", 1)
            key = key.strip()
            if key in ("module", "session") and value.strip().isdigit():
                fields[key] = int(value)
            elif key in _YES_NO and value.strip().casefold() in _TRUTH:
                fields[key] = _TRUTH[value.strip().casefold()]  # `handout=true`: a missed "handout given"
            else:
                fields[key] = value
        ws = workspace()
        if "date" in fields:
            from imr.programme.sessions import check_date

            fields["date"] = check_date(str(fields["date"]))
        do_correct(ws, participant, entry, note=note, by=by, void=void, set_fields=fields or None)
        console().print(escape(t("corrected", id=participant, entry=entry)))


def _asked(participant: str, entry: str, note: str | None, by: str | None, void: bool, set_: list[str]) -> None:
    """The correction (or void) form in a terminal: what the flags do not give is asked."""
    from imr.cli.ask import run_form
    from imr.forms import build_form  # lazy: 2 ms on imr --help and the module's other commands
    from imr.forms.targets import participant_id

    ws = workspace()
    participant = participant_id(ws, participant)
    ws.signature(by)
    form = build_form(ws, "void" if void else "correction", participant, by=by, lang=lang())
    prefill = {"target": entry, "note": note}
    if set_:
        name, _, value = set_[0].partition("=")
        prefill.update({"field": name.strip(), "value": value})
    if run_form(form, prefill) is not None:
        console().print(escape(t("corrected", id=participant, entry=form.value("target"))))
