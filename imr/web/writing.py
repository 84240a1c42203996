"""The pages that write: *Anteckna*, *Frånvaro*, *Gruppträff*, *Mål*, *Återfallsplan* and
*IMR-skalan*, each rendered from the form model (`imr.forms`), the same fields, choices,
defaults and checks as the CLI's questions.

One flow for every form, without JavaScript: GET shows the fields with their defaults; POST
(`step=check`) reads every answer with the form's own `set` (which normalises and checks it),
and shows each refusal at its field with everything typed kept, then any warning to accept, then
the summary; POST (`step=save`) saves through the form, once: a one-time value in the form makes
a second click or a reload harmless. No check of a record rule lives here: this module only maps
posted text to fields, and refuses fields that do not belong to the form (forged posts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.routing import Route

from imr.core.errors import ImrError
from imr.web.pages import (
    WebContext,
    chosen_group,
    chosen_participant,
    context,
    group_names,
    page,
    participant_ids,
    redirect,
    render,
)

# Fields of our own in every form post, beside the form model's.
OWN_FIELDS = {"csrf", "once", "target", "step", "accept", "a"}


@dataclass(frozen=True)
class WritingPage:
    path: str
    nav_key: str
    actions: tuple[str, ...]  # form-model actions this page offers, the first by default
    target: str  # "participant" or "group"
    side: Callable[[WebContext, str], dict[str, Any]] | None = None  # what the page shows beside the form


def _goals_side(ctx: WebContext, pid: str) -> dict[str, Any]:
    from imr.programme.goals import describe_goals
    from imr.workspace import store

    _, state = store.load_state(ctx.ws, pid)
    return {"goals": describe_goals(state)}


def _relapse_side(ctx: WebContext, pid: str) -> dict[str, Any]:
    from imr.programme.relapse_plan import LIST_SECTIONS, current_plan, history
    from imr.workspace import store

    _, state = store.load_state(ctx.ws, pid)
    labels = ctx.strings().get("relapse_plan", {}).get("sections", {})
    plan = current_plan(state)
    sections = [(labels.get(name, name), plan[name]) for name in LIST_SECTIONS] if plan else []
    if plan and plan.get("kept_at"):
        sections.append((labels.get("kept_at", "kept_at"), [plan["kept_at"]]))
    return {"relapse": plan, "relapse_sections": sections, "relapse_history": history(state), "relapse_labels": labels}


def _imrs_side(ctx: WebContext, pid: str) -> dict[str, Any]:
    from imr.core.strings import number
    from imr.programme.imrs import assessments, load_instrument
    from imr.workspace import store

    _, state = store.load_state(ctx.ws, pid)
    instrument = load_instrument(ctx.ws.root)
    raters = {r: instrument.label(v, ctx.ws.lang) for r, v in instrument.raters.items()}
    rows = [
        {
            **row,
            "mean_text": "–" if row["mean"] is None else number(row["mean"], ctx.lang),
            "rater_text": raters.get(row["rater"], row["rater"]),
        }
        for row in assessments(state)
    ]
    return {"ratings": rows}


def imrs_chart_png(ctx: WebContext, pid: str) -> bytes:
    from imr.core.strings import label
    from imr.programme.imrs import assessments
    from imr.render.imrs_chart import trend_chart
    from imr.workspace import store

    _, state = store.load_state(ctx.ws, pid)

    def t(key: str, **params: Any) -> str:
        return label("cli", key, ctx.lang, ctx.ws.root, **params)

    from imr.programme.imrs import load_instrument

    instrument = load_instrument(ctx.ws.root)
    labels = {
        "title": t("imrs_chart_title", id=pid),
        "axis": t("imrs_chart_axis"),
        **{r: instrument.label(v, ctx.ws.lang) for r, v in instrument.raters.items()},
    }
    return trend_chart(assessments(state), "png", labels=labels)


PAGES = [
    WritingPage("/anteckna", "nav_session", ("session-log",), "participant"),
    WritingPage("/franvaro", "nav_absence", ("absence",), "participant"),
    WritingPage("/grupptraff", "nav_group", ("group-meeting",), "group"),
    WritingPage("/mal", "nav_goals", ("goal-add", "goal-step", "goal-update"), "participant", _goals_side),
    WritingPage("/aterfallsplan", "nav_relapse", ("relapse-plan",), "participant", _relapse_side),
    WritingPage("/imrs", "nav_imrs", ("imrs",), "participant", _imrs_side),
]


def available(action: str) -> bool:
    try:
        from imr.forms import ACTIONS
    except ImportError:  # the form model is not in this build yet
        return False
    return action in ACTIONS


def build(ctx: WebContext, action: str, target: str):
    from imr.forms import build_form

    return build_form(ctx.ws, action, target, by=ctx.signature(), lang=ctx.lang)


def shown_default(field: Any) -> Any:
    """A field's default as the page shows it (the same text a person could type)."""
    value = field.default
    if field.kind == "bool":
        return "" if value is None else ("ja" if value else "nej")
    if field.kind == "multichoice":
        return list(value or [])
    return "" if value is None else str(value)


def layout(fields: list) -> list[dict[str, Any]]:
    """Fields in order, a group meeting's per-member fields together under the member's name."""
    out: list[dict[str, Any]] = []
    for field in fields:
        member = getattr(field, "member", None)
        if member and out and out[-1].get("member") == member:
            out[-1]["fields"].append(field)
        elif member:
            out.append({"member": member, "fields": [field]})
        else:
            out.append({"member": None, "field": field})
    return out


def _target(ctx: WebContext, spec: WritingPage, value: str | None) -> str:
    return chosen_group(ctx, value) if spec.target == "group" else chosen_participant(ctx, value)


