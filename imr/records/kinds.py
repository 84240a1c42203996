"""The schema of log entries: which kinds exist and which fields each carries.

One table describes every kind, and one function checks an entry against it. The writer
uses it before anything touches disk and `imr check` uses it on every record, so a hand
edit and a command are held to the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from imr.records.ids import ENTRY_ID, is_valid_id

HOMEWORK_REVIEW = ("done", "partly", "not-done", "none")
FORMATS = ("individual", "group")
GOAL_STATUS = ("active", "done", "paused", "revised", "dropped")
RATERS = ("client", "clinician")
# The IMR Scale's items by number, and those a person may answer `na` ("not applicable": no
# prescribed medicine, no alcohol, no drugs), declared once: the record schema checks scores
# against them, and the instrument file that words the items (curriculum/instruments/imrs.yaml,
# read by imr.programme.imrs for the form, `imr imrs`, the report and export) must agree.
IMRS_ITEMS = tuple(range(1, 16))
IMRS_NOT_APPLICABLE = (13, 14, 15)
IMRS_SCORES = (1, 2, 3, 4, 5)  # higher is better
IMRS_NA = "na"
MAX_TEXT = 4000

_SIGNATURE = re.compile(r"[^\W_][\w .-]{0,39}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Goal labels: `G1`… in records before format 2; `G` + three characters now (`GK7M`), made at
# random under the lock so two clones adding goals at once never share one.
_GOAL_LABEL = r"G(?:[1-9]\d{0,2}|[A-HJ-NP-Z][A-HJ-NP-Z2-9]{2})"
_GOAL_ID = re.compile(_GOAL_LABEL)
_STEP_ID = re.compile(_GOAL_LABEL + r"\.[1-9]\d{0,2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Problem = tuple[str, dict]

# Field validators return a problem code (a key in the strings' `findings`) or None. The public
# ones (`text_problem`, `signature_problem`, `id_problem`, `list_of`) also check group files.


def text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "entry_not_text"
    if len(value) > MAX_TEXT:
        return "entry_text_too_long"
    if _CONTROL.search(value):
        return "entry_control_chars"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8 on the command line
        return "entry_not_utf8"
    return None


def _short_text(value: Any) -> str | None:
    problem = text_problem(value)
    if problem:
        return problem
    if not value.strip():
        return "entry_empty_text"
    return None


def list_of(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """A validator for a non-empty list whose items each pass `check`."""

    def check_list(value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return "entry_not_text_list"
        for item in value:
            problem = check(item)
            if problem:
                return problem
        return None

    return check_list


_text_list = list_of(_short_text)


def _optional_text_list(value: Any) -> str | None:
    if isinstance(value, list) and not value:
        return None
    return _text_list(value)


def _date(value: Any) -> str | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return "entry_bad_date"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "entry_bad_date"
    return "entry_bad_date" if value < "1900-01-01" else None  # `0001-01-01`: a slip, never a record date


date_problem = _date  # for group files, whose entries carry dates too


def _timestamp(value: Any) -> str | None:
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return "entry_bad_timestamp"
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "entry_bad_timestamp"
    return None


def signature_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "entry_no_signature"
    if not _SIGNATURE.fullmatch(value.strip()):
        return "entry_bad_signature"
    return None


def _positive_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "entry_not_positive_int"
    return None


def _enum(*allowed: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in allowed else "entry_not_allowed"

    check.allowed = allowed  # type: ignore[attr-defined]
    return check


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "entry_not_bool"


def id_problem(value: Any) -> str | None:

    return None if is_valid_id(value) else "entry_bad_id"


def _goal_id(value: Any) -> str | None:
    return None if isinstance(value, str) and _GOAL_ID.fullmatch(value) else "entry_bad_goal_id"


def _goal_or_step_id(value: Any) -> str | None:
    if isinstance(value, str) and (_GOAL_ID.fullmatch(value) or _STEP_ID.fullmatch(value)):
        return None
    return "entry_bad_goal_id"


def _step_id(value: Any) -> str | None:
    return None if isinstance(value, str) and _STEP_ID.fullmatch(value) else "entry_bad_goal_id"


def _step_ids(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and _STEP_ID.fullmatch(v) for v in value):
        return "entry_bad_goal_id"
    return None


def _int_list(value: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(_positive_int(v) is None for v in value):
        return "entry_not_int_list"
    return None


def _scores(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) != len(IMRS_ITEMS):
        return "entry_bad_scores"
    for index, score in zip(IMRS_ITEMS, value, strict=True):
        if score == IMRS_NA and index in IMRS_NOT_APPLICABLE:
            continue
        if isinstance(score, bool) or not isinstance(score, int) or score not in IMRS_SCORES:
            return "entry_bad_scores"
    return None


def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) and value else "entry_not_mapping"


def _entry_ref(value: Any) -> str | None:
    """A reference to another entry: its id (format 2)."""

    return None if isinstance(value, str) and ENTRY_ID.fullmatch(value) else "entry_bad_ref"


def _correction_target(value: Any) -> str | None:
    """A correction names its target's id, or (records before format 2) its position."""
    return None if _positive_int(value) is None else _entry_ref(value)


