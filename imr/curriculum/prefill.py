"""The words that tie a worksheet to record data: prefill kinds and the keys of its lines.

A handout's worksheet says `prefill=goals` or `prefill=relapse-plan`, and its writing lines say
which answer belongs on them (`::: {.lines n=2 fill=step-1}`). The renderer makes the answers
with these keys, and `imr check` refuses a key that no answer will ever have, so a typo in the
curriculum cannot quietly leave a participant's goal off the page.
"""

from __future__ import annotations

import re

KINDS = ("goals", "relapse-plan")

# The prefill kind named on a worksheet's opening fence.
WORKSHEET_KIND = re.compile(r"\{[^}\n]*\.worksheet[^}\n]*\bprefill=\"?([a-z-]+)")
# The key on a `lines` div's opening fence.
FILL_KEY = re.compile(r"^:{3,}\s*\{[^}\n]*\.lines[^}\n]*\bfill=\"?([\w-]+)", re.MULTILINE)

# The relapse plan's sections in the order the worksheet and the printed plan show them.
# `calming` (what helps me calm down if staff step in) and `not_wanted` (what I do not want others to do)
# come from handout 7.3 and belong on the one-page plan.
RELAPSE_SECTIONS = (
    "triggers",
    "warning_signs",
    "actions",
    "calming",
    "not_wanted",
    "helpers",
    "emergency",
    "kept_at",
    "copies",
)

# What goal_key and step_key make: `goal`, `step-N` (the first goal); `goal-N`, `goal-N-step-M`.
_GOAL_KEY = re.compile(r"goal|step-[1-9][0-9]?|goal-([2-9]|[1-9][0-9])(-step-[1-9][0-9]?)?")


def goal_key(number: int) -> str:
    """The key of the participant's `number`th open goal (1-based): `goal`, `goal-2`, …"""
    return "goal" if number == 1 else f"goal-{number}"


def step_key(number: int, index: int) -> str:
    """The key of step `index` of that goal: `step-1`, … for the first goal, else `goal-2-step-1`."""
    return f"step-{index}" if number == 1 else f"{goal_key(number)}-step-{index}"


def is_fill_key(kind: str, key: str) -> bool:
    if kind == "goals":
        return _GOAL_KEY.fullmatch(key) is not None
    if kind == "relapse-plan":
        return key in RELAPSE_SECTIONS
    return False
