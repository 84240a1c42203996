"""A hostile note for the privacy scanner's linear-time test and its benchmark (bench/bench_pii.py)."""

from __future__ import annotations

import random


def hostile_note(size: int, seed: int = 13, sentences: list[str] | None = None) -> str:
    """Digits in and around phone and personnummer shapes, many '@', long words, rows of
    capitalised words, times: every detector works hard and none finds anything (test_pii
    asserts it). `sentences`: ordinary note sentences mixed in (one fixed sentence by default)."""
    rng = random.Random(seed)
    pieces = []
    total = 0
    while total < size:
        choice = rng.randrange(9)
        if choice == 0:
            piece = "a" * rng.randint(20, 200) + "@" * rng.randint(1, 3)
        elif choice == 1:
            piece = "@" * rng.randint(1, 50) + "b" * rng.randint(1, 60)
        elif choice == 2:
            piece = "0 " + " ".join(str(rng.randint(1, 9)) for _ in range(rng.randint(3, 12)))
        elif choice == 3:
            piece = f"{rng.randint(1, 9)}{rng.randint(0, 99999999):08d}"  # nine digits, no leading 0
        elif choice == 4:
            piece = " ".join(rng.choice(["Stora", "Norra", "Gamla", "Region", "IMR", "Måndag"]) for _ in range(8))
        elif choice == 5:
            piece = f"kl {rng.randint(0, 23):02d}.{rng.randint(0, 59):02d}-{rng.randint(0, 23):02d}.{rng.randint(0, 59):02d}"
        elif choice == 6:
            piece = "x" * rng.randint(50, 300)
        elif choice == 7:
            piece = "-".join(str(rng.randint(1, 9)) * 2 for _ in range(rng.randint(2, 9)))
        else:
            piece = rng.choice(sentences) if sentences else "Vi pratade om Stockholm och om att gå till Ica"
        pieces.append(piece)
        total += len(piece) + 2
    return ", ".join(pieces)[:size]
