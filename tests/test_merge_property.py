"""Property: any interleaving of appends by N clones, merged in any order, gives one derived state.

Each clone appends its own entries (sessions on its own days, goals, steps marked done, corrections
of its own or of shared entries) with write times that may tie across clones. The clones' files
are merged pairwise with the merge driver's function in every order; the derived state is the same
for every order, and the record checks find nothing.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.core.yamlio import dump
from imr.gates.integrity import duplicate_findings
from imr.gates.merge import merge_logs
from imr.programme.goals import goal_reference_problems
from imr.records.record import parse_record_bytes, validate_record
from imr.records.state import derive_state

BASE = (
    "# IMR record (pseudonymous).\n"
    "id: p-01\n"
    "format: 2\n"
    "log:\n"
    "- id: base0001\n"
    "  kind: enrolled\n"
    "  at: '2026-01-01T09:00:00+01:00'\n"
    "  by: KL\n"
    "  variant: general\n"
    "  format: individual\n"
    "- id: base0002\n"
    "  kind: session\n"
    "  at: '2026-01-02T09:00:00+01:00'\n"
    "  by: KL\n"
    "  module: 1\n"
    "  session: 1\n"
    "  date: '2026-01-02'\n"
)
SIGNATURES = ("AB", "MK", "JS")
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

op = st.sampled_from(["session", "goal", "step-done", "correct"])
clone_ops = st.lists(st.tuples(op, st.integers(0, 5)), min_size=1, max_size=6)


def tail(clone: int, ops: list[tuple[str, int]]) -> str:
    """The entries one clone appends, built the way the library builds them (ids, labels, refs)."""
    entries: list[dict] = []
    steps: list[str] = []
    own: list[str] = []
    for index, (kind, minute) in enumerate(ops):
        entry_id = f"{'abc'[clone]}{index:07d}"
        at = f"2026-02-01T10:0{minute}:00+01:00"  # ties across clones on purpose
        common = {"id": entry_id, "kind": kind, "at": at, "by": SIGNATURES[clone]}
        if kind == "session":
            day = date(2026, 2, 1) + timedelta(days=clone * 40 + index)
            entries.append(
                {
                    **common,
                    "module": 1 + index % 4,
                    "session": 1,
                    "date": day.isoformat(),
                    "note": f"Klon {clone}, post {index}.",
                }
            )
        elif kind == "goal":
            label = "G" + LETTERS[clone] + LETTERS[index] + "2"
            entries.append({**common, "goal": label, "text": f"Mål {clone}.{index}"})
            step_id = f"{'abc'[clone]}{index:06d}s"
            entries.append(
                {
                    "id": step_id,
                    "kind": "goal-step",
                    "at": at,
                    "by": SIGNATURES[clone],
                    "goal": entry_id,
                    "step": f"{label}.1",
                    "text": "Första steget",
                }
            )
            steps.append(step_id)
        elif kind == "step-done" and steps:
            day = date(2026, 2, 1) + timedelta(days=clone * 40 + index)
            entries.append(
                {
                    **common,
                    "kind": "session",
                    "module": 2,
                    "session": 1 + index % 4,
                    "date": day.isoformat(),
                    "steps_done": [steps.pop(0)],
                }
            )
        elif kind == "correct":
            # A clone corrects its own last session, or (any clone) adds a note about a shared one.
            correction = {**common, "kind": "correction", "target": own[-1] if own else "base0002", "note": "Rättelse."}
            if own:
                correction["set"] = {"note": "Rättad."}
            entries.append(correction)
        else:
            continue
        if entries[-1]["kind"] == "session":
            own.append(entries[-1]["id"])
    return dump(entries) if entries else ""


def canonical(text: str):
    record = parse_record_bytes(text.encode(), Path("records/p-01.yaml"))
    state = derive_state(record)
    sessions = sorted((e.get("date"), e.get("module"), e.get("session"), e.id, e.get("note")) for e in state.sessions)
    goals = sorted(
        (g.key, g.id, g.status, tuple(sorted((s.key, s.id, s.status) for s in g.steps))) for g in state.goals.values()
    )
    return sessions, goals, state.last_session.id if state.last_session else None


def findings(text: str) -> list[str]:
    record = parse_record_bytes(text.encode(), Path("records/p-01.yaml"))
    shown = "records/p-01.yaml"
    out = validate_record(record, shown) + goal_reference_problems(record, shown) + duplicate_findings(record, shown)
    return [f.message() for f in out]


def merge_in_order(sides: list[str]) -> str:
    merged = sides[0]
    for other in sides[1:]:
        outcome = merge_logs(BASE.encode(), merged.encode(), other.encode())
        assert outcome.clean, outcome.reason
        merged = outcome.text
    return merged


@settings(max_examples=40, deadline=None)
@given(st.lists(clone_ops, min_size=2, max_size=3))
def test_any_merge_order_gives_the_same_state_and_a_clean_check(all_ops):
    sides = [BASE + tail(clone, ops) for clone, ops in enumerate(all_ops)]
    results = {}
    for order in itertools.permutations(range(len(sides))):
        merged = merge_in_order([sides[i] for i in order])
        assert merged.startswith(BASE)
        results[order] = canonical(merged)
        assert findings(merged) == []
    assert len(set(map(repr, results.values()))) == 1, results
