"""What goes into a printed document: which parts, in which order, filled from which record.

A document is a list of parts (a handout, a leader guide, a cover, a personal page). Each part
is Markdown made by one Jinja template in `templates/render/` and starts on a new page with
its own running header. The builders here only choose parts and collect data; wording lives in
the templates and in `templates/strings/<lang>/render.yaml`.

Personalised output (a participant is named) carries the pseudonym, the date and the leader;
nothing else does, so a module bundle or the manual never holds record data. The diagnosis
version of a handout is printed only where no participant is named (a blank master) and on the
leader's own plan, never next to an id on a sheet handed out.

Every sheet names its sender (the ward, from `imr.yaml`) and either its edition (blank
handouts, so a photocopy can be dated) or the day it was printed (personal ones).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.core.errors import ImrError
from imr.core.strings import strings
from imr.curriculum.model import Session, curriculum_text
from imr.curriculum.prefill import RELAPSE_SECTIONS, WORKSHEET_KIND, goal_key, step_key
from imr.programme.planning import next_session as individual_next
from imr.programme.relapse_plan import current_plan
from imr.records.ids import SessionRef
from imr.records.state import ParticipantState
from imr.render import card, templating
from imr.workspace import store
from imr.workspace.folder import Workspace


@dataclass
class Personal:
    """The record data a personalised part shows (raw text; templates escape it)."""

    participant: str
    date: str
    leader: str | None
    homework: str | None = None
    homework_date: str | None = None  # the session the homework was agreed at
    session_date: str | None = None  # when this handout's session was held (a reprint)
    goals: list[dict[str, Any]] = field(default_factory=list)
    relapse_plan: dict[str, Any] | None = None

    def for_session(self, entry: Any | None) -> Personal:
        """This person's data as printed with the handout of a session already held: the
        homework agreed at that session, never a later one."""
        if entry is None:
            return self
        copy = Personal(**asdict(self))
        copy.homework = entry.get("homework") or None
        copy.homework_date = entry.get("date")
        copy.session_date = entry.get("date")
        return copy


@dataclass
class Part:
    template: str
    header_left: str
    header_right: str
    context: dict[str, Any]
    personal: Personal | None = None
    personal_line: str | None = None  # pseudonym · date · leader, for the running header
    plain: bool = False  # a cover: no running header or footer
    sender: str = ""  # footer: the ward and the edition or the print date
    part_pages: str | None = None  # "Träff 7.4, sida {page} av {total}" in a bundle
    toc_group: str | None = None  # contents: the module this part is listed under
    toc_title: str | None = None  # contents: the line for this part (None: not listed)
    toc_is_group: bool = False  # this part is the group's own page (a module introduction)


@dataclass
class Document:
    name: str  # stem of the default output file in out/
    title: str
    lang: str
    parts: list[Part]
    duplex: bool = False  # every part starts on a front page when printed double-sided
    contents: bool = False  # the cover lists the parts, grouped, with their printed pages
    imrs: dict[str, Any] | None = None  # the IMR Scale chart of a personal folder
    date: str | None = None  # the print date (personalised output), for document metadata
    subject: str = ""
    warnings: list[str] = field(default_factory=list)  # said when it renders (card overflow)
    charts: dict[str, str] | None = None  # SVG pictures by name (the report), passed to Typst as data

    def toc(self) -> list[dict[str, Any]]:
        """Contents grouped by module: each group with its own page (if it has one) and parts."""
        groups: list[dict[str, Any]] = []
        for number, part in enumerate(self.parts, start=1):
            if part.toc_group is None:
                continue
            if not groups or groups[-1]["title"] != part.toc_group:
                groups.append({"title": part.toc_group, "part": None, "entries": []})
            if part.toc_is_group:
                groups[-1]["part"] = number
            elif part.toc_title:
                groups[-1]["entries"].append({"title": part.toc_title, "part": number})
        return groups


class Builder:
    """Labels, curriculum and record access for one workspace, shared by the builders."""

    def __init__(self, ws: Workspace) -> None:

        self.ws = ws
        self.curriculum = ws.curriculum.require_sound()
        self.labels: dict[str, Any] = strings(ws.lang, ws.root).get("render", {})
        # Quotation marks follow the language the text is in: a workspace in English without
        # an English curriculum yet prints Swedish handouts with English labels.
        self.lang = self.curriculum.lang
        self.ward = ws.name
        self.warnings: list[str] = []  # said at render time (a relapse card that does not fit)

    def file_name(self, kind: str, *parts: Any) -> str:
        """The stem of an output file in the workspace's language (`utdelningsblad-3.2-demo-02`,
        `pärm-demo-03`, `ledarmanual-modul-7`); words from strings, ids as they are."""
        words = [self.label(f"file_{kind}")]
        for part in parts:
            if part is None:
                continue
            words.append(self.label(f"file_{part}") if part in ("variants", "module") else str(part))
        return "-".join(words)

    def label(self, key: str, **params: Any) -> str:
        """A label with its placeholders filled; ones not given (`{page}`) stay for page.typ."""
        text = self.labels.get(key, key)
        return text.format_map(_Keep(params)) if params else text

    @property
    def edition(self) -> str:
        return curriculum_edition(tuple(self.curriculum.roots))

    def sender(self, personal: Personal | None) -> str:
        if personal is not None:
            return self.label("sender_printed", ward=self.ward, date=personal.date)
        return self.label("sender_edition", ward=self.ward, edition=self.edition)

    # -- record data ---------------------------------------------------------------------

    def state(self, participant_id: str) -> ParticipantState:
        return store.load_state(self.ws, participant_id)[1]

    def personal(self, state: ParticipantState, date: str, leader: str | None = None) -> Personal:
        last = state.last_session
        goals = []
        for goal in state.active_goals():
            current = goal.current_step()
            goals.append(
                {
                    "id": goal.id,
                    "text": goal.text,
                    "status": goal.status,
                    "steps": [
                        {"id": s.id, "text": s.text, "status": s.status}
                        for s in goal.steps
                        if s.status in ("active", "revised", "done")
                    ],
                    "current_step": current.text if current else None,
                    "history": [
                        self._history_line(entry, {k for s in goal.steps for k in (s.key, s.id)})
                        for entry in goal.history
                    ],
                }
            )
        return Personal(
            participant=state.id,
            date=date,
            leader=leader or state.leader,
            homework=(last.get("homework") if last is not None else None) or None,
            homework_date=last.get("date") if last is not None else None,
            goals=goals,
            relapse_plan=_relapse_plan(state),
        )

    def _history_line(self, entry: Any, step_keys: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
        day = str(entry.get("date") or entry.get("at") or "")[:10]
        kind = entry.kind
        if kind == "goal":
            text = self.label("history_goal_set")
        elif kind == "goal-step":
            text = self.label("history_step_added", step=entry.get("text", ""))
        elif kind == "session":
            text = self.label("history_steps_done")
        else:
            status = str(entry.get("status", ""))
            target = entry.get("target") if entry.get("target") is not None else entry.get("goal")
            shown = self.labels.get(f"status_{status}", status)
            if target in step_keys:  # a step done is "delmål klart", not the goal reached
                shown = self.labels.get(f"step_status_{status}", shown)
            text = self.label("history_status", status=shown)
        return {"date": day, "text": text}

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
                answers.append(
                    {
                        "key": goal_key(number),
                        "label": self.label("goal_n", n=number) if number > 1 else self.label("goal"),
                        "lines": [goal["text"]],
                    }
                )
                for index, step in enumerate(goal["steps"], start=1):
                    text = step["text"] + (f" ({self.label('step_done')})" if step["status"] == "done" else "")
                    answers.append(
                        {"key": step_key(number, index), "label": self.label("step_n", n=index), "lines": [text]}
                    )
        elif kind == "relapse-plan" and personal.relapse_plan:
            plan = personal.relapse_plan
            for section in RELAPSE_SECTIONS:
                value = plan.get(section)
                items = [value] if isinstance(value, str) else list(value or [])
                if items:
                    answers.append({"key": section, "label": self.label(f"plan_{section}"), "lines": items})
        return answers

    # -- parts ---------------------------------------------------------------------------

    def handout_part(
        self,
        session: Session,
        personal: Personal | None = None,
        variant: str | None = None,
        show_personal_box: bool = True,
        in_bundle: bool = False,
    ) -> Part:
        module = self.curriculum.module(session.module)
        chosen = variant if (variant and module.has_variants and variant in session.handout_paths) else "general"
        text = session.handout(chosen)
        before, after = split_card(text)
        variant_label = self.curriculum.variants.get(chosen) if chosen != "general" else None
        title = self.label("session_title", session=session.id, title=session.title)
        context = {
            "kicker": self.label(
                "kicker", programme=self.curriculum.short_title, module=module.number, module_title=module.title
            ),
            "title": title,
            # The diagnosis version only on blank masters: never next to a participant's id.
            "variant": variant_label if personal is None else None,
            "body": templating.trusted(text),
            "personal": _plain(personal),
            "personal_box": bool(personal) and show_personal_box,
            "prefill": self.prefill(text if after is None else before + after, personal),
            "card": self.card(personal, _card_anchor(text)) if after is not None else None,
            "card_before": templating.trusted(before),
            "card_after": templating.trusted(after or ""),
        }
        return Part(
            template="handout.md.j2",
            header_left=str(context["kicker"]),
            header_right=self.label("header_session", session=session.id),
            context=context,
            personal=personal,
            personal_line=self.personal_line(personal) if personal else None,
            sender=self.sender(personal),
            part_pages=self.label("part_pages", session=session.id),
            toc_group=self.label("module_title", module=module.number, title=module.title),
            toc_title=title + (f" ({variant_label})" if variant_label and personal is None else ""),
        )

    def leader_part(self, session: Session) -> Part:
        module = self.curriculum.module(session.module)
        title = self.label("session_title", session=session.id, title=session.title)
        context = {
            "title": title,
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
            sender=self.sender(None),
            part_pages=self.label("part_pages", session=session.id),
            toc_group=self.label("module_title", module=module.number, title=module.title),
            toc_title=title,
        )

    def module_part(self, number: int) -> Part:
        module = self.curriculum.module(number)
        title = self.label("module_title", module=module.number, title=module.title)
        context = {
            "title": title,
            "summary": module.summary,
            "sessions": [self.label("session_title", session=s.id, title=s.title) for s in module.sessions],
        }
        return Part(
            template="module.md.j2",
            header_left=self.label("manual_header", programme=self.curriculum.short_title),
            header_right=self.label("manual_module_header", module=module.number),
            context=context,
            sender=self.sender(None),
            toc_group=title,
            toc_is_group=True,
        )

    def intro_part(self, path: Path) -> Part:
        """The leader manual's introduction (curriculum/<lang>/leader-intro.md)."""
        title = self.label("leader_intro_title")
        return Part(
            template="intro.md.j2",
            header_left=self.label("manual_header", programme=self.curriculum.short_title),
            header_right="",
            context={"body": templating.trusted(curriculum_text(path))},
            sender=self.sender(None),
            toc_group=title,
            toc_is_group=True,
        )

    def cover_part(self, title: str, subtitle: str | None, contents: int = 0, lines: list[str] | None = None) -> Part:
        """A title page; `contents` > 0 adds the contents (HTML and DOCX list headings to that depth)."""
        context = {
            "title": title,
            "subtitle": subtitle,
            "lines": lines or [],
            "programme": self.curriculum.title,
            "contents": contents,
            "toc_title": self.label("contents"),
        }
        return Part(template="cover.md.j2", header_left="", header_right="", context=context, plain=True)

    def folder_cover(self, personal: Personal) -> Part:
        lines = [
            self.label("folder_cover_for", participant=personal.participant),
            self.label("folder_cover_ward", ward=self.ward),
            self.label("folder_cover_printed", date=personal.date),
        ]
        return self.cover_part(self.label("folder_title"), self.curriculum.title, lines=lines)

    def folder_part(self, personal: Personal, held: list[dict[str, Any]], imrs: dict[str, Any] | None) -> Part:
        context = {
            "title": self.label("folder_title"),
            "personal": _plain(personal),
            "sessions": held,
            "imrs": imrs,
        }
        return self._folder_page("folder.md.j2", context, personal)

    def _folder_page(self, template: str, context: dict, personal: Personal) -> Part:
        """A page of the personal folder (its overview, its relapse plan): folder header, personal line."""
        return Part(
            template=template,
            header_left=self.label("folder_header", programme=self.curriculum.short_title),
            header_right="",
            context=context,
            personal=personal,
            personal_line=self.personal_line(personal),
            sender=self.sender(personal),
        )

    def plan_part(self, personal: Personal) -> Part | None:
        """The whole current relapse plan on one page: the card of handout 7.4, filled in."""
        if relapse_plan_worksheet(self.curriculum) is None:
            return None
        context = {"personal": _plain(personal), "card": self.card(personal)}
        return self._folder_page("plan.md.j2", context, personal)

    def card(self, personal: Personal | None, anchor: str | None = None) -> dict[str, Any]:
        """The relapse card's fields and crisis box, filled from the plan state given; a field
        whose items do not fit is noted in `self.warnings` (one sentence naming it)."""
        plan = personal.relapse_plan if personal is not None else None
        for over in card.overflows(plan, self.label):
            self.warnings.append(self.label("card_overflow", field=over.label, needed=over.needed, room=over.room))
        return {**card.card_context(plan, self.ws.config, self.label), "anchor": anchor}

    def leader_plan_part(self, plan: dict[str, Any], variants: list[str]) -> Part:
        """Today's plan on one page for the leader: steps, homework to review, goals, catch-ups.
        A group's members are one compact table (up to eight fit the page with the steps); the
        step that names a command is left out: the plan is read on paper."""
        who = plan.get("participant") or plan.get("group") or ""
        members = [self._member_row(m) for m in plan.get("members") or [] if isinstance(m, dict)]
        in_table = ("homework-review", "goals", "catch-up") if members else ()
        steps = [
            {
                "label": step.get("label", ""),
                "lines": [] if step.get("id") in in_table else step.get("lines", []),
                "key_points": step.get("key_points") or [],
            }
            for step in plan.get("steps", [])
            if step.get("id") != "handout"
        ]
        columns = ["id", "attended", "homework", "goals", "catch_up"]
        widths = {"id": 7, "attended": 5, "homework": 20, "goals": 20, "catch_up": 6}  # a pipe table's rule
        columns = [c for c in columns if any(m[c] != "–" for m in members)]  # no empty column
        rule = templating.trusted("|" + "|".join("-" * widths[c] for c in columns) + "|")
        context = {
            "title": self.label("leader_plan_title", session=plan.get("session", ""), title=plan.get("title", "")),
            "who": who,
            "columns": columns,
            "rule": rule,
            "plan": {key: plan.get(key) for key in ("_date", "sessions_total", "sessions_held")},
            "steps": [step for step in steps if step["lines"] or step["key_points"] or step["label"]],
            "members": members,
            "variants": variants,
        }
        return Part(
            template="leader_plan.md.j2",
            header_left=self.label("leader_plan_header", programme=self.curriculum.short_title),
            header_right=self.label("leader_copy"),
            context=context,
            sender=self.label("sender_printed", ward=self.ward, date=plan.get("_date", "")),
        )

    def _member_row(self, member: dict[str, Any]) -> dict[str, str]:
        """One group member as a row of the leader's table (plain text; one line per cell)."""

        def flat(text: Any) -> str:
            return " ".join(str(text or "").split())

        attended = member.get("attended_last")
        goals = []
        for goal in member.get("goals") or []:
            step = goal.get("current_step")
            goals.append(flat(step.get("text")) if step else flat(goal.get("text")))
        return {
            "id": str(member.get("id", "")),
            "attended": self.label("answer_yes")
            if attended is True
            else self.label("answer_no")
            if attended is False
            else "–",
            "homework": flat(member.get("homework")) or "–",
            "goals": "; ".join(goals) or "–",
            "catch_up": ", ".join(str(r) for r in member.get("catch_up") or []) or "–",
        }


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _plain(personal: Personal | None) -> dict[str, Any] | None:
    """Record data for a template as plain dicts and lists (a sandboxed template sees no objects)."""
    return asdict(personal) if personal is not None else None


