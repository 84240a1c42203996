"""Records written straight through the store for tests that need many dated entries (fidelity,
the fast paths at scale): the same writer and checks as the CLI, without a process per entry."""

from __future__ import annotations

from datetime import date, timedelta

from imr.workspace import store
def at(day: date | str) -> str:
    return f"{day}T10:00:00+01:00"


def enrol(ws, pid: str, day: date, format: str = "individual") -> None:
    store.create(ws, pid, {"kind": "enrolled", "at": at(day), "by": "KL", "variant": "general", "format": format})


def sessions(ws, pid: str, first: date, count: int, *, skip: int = 0, handouts=None, group=None, others=None) -> None:
    """`count` weekly sessions from `first`, in programme order after `skip` sessions."""
    entries = []
    for n, ref in enumerate(ws.curriculum.order(None)[skip:skip + count]):
        day = first + timedelta(weeks=n)
        entry = {"kind": "session", "at": at(day), "by": "KL", "module": ref.module, "session": ref.session,
                 "date": day.isoformat()}
        if group:
            entry["group"] = group
        if handouts is not None:
            entry["handout"] = handouts(n)
        if others is not None:
            entry["significant_other"] = others(n)
        entries.append(entry)
    store.append(ws, pid, entries)


def add(ws, pid: str, kind: str, day: date, **fields) -> None:
    store.append(ws, pid, [{"kind": kind, "at": at(day), "by": "KL", **fields}])
