"""Who a form is about, as people type it: `Demo-02` is `demo-02`; a near miss gets a suggestion."""

from __future__ import annotations

import difflib
from typing import Any

from imr.core.errors import ImrError


def closest(word: str, known: list[str]) -> str | None:
    """The one known word nearest to a mistyped one, as git suggests commands (None if far)."""
    found = difflib.get_close_matches(word.casefold(), [k.casefold() for k in known], n=1, cutoff=0.6)
    if not found:
        return None
    return next(k for k in known if k.casefold() == found[0])


def participant_id(ws: Any, typed: str) -> str:
    """The participant's id as the record has it: exact, else the one id equal in any letter case;
    an unknown id is refused with the nearest one suggested."""
    from imr.records.ids import is_valid_id
    from imr.workspace.store import record_ids

    text = str(typed).strip()
    if is_valid_id(text) and ws.record_path(text).is_file():
        return text  # the usual case, without listing the records folder
    ids = record_ids(ws)
    if text in ids:
        return text
    same = [pid for pid in ids if pid.casefold() == text.casefold()]
    if len(same) == 1:
        return same[0]
    suggestion = closest(text, ids)
    if suggestion is not None:
        raise ImrError("unknown_participant_suggest", id=text[:40], suggestion=suggestion)
    raise ImrError("unknown_participant", id=text[:40])


def group_name(ws: Any, typed: str) -> str:
    from imr.programme.groups import group_names

    text = str(typed).strip()
    names = group_names(ws)
    if text in names:
        return text
    same = [n for n in names if n.casefold() == text.casefold()]
    if len(same) == 1:
        return same[0]
    suggestion = closest(text, names)
    if suggestion is not None:
        raise ImrError("unknown_group_suggest", name=text[:40], suggestion=suggestion)
    return text  # the group code says it does not exist, in its own words