@lru_cache(maxsize=16)
def curriculum_edition(roots: tuple[Path, ...]) -> str:
    """The edition printed on blank handouts: `edition:` in programme.yaml if a ward sets one,
    else the date of the curriculum's last commit, else imr's version."""
    from imr.core.yamlio import YamlProblem, load_file

    for root in roots:
        path = Path(root) / "programme.yaml"
        if path.is_file():
            try:
                data = load_file(path) or {}
            except (OSError, ImrError, YamlProblem):
                data = {}
            if isinstance(data, dict) and data.get("edition"):
                return str(data["edition"])[:40]
    dates = [d for d in (_git_date(Path(root)) for root in roots) if d]
    if dates:
        return max(dates)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"imr {version('imr')}"
    except PackageNotFoundError:
        return "imr"


def _git_date(folder: Path) -> str | None:
    from imr.core import git

    if not folder.is_dir():
        return None
    try:
        done = git.run(folder, "log", "-1", "--format=%cs", "--", ".", timeout=5)
    except ImrError:
        return None
    text = done.stdout.decode("ascii", "replace").strip()
    return text if done.returncode == 0 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


_WORKSHEET_OPEN = re.compile(r"^(:{3,})\s*\{[^}\n]*\.worksheet[^}\n]*prefill=relapse-plan[^}\n]*\}\s*$", re.M)