def _goal_ref(value: Any) -> str | None:
    """A goal named by its label (records before format 2) or by its entry id."""
    return None if _goal_id(value) is None else _entry_ref(value)


def _entry_refs(value: Any) -> str | None:
    """A non-empty list of entry ids (a relapse-plan version joining a fork names the others)."""
    if not isinstance(value, list) or not value:
        return "entry_bad_ref"
    return next((problem for item in value if (problem := _entry_ref(item)) is not None), None)


def _step_refs(value: Any) -> str | None:
    """Steps marked done: labels in older records, entry ids of `goal-step` entries now."""
    if not isinstance(value, list) or not value:
        return "entry_bad_goal_id"
    for item in value:
        if _step_id(item) is not None and _entry_ref(item) is not None:
            return "entry_bad_goal_id"
    return None


def _target_ref(value: Any) -> str | None:
    """A goal update's target: the id of the goal's or the step's entry (or, in older records,
    a label in the field `goal`)."""
    return _entry_ref(value)


for _validator in (text_problem, _short_text, _text_list, _optional_text_list):
    _validator.free_text = True  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Kind:
    """One entry kind, declared once.

    `required`/`optional` map field names to validators; the fields whose validator is marked
    `free_text` are what a person typed (the PII guard scans exactly those); `refs` are fields
    that point at other entries by id; `fold` names the `ParticipantState` method that folds an
    entry of this kind into derived state; `diff` is the key of its wording in `imr diff` and
    imr web's *Ändringar* (templates/strings/<lang>/supervision.yaml, section `cli`; filled in by
    `imr.reports.diff_text`). The kind's name as readers see it is `values.kind.<name>` in the
    strings (`kind_label`).
    """

    name: str
    required: dict[str, Callable[[Any], str | None]]
    optional: dict[str, Callable[[Any], str | None]]
    fold: str
    diff: str
    refs: tuple[str, ...] = ()

    @property
    def fields(self) -> dict[str, Callable[[Any], str | None]]:
        return {**self.required, **self.optional}

    @cached_property  # asked for every entry a privacy scan reads
    def free_text(self) -> tuple[str, ...]:
        return tuple(name for name, check in self.fields.items() if getattr(check, "free_text", False))


_PROFILE = {
    "variant": _short_text,
    "format": _enum(*FORMATS),
    "leader": signature_problem,
    "module_order": _int_list,
    "note": text_problem,
}
_LIST = _optional_text_list
RELAPSE_LISTS = ("triggers", "warning_signs", "actions", "calming", "not_wanted", "helpers", "emergency", "copies")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "enrolled",
            {"variant": _short_text, "format": _enum(*FORMATS)},
            {**{k: v for k, v in _PROFILE.items() if k not in ("variant", "format")}, "date": _date},
            fold="fold_profile",
            diff="diff_enrolled",
        ),
        Kind("profile", {}, _PROFILE, fold="fold_profile", diff="diff_profile"),
        Kind(
            "session",
            {"module": _positive_int, "session": _positive_int, "date": _date},
            {
                "homework_review": _enum(*HOMEWORK_REVIEW),
                "homework": text_problem,
                "note": text_problem,
                "group": id_problem,
                "handout": _bool,
                "steps_done": _step_refs,
                "significant_other": _bool,
                "again": _bool,
            },
            fold="fold_session",
            diff="diff_session",
            refs=("steps_done",),
        ),
        Kind(
            "absent",
            {"module": _positive_int, "session": _positive_int, "date": _date},
            {"note": text_problem, "group": id_problem, "again": _bool},
            fold="fold_absent",
            diff="diff_absent",
        ),
        Kind(
            "correction",
            {"target": _correction_target, "note": _short_text},
            {"void": _bool, "set": _mapping},
            fold="fold_correction",
            diff="diff_correction",
            refs=("target",),
        ),
        Kind(
            "goal",
            {"goal": _goal_id, "text": _short_text},
            {"steps": _optional_text_list, "note": text_problem, "date": _date},
            fold="fold_goal",
            diff="diff_goal",
        ),
        Kind(
            "goal-step",
            {"goal": _goal_ref, "step": _step_id, "text": _short_text},
            {"note": text_problem, "date": _date},
            fold="fold_goal_step",
            diff="diff_goal_step",
            refs=("goal",),
        ),
        Kind(
            "goal-update",
            {"status": _enum(*GOAL_STATUS)},
            {"target": _target_ref, "goal": _goal_or_step_id, "text": _short_text, "note": text_problem, "date": _date},
            fold="fold_goal_update",
            diff="diff_goal_update",
            refs=("target",),
        ),
        Kind(
            "relapse-plan",
            {},
            {
                **{name: _LIST for name in RELAPSE_LISTS},
                "kept_at": text_problem,
                "previous": _entry_ref,
                "joins": _entry_refs,
                "note": text_problem,
                "date": _date,
            },
            fold="fold_relapse_plan",
            diff="diff_relapse_plan",
            refs=("previous", "joins"),
        ),
        Kind(
            "imrs",
            {"rater": _enum(*RATERS), "scores": _scores, "date": _date},
            {"note": text_problem},
            fold="fold_imrs",
            diff="diff_imrs",
        ),
        Kind(
            "contact",
            {"date": _date, "who": _short_text},
            {"note": text_problem},
            fold="fold_contact",
            diff="diff_contact",
        ),
    )
}

