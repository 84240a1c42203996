"""The remaining forms: relapse-plan version, IMR Scale rating, correction, void, patient add."""

from __future__ import annotations

from typing import Any

from imr.forms.checks import date_check, parse_date_answer, text_check
from imr.forms.model import Choice, Field, FieldProblem, Form, value_labels
from imr.records.kinds import FORMATS, MAX_TEXT, RATERS


def _today() -> str:
    from imr.workspace import store

    return store.today()


def _date_field(form: Form, record: Any, label_key: str = "field_date") -> Field:
    return Field(
        "date",
        "date",
        form.t(label_key),
        required=True,
        default=_today(),
        hint=form.t("hint_date"),
        parse=parse_date_answer(form),
        check=date_check(form, record),
    )


def _texts(form: Form, ws: Any) -> None:
    for item in form.fields:
        if item.kind == "text" and item.check is None:
            item.check = text_check(form, item.label, ws, limit=item.limit or MAX_TEXT)


# ---- relapse plan -----------------------------------------------------------------------------


def relapse_plan_form(ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None) -> Form:
    """One new version: each section one item per line, the current version as the default."""
    from imr.core.strings import strings
    from imr.programme.relapse_plan import LIST_SECTIONS, SECTIONS, current_plan, save_version
    from imr.workspace import store

    record, state = store.load_state(ws, participant_id)
    plan = current_plan(state) or {}
    lang = lang or ws.lang

    def save(form: Form) -> dict:
        changes: dict[str, Any] = {}
        for name in SECTIONS:
            value = form.value(name) or ""
            changes[name] = (
                [line.strip() for line in value.splitlines() if line.strip()]
                if name in LIST_SECTIONS
                else (value.strip() or None)
            )
        return save_version(
            ws, participant_id, changes, note=form.value("note"), by=by, replace=True, date=form.value("date")
        )

    form = Form("relapse-plan", lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_relapse_plan", id=participant_id)
    sections = strings(lang, ws.root).get("relapse_plan", {}).get("sections", {})
    fields = []
    for name in SECTIONS:
        multiline = name in LIST_SECTIONS
        current = "\n".join(plan.get(name) or []) if multiline else plan.get(name)
        fields.append(
            Field(
                name,
                "text",
                str(sections.get(name, name)),
                default=current or None,
                limit=MAX_TEXT,
                multiline=multiline,
                hint=form.t("hint_relapse_list" if multiline else "hint_relapse_text"),
                show=(lambda v: "; ".join(line for line in str(v).splitlines() if line.strip())),
            )
        )
    fields += [_date_field(form, record), Field("note", "text", form.t("field_note_goal"), limit=MAX_TEXT)]
    form.fields = fields
    _texts(form, ws)
    return form


# ---- IMR Scale --------------------------------------------------------------------------------

NA_WORDS = ("na", "n/a", "ej tillämpligt", "inte tillämpligt", "ej aktuellt", "inte aktuellt", "not applicable", "-")
RATER_WORDS = {
    "client": ("deltagare", "deltagaren", "klient", "client", "participant", "self"),
    "clinician": ("personal", "personalen", "behandlare", "behandlaren", "clinician", "staff"),
}


def imrs_form(ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None) -> Form:
    """15 items with their anchors; items 13–15 may be "not applicable"."""
    from imr.programme.imrs import NOT_APPLICABLE, add_assessment, load_instrument
    from imr.workspace import store

    record = store.load_record(ws, participant_id)
    instrument = load_instrument(ws.root)
    lang = lang or ws.lang

    def save(form: Form) -> dict:
        scores = [form.value(f"item_{item.number}") for item in instrument.items]
        return add_assessment(
            ws,
            participant_id,
            rater=form.value("rater"),
            scores=scores,
            date=form.value("date"),
            note=form.value("note"),
            by=by,
        )

    form = Form("imrs", lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_imrs", id=participant_id, title=instrument.label(instrument.title, lang))
    raters = value_labels("rater", lang, ws.root)
    fields = [
        Field(
            "rater",
            "role",
            form.t("field_rater"),
            required=True,
            choices=[Choice(r, raters.get(r, r), RATER_WORDS[r]) for r in RATERS],
            hint=form.t("hint_rater"),
        ),
        _date_field(form, record),
    ]
    total = len(instrument.items)

    def rater_chosen(f: Form, rater: Any) -> None:  # each item's question in the rater's words
        for item in instrument.items:
            f.field(f"item_{item.number}").hint = instrument.label(item.question[rater], lang)

    fields[0].on_set = rater_chosen
    for item in instrument.items:
        choices = [
            Choice(str(score), f"{score} {instrument.label(item.anchors[score], lang)}")
            for score in sorted(item.anchors)
        ]
        if item.not_applicable:
            choices.append(Choice(NOT_APPLICABLE, f"na {instrument.label(item.not_applicable_text, lang)}", NA_WORDS))
        fields.append(
            Field(
                f"item_{item.number}",
                "choice",
                form.t("field_imrs_item", number=item.number, total=total, title=instrument.label(item.title, lang)),
                required=True,
                choices=choices,
                hint=instrument.label(item.question["client"], lang),
                parse=_score_parser(form, choices),
                show=_score_shown(choices),
            )
        )
    fields.append(Field("note", "text", form.t("field_note_goal"), limit=MAX_TEXT))
    form.fields = fields
    _texts(form, ws)
    return form


def _score_parser(form: Form, choices: list[Choice]):
    def parse(text: str) -> Any:
        word = text.strip().casefold()
        for choice in choices:
            if word == choice.value or word in choice.words:
                return int(choice.value) if choice.value.isdigit() else choice.value
        raise FieldProblem(form.t("answer_score", choices=", ".join(c.value for c in choices)))

    return parse


def _score_shown(choices: list[Choice]):
    labels = {c.value: c.label for c in choices}
    return lambda v: labels.get(str(v), str(v))


# ---- correction and void ----------------------------------------------------------------------


def _entry_choices(form: Form, ws: Any, record: Any) -> list[Choice]:
    kinds = value_labels("kind", form.lang, ws.root)
    out = []
    for entry in record.entries:
        when = str(entry.get("date") or entry.get("at", ""))[:10]
        what = (entry.get("module") and f" {entry.get('module')}.{entry.get('session')}") or ""
        out.append(Choice(entry.id, f"{entry.id} {kinds.get(entry.kind, entry.kind)}{what} {when}".strip()))
    return out


def _entry_parser(form: Form, record: Any):
    def parse(text: str) -> str:
        try:
            return record.entry(text.strip()).id
        except Exception:
            raise FieldProblem(form.t("answer_entry")) from None

    return parse


def correction_form(
    ws: Any, participant_id: str, *, by: str | None = None, lang: str | None = None, void: bool = False
) -> Form:
    """Correct one field of an earlier entry (or, with `void`, void the entry); the note says why."""
    from imr.programme.sessions import _settable, check_date, correct
    from imr.workspace import store

    record = store.load_record(ws, participant_id)
    fields_of = value_labels("field", lang or ws.lang, ws.root)

    def save(form: Form) -> dict:
        if void:
            return correct(ws, participant_id, form.value("target"), note=form.value("note"), by=by, void=True)
        name, value = form.value("field"), form.value("value")
        if name == "date":
            value = check_date(value)
        elif name in ("module", "session") and str(value).isdigit():
            value = int(value)
        return correct(
            ws, participant_id, form.value("target"), note=form.value("note"), by=by, set_fields={name: value}
        )

    form = Form(
        "void" if void else "correction", lang or ws.lang, "", [], save, target=participant_id, workspace_root=ws.root
    )
    form.title = form.t("title_void" if void else "title_correction", id=participant_id)

    def field_choices(f: Form) -> list[Choice]:
        target = f.value("target")
        kind = record.entry(target).kind if target else None
        names = sorted(_settable(kind)) if kind else []
        return [Choice(n, fields_of.get(n, n)) for n in names]

    fields = [
        Field(
            "target",
            "choice",
            form.t("field_entry"),
            required=True,
            choices=_entry_choices(form, ws, record),
            hint=form.t("hint_entry"),
            parse=_entry_parser(form, record),
        )
    ]
    if not void:
        fields += [
            Field("field", "choice", form.t("field_correct_field"), required=True, hint=form.t("hint_correct_field")),
            Field("value", "text", form.t("field_correct_value"), required=True, limit=MAX_TEXT),
        ]
    fields.append(Field("note", "text", form.t("field_correct_note"), required=True, limit=MAX_TEXT))
    form.fields = fields
    if not void:
        form.field("target").on_set = lambda f, _: setattr(f.field("field"), "choices", field_choices(f))
    _texts(form, ws)
    return form


# ---- patient add ------------------------------------------------------------------------------


def patient_add_form(ws: Any, participant_id: str = "", *, by: str | None = None, lang: str | None = None) -> Form:
    from imr.programme.participants import add_participant

    lang = lang or ws.lang
    defaults = ws.defaults()

    def save(form: Form) -> dict:
        return add_participant(
            ws,
            form.value("id"),
            variant=form.value("variant"),
            format=form.value("format"),
            leader=form.value("leader"),
            by=by,
            date=form.value("date"),
        )

    form = Form("patient-add", lang, "", [], save, target=participant_id, workspace_root=ws.root)
    form.title = form.t("title_patient_add")
    variants = value_labels("variant", lang, ws.root)
    formats = value_labels("format", lang, ws.root)

    def check_id(value: Any) -> str | None:
        from imr.core.errors import ImrError
        from imr.records.ids import check_participant_id
        from imr.workspace.store import check_identifier

        try:
            check_participant_id(str(value))
            check_identifier(str(value), ws, "participant")
        except ImrError as err:
            return err.message(lang)
        if ws.record_path(str(value)).exists():
            return ImrError("record_exists", path=str(value)).message(lang)
        return None

    def check_leader(value: Any) -> str | None:
        from imr.core.errors import ImrError
        from imr.workspace.folder import check_signature

        try:
            check_signature(str(value))
        except ImrError as err:
            return err.message(lang)
        return None

    form.fields = [
        Field(
            "id",
            "text",
            form.t("field_participant_id"),
            required=True,
            default=participant_id or None,
            hint=form.t("hint_participant_id"),
            check=check_id,
            parse=lambda text: text.strip().lower(),
        ),
        Field(
            "variant",
            "choice",
            form.t("field_variant"),
            required=True,
            default=defaults.get("variant") or "general",
            choices=[Choice(v, variants.get(v, v)) for v in ws.curriculum.variants],
        ),
        Field(
            "format",
            "choice",
            form.t("field_format"),
            required=True,
            default=defaults.get("format") or "individual",
            choices=[Choice(f, formats.get(f, f)) for f in FORMATS],
        ),
        Field("leader", "text", form.t("field_leader"), hint=form.t("hint_leader"), check=check_leader),
        Field(
            "date",
            "date",
            form.t("field_enrolled_on"),
            required=True,
            default=_today(),
            hint=form.t("hint_date"),
            parse=parse_date_answer(form),
            check=date_check(form, None),
        ),
    ]
    return form