def relapse_plan_worksheet(curriculum: Any) -> str | None:
    """The Markdown of the relapse-plan worksheet (a fenced div with prefill=relapse-plan; the
    one that fills a page of its own, 7.4's, if there are several)."""
    found = []
    for session in curriculum.sessions():
        text = session.handout()
        for start in _WORKSHEET_OPEN.finditer(text):
            fence = start.group(1)
            end = re.compile(rf"^{fence}\s*$", re.M).search(text, start.end())
            if end is not None:
                found.append(text[start.start() : end.end()] + "\n")
    own = [text for text in found if "page=own" in text.split("\n", 1)[0]]
    return (own or found or [None])[0]


def split_card(text: str) -> tuple[str, str | None]:
    """A handout's text around its relapse-plan worksheet of a page of its own (7.4), which
    prints as the card; (text, None) when the handout has none."""
    for start in _WORKSHEET_OPEN.finditer(text):
        if "page=own" not in start.group(0):
            continue
        end = re.compile(rf"^{start.group(1)}\s*$", re.M).search(text, start.end())
        if end is not None:
            return text[: start.start()], text[end.end() :]
    return text, None


def _card_anchor(text: str) -> str | None:
    """The id of the relapse-plan worksheet (`#ab-7-aterfallsplan`), kept on the card so links
    to it still lead somewhere."""
    for start in _WORKSHEET_OPEN.finditer(text):
        if "page=own" in start.group(0):
            found = re.search(r"#([A-Za-z][\w-]*)", start.group(0))
            return found.group(1) if found else None
    return None


