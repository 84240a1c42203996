"""Cost of the privacy scanner per note, next to the scanner it replaced, in one run.

    python bench/bench_pii.py [--notes 2000] [--repeat 5]

`imr status` and `imr check` scan every free text of every record on a first run (10,000
participants x 40 entries is 400,000 notes), so the cost of one ordinary note matters more
than the worst case. Reported, as microseconds per note (best of --repeat rounds over the same
notes, each round scanning every note once):
  * typical notes of 100-300 characters without digits, and with dates, times and counts;
  * the old guard (the regex-only `find_pii` of imr 0.1, copied below as the baseline);
  * the ratio new/old (target: at most about 3x);
and, for the linear-time property, the seconds to scan 1 MB and 4 MB of adversarial text.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imr.records.pii import scan_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from hostile_text import hostile_note

# ---- baseline: imr.records.pii.find_pii as it was before the rewrite (quadratic e-mail pattern and all)
_PNR = re.compile(r"(?<![\d+-])(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-]{5,16}\d(?![\w])")


def _luhn_ok(digits):
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _baseline_pnr(text):
    for match in _PNR.finditer(text):
        _c, year, month, day, _s, tail = match.groups()
        m, d = int(month), int(day)
        if 1 <= m <= 12 and (1 <= d <= 31 or 61 <= d <= 91) and _luhn_ok(year + month + day + tail):
            return match.group(0)
    return None


def _baseline_phone(text):
    for match in _PHONE.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if raw.startswith(("+46", "0046")):
            national = digits[2:] if raw.startswith("+") else digits[4:]
            if 7 <= len(national) <= 10:
                return raw
        elif raw.startswith("+") or raw.startswith("00"):
            if 8 <= len(digits) <= 15:
                return raw
        elif digits.startswith("0") and 8 <= len(digits) <= 11 and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            return raw
    return None


def _baseline_email(text):
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def baseline_find_pii(text):
    for finder in (_baseline_pnr, _baseline_email, _baseline_phone):
        hit = finder(text)
        if hit:
            return hit
    return None


# ---- notes
_SENTENCES = [
    "Deltagaren kom i tid och var på gott humör.",
    "Vi gick igenom förra veckans hemuppgift; den var delvis gjord.",
    "Hen berättade att sömnen har blivit bättre sedan förra träffen.",
    "Vi pratade om varningstecken och vad som hjälper när oron kommer.",
    "Målet är att gå en promenad varje dag efter lunch.",
    "Hen tyckte att arbetsbladet var svårt men ville försöka igen.",
    "Kontaktpersonen följer upp planen på avdelningen under veckan.",
    "Vi repeterade stress–sårbarhetsmodellen med egna exempel.",
    "Deltagaren vill prata med Försäkringskassan om sin ersättning.",
    "Permissionen till Stockholm gick bra enligt deltagaren.",
    "Hen ska ta upp biverkningarna med läkaren på ronden.",
    "Vi övade på att starta ett samtal i dagrummet.",
]
_WITH_DIGITS = [
    "Träff 3.2 den 2026-03-02 kl 14.30, 45 minuter.",
    "IMRS-skattning 3,3,2,4,2 – medel 2,8.",
    "Sov 7 timmar per natt, 3 promenader och 2 av 5 hemuppgifter gjorda.",
    "Rum 12 på avdelning 34; nästa träff v. 11.",
    "Tar 2 tabletter à 5 mg på morgonen, ingen vid behov sedan 2026-02-20.",
]


def make_notes(count: int, digits: bool, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    notes = []
    for _ in range(count):
        parts = []
        while sum(len(p) + 1 for p in parts) < rng.randint(100, 300):
            pool = _WITH_DIGITS if digits and (not parts or rng.random() < 0.4) else _SENTENCES
            parts.append(rng.choice(pool))
        notes.append(" ".join(parts))
    return notes


def per_note_us(func, notes: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for note in notes:
            func(note)
        best = min(best, time.perf_counter() - start)
    return best / len(notes) * 1e6


def adversarial(size: int, seed: int = 7) -> str:
    """The linear-time test's hostile note (tests/hostile_text.py), with ordinary sentences mixed in."""
    return hostile_note(size, seed, _SENTENCES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    scan_text("Ring 070-123 45 67, pnr 121212-1212, a@b.se, Kalle Andersson.")  # imports, caches
    rows = []
    for label, digits in (("typical note, no digits", False), ("typical note, with digits", True)):
        notes = make_notes(args.notes, digits)
        mean_len = sum(map(len, notes)) / len(notes)
        new = per_note_us(scan_text, notes, args.repeat)
        old = per_note_us(baseline_find_pii, notes, args.repeat)
        rows.append((f"{label} ({mean_len:.0f} chars)", new, old))
    print(f"{'':40} {'scan_text':>10} {'baseline':>10} {'ratio':>7}")
    for label, new, old in rows:
        print(f"{label:40} {new:8.1f}µs {old:8.1f}µs {new / old:6.2f}x")
    for size in (1_000_000, 4_000_000):
        text = adversarial(size)
        start = time.perf_counter()
        hits = scan_text(text)
        seconds = time.perf_counter() - start
        print(f"hostile note {size // 1_000_000} MB: {seconds:.2f} s, {len(hits)} hits")
    for size in (20_000, 40_000):
        text = "a" * size + "@" + "@x." * (size // 30)
        start = time.perf_counter()
        baseline_find_pii(text)
        old = time.perf_counter() - start
        start = time.perf_counter()
        scan_text(text)
        new = time.perf_counter() - start
        print(f"one {size // 1000} KB word before '@': baseline {old:.2f} s, scan_text {new * 1000:.1f} ms")


if __name__ == "__main__":
    main()
