"""Generate a synthetic workspace: N participants x M entries with realistic Swedish notes.

    python bench/make_workspace.py /tmp/imr-bench --participants 1000 --entries 40

Records are format 2 (every entry has an `id`, goals have random labels and are followed up by
id), built with the same serialiser the writer uses, in one pass (going through the locked
writer for 40,000 appends would only measure fsync). The same seed gives the same workspace.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from datetime import date, timedelta
from pathlib import Path

from imr.core.yamlio import dump
from imr.curriculum.model import load_curriculum
from imr.records.record import new_record_text
from imr.workspace.create import init_workspace

NOTES = [
    "Deltagaren var pigg och delade med sig av sina erfarenheter från veckan.",
    "Vi gick igenom arbetsbladet tillsammans. Hen kände igen sig i flera delar.",
    "Hemuppgiften var delvis gjord; vi pratade om vad som gjorde det svårt och hittade en lösning.",
    "Trött i dag efter en orolig natt på avdelningen. Vi tog det lugnt och kortade ned det nya materialet.",
    "Hen berättade om en promenad på permissionen och var stolt över att ha klarat delmålet.",
    "Vi övade på att börja ett samtal i ett rollspel. Det gick bättre andra gången.",
]
HOMEWORK = [
    "Skriv ned tre saker som har fungerat bra i veckan.",
    "Prova andningsövningen två gånger före nästa träff.",
    "Prata med kontaktpersonen om delmålet.",
    "Fyll i arbetsbladet och ta med det nästa gång.",
]


def entry_id(rng: random.Random, number: int) -> str:
    """Eight characters as the writer makes them, unique within a record (the last three count)."""
    from imr.records.record import _ID_ALPHABET

    return "".join(rng.choice(_ID_ALPHABET[10:]) for _ in range(5)) + "".join(
        _ID_ALPHABET[(number >> shift) & 31] for shift in (10, 5, 0)
    )


def generate(root: Path, participants: int, entries: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    init_workspace(root, name="Benchmark")
    order = load_curriculum("sv").order()
    variants = ["general", "schizophrenia", "schizoaffective", "bipolar", "depression"]
    for index in range(participants):
        pid = f"b-{index:05d}"
        start = date(2025, 1, 7) + timedelta(days=rng.randrange(300))
        if entries > 60:  # years of weekly entries: started that much earlier, so none is dated in the future
            start -= timedelta(weeks=entries - 40)
        log = [
            {
                "kind": "enrolled",
                "at": f"{start}T09:00:00+01:00",
                "by": "KL",
                "variant": rng.choice(variants),
                "format": rng.choice(["individual", "group"]),
            }
        ]
        held = 0
        day = start
        goals: list[str] = []
        while len(log) < entries:
            day += timedelta(days=7)
            at = f"{day}T14:00:00+01:00"
            ref = order[min(held, len(order) - 1)]
            roll = rng.random()
            if roll < 0.1:
                log.append(
                    {
                        "kind": "absent",
                        "at": at,
                        "by": "AB",
                        "module": ref.module,
                        "session": ref.session,
                        "date": str(day),
                    }
                )
            elif roll < 0.13 and held > 3:
                label = (
                    "G"
                    + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
                    + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(2))
                )
                goals.append(entry_id(rng, len(log)))
                log.append(
                    {
                        "id": goals[-1],
                        "kind": "goal",
                        "at": at,
                        "by": "KL",
                        "goal": label,
                        "text": "Gå på promenad tre gånger i veckan",
                        "steps": ["Gå en gång", "Gå två gånger"],
                    }
                )
            elif roll < 0.15 and goals:
                log.append(
                    {
                        "kind": "goal-update",
                        "at": at,
                        "by": "KL",
                        "target": rng.choice(goals),
                        "status": rng.choice(["active", "done", "paused"]),
                    }
                )
            elif roll < 0.18:
                log.append(
                    {
                        "kind": "imrs",
                        "at": at,
                        "by": "KL",
                        "rater": "clinician",
                        "date": str(day),
                        "scores": [rng.randint(1, 5) for _ in range(14)] + ["na"],
                    }
                )
            else:
                held += 1
                log.append(
                    {
                        "kind": "session",
                        "at": at,
                        "by": rng.choice(["KL", "AB", "MS"]),
                        "module": ref.module,
                        "session": ref.session,
                        "date": str(day),
                        "homework_review": rng.choice(["done", "partly", "not-done"]),
                        "homework": rng.choice(HOMEWORK),
                        "note": rng.choice(NOTES),
                        "handout": rng.random() < 0.8,
                    }
                )
        for number, entry in enumerate(log):
            entry.setdefault("id", entry_id(rng, number))
        text = new_record_text(pid, log[0]) + dump(log[1:])
        (root / "records" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@invalid",
            "commit",
            "-qm",
            "synthetic workspace",
            "--no-verify",
        ],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=40)
    args = parser.parse_args()
    generate(args.root, args.participants, args.entries)
    print(f"{args.participants} participants x {args.entries} entries in {args.root}")


if __name__ == "__main__":
    main()