# Names the code asks about by themselves (instead of spelling them at each comparison). The
# families are tuples, not sets: `in` then works on whatever a hand edit put in `kind`.
ENROLLED, PROFILE, SESSION, ABSENT, CORRECTION = "enrolled", "profile", "session", "absent", "correction"
GOAL, GOAL_STEP, GOAL_UPDATE, RELAPSE_PLAN, IMRS, CONTACT = (
    "goal",
    "goal-step",
    "goal-update",
    "relapse-plan",
    "imrs",
    "contact",
)
# Entries for one session of the programme (module, session, date, and a group when it met as one).
SESSION_LIKE = (SESSION, ABSENT)
# Entries that set a participant's programme (variant, format, leader, module order).
PROFILE_KINDS = (ENROLLED, PROFILE)

# Fields of any kind that name another entry by id (the union of the kinds' `refs`).
REF_FIELDS = tuple(dict.fromkeys(field for kind in KINDS.values() for field in kind.refs))


def kind_label(name: str, lang: str, workspace_root: Path | None = None) -> str:
    """A kind's name as readers see it (`goal-update` -> `målstatus`): the one label table,
    `values.kind` in the strings; a kind it does not name, as it is."""
    from imr.core.strings import strings

    return str(strings(lang, workspace_root).get("values", {}).get("kind", {}).get(name, name))


# kind -> (required fields, optional fields), for callers that only need the shapes.
SCHEMA: dict[str, tuple[dict[str, Callable], dict[str, Callable]]] = {
    name: (kind.required, kind.optional) for name, kind in KINDS.items()
}


# The fields every record entry may have (`id` only from format 2; `at` and `by` always). `kind`
# is common to every entry too; it is checked against the registry, not by a validator.
COMMON: dict[str, Callable[[Any], str | None]] = {"id": _entry_ref, "at": _timestamp, "by": signature_problem}


# kind -> (every field's validator, `kind` itself mapped to None; the fields an entry must have),
# for the one-pass check of an entry that is fine, which is almost every entry.
_ALL_FIELDS: dict[str, tuple[dict[str, Callable[[Any], str | None] | None], frozenset[str]]] = {
    name: ({"kind": None, **COMMON, **required, **optional}, frozenset(("at", "by", *required)))
    for name, (required, optional) in SCHEMA.items()
}


# The texts each validator has found fine: a field's text passes its check wherever it stands,
# and most texts come again and again (signatures, answers, dates, homework given again). Only
# texts are kept: `1`, `True` and `1.0` are one key to a set, and a check may pass one of them only.
_FINE_TEXTS: dict[Callable[[Any], str | None], set[str]] = {}
_FINE_TEXTS_MAX = 20_000  # per validator
# The same for whole numbers (a module, a session, a score), kept apart from the texts and looked
# up only for a value that is exactly an int, so that `True` never passes as `1` or the reverse.
_FINE_INTS: dict[Callable[[Any], str | None], set[int]] = {}
_FINE_INTS_MAX = 1_000  # per validator


def _any_kind(value: Any) -> None:
    """`kind` itself: checked against the registry before the fields are."""
    return None


