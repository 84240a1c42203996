"""The schema of log entries: which kinds exist and which fields each carries.

One table describes every kind, and one function checks an entry against it. The writer
uses it before anything touches disk and `imr check` uses it on every record, so a hand
edit and a command are held to the same rules.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable

HOMEWORK_REVIEW = ("done", "partly", "not-done", "none")
FORMATS = ("individual", "group")
GOAL_STATUS = ("active", "done", "paused", "revised", "dropped")
RATERS = ("client", "clinician")
MAX_TEXT = 4000

_SIGNATURE = re.compile(r"[^\W_][\w .-]{0,39}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GOAL_ID = re.compile(r"G[1-9]\d{0,2}")
_STEP_ID = re.compile(r"G[1-9]\d{0,2}\.[1-9]\d{0,2}")
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
    return None


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
    from imr.ids import is_valid_id

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
    if not isinstance(value, list) or len(value) != 15:
        return "entry_bad_scores"
    for index, score in enumerate(value, start=1):
        if score == "na" and index in (13, 14, 15):
            continue
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            return "entry_bad_scores"
    return None


def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) and value else "entry_not_mapping"


# kind -> (required fields, optional fields); every entry also has kind, at, by.
SCHEMA: dict[str, tuple[dict[str, Callable], dict[str, Callable]]] = {
    "enrolled": (
        {"variant": _short_text, "format": _enum(*FORMATS)},
        {"leader": signature_problem, "module_order": _int_list, "note": text_problem},
    ),
    "profile": (
        {},
        {"variant": _short_text, "format": _enum(*FORMATS), "leader": signature_problem,
         "module_order": _int_list, "note": text_problem},
    ),
    "session": (
        {"module": _positive_int, "session": _positive_int, "date": _date},
        {"homework_review": _enum(*HOMEWORK_REVIEW), "homework": text_problem, "note": text_problem,
         "group": id_problem, "handout": _bool, "steps_done": _step_ids,
         "significant_other": _bool},
    ),
    "absent": (
        {"module": _positive_int, "session": _positive_int, "date": _date},
        {"note": text_problem, "group": id_problem},
    ),
    "correction": (
        {"target": _positive_int, "note": _short_text},
        {"void": _bool, "set": _mapping},
    ),
    "goal": (
        {"goal": _goal_id, "text": _short_text},
        {"steps": _optional_text_list, "note": text_problem},
    ),
    "goal-step": (
        {"goal": _goal_id, "step": _step_id, "text": _short_text},
        {"note": text_problem},
    ),
    "goal-update": (
        {"goal": _goal_or_step_id, "status": _enum(*GOAL_STATUS)},
        {"text": _short_text, "note": text_problem},
    ),
    "relapse-plan": (
        {},
        {"triggers": _optional_text_list, "warning_signs": _optional_text_list,
         "actions": _optional_text_list, "calming": _optional_text_list, "not_wanted": _optional_text_list,
         "helpers": _optional_text_list,
         "emergency": _optional_text_list, "kept_at": text_problem, "copies": _optional_text_list,
         "note": text_problem},
    ),
    "imrs": (
        {"rater": _enum(*RATERS), "scores": _scores, "date": _date},
        {"note": text_problem},
    ),
    "contact": (
        {"date": _date, "who": _short_text},
        {"note": text_problem},
    ),
}

COMMON = {"kind": None, "at": _timestamp, "by": signature_problem}
FREE_TEXT_FIELDS = ("note", "homework", "text", "who", "kept_at")
FREE_TEXT_LISTS = ("steps", "triggers", "warning_signs", "actions", "calming", "not_wanted", "helpers", "emergency",
                   "copies")


def validate_entry(entry: Any) -> list[Problem]:
    """Problems with one entry's shape (not its references: see `records.validate_record`)."""
    if not isinstance(entry, dict):
        return [("entry_not_mapping", {})]
    kind = entry.get("kind")
    if kind not in SCHEMA:
        return [("entry_unknown_kind", {"kind": str(kind)[:40]})]
    problems: list[Problem] = []
    required, optional = SCHEMA[kind]
    for name in ("at", "by"):
        if name not in entry:
            problems.append(("entry_missing_field", {"field": name, "kind": kind}))
        else:
            code = COMMON[name](entry[name])
            if code:
                problems.append((code, {"field": name, "kind": kind}))
    for name, check in required.items():
        if name not in entry:
            problems.append(("entry_missing_field", {"field": name, "kind": kind}))
            continue
        code = check(entry[name])
        if code:
            problems.append((code, {"field": name, "kind": kind, "allowed": ", ".join(getattr(check, "allowed", ()))}))
    for name, value in entry.items():
        if name in COMMON or name in required:
            continue
        if name not in optional:
            problems.append(("entry_unknown_field", {"field": str(name)[:40], "kind": kind}))
            continue
        code = optional[name](value)
        if code:
            problems.append((code, {"field": name, "kind": kind, "allowed": ", ".join(getattr(optional[name], "allowed", ()))}))
    return problems


def free_texts(entry: dict) -> list[str]:
    """All free text a person typed into an entry (for the PII guard and escaping)."""
    texts = [entry[f] for f in FREE_TEXT_FIELDS if isinstance(entry.get(f), str)]
    for name in FREE_TEXT_LISTS:
        value = entry.get(name)
        if isinstance(value, list):
            texts.extend(v for v in value if isinstance(v, str))
    if isinstance(entry.get("set"), dict):
        texts.extend(v for v in entry["set"].values() if isinstance(v, str))
    return texts