def _relapse_plan(state: ParticipantState) -> dict[str, Any] | None:
    if state.relapse_plan is None:
        return None
    return current_plan(state)


def _today() -> str:
    return store.today()


def check_render_date(value: str | None) -> str:
    """The date printed on personalised output: the given one (any date, as staff write it:
    `2026-11-26`, `igår`, `i torsdags`) or today."""
    from imr.core.dates import parse_date

    if value is None:
        return _today()
    return parse_date(value).isoformat()


def _held_entry(state: ParticipantState, ref: SessionRef) -> Any | None:
    """The latest log entry of a session the participant has had (None: not held yet)."""
    found = None
    for entry in state.sessions:
        same = entry.get("module") == ref.module and entry.get("session") == ref.session
        if same and (found is None or str(entry.get("date", "")) >= str(found.get("date", ""))):
            found = entry
    return found


def check_variant(ws: Workspace, variant: str | None) -> str | None:
    if variant is None:
        return None
    return ws.curriculum.check_variant(variant)


# -- the documents the commands render --------------------------------------------------------


def handout_document(
    ws: Workspace,
    ref: SessionRef | str,
    participant: str | None = None,
    date: str | None = None,
    variant: str | None = None,
) -> Document:
    """One handout; with a participant, personalised (their variant, homework, goals, prefill).

    A handout of a session the participant has already had is a reprint: it carries the
    homework agreed at that session, not a later one."""
    b = Builder(ws)
    session = b.curriculum.session(ref)
    variant = check_variant(ws, variant)
    if participant is None:
        part = b.handout_part(session, variant=variant)
        suffix = f"-{variant}" if variant and part.context["variant"] else ""
        return Document(
            name=b.file_name("handout", session.id) + suffix,
            title=part.context["title"],
            lang=b.lang,
            parts=[part],
            subject=part.sender,
            warnings=b.warnings,
        )
    state = b.state(participant)
    personal = b.personal(state, check_render_date(date)).for_session(_held_entry(state, session.ref))
    part = b.handout_part(session, personal, variant or state.variant)
    return Document(
        name=b.file_name("handout", session.id, participant),
        title=part.context["title"],
        lang=b.lang,
        parts=[part],
        date=personal.date,
        warnings=b.warnings,
    )


