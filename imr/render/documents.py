"""What goes into a printed document: which parts, in which order, filled from which record.

A document is a list of parts (a handout, a leader guide, a cover, a personal page). Each part
is Markdown made by one Jinja template in `templates/render/` and starts on a new page with
its own running header. The builders here only choose parts and collect data; wording lives in
the templates and in `templates/strings/<lang>/render.yaml`.

Personalised output (a participant is named) carries the pseudonym, the date and the leader;
nothing else does, so a module bundle or the manual never holds record data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imr.curriculum import Session
from imr.errors import ImrError
from imr.ids import SessionRef
from imr.prefill import RELAPSE_SECTIONS, WORKSHEET_KIND, goal_key, step_key
from imr.render import templating
from imr.state import ParticipantState
from imr.workspace import Workspace

@dataclass
class Personal:
    """The record data a personalised part shows (raw text; templates escape it)."""

    participant: str
    date: str
    leader: str | None
    homework: str | None = None
    goals: list[dict[str, Any]] = field(default_factory=list)
    relapse_plan: dict[str, Any] | None = None


@dataclass
class Part:
    template: str
    header_left: str
    header_right: str
    context: dict[str, Any]
    personal: Personal | None = None
    personal_line: str | None = None  # pseudonym · date · leader, for the running header
    plain: bool = False  # a cover: no running header or footer


@dataclass
class Document:
    name: str  # stem of the default output file in out/
    title: str
    lang: str
    parts: list[Part]
    numbering: str = "part"  # "part": each handout counts its own pages; "document": one count


class Builder:
    """Labels, curriculum and record access for one workspace, shared by the builders."""

    def __init__(self, ws: Workspace) -> None:
        from imr.strings import strings

        self.ws = ws
        self.curriculum = ws.curriculum.require_sound()
        self.labels: dict[str, Any] = strings(ws.lang, ws.root).get("render", {})
        # Hyphenation and quotation marks follow the language the text is in: a workspace in
        # English without an English curriculum yet prints Swedish handouts with English labels.
        self.lang = self.curriculum.lang

    def label(self, key: str, **params: Any) -> str:
        text = self.labels.get(key, key)
        return text.format(**params) if params else text

    # -- record data ---------------------------------------------------------------------

    def state(self, participant_id: str) -> ParticipantState:
        from imr import store

        return store.load_state(self.ws, participant_id)[1]

    def personal(self, state: ParticipantState, date: str, leader: str | None = None) -> Personal:
        last = state.last_session
        goals = []
        for goal in state.active_goals():
            current = goal.current_step()
            goals.append({
                "id": goal.id,
                "text": goal.text,
                "steps": [{"id": s.id, "text": s.text, "status": s.status}
                          for s in goal.steps if s.status in ("active", "done")],
                "current_step": current.text if current else None,
            })
        return Personal(
            participant=state.id,
            date=date,
            leader=leader or state.leader,
            homework=(last.get("homework") if last is not None else None) or None,
            goals=goals,
            relapse_plan=_relapse_plan(state),
        )

    def personal_line(self, personal: Personal) -> str:
        key = "personal_line" if personal.leader else "personal_line_no_leader"
        return self.label(key, participant=personal.participant, date=personal.date, leader=personal.leader or "")

    # -- prefill -------------------------------------------------------------------------

    def prefill(self, text: str, personal: Personal | None) -> list[dict[str, Any]]:
        """Answers for the worksheets in `text` that ask for them (`prefill=goals|relapse-plan`)."""
        if personal is None:
            return []
        out = []
        for kind in dict.fromkeys(WORKSHEET_KIND.findall(text)):
            answers = self._answers(kind, personal)
            if answers:
                out.append({"kind": kind, "label": self.label("prefill_intro"), "answers": answers})
        return out

    def _answers(self, kind: str, personal: Personal) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        if kind == "goals":
            for number, goal in enumerate(personal.goals, start=1):
                answers.append({"key": goal_key(number), "label": self.label("goal_n", n=number) if number > 1
                                else self.label("goal"), "lines": [goal["text"]]})
                for index, step in enumerate(goal["steps"], start=1):
                    text = step["text"] + (f" ({self.label('step_done')})" if step["status"] == "done" else "")
                    answers.append({"key": step_key(number, index), "label": self.label("step_n", n=index), "lines": [text]})
        elif kind == "relapse-plan" and personal.relapse_plan:
            plan = personal.relapse_plan
            for section in RELAPSE_SECTIONS:
                value = plan.get(section)
                items = [value] if isinstance(value, str) else list(value or [])
                if items:
                    answers.append({"key": section, "label": self.label(f"plan_{section}"), "lines": items})
        return answers

    # -- parts ---------------------------------------------------------------------------

    def handout_part(self, session: Session, personal: Personal | None = None, variant: str | None = None,
                     show_personal_box: bool = True) -> Part:
        module = self.curriculum.module(session.module)
        chosen = variant if (variant and module.has_variants) else "general"
        text = session.handout(chosen)
        context = {
            "kicker": self.label("kicker", programme=self.curriculum.short_title, module=module.number,
                                 module_title=module.title),
            "title": self.label("session_title", session=session.id, title=session.title),
            "variant": self.curriculum.variants.get(chosen) if chosen != "general" else None,
            "body": templating.trusted(text),
            "personal": personal,
            "personal_box": bool(personal) and show_personal_box,
            "prefill": self.prefill(text, personal),
        }
        return Part(
            template="handout.md.j2",
            header_left=context["kicker"],
            header_right=self.label("header_session", session=session.id),
            context=context,
            personal=personal,
            personal_line=self.personal_line(personal) if personal else None,
        )

    def leader_part(self, session: Session) -> Part:
        module = self.curriculum.module(session.module)
        context = {
            "title": self.label("session_title", session=session.id, title=session.title),
            "objectives": session.objectives,
            "key_points": session.key_points,
            "homework": session.homework,
            "variants": [self.curriculum.variants.get(v, v) for v in session.handout_variants()],
            "body": templating.trusted(session.leader_guide()),
        }
        return Part(
            template="leader.md.j2",
            header_left=self.label("manual_header", programme=self.curriculum.short_title),
            header_right=self.label("manual_header_right", module=module.number, session=session.id),
            context=context,
        )

    def module_part(self, number: int) -> Part:
        module = self.curriculum.module(number)
        context = {
            "title": self.label("module_title", module=module.number, title=module.title),
            "summary": module.summary,
            "sessions": [self.label("session_title", session=s.id, title=s.title) for s in module.sessions],
        }
        return Part(
            template="module.md.j2",
            header_left=self.label("manual_header", programme=self.curriculum.short_title),
            header_right=self.label("manual_module_header", module=module.number),
            context=context,
        )

    def cover_part(self, title: str, subtitle: str | None, toc_depth: int = 0, lines: list[str] | None = None) -> Part:
        context = {"title": title, "subtitle": subtitle, "lines": lines or [],
                   "programme": self.curriculum.title, "toc_depth": toc_depth,
                   "toc_title": self.label("contents")}
        return Part(template="cover.md.j2", header_left="", header_right="", context=context, plain=True)

    def folder_part(self, personal: Personal, held: list[Session]) -> Part:
        context = {
            "title": self.label("folder_title"),
            "personal": personal,
            "sessions": [self.label("session_title", session=s.id, title=s.title) for s in held],
            "plan_sections": [(self.label(f"plan_{name}"), _as_list(personal.relapse_plan.get(name)))
                              for name in RELAPSE_SECTIONS] if personal.relapse_plan else [],
        }
        return Part(
            template="folder.md.j2",
            header_left=self.label("folder_header", programme=self.curriculum.short_title),
            header_right="",
            context=context,
            personal=personal,
            personal_line=self.personal_line(personal),
        )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _relapse_plan(state: ParticipantState) -> dict[str, Any] | None:
    if state.relapse_plan is None:
        return None
    try:
        from imr.relapse_plan import current_plan
    except ImportError:  # the plan module arrives with goals and groups; the entry is enough
        return dict(state.relapse_plan.data)
    return current_plan(state)


def _today() -> str:
    from imr import store

    return store.today()


def check_render_date(value: str | None) -> str:
    """The date printed on personalised output: the given one (any valid date) or today."""
    from datetime import date as _date

    if value is None:
        return _today()
    try:
        parsed = _date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImrError("bad_date", date=str(value)[:40]) from None
    if parsed.isoformat() != value:
        raise ImrError("bad_date", date=str(value)[:40])
    return value


# -- the documents the commands render --------------------------------------------------------

def handout_document(ws: Workspace, ref: SessionRef | str, participant: str | None = None,
                     date: str | None = None) -> Document:
    """One handout; with a participant, personalised (their variant, homework, goals, prefill)."""
    b = Builder(ws)
    session = b.curriculum.session(ref)
    if participant is None:
        return Document(name=f"handout-{session.id}", title=b.label("session_title", session=session.id,
                        title=session.title), lang=b.lang, parts=[b.handout_part(session)])
    state = b.state(participant)
    personal = b.personal(state, check_render_date(date))
    part = b.handout_part(session, personal, state.variant)
    return Document(name=f"handout-{session.id}-{participant}", title=part.context["title"], lang=b.lang,
                    parts=[part])


def module_document(ws: Workspace, number: int) -> Document:
    b = Builder(ws)
    module = b.curriculum.module(number)
    title = b.label("module_title", module=module.number, title=module.title)
    parts = [b.handout_part(s) for s in module.sessions]
    return Document(name=f"module-{module.number}", title=title, lang=b.lang, parts=parts)


def programme_document(ws: Workspace) -> Document:
    """Every handout of the programme (the general version), in module order, with contents."""
    b = Builder(ws)
    parts = [b.cover_part(b.curriculum.title, b.label("programme_subtitle"), toc_depth=1)]
    parts += [b.handout_part(s) for s in b.curriculum.sessions()]
    return Document(name="programme", title=b.curriculum.title, lang=b.lang, parts=parts)


def folder_document(ws: Workspace, participant: str, date: str | None = None) -> Document:
    """A participant's personal folder: goals and relapse plan, then the handouts held so far."""
    b = Builder(ws)
    state = b.state(participant)
    personal = b.personal(state, check_render_date(date))
    held: list[Session] = []
    for entry in state.sessions:
        ref = SessionRef(entry.get("module"), entry.get("session"))
        if b.curriculum.has_session(ref):
            session = b.curriculum.session(ref)
            if session not in held:
                held.append(session)
    parts = [b.folder_part(personal, held)]
    parts += [b.handout_part(s, personal, state.variant, show_personal_box=False) for s in held]
    return Document(name=f"folder-{participant}", title=b.label("folder_title"), lang=b.lang, parts=parts)


