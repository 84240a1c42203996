"""The strict YAML reader: what it refuses, with which line, and what it keeps as it was written."""

from __future__ import annotations

import pytest

from imr.core.yamlio import LineDict, YamlProblem, dump, parse_text


@pytest.mark.parametrize(
    "text,line,code",
    [
        ("a: 1\nb: 2\na: 3\n", 3, "yaml_duplicate_key"),
        ("a: yes\ntrue: 1\n'true': 2\nTrue: 3\n", 4, "yaml_duplicate_key"),  # `true` and `True` are one key
        ("a: &x text\nb: *x\n", 2, "yaml_alias"),  # a shared text scalar
        ("a: &x text\nb: [*x]\n", 1, "yaml_alias"),  # … used again in a list
        ("b: [&x text]\na: *x\n", 1, "yaml_alias"),  # … first in a list, then in a mapping (the anchor's line)
        ("a: &x {c: 1}\nb: *x\n", 2, "yaml_alias"),  # a shared mapping
        ("- &x [1, 2]\n- *x\n", 1, "yaml_alias"),  # a shared list item: the anchor's line
        ("a: 1\n<<: {b: 2}\n", 2, "yaml_alias"),  # a merge key, even without an alias
        ("? [a, b]\n: 1\n", 1, "yaml_syntax"),  # a list as a key
    ],
)
def test_refused_with_the_line(text, line, code):
    with pytest.raises(YamlProblem) as caught:
        parse_text(text)
    assert (caught.value.line, caught.value.code) == (line, code)


def test_values_types_and_lines_are_kept():
    text = (
        "id: p-01\nlog:\n- kind: session\n  at: '2026-03-01T10:00:00+01:00'\n  date: 2026-02-30\n"
        "  module: 1\n  ok: true\n  none: ~\n  score: 3.5\n  octal: '010'\n  steps: [G1.1, 2]\n"
        "  note: |\n    Två rader\n    text.\n- kind: absent\n  reason: sjuk\n"
    )
    data = parse_text(text)
    first, second = data["log"]
    assert isinstance(data, LineDict) and data.line == 1
    assert (first.line, second.line) == (3, 15)
    assert first["date"] == "2026-02-30"  # an impossible date stays text, for a clear finding later
    assert first["at"] == "2026-03-01T10:00:00+01:00"
    assert (first["module"], first["ok"], first["none"], first["score"]) == (1, True, None, 3.5)
    assert first["octal"] == "010" and first["steps"] == ["G1.1", 2]
    assert first["note"] == "Två rader\ntext.\n"
    assert parse_text(dump(data)) == data


def test_the_same_short_word_resolves_the_same_way_every_time():
    """Plain scalars' tags are remembered; a word must not take the type of an earlier one."""
    for _ in range(3):
        assert parse_text("a: 'yes'\nb: yes\nc: '12'\nd: 12\ne: 12a\n") == {
            "a": "yes",
            "b": True,
            "c": "12",
            "d": 12,
            "e": "12a",
        }
