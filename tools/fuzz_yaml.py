"""Fuzz the quick YAML reader against the strict one, and the writer against both (issue 26).

    python tools/fuzz_yaml.py [--seconds 300] [--seed 1]

Every text `quick_load` accepts must be read by `parse_text` without error and to the same
value; every text the writer makes from a short scalar must read back as that text in both
readers and in yaml-rs's own YAML 1.2 reading. The test suite runs a bounded round of the same
generator (tests/test_yaml_fuzz.py); this script runs for as long as asked and prints any
difference it finds, with the seed to reproduce it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imr.core.yamlio import YamlProblem, dump, parse_text, quick_load

ALPHABET = [
    *list("0123456789_-+.:xXoObBeEaAyYnN ~#'\"\\{}[]!&*%@`|>,?=<"),
    "\\u",
    "\\U0000",
    "d83d",
    "\\x",
    "0x",
    "0X",
    "0o",
    "0b",
    "_",
    "inf",
    "nan",
    "\n",
    "\t",
    "\u2028",
    "é",
    "😀",
]
SHAPES = [
    "a: {s}\n",
    "- {s}\n",
    'a: "{s}"\n',
    "a: '{s}'\n",
    "{s}: x\n",
    "a:\n- {s}\n",
    "a: [{s}]\n",
    "a: {s} # c\n",
    "log:\n- kind: note\n  text: {s}\n",
]
RECORD = (
    "# IMR record (pseudonymous).\nid: p-01\nformat: 2\nlog:\n"
    "- kind: enrolled\n  id: k3f9qa2m\n  at: '2026-01-01T10:00:00+01:00'\n  by: KL\n"
    "  variant: schizophrenia\n  format: individual\n  date: '2026-01-01'\n"
    "- kind: session\n  id: m4n5p6q7\n  at: '2026-02-01T10:00:00+01:00'\n  by: KL\n  module: 1\n"
    "  session: 2\n  date: '2026-02-01'\n  note: |\n    Rad ett.\n    Rad två.\n  homework: '0X10'\n"
)


def scalar(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))


def mutated(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(chars) + 1)
        action = rng.randrange(3)
        piece = rng.choice(ALPHABET)
        if action == 0:
            chars[at:at] = [piece]
        elif action == 1 and at < len(chars):
            del chars[at]
        elif at < len(chars):
            chars[at] = piece
    return "".join(chars)


def reader_difference(text: str) -> str | None:
    """Why the quick reader's result for `text` differs from the strict reader's, or None."""
    quick = quick_load(text)
    if quick is None:
        return None
    try:
        strict = parse_text(text)
    except YamlProblem as problem:
        return f"quick reader read what the strict one refuses ({problem.code})"
    except Exception as exc:
        return f"strict reader failed: {type(exc).__name__}"
    if strict != quick or _types(strict) != _types(quick):
        return f"different values: strict {strict!r}, quick {quick!r}"
    return None


def _types(value):
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


def writer_difference(value: str) -> str | None:
    """Why the text the writer makes for `value` does not read back as `value` everywhere."""
    text = dump([{"note": value}])
    try:
        strict = parse_text(text)
    except YamlProblem:
        return None  # the writer's own verification refuses such a value before any write
    if strict != [{"note": value}]:
        return f"strict reader reads {strict!r}"
    quick = quick_load(text)
    if quick is not None and quick != [{"note": value}]:
        return f"quick reader reads {quick!r}"
    try:
        import yaml_rs

        other = yaml_rs.loads(text, parse_datetime=False)
    except Exception:
        return None
    if other != [{"note": value}]:
        return f"a YAML 1.2 reader reads {other!r} from {text!r}"
    return None


def one_round(rng: random.Random) -> list[str]:
    problems = []
    value = scalar(rng)
    for shape in SHAPES:
        text = shape.format(s=value)
        why = reader_difference(text)
        if why:
            problems.append(f"{text!r}: {why}")
    why = writer_difference(value)
    if why:
        problems.append(f"write {value!r}: {why}")
    text = mutated(rng, RECORD)
    why = reader_difference(text)
    if why:
        problems.append(f"{text!r}: {why}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.seconds
    rounds = 0
    found = []
    while time.monotonic() < deadline:
        found.extend(one_round(rng))
        rounds += 1
    for problem in found[:50]:
        print(problem)
    print(f"{rounds} rounds, {len(found)} differences (seed {args.seed})")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
