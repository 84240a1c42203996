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
    for n, ref in enumerate(ws.curriculum.order(None)[skip : skip + count]):
        day = first + timedelta(weeks=n)
        entry = {
            "kind": "session",
            "at": at(day),
            "by": "KL",
            "module": ref.module,
            "session": ref.session,
            "date": day.isoformat(),
        }
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


def three_participants(ws, others=None) -> None:
    """Three individual participants with known attendance, handouts, goals and contacts (the
    fidelity tests count them by hand); `others`: which of p-03's sessions had a relative."""
    enrol(ws, "p-01", date(2025, 11, 20))
    sessions(ws, "p-01", date(2025, 12, 1), 30, handouts=lambda n: True)  # modules 1–8, to 2026-06-22
    add(ws, "p-01", "goal", date(2025, 12, 15), goal="G1", text="Börja arbetsträna")
    add(ws, "p-01", "goal-update", date(2026, 2, 1), goal="G1", status="active", text="Arbetsträna två dagar")
    add(ws, "p-01", "contact", date(2026, 6, 20), date="2026-06-20", who="bror")
    add(ws, "p-01", "relapse-plan", date(2026, 5, 1), triggers=["Sömnbrist"])
    enrol(ws, "p-02", date(2025, 11, 1))
    sessions(ws, "p-02", date(2025, 11, 10), 10, handouts=lambda n: False)
    enrol(ws, "p-03", date(2026, 5, 1))
    sessions(ws, "p-03", date(2026, 5, 25), 4, handouts=lambda n: n % 2 == 0, others=others)  # to 2026-06-15
    add(ws, "p-03", "goal", date(2026, 6, 8), goal="G1", text="Laga mat själv")