def _with_variants(b: Builder, sessions: list[Session], variants: bool) -> list[Part]:
    parts = []
    for session in sessions:
        parts.append(b.handout_part(session, in_bundle=True))
        if variants:
            for name in session.handout_variants():
                parts.append(b.handout_part(session, variant=name, in_bundle=True))
    return parts


def module_document(ws: Workspace, number: int, variants: bool = False, duplex: bool = True) -> Document:
    b = Builder(ws)
    module = b.curriculum.module(number)
    title = b.label("module_title", module=module.number, title=module.title)
    parts = _with_variants(b, module.sessions, variants)
    return Document(
        name=b.file_name("module", module.number, "variants" if variants else None),
        title=title,
        lang=b.lang,
        parts=parts,
        duplex=duplex,
        warnings=b.warnings,
    )


def programme_document(ws: Workspace, variants: bool = False, duplex: bool = True) -> Document:
    """Every handout of the programme in module order, with contents; with `variants`, every
    diagnosis version too (a master binder for photocopying)."""
    b = Builder(ws)
    subtitle = b.label("programme_subtitle_variants" if variants else "programme_subtitle")
    lines = [b.label("cover_ward", ward=b.ward), b.label("cover_edition", edition=b.edition)]
    parts = [b.cover_part(b.curriculum.title, subtitle, contents=1, lines=lines)]
    parts += _with_variants(b, b.curriculum.sessions(), variants)
    return Document(
        name=b.file_name("programme", "variants" if variants else None),
        title=b.curriculum.title,
        lang=b.lang,
        parts=parts,
        duplex=duplex,
        contents=True,
        warnings=b.warnings,
    )