# kind -> field -> (its validator, the texts it found fine, how many to keep, the whole numbers
# it found fine, the booleans it passes), one lookup per field. An entry's `id` is new in every
# entry: no text of it is kept (a region's ids would only fill the set, and every lookup in a
# larger set is slower).
_ENTRY_CHECKS: dict[str, dict[str, tuple[Callable[[Any], str | None], set[str], int, set[int], frozenset[bool]]]] = {
    name: {
        field: (
            check,
            set() if field == "id" else _FINE_TEXTS.setdefault(check, set()),
            0 if field == "id" else _FINE_TEXTS_MAX,
            _FINE_INTS.setdefault(check, set()),
            frozenset(flag for flag in (True, False) if check(flag) is None),
        )
        for field, check in {**checks, "kind": _any_kind}.items()
        if check is not None
    }
    for name, (checks, _needed) in _ALL_FIELDS.items()
}


def validate_entry(entry: Any) -> list[Problem]:
    """Problems with one entry's shape (not its references: see `records.validate_record`)."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind in SCHEMA:
        needed = _ALL_FIELDS[kind][1]
        if needed <= entry.keys() and (kind != "goal-update" or ("target" in entry) != ("goal" in entry)):
            checks = _ENTRY_CHECKS[kind]
            try:
                for name, value in entry.items():
                    check, texts, keep, ints, flags = checks[name]  # (KeyError: no such field)
                    kind_of = value.__class__
                    if kind_of is str:
                        if value in texts:
                            continue
                        if check(value):
                            break
                        if len(texts) < keep:
                            texts.add(value)
                    elif kind_of is int:  # (exactly: `True` is looked for among the booleans)
                        if value in ints:
                            continue
                        if check(value):
                            break
                        if len(ints) < _FINE_INTS_MAX:
                            ints.add(value)
                    elif kind_of is bool:
                        if value not in flags:
                            break
                    elif check(value):
                        break
                else:
                    return []
            except KeyError:
                pass
    return entry_problems(entry)


def entry_problems(entry: Any) -> list[Problem]:
    """Every problem with a record entry's shape, the long way (what `validate_entry` gives for an
    entry it does not pass in one go)."""
    problems = shape_problems(entry, SCHEMA)
    if isinstance(entry, dict) and entry.get("kind") == "goal-update" and ("target" in entry) == ("goal" in entry):
        problems.insert(0, ("entry_missing_field", {"field": "target", "kind": "goal-update"}))
    return problems


def shape_problems(entry: Any, schema: dict[str, tuple[dict, dict]], common: dict = COMMON) -> list[Problem]:
    """Every problem with an entry's fields, in the order a reader fixes them: the fields every
    entry has (`id` only when it is there), the kind's required fields, then the rest in the
    entry's order. Records' entries (`SCHEMA`) and group files' (with their own schema and no
    entry id) alike."""
    if not isinstance(entry, dict):
        return [("entry_not_mapping", {})]
    kind = entry.get("kind")
    if kind not in schema:
        return [("entry_unknown_kind", {"kind": str(kind)[:40]})]
    required, optional = schema[kind]
    problems: list[Problem] = []
    for name, check in common.items():
        if name not in entry:
            if name != "id":
                problems.append(("entry_missing_field", {"field": name, "kind": kind}))
        elif code := check(entry[name]):
            problems.append((code, {"field": name, "kind": kind}))

    def wrong(name: str, check: Callable[[Any], str | None], code: str) -> Problem:
        return code, {"field": name, "kind": kind, "allowed": ", ".join(getattr(check, "allowed", ()))}

    for name, check in required.items():
        if name not in entry:
            problems.append(("entry_missing_field", {"field": name, "kind": kind}))
        elif code := check(entry[name]):
            problems.append(wrong(name, check, code))
    for name, value in entry.items():
        if name == "kind" or name in common or name in required:
            continue
        check = optional.get(name)
        if check is None:
            problems.append(("entry_unknown_field", {"field": str(name)[:40], "kind": kind}))
        elif code := check(value):
            problems.append(wrong(name, check, code))
    return problems


def free_texts(entry: dict) -> list[str]:
    """All free text a person typed into an entry (for the PII guard and escaping).

    The kind's declaration says which fields are free text; a correction's `set` values are
    scanned as well, whatever field they replace.
    """
    kind = KINDS.get(entry.get("kind"))  # type: ignore[arg-type]
    # A kind outside the record registry (a group file's entries): every text field is scanned.
    names = kind.free_text if kind else tuple(k for k in entry if k not in ("kind", "id", "at", "by"))
    texts: list[str] = []
    for name in names:
        value = entry.get(name)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(v for v in value if isinstance(v, str))
    if isinstance(entry.get("set"), dict):
        texts.extend(v for v in entry["set"].values() if isinstance(v, str))
    return texts
