"""The group-meeting form: attendance, homework review and a relative per member; one note."""

from __future__ import annotations

from typing import Any

from imr.forms.checks import (
    date_check,
    parse_date_answer,
    parse_session_answer,
    session_check,
    session_label,
    text_check,
)
from imr.forms.model import Field, Form, FormWarning, thousands
from imr.forms.session import logged_that_day, previous_homework, review_choices, session_choices
from imr.records.ids import SessionRef
from imr.records.kinds import MAX_TEXT


def group_meeting_form(ws: Any, name: str, *, by: str | None = None, lang: str | None = None) -> Form:
    """All or nothing through the group-meeting code (`log_group_session`)."""
    from imr.programme.group_meetings import log_group_session
    from imr.programme.group_planning import group_progress
    from imr.programme.groups import read_group
    from imr.programme.sessions import SessionLog
    from imr.workspace import store

    group = read_group(ws, name)
    progress = group_progress(ws, group)
    records = {pid: store.load_record(ws, pid) for pid in group.members}

    def present(pid: str):
        return lambda form: bool(form.value(f"present:{pid}"))

    def save(form: Form) -> dict:
        ref = SessionRef.parse(form.value("session"))
        absent = [pid for pid in group.members if not form.value(f"present:{pid}")]
        came = [pid for pid in group.members if pid not in absent]
        reviews = {pid: form.answers[f"review:{pid}"] for pid in came if form.answers.get(f"review:{pid}")}
        others = tuple(pid for pid in came if form.value(f"significant_other:{pid}"))
        handout = form.answers.get("handout")
        log = SessionLog(
            module=ref.module,
            session=ref.session,
            date=form.value("date"),
            by=by,
            homework_reviews=reviews,
            homework=form.value("homework"),
            note=form.value("note"),
            absent_ids=tuple(absent),
            handout=None if handout is None else bool(handout),
            significant_others=others,
            again="logged_that_day" in form.accepted,
        )
        return log_group_session(ws, name, log)

    def warnings(form: Form) -> list[FormWarning]:
        day = form.value("date")
        for pid, record in records.items():
            found = logged_that_day(record, day) if day else []
            if found:
                first = found[-1]
                kind = form.kind(first.kind)
                return [
                    FormWarning(
                        "logged_that_day",
                        form.t(
                            "warn_logged_that_day",
                            id=pid,
                            date=day,
                            kind=kind,
                            session=f"{first.get('module')}.{first.get('session')}",
                            by=first.get("by", ""),
                            entry=first.id,
                        ),
                        form.t("ask_log_again"),
                    )
                ]
        return []

    form = Form("group-meeting", lang or ws.lang, "", [], save, warnings, target=name, workspace_root=ws.root)
    form.title = form.t("title_group_meeting", name=name, size=len(group.members))
    latest = max(records.values(), key=lambda r: r.enrolment_day() or "", default=None)
    fields = [
        Field(
            "session",
            "session",
            form.t("field_session"),
            required=True,
            default=str(progress.next_ref) if progress.next_ref else None,
            choices=session_choices(ws, None),
            hint=form.t("hint_session"),
            parse=parse_session_answer(form),
            check=session_check(form, ws.curriculum),
            show=lambda v: session_label(ws.curriculum, v),
        ),
        Field(
            "date",
            "date",
            form.t("field_date"),
            required=True,
            default=store.today(),
            hint=form.t("hint_date"),
            parse=parse_date_answer(form),
            check=date_check(form, latest),
        ),
    ]
    for pid in group.members:
        state = progress.states.get(pid)
        before = previous_homework(state) if state else None
        fields += [
            Field(
                f"present:{pid}",
                "bool",
                form.t("field_member_present", id=pid),
                required=True,
                default=True,
                member=pid,
            ),
            Field(
                f"review:{pid}",
                "choice",
                form.t("field_member_review_was", id=pid, homework=before)
                if before
                else form.t("field_member_review", id=pid),
                default=None if before else "none",
                choices=review_choices(form),
                member=pid,
                hint=form.t("hint_homework_review"),
                when=present(pid),
            ),
            Field(
                f"significant_other:{pid}",
                "bool",
                form.t("field_member_significant_other", id=pid),
                default=False,
                member=pid,
                when=present(pid),
            ),
        ]
    fields += [
        Field(
            "homework",
            "text",
            form.t("field_homework"),
            limit=MAX_TEXT,
            hint=form.t("hint_optional_text", limit=thousands(MAX_TEXT, form.lang)),
        ),
        Field(
            "note",
            "text",
            form.t("field_note_group"),
            limit=MAX_TEXT,
            multiline=True,
            hint=form.t("hint_note", limit=thousands(MAX_TEXT, form.lang)),
        ),
        Field("handout", "bool", form.t("field_group_handout"), default=True),
    ]
    for item in fields:
        if item.kind == "text":
            item.check = text_check(form, item.label, ws, limit=item.limit or MAX_TEXT)
    form.fields = fields
    return form