def _imrs_chart_data(b: Builder, state: ParticipantState) -> dict[str, Any] | None:
    from imr.programme.imrs import assessments  # lazy: 4 ms on imr render handout

    rows = [r for r in assessments(state) if r.get("mean") is not None]
    if not rows:
        return None
    dates = sorted({str(r["date"]) for r in rows})
    index = {d: i for i, d in enumerate(dates)}
    return {
        "dates": dates,
        "points": [
            {"i": index[str(r["date"])], "rater": r["rater"], "mean": round(float(r["mean"]), 2)}
            for r in rows
            if r.get("rater") in ("client", "clinician")
        ],
        "rows": [
            {
                "date": str(r["date"]),
                "rater": b.label(f"imrs_{r['rater']}"),
                "mean": f"{float(r['mean']):.2f}".replace(".", b.label("decimal_mark")),
            }
            for r in rows
        ],
        "labels": {
            "client": b.label("imrs_client"),
            "clinician": b.label("imrs_clinician"),
            "higher_is_better": b.label("imrs_higher_is_better"),
        },
    }


def folder_document(ws: Workspace, participant: str, date: str | None = None, duplex: bool = True) -> Document:
    """A participant's personal folder: cover, goals with their history, the IMR Scale chart,
    the whole relapse plan, then every handout so far with the date and homework of its session."""
    b = Builder(ws)
    state = b.state(participant)
    personal = b.personal(state, check_render_date(date))
    held: list[tuple[Session, Any]] = []
    for entry in sorted(state.sessions, key=lambda e: str(e.get("date", ""))):
        ref = SessionRef(entry.get("module"), entry.get("session"))
        if b.curriculum.has_session(ref):
            session = b.curriculum.session(ref)
            if all(session is not s for s, _ in held):
                held.append((session, _held_entry(state, ref)))
    imrs = _imrs_chart_data(b, state)
    parts = [b.folder_cover(personal)]
    plan = b.plan_part(personal) if personal.relapse_plan else None
    first_handout = 3 + (1 if plan else 0)
    listing = [
        {
            "title": b.label("session_title", session=s.id, title=s.title),
            "date": e.get("date"),
            "part": first_handout + i,
        }
        for i, (s, e) in enumerate(held)
    ]
    parts.append(b.folder_part(personal, listing, imrs))
    if plan is not None:
        parts.append(plan)
    parts += [b.handout_part(s, personal.for_session(e), state.variant, show_personal_box=True) for s, e in held]
    return Document(
        name=b.file_name("folder", participant),
        title=b.label("folder_title"),
        lang=b.lang,
        parts=parts,
        duplex=duplex,
        imrs=imrs,
        date=personal.date,
        warnings=b.warnings,
    )


