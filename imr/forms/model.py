"""The form: fields, answers, one check per field, warnings, a summary, one save.

A form holds normalised answers only: `set(key, text)` reads what a person typed, and stores
the value when the field's own check passes, else leaves every answer as it was and returns the
one sentence that says what to type instead. The checks are the writer's: the same validators,
date rules and privacy guard run again when `save` writes, so a form can never let through what
the writer refuses, and a front end never needs a check of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imr.core.errors import ImrError
from imr.core.strings import label, strings

KINDS = ("choice", "date", "session", "step", "text", "role", "bool", "multichoice")

_YES = ("j", "ja", "y", "yes", "true", "1", "on", "jo")
_NO = ("n", "nej", "no", "false", "0", "off")


class FieldProblem(Exception):
    """An answer a field refuses; `sentence` says what to type instead, in the form's language."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


@dataclass(frozen=True)
class Choice:
    value: str  # what the form stores (a record key: `done`, `3.2`, a step label, an id)
    label: str  # what a person reads, in the form's language
    words: tuple[str, ...] = ()  # other answers that mean this choice (`gjort`, `klar`, `färdig`)


@dataclass(frozen=True)
class FormWarning:
    """Something the person must be asked about before saving (`code` is stable, `message` is
    the sentence to show, `question` the yes/no question to ask)."""

    code: str
    message: str
    question: str


Parser = Callable[[str], Any]
Checker = Callable[[Any], "str | None"]


@dataclass
class Field:
    """One question. `label`, `hint` and choice labels are already in the form's language.

    `parse` turns typed text into the stored value (raising FieldProblem); `check` returns the
    problem with a value as one sentence (or None); `show` gives the value as the summary shows
    it; `when` says whether the field is asked given the other answers (homework only for a
    participant who came). `member` is the participant a per-member field is about. `on_set`
    runs after an answer is kept: another field's choices or hint may follow it (the fields a
    correction can set follow the entry chosen; the IMRS questions follow the rater).
    """

    key: str
    kind: str
    label: str
    required: bool = False
    default: Any = None
    choices: list[Choice] = field(default_factory=list)
    hint: str = ""
    limit: int | None = None  # characters, for text
    multiline: bool = False
    member: str | None = None
    parse: Parser | None = None
    check: Checker | None = None
    show: Callable[[Any], str] | None = None
    when: Callable[[Form], bool] | None = None
    on_set: Callable[[Form, Any], None] | None = None  # after an answer is kept (choices that follow it)


class Form:
    """One staff action as questions; built by `imr.forms.build_form`."""

    def __init__(
        self,
        action: str,
        lang: str,
        title: str,
        fields: list[Field],
        save: Callable[[Form], Any],
        warnings: Callable[[Form], list[FormWarning]] | None = None,
        target: str = "",
        workspace_root: Any = None,
    ) -> None:
        self.action = action
        self.lang = lang
        self.title = title
        self.target = target
        self.fields = fields
        self.answers: dict[str, Any] = {}
        self.accepted: set[str] = set()
        self._save = save
        self._warnings = warnings
        self._root = workspace_root

    # ---- fields -------------------------------------------------------------------------

    def field(self, key: str) -> Field:
        for item in self.fields:
            if item.key == key:
                return item
        raise KeyError(key)

    def active_fields(self) -> list[Field]:
        """The fields that are asked given the answers so far, in the order they are asked."""
        return [f for f in self.fields if f.when is None or f.when(self)]

    def is_active(self, key: str) -> bool:
        item = self.field(key)
        return item.when is None or item.when(self)

    def value(self, key: str) -> Any:
        """The answer, else the field's default."""
        if key in self.answers:
            return self.answers[key]
        return self.field(key).default

    def given(self, key: str) -> bool:
        return key in self.answers

    # ---- answers ------------------------------------------------------------------------

    def set(self, key: str, text: Any) -> str | None:
        """Read the typed text for one field and keep it when the field accepts it.

        Returns None when kept, else one sentence saying what to type instead; a refused answer
        changes nothing. An empty text means "the default" (for a text field: nothing).
        """
        item = self.field(key)
        raw = "" if text is None else text
        try:
            value = self._parse(item, raw) if isinstance(raw, str) else raw
        except FieldProblem as problem:
            return problem.sentence
        except ImrError as err:
            return err.message(self.lang)
        if value is None:
            if item.default is None and item.required:
                return self.t("required", field=item.label)
            if item.kind == "text":
                self.answers[key] = None  # answered: nothing
            else:
                self.answers.pop(key, None)  # the default
            return None
        problem_text = self.check_value(item, value)
        if problem_text:
            return problem_text
        self.answers[key] = value
        if item.on_set is not None:
            item.on_set(self, value)
        return None

    def set_value(self, key: str, value: Any) -> str | None:
        """Keep an already normalised value (a record key, a bool, a list) after its check."""
        return self.set(key, value)

    def clear(self, key: str) -> None:
        self.answers.pop(key, None)

    def check(self, key: str) -> str | None:
        """The problem with one field's current value (answer or default) as one sentence."""
        item = self.field(key)
        value = self.value(key)
        if value is None or value == "" or value == []:
            if item.required:
                return self.t("required", field=item.label)
            return None
        return self.check_value(item, value)

    def check_value(self, item: Field, value: Any) -> str | None:
        if item.check is None:
            return None
        try:
            return item.check(value)
        except FieldProblem as problem:
            return problem.sentence
        except ImrError as err:
            return err.message(self.lang)

    def problems(self) -> dict[str, str]:
        """Every active field's problem, by key (empty when the form can be saved)."""
        out = {}
        for item in self.active_fields():
            problem = self.check(item.key)
            if problem:
                out[item.key] = problem
        return out

    def warnings(self) -> list[FormWarning]:
        """What must be asked about before saving and has not been accepted yet."""
        found = self._warnings(self) if self._warnings else []
        return [w for w in found if w.code not in self.accepted]

    def accept(self, code: str) -> None:
        """The person answered yes to the warning `code` (for a session: log it anyway)."""
        self.accepted.add(code)

    # ---- summary and save ---------------------------------------------------------------

    def shown(self, key: str) -> str:
        """One field's value as a person reads it."""
        item = self.field(key)
        return show_value(self, item, self.value(key))

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) for every active field, the date included, in the order asked."""
        return [(item.label, self.shown(item.key)) for item in self.active_fields()]

    def save(self) -> Any:
        """Write through the one writer; returns what was written (the entry, or a dict for a
        group meeting). Raises ImrError with the first problem when a field is not right."""
        problems = self.problems()
        if problems:
            key, sentence = next(iter(problems.items()))
            raise refusal(self.field(key).label, sentence)
        return self._save(self)

    # ---- words --------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return label("forms", key, self.lang, self._root, **params)

    def kind(self, name: str) -> str:
        """An entry kind as readers see it (the one label table, `values.kind`)."""
        from imr.records.kinds import kind_label

        return kind_label(name, self.lang, self._root)

    def yes_no(self, value: bool) -> str:
        return self.t("word_yes") if value else self.t("word_no")

    def _parse(self, item: Field, raw: str) -> Any:
        text = " ".join(raw.split()) if not item.multiline else raw.strip("\n")
        if item.kind == "text":
            stripped = raw.strip()
            if not stripped:
                return None
            return item.parse(stripped) if item.parse is not None else stripped
        if not text.strip():
            return None
        if item.parse is not None:
            return item.parse(text)
        if item.kind == "bool":
            return parse_yes_no(text, self)
        if item.kind in ("choice", "role"):
            return parse_choice(text, item, self)
        if item.kind in ("multichoice", "step"):
            return parse_many(text, item, self)
        return text


def refusal(label: str, problem: str) -> ImrError:
    """A refused answer as one error: the field's name first, unless the sentence names it."""
    if label in problem:
        return ImrError("form_field_refused_plain", problem=problem)
    return ImrError("form_field_refused", field=label, problem=problem)