def group_document(ws: Workspace, name: str, next_session: bool = True, date: str | None = None) -> Document:
    """With `next_session`: today's handout for every member, each personalised. Without it:
    every member's personal folder, one after the other."""
    from imr import groups

    load = getattr(groups, "load_group", None) or getattr(groups, "read_group")
    group = load(ws, name)
    members = list(group.members)
    if not members:
        raise ImrError("render_group_empty", group=name)
    b = Builder(ws)
    day = check_render_date(date)
    leader = ", ".join(getattr(group, "leaders", []) or []) or getattr(group, "leader", None) or None
    if not next_session:
        parts: list[Part] = []
        for pid in members:
            parts += folder_document(ws, pid, day).parts
        return Document(name=f"group-{name}", title=b.label("group_folders_title", group=name), lang=b.lang,
                        parts=parts)
    ref = _group_next(ws, group)
    parts = []
    for pid in members:
        state = b.state(pid)
        target = ref
        if target is None:
            from imr.planning import next_session as individual_next

            target = individual_next(state, b.curriculum)
        if target is None:
            continue
        personal = b.personal(state, day, leader)
        parts.append(b.handout_part(b.curriculum.session(target), personal, state.variant))
    if not parts:
        raise ImrError("render_group_complete", group=name)
    return Document(name=f"group-{name}-{day}", title=b.label("group_title", group=name), lang=b.lang,
                    parts=parts)


def _group_next(ws: Workspace, group: Any) -> SessionRef | None:
    """The session the group meets for next (None: each member's own next session)."""
    try:
        from imr.group_planning import group_progress
    except ImportError:
        return None
    return group_progress(ws, group).next_ref


def manual_document(ws: Workspace, module: int | None = None) -> Document:
    """The leader guides as one manual: module introductions, then each session's guide."""
    b = Builder(ws)
    modules = [b.curriculum.module(module)] if module is not None else b.curriculum.modules
    if module is not None:
        title = b.label("manual_title")
        subtitle = b.label("module_title", module=modules[0].number, title=modules[0].title)
        name = f"manual-module-{modules[0].number}"
    else:
        title, subtitle, name = b.label("manual_title"), b.curriculum.title, "manual"
    parts = [b.cover_part(title, subtitle, toc_depth=2)]
    for mod in modules:
        parts.append(b.module_part(mod.number))
        parts += [b.leader_part(s) for s in mod.sessions]
    return Document(name=name, title=f"{title}: {subtitle}", lang=b.lang, parts=parts, numbering="document")