def _action(spec: WritingPage, value: str | None) -> str:
    if not value:
        return spec.actions[0]
    if value not in spec.actions:
        raise ImrError("web_forged_field", field="a")
    return value


def show(
    request: Request,
    spec: WritingPage,
    *,
    target: str | None,
    action: str,
    form: Any = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    summary: Any = None,
    warnings: Any = (),
    accepted: Any = (),
    once: str | None = None,
    status: int = 200,
    top_error: str | None = None,
):
    ctx = context(request)
    s = ctx.s()
    extra: dict[str, Any] = {}
    if target and spec.side is not None:
        extra = spec.side(ctx, target)
    missing = not available(action)
    if target and form is None and not missing:
        form = build(ctx, action, target)
        values = {f.key: shown_default(f) for f in form.fields}
    shown_fields = form.active_fields() if form is not None else []
    errors = errors or {}
    return render(
        request,
        "writing.html",
        status=status,
        title=s[spec.nav_key],
        path=spec.path,
        spec=spec,
        chooser=True,
        participants=participant_ids(ctx) if spec.target == "participant" else [],
        groups=group_names(ctx) if spec.target == "group" else [],
        pid=target if spec.target == "participant" else None,
        group=target if spec.target == "group" else None,
        target=target or "",
        action=action,
        actions=[(a, s.get(f"action_{a}", a), available(a)) for a in spec.actions],
        missing=missing,
        form=form,
        layout=layout(shown_fields),
        values=values or {},
        errors=errors,
        problems=[(k, v) for k, v in errors.items()],
        summary=summary,
        warnings=list(warnings),
        accepted=list(accepted),
        once=once or ctx.new_once(),
        top_error=top_error,
        **extra,
    )


def _posted(data: FormData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        out.setdefault(key, []).append(value if isinstance(value, str) else "")
    return out


def _text(field: Any, given: list[str]) -> str:
    if field.kind == "multichoice":
        chosen = [v for v in given if v and v != "-"]
        return ", ".join(chosen) if chosen else "none"  # the form model's word for "none of them"
    return given[-1] if given else ""


def _kept(field: Any, given: list[str]) -> Any:
    if field.kind == "multichoice":
        return [v for v in given if v and v != "-"]
    return given[-1] if given else ""


def handler(spec: WritingPage):
    @page()
    async def get(request: Request):
        ctx = context(request)
        key = "g" if spec.target == "group" else "p"
        value = request.query_params.get(key)
        target = _target(ctx, spec, value) if value else None
        return show(request, spec, target=target, action=_action(spec, request.query_params.get("a")))

    @page()
    async def post(request: Request):
        ctx = context(request)
        posted = _posted(await request.form())
        target = _target(ctx, spec, (posted.get("target") or [""])[-1])
        action = _action(spec, (posted.get("a") or [""])[-1])
        if not available(action):
            raise ImrError("web_form_missing")
        once = (posted.get("once") or [""])[-1]
        step = (posted.get("step") or ["check"])[-1]
        if step == "save" and ctx.once_used(once):
            raise ImrError("web_already_saved")  # a second click, a reload: never a second entry
        form = build(ctx, action, target)
        keys = {f.key for f in form.fields}
        forged = sorted(k for k in posted if k not in keys and k not in OWN_FIELDS)
        if forged:
            raise ImrError("web_forged_field", field=forged[0][:40])
        values: dict[str, Any] = {f.key: shown_default(f) for f in form.fields}
        errors: dict[str, str] = {}
        for field in form.fields:
            if field.key in posted:
                values[field.key] = _kept(field, posted[field.key])
                problem = form.set(field.key, _text(field, posted[field.key]))
                if problem:
                    errors[field.key] = problem
        active = {f.key for f in form.active_fields()}
        errors = {k: v for k, v in errors.items() if k in active}
        for key, problem in form.problems().items():
            errors.setdefault(key, problem)
        if errors:
            return show(
                request,
                spec,
                target=target,
                action=action,
                form=form,
                values=values,
                errors=errors,
                once=once,
                status=400,
            )
        accepted = [code for code in posted.get("accept", []) if code]
        for code in accepted:
            form.accept(code)
        warnings = form.warnings()
        if warnings or step != "save":
            return show(
                request,
                spec,
                target=target,
                action=action,
                form=form,
                values=values,
                summary=None if warnings else form.summary(),
                warnings=warnings,
                accepted=accepted,
                once=once,
            )
        if not ctx.take_once(once):
            raise ImrError("web_already_saved")
        try:
            form.save()
        except ImrError as error:
            ctx.give_back_once(once)
            return show(
                request,
                spec,
                target=target,
                action=action,
                form=form,
                values=values,
                once=once,
                status=400,
                top_error=error.message(ctx.lang),
            )
        sentence = ctx.s()["saved"].format(what=form.title)
        key = "g" if spec.target == "group" else "p"
        return redirect(f"{spec.path}?{key}={quote(target, safe='')}&a={action}&m={ctx.flash(sentence)}")

    return get, post


@page()
async def imrs_chart(request: Request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    ctx = context(request)
    pid = chosen_participant(ctx, request.query_params.get("p"))
    return Response(await run_in_threadpool(imrs_chart_png, ctx, pid), media_type="image/png")


ROUTES: list = [Route("/imrs/diagram.png", imrs_chart)]
for _spec in PAGES:
    _get, _post = handler(_spec)
    ROUTES.append(Route(_spec.path, _get, methods=["GET"]))
    ROUTES.append(Route(_spec.path, _post, methods=["POST"]))