# ---- answers as people write them ---------------------------------------------------------


def parse_yes_no(text: str, form: Form) -> bool:
    word = text.strip().casefold().rstrip(".!")
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise FieldProblem(form.t("answer_yes_no"))


def _fold(text: str) -> str:
    return " ".join(str(text).replace("_", " ").replace("-", " ").split()).casefold()


def parse_choice(text: str, item: Field, form: Form, *, prefix: bool = True) -> str:
    wanted = _fold(text)
    for choice in item.choices:
        names = {_fold(choice.value), _fold(choice.label), *(_fold(w) for w in choice.words)}
        if wanted in names:
            return choice.value
    if prefix and wanted.isdigit() and 1 <= int(wanted) <= len(item.choices):
        return item.choices[int(wanted) - 1].value
    starting = [c for c in item.choices if _fold(c.label).startswith(wanted) or _fold(c.value).startswith(wanted)]
    if prefix and len(starting) == 1:
        return starting[0].value
    raise FieldProblem(form.t("answer_pick_one", choices=", ".join(c.label for c in item.choices)))


def parse_many(text: str, item: Field, form: Form) -> list[str]:
    """Several choices, separated by commas or spaces (`G1.2, GK7M.1`); `-`/`inga` for none."""
    if _fold(text) in ("-", "inga", "ingen", "none", "no", "nej", "n"):
        return []
    out: list[str] = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        one = Field(item.key, "choice", item.label, choices=item.choices)
        try:
            value = parse_choice(part, one, form, prefix=False)
        except FieldProblem:
            raise FieldProblem(
                form.t("answer_pick_some", value=part[:40], choices=", ".join(c.value for c in item.choices) or "–")
            ) from None
        if value not in out:
            out.append(value)
    return out


def show_value(form: Form, item: Field, value: Any) -> str:
    if item.show is not None and value is not None:
        return item.show(value)
    if value is None or value == "" or value == []:
        return "–"
    if item.kind == "bool":
        return form.yes_no(bool(value))
    if item.kind in ("choice", "role", "session"):
        for choice in item.choices:
            if choice.value == value:
                return choice.label
        return str(value)
    if item.kind in ("multichoice", "step"):
        labels = {c.value: c.label for c in item.choices}
        return "; ".join(labels.get(v, v) for v in value)
    return str(value)


def thousands(n: int, lang: str) -> str:
    """4 000 in Swedish, 4,000 in English."""
    text = f"{n:,}"
    return text.replace(",", "\u00a0") if lang == "sv" else text


def value_labels(group: str, lang: str, root: Any = None) -> dict[str, str]:
    """A record value's labels in the form's language (`values.<group>` in the strings)."""
    table = strings(lang, root).get("values", {}).get(group, {})
    return {str(k): str(v) for k, v in table.items()}