def group_document(
    ws: Workspace, name: str, next_session: bool = True, date: str | None = None, duplex: bool = True
) -> Document:
    """With `next_session`: today's handout for every member, each personalised. Without it:
    every member's personal folder, one after the other."""
    from imr.programme import groups  # lazy: 3 ms on imr render handout

    load = getattr(groups, "load_group", None) or groups.read_group
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
            folder = folder_document(ws, pid, day)
            parts += folder.parts
            b.warnings += folder.warnings
        return Document(
            name=b.file_name("group", name),
            title=b.label("group_folders_title", group=name),
            lang=b.lang,
            parts=parts,
            duplex=duplex,
            date=day,
            warnings=b.warnings,
        )
    ref = _group_next(ws, group)
    parts = []
    for pid in members:
        state = b.state(pid)
        target = ref
        if target is None:
            target = individual_next(state, b.curriculum)
        if target is None:
            continue
        personal = b.personal(state, day, leader)
        # Handed out around a table: the general text, never a diagnosis version next to an id.
        parts.append(b.handout_part(b.curriculum.session(target), personal, "general"))
    if not parts:
        raise ImrError("render_group_complete", group=name)
    return Document(
        name=b.file_name("group", name, day),
        title=b.label("group_title", group=name),
        lang=b.lang,
        parts=parts,
        duplex=duplex,
        date=day,
        warnings=b.warnings,
    )


def _group_next(ws: Workspace, group: Any) -> SessionRef | None:
    """The session the group meets for next (None: each member's own next session)."""
    from imr.programme.group_planning import group_progress  # lazy: 2 ms on imr render handout

    return group_progress(ws, group).next_ref


def next_session_documents(
    ws: Workspace,
    plan: dict[str, Any],
    participant: str | None = None,
    group: str | None = None,
    date: str | None = None,
) -> list[Document]:
    """`imr session next … --render`: the leader's one-page plan (its own file, `ledarplan-…`,
    never handed out) and today's handout(s)."""
    b = Builder(ws)
    day = check_render_date(date)
    if group is not None:
        handouts = group_document(ws, group, next_session=True, date=day)
        variants = []  # a group's sheets are all the general text
    else:
        assert participant is not None
        ref = SessionRef.parse(str(plan["session"]))
        handouts = handout_document(ws, ref, participant, day)
        variant = plan.get("variant") or "general"
        variants = [f"{participant}: {b.curriculum.variants.get(variant, variant)}"]
    leader = b.leader_plan_part({**plan, "_date": day}, variants)
    who = group or participant or ""
    plan_document = Document(
        name=b.file_name("leader_plan", plan.get("session") or "", who, day),
        title=str(leader.context["title"]),
        lang=b.lang,
        parts=[leader],
        date=day,
        warnings=b.warnings,
    )
    return [plan_document, handouts]


def manual_document(ws: Workspace, module: int | None = None, duplex: bool = True) -> Document:
    """The leader guides as one manual: the introduction (if the curriculum has one), module
    introductions, then each session's guide."""
    b = Builder(ws)
    modules = [b.curriculum.module(module)] if module is not None else b.curriculum.modules
    if module is not None:
        title = b.label("manual_title")
        subtitle = b.label("module_title", module=modules[0].number, title=modules[0].title)
        name = b.file_name("manual", "module", modules[0].number)
    else:
        title, subtitle, name = b.label("manual_title"), b.curriculum.title, b.file_name("manual")
    lines = [b.label("cover_edition", edition=b.edition)]
    parts = [b.cover_part(title, subtitle, contents=2, lines=lines)]
    intro = _leader_intro(b) if module is None else None
    if intro is not None:
        parts.append(b.intro_part(intro))
    for mod in modules:
        parts.append(b.module_part(mod.number))
        parts += [b.leader_part(s) for s in mod.sessions]
    return Document(
        name=name,
        title=f"{title}: {subtitle}",
        lang=b.lang,
        parts=parts,
        duplex=duplex,
        contents=True,
        warnings=b.warnings,
    )


def _leader_intro(b: Builder) -> Path | None:
    for root in b.curriculum.roots:
        path = Path(root) / "leader-intro.md"
        if path.is_file():
            return path
    return None
