"""The quick reader (yaml-rs) gives what the strict reader gives, or leaves the text to it.

`yamlio.quick_load` and the record layer's `_quick_record_data` may return None whenever they
like (the careful reader then reads the file); what they must never do is return something the
careful reader would not: other values, other types, other entry lines, or a file it refuses.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.core.yamlio import YamlProblem, decode, dump, parse_text, quick_load, quick_read
from imr.records import record as record_module
from imr.records.record import parse_record_bytes

ROOT = Path(__file__).resolve().parent.parent


def typed(value):
    """A value with every type spelled out: `True == 1 == 1.0` and a LineDict equals a dict."""
    if isinstance(value, dict):
        return ("map", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(v) for v in value])
    return (type(value).__name__, value)


def careful(text: str):
    try:
        return parse_text(text)
    except (YamlProblem, RecursionError):
        return YamlProblem


def assert_same(text: str) -> bool:
    """Checks one text both ways, reading one record and reading many (where the house
    writer's form is looked for); True when the quick reader took it."""
    quick = quick_load(text)
    many = quick_read(text, many=True)
    assert quick is None or many is not None, text  # (the form only ever spares the long checks)
    try:  # read from the text's own bytes (as a file's are when many are read), it is read alike
        own = quick_read(text, True, text.encode("utf-8"))
    except UnicodeEncodeError:  # (a lone surrogate: no file holds one)
        own = many
    assert (own is None) == (many is None), text
    assert own is None or (typed(own[0]), own[1]) == (typed(many[0]), many[1]), text
    if many is None:
        return False
    slow = careful(text)
    assert slow is not YamlProblem, f"the quick reader accepted what the strict one refuses: {text!r}"
    assert typed(many[0]) == typed(slow), text
    if quick is not None:
        assert typed(quick) == typed(slow), text
    for entries in (record_module._quick_record_data(text), record_module._quick_record_data(text, many=True)):
        if entries is not None:
            assert typed(entries[0]) == typed(slow), text
            found = entries[1]  # a list, or the lines of the writer's form counted when asked for
            lines = found if isinstance(found, list) else [found[index] for index in range(len(slow["log"]))]
            assert lines == [item.line for item in slow["log"]], text
    return True


def workspace_files() -> list[Path]:
    folders = [ROOT / "records", ROOT / "groups", ROOT / "tests" / "testdata"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.yaml"))


def test_the_workspace_records_are_read_quickly_and_alike():
    taken = 0
    for path in workspace_files():
        try:
            text = decode(path.read_bytes())
        except YamlProblem:
            continue
        taken += assert_same(text)
    records = sorted((ROOT / "records").glob("*.yaml"))
    assert records and all(record_module._quick_record_data(decode(p.read_bytes())) is not None for p in records)
    assert taken >= len(records)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",
        "a: on\n",
        "a: No\n",  # YAML 1.1 booleans, text in 1.2
        "a: 012\n",
        "a: -012\n",
        "a: 0o17\n",
        "a: 09\n",
        "a: [1, 012]\n",
        "a: 012 # octal\n",  # octal / leading zeros
        "a: 1:30\n",
        "a: 1e3\n",
        "a: 3.5\n",
        "a: .inf\n",
        "a: 1.5e3\n",  # sexagesimal, binary, floats
        "a: 1\n<<: {b: 2}\n",
        "a: =\n",  # merge and value keys
        "a: &x t\nb: *x\n",
        "a: &x t\n",
        "a: !str t\n",
        "a: !!str 012\n",
        "- !x t\n",  # anchors, aliases, tags
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\n...\n",  # documents, directives
        "? [a, b]\n: 1\n",
        "? a\n: 1\n",  # complex keys
        "a: b\x07c\n",
        "a: b\x85c\n",
        "a: b\u2028c\n",
        "a: b\u2029c\n",
        "a: b\ufeffc\n",
        "a: b\rc: d\n",  # 1.1 line breaks, controls
        ("k" * 1100) + ": 1\n",  # longer than libyaml's simple-key limit
        "1: a\ntrue: b\n",
        "~: a\n",
        "a: ''\n",
        "a: '12'\n",  # keys Python merges; text PyYAML would type if plain
        "".join("  " * i + "k:\n" for i in range(1500)) + "  " * 1500 + "v: 1\n",  # too deep for PyYAML's recursion
        "a: " + "[" * 2000 + "]" * 2000 + "\n",
        "a: [|x]\n",
        "a: [>x]\n",
        "a: [:x]\n",
        "a: [x:]\n",
        "a: [1, 2]\n",
        "a: {b: c}\n",
        "- [x]\n",  # flow context
    ],
)
def test_what_the_quick_reader_leaves_to_the_careful_one(text):
    assert quick_load(text) is None
    careful(text)  # whatever it says is what the user sees


@pytest.mark.parametrize(
    "text",
    [
        "a: Bra jobbat!\nb: Hur mår du?\nc: kl. 09.30\nd: rum 012-4\ne: y\n",  # `y` is text to PyYAML too
        "log:\n- kind: session\n  module: 3\n  note: |\n    två\n    rader\n- kind: absent\n  note: >\n    vikt\n    text\n",
        "id: p-01\nlog: []\n",
        "a: []\nb: {}  # tomma\nc: \"dubbel \\u00e9 \\t tab\"\nd: 'enkel ''citat'''\n",
        # (0x1F, 0b101 and 1_000 now go to the strict reader, with 0X1F, _5 and 0_8: issue 26)
        "a: 0\nb: +12\nc: -3\ne: ~\nf: null\ng:\nh: true\ni: False\n",
    ],
)
def test_ordinary_text_is_read_quickly_and_alike(text):
    assert assert_same(text)


def test_entry_lines_are_found_where_the_entries_start():
    text = (
        "# kommentar\nid: p-01\nformat: 2\nlog:\n- kind: enrolled\n  at: x\n\n# mitt i\n"
        "- kind: session\n  note: |\n    - inte en post\n  module: 1\n- kind: absent\n  module: 2\n"
    )
    quick = record_module._quick_record_data(text)
    assert quick is not None and quick[1] == [5, 9, 13]
    assert [e.line for e in parse_text(text)["log"]] == [5, 9, 13]


@pytest.mark.parametrize(
    "text",
    [
        "log:\n-\n  kind: session\n",  # the entry starts on the line after its dash
        "log:\n- # kommentar\n  kind: session\n",
        "log:\n  - kind: session\n",  # an indented log
        "log:\n- kind: a\nid: p\n- kind: b\n",  # not a record the careful reader accepts either
    ],
)
def test_entries_not_found_on_their_dash_lines_are_read_carefully(text):
    assert record_module._quick_record_data(text) is None


def test_a_record_read_quickly_is_the_record_read_carefully(tmp_path):
    for path in sorted((ROOT / "records").glob("*.yaml")):
        raw = path.read_bytes()
        quick = parse_record_bytes(raw, path)
        slow = record_module.record_from_data(parse_text(decode(raw)), path, str(path))
        assert quick == slow
        assert [e.line for e in quick.entries] == [e.line for e in slow.entries]


# Mutations of real records: every token below is one the two readers could disagree on, put
# where a node starts, inside text, or at the margin; lines are dropped, doubled and re-indented.
TOKENS = [
    "yes",
    "no",
    "on",
    "Off",
    "012",
    "-012",
    "0o7",
    "09",
    "1:30",
    "1e3",
    "3.5",
    ".nan",
    "~",
    "null",
    "true",
    "True",
    "<<",
    "=",
    "&a",
    "*a",
    "!t",
    "!!str",
    "? ",
    "---",
    "...",
    "%YAML 1.1",
    "|",
    ">",
    "'",
    '"',
    "#",
    "[",
    "]",
    "{",
    "}",
    ",",
    ": ",
    "- ",
    "-",
    "\t",
    "\r",
    "\x85",
    "\u2028",
    "\x07",
    "\ufeff",
    "\\",
    "\\x41",
    "\\u00e9",
    "0x1F",
    "0b11",
    "1_000",
    "+1",
    "\n",
    "  ",
    "log:",
    "kind: x",
    "'2026-02-30'",
    "2026-02-30",
    "é",
]
SOURCES = [decode(p.read_bytes()) for p in sorted((ROOT / "records").glob("*.yaml"))]


def mutate(text: str, edits: list[tuple[int, int, int]]) -> str:
    lines = text.split("\n")
    for kind, at, token in edits:
        index = at % len(lines)
        line = lines[index]
        piece = TOKENS[token % len(TOKENS)]
        if kind == 0:  # a token where a value starts, or at the end of a key
            cut = line.find(": ") + 2 if ": " in line else len(line) - len(line.lstrip(" -"))
            lines[index] = line[:cut] + piece + line[cut:]
        elif kind == 1:  # a token in the middle of the line
            cut = (token * 7) % (len(line) + 1)
            lines[index] = line[:cut] + piece + line[cut:]
        elif kind == 2:
            lines[index] = piece
        elif kind == 3:
            del lines[index]
        elif kind == 4:
            lines.insert(index, line)
        elif kind == 5:
            lines[index] = " " + line
        elif kind == 6:
            lines[index] = line[1:]
        else:  # replace the value with the token
            if ": " in line:
                lines[index] = line[: line.find(": ") + 2] + piece
        if not lines:
            lines = [""]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.integers(0, len(SOURCES) - 1),
    edits=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=4
    ),
)
def test_mutated_records_are_read_alike_or_left_to_the_careful_reader(source, edits):
    assert_same(mutate(SOURCES[source], edits))


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-2000, 2000),
            st.sampled_from(TOKENS),
            st.text(alphabet=st.sampled_from(list("ab09 :-#'\"éx.\n!&*?[]{},")), max_size=12),
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(alphabet="abkéy0 ", min_size=1, max_size=6), children, max_size=4),
        ),
        max_leaves=20,
    )
)
def test_the_house_writer_s_output_is_read_alike(value):
    assert_same(dump({"log": [{"kind": "x", "value": value}]}))


def block_scalars():
    """Every block scalar shape: headers, contents and what follows, in a mapping and in a list."""
    headers = ["|", "|-", "|+", ">", ">-", ">+", "|2", "|-2", ">2", "| # c", ">- # c"]
    contents = [
        [],
        ["a"],
        ["a", "b"],
        ["a", "", "b"],
        ["a", ""],
        ["a", "", ""],
        ["", "a"],
        ["a", "   b", "c"],
        ["a  ", "b"],
        ["   a", "b"],
        ["a", "  "],
        ["  ", "a"],
        ["a", " # x"],
    ]
    tails = ["", "\nz: 1\n", "\n", "\n\n", "\n# c\n", "\n\n# c\n", "\n  # c\n", "\n#c\nz: 1\n", "\n...\n"]
    for header in headers:
        for content in contents:
            for tail in tails:
                yield "k: " + header + "\n" + "\n".join("  " + x if x else "" for x in content) + tail
                yield (
                    "- k: "
                    + header
                    + "\n"
                    + "\n".join("    " + x if x else "" for x in content)
                    + tail.replace("\nz: 1", "\n  z: 1")
                )


def test_block_scalars_are_read_alike_or_left_to_the_careful_reader():
    taken = sum(assert_same(text) for text in block_scalars())
    assert taken > 1000  # the usual shapes are read quickly


# The one-pass check of a fine entry (kinds.validate_entry) against the full one (entry_problems):
# the same entries pass, whatever fields and values they have.
FIELD_VALUES = st.sampled_from(
    [
        "2026-03-01T10:00:00+01:00",
        "2026-02-30",
        "2026-03-01",
        "AB",
        "",
        " ",
        1,
        0,
        -1,
        True,
        None,
        3.5,
        "k3f9qa2m",
        "GK7M",
        "GK7M.1",
        "G1",
        "partly",
        "individual",
        "general",
        "client",
        "na",
        ["a"],
        [],
        [1] * 15,
        [3] * 15,
        {"note": "x"},
        {},
        "x" * 5000,
        "text\x07",
        "session",
        "ok",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(sorted(__import__("imr.records.kinds", fromlist=["KINDS"]).KINDS)),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "id",
                "at",
                "by",
                "module",
                "session",
                "date",
                "note",
                "homework",
                "homework_review",
                "handout",
                "target",
                "goal",
                "step",
                "text",
                "status",
                "variant",
                "format",
                "rater",
                "scores",
                "who",
                "set",
                "void",
                "steps",
                "triggers",
                "previous",
                "unknown",
                1,
            ]
        ),
        FIELD_VALUES,
        max_size=3,
    ),
    complete=st.booleans(),
)
def test_the_quick_entry_check_passes_exactly_what_the_full_one_passes(kind, fields, complete):
    from imr.records import kinds

    entry = {"kind": kind, **fields}
    if complete:  # start from a valid entry of the kind, so that passing entries are common too
        good = {
            "at": "2026-03-01T10:00:00+01:00",
            "by": "AB",
            "module": 1,
            "session": 1,
            "date": "2026-03-01",
            "variant": "general",
            "format": "individual",
            "target": "k3f9qa2m",
            "note": "ok",
            "goal": "GK7M",
            "text": "ok",
            "step": "GK7M.1",
            "status": "done",
            "rater": "client",
            "scores": [3] * 15,
            "who": "ok",
        }
        required = kinds.SCHEMA[kind][0]
        entry = {"kind": kind, **{k: good[k] for k in ("at", "by", *required)}, **fields}
    assert kinds.validate_entry(entry) == kinds.entry_problems(entry)


def test_the_quick_entry_check_agrees_on_every_entry_of_the_workspace():
    from imr.records import kinds

    entries = []
    for path in workspace_files():
        data = careful(decode(path.read_bytes()))
        if isinstance(data, dict) and isinstance(data.get("log"), list):
            entries.extend(e for e in data["log"] if isinstance(e, dict))
    assert len(entries) > 50
    for entry in entries:
        if entry.get("kind") in kinds.SCHEMA:
            assert kinds.validate_entry(entry) == kinds.entry_problems(entry)


def test_no_field_is_declared_twice_for_a_kind():
    from imr.records import kinds

    for required, optional in kinds.SCHEMA.values():
        assert not set(required) & set(optional) and not set(kinds.COMMON) & (set(required) | set(optional))


# Scalars, indicators and small structures in each place a value can stand (block and flow).
SHAPES = [
    "@x",
    "`x",
    "%x",
    "|x",
    ">x",
    "#x",
    ",x",
    "]x",
    "}x",
    "-x",
    "- x",
    "?x",
    ":x",
    "x:",
    "x :y",
    "x#y",
    "x #y",
    "'x'y",
    '"x"y',
    "x'",
    "-",
    "--",
    "---x",
    "...x",
    ": x",
    "x: y: z",
    "[x",
    "{x",
    "[x]y",
    "{a: b}c",
    "\\x",
    "<<x",
    "=x",
    "~x",
    "x\u00a0",
    "\u00a0x",
    "x\u3000y",
    "\u200bx",
    "x:y",
    "'x",
    '"x',
    "''",
    '""',
    "'a''b'",
    '"a\\"b"',
    '"\\x41"',
    '"\\q"',
    '"a\\\n  b"',
    "x\n  y",
    "x\n y",
    "x\ny",
    "x\n\n  y",
    "'x\n  y'",
    '"x\n  y"',
    "|\n  a\n b",
    "|\n   a\n  b",
    ">\n  a\n\n  b",
    "|-\n  a",
    "|+\n  a\n\n",
    "|2\n   a",
    "x # c\n  y",
    "- - x",
    "-\n  - x",
    "[]",
    "{}",
    "[] # c",
    "[ ]",
    "{ }",
    "null",
    "Null",
    "~",
    "true",
    "TRUE",
    "false",
    "1",
    "-1",
    "+1",
    "0",
    "0x1f",
    "0o7",
    "0b1",
    "1_0",
    "1.5",
    "1e3",
    ".5",
    "1:2",
    "-.inf",
    ".NaN",
    "[:x]",
    "[x:]",
    "[|x]",
]
PLACES = [
    "a: {}\n",
    "- {}\n",
    "a:\n  - {}\n",
    "a:\n- {}\n",
    "{}: a\n",
    "a:\n  {}\n",
    "a: b\n  {}\n",
    "a:\n  b: {}\n  c: d\n",
    "- a: {}\n  b: c\n",
]


def test_every_shape_in_every_place_is_read_alike_or_left_to_the_careful_reader():
    taken = sum(assert_same(place.replace("{}", shape)) for place in PLACES for shape in SHAPES)
    assert taken > 300


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="0123456789_-+ .:\nabxXoObB#,[{?", max_size=14))
def test_odd_numbers_are_found_wherever_the_expression_finds_them(text):
    """`_odd_number_at_node_start` walks out from each `_` and radix prefix instead of trying
    the expression at every character; it may refuse more (a run of signs), never less."""
    from imr.core import yamlio

    expression = any(yamlio._at_node_start(text, m.start()) for m in yamlio._QUICK_ODD_NUMBER.finditer(text))
    if expression:
        assert yamlio._odd_number_at_node_start(text)


@pytest.mark.parametrize("value", ["_5", "1_000", "0x1F", "-0X1F", "+0o17", "0B11", "12_3", "- 0_8"])
def test_a_plain_odd_number_leaves_the_text_to_the_careful_reader(value):
    text = f"a: ok\nb: {value}\nhomework_review: done\n"
    assert quick_load(text) is None
    assert_same(text)


def test_refused_characters_are_found_the_quick_way_as_the_long_way():
    """Text in Latin-1 is checked for refused characters as bytes; the answer is the expression's
    for every character below U+0100, around every edge of its ranges, and a sample above."""
    from imr.core.yamlio import _has_refused_chars, _quick_refused_chars

    refused = _quick_refused_chars()
    edges = [0x2027, 0x2028, 0x2029, 0x202A, 0xD7FF, 0xE000, 0xFEFE, 0xFEFF, 0xFF00, 0xFFFD, 0xFFFE, 0x10000]
    rng = random.Random(3)
    points = [*range(0x100), *edges, *(rng.randrange(0x100, 0x110000) for _ in range(2000))]
    for point in points:
        if 0xD800 <= point <= 0xDFFF:
            continue
        text = f"note: Åsa{chr(point)}ö\n"
        assert _has_refused_chars(text) == (refused.search(text) is not None), hex(point)


# --- The house writer's own form (`yamlio.writer_form`): read without the long checks ---------

NEEDS_THE_FORM = pytest.mark.skipif(
    sys.version_info < (3, 11, 5), reason="the form's expression needs Python 3.11.5 (possessive repeats)"
)

RECORD_PLACES = [
    "id: p-01\nlog:\n- kind: x\n  a: {}\n",
    "id: p-01\nlog:\n- a: {}\n  kind: x\n",
    "id: {}\nlog:\n- kind: x\n",
    "# c\nformat: {}\nlog:\n- kind: x\n",
    "id: p-01\nlog:\n- kind: x\n  a:\n  - {}\n  - b\n",
    "id: p-01\nlog:\n- kind: x\n  a: b\n    {}\n",
    "id: p-01\nlog:\n- kind: x\n  a:\n  - b\n    {}\n",
    "id: p-01\nlog:\n- kind: x\n  {}: b\n",
    "id: p-01\nlog:\n- kind: x\n  a: b {}\n",
    "id: p-01\nlog:\n- kind: x\n  a: b{}\n",
]
# What a value written by hand may be, beside SHAPES: words each YAML reads its own way, ids
# that start with a digit, numbers in every notation, and text around `:` and `#`.
WORDS = [
    *(
        w
        for base in ("yes", "no", "on", "off", "true", "false", "null", "y", "n")
        for w in (base, base.title(), base.upper())
    ),
    "yes x",
    "x yes",
    "1mkr7pgy",
    "0g1",
    "12h",
    "1e5",
    "1E5",
    "0o17",
    "0x1f",
    "0b11",
    "1d",
    "9z",
    "0",
    "00",
    "007",
    "012",
    "-012",
    "08",
    "12",
    "123456789012345678",
    "1234567890123456789012",
    "kl 14:30",
    "kl. 14:30:",
    "a:b",
    "a :b",
    "Rum #3",
    "C#",
    "a  b",
    "a ",
    "ÿes",
    "²x",
    "Ärende",
    "x\u2028y",
    "x\u0085y",
    "x\ufeffy",
    "'it''s'",
    "'a'' b",
    "''",
]


@NEEDS_THE_FORM
def test_every_value_in_every_place_of_a_record_is_read_alike_in_the_writer_s_form():
    """Whatever stands where a value or key stands in a record, a text `writer_form` takes is
    one yaml-rs reads as PyYAML does (values, types, entry lines), and the usual values are
    taken that way."""
    from imr.core.yamlio import writer_form

    taken = 0
    for place in RECORD_PLACES:
        for shape in SHAPES + WORDS:
            text = place.replace("{}", shape)
            if writer_form().fullmatch(text):
                assert assert_same(text), text
                taken += 1
    assert taken > 250


@NEEDS_THE_FORM
def test_records_in_the_writer_s_form_are_read_without_the_long_checks():
    for text in SOURCES:
        assert quick_read(text, many=True)[1] is True
        assert quick_read(text)[1] is False  # one record: read without compiling the form's expression
    entry = "- kind: session\n  id: 1mkr7pgy\n  at: '2026-03-02T10:00:00+01:00'\n  by: KL\n  module: 1\n  note: Bra.\n"
    assert quick_read("id: p-01\nformat: 2\nlog:\n" + entry * 3, many=True) == (
        {
            "id": "p-01",
            "format": 2,
            "log": [
                {
                    **{"kind": "session", "id": "1mkr7pgy"},
                    "at": "2026-03-02T10:00:00+01:00",
                    "by": "KL",
                    "module": 1,
                    "note": "Bra.",
                }
            ]
            * 3,
        },
        True,
    )
    # Outside the form (a comment in the log, a blank line, a block scalar): the long way, alike.
    for tail in ("# c\n", "\n", "  text: |\n    a\n"):
        text = "id: p-01\nlog:\n" + entry + tail + entry
        assert quick_read(text, many=True) is None or quick_read(text, many=True)[1] is False
        assert_same(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["kind", "note", "by", "id", "module", "steps", "yes", "a_b", "on"]),
            st.one_of(
                st.sampled_from(WORDS + SHAPES),
                st.integers(-5, 10**20),
                st.booleans(),
                st.none(),
                st.text(alphabet=st.sampled_from(list("ab1 :-#'\"éx.\n!&*?[]{},\u00a0\u2028")), max_size=40),
                st.text(alphabet="abc 12:", min_size=90, max_size=240),  # folded onto more lines
                st.lists(st.sampled_from([*WORDS, "Ring kontaktpersonen", "3"]), max_size=3),
            ),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_the_writer_s_records_are_read_alike_by_the_short_way(entries):
    """Records as the house writer writes them, with values chosen to sit on every edge of the
    form: yaml-rs and PyYAML read each one alike wherever `writer_form` takes it."""
    assert_same(dump({"id": "p-01", "format": 2, "log": entries}))


def test_the_lines_of_many_records_entries_are_counted_when_asked_for():
    """Read as one of many, a record in the writer's form counts its entries' lines only when
    one is asked for (a finding), and they are the careful reader's lines, after a value on
    several lines and a list alike."""
    text = dump(
        {
            "id": "p-01",
            "format": 2,
            "log": [
                {"kind": "enrolled", "id": "abcd2345", "note": "ord " * 40},
                {"kind": "goal", "id": "bcde2345", "steps": ["Ett", "Två", "Tre"]},
                {"kind": "session", "id": "cdef2345", "module": 1},
            ],
        }
    )
    record = parse_record_bytes(text.encode(), Path("records/p-01.yaml"), many=True)
    careful = [item.line for item in parse_text(text)["log"]]
    assert careful[1] > 5 and careful[2] > careful[1] + 3
    assert [entry.line for entry in reversed(record.entries)] == careful[::-1]
    assert record.entries == parse_record_bytes(text.encode(), Path("records/p-01.yaml")).entries
    # Were a `- ` line ever found that starts no entry, the careful reader's lines are taken.
    odd = text.replace("format: 2\n", "format: 2\ntags:\n- a\n- b\n")
    careful = [item.line for item in parse_text(odd)["log"]]
    lines = record_module._DashLines(odd, len(careful))
    assert [lines[index] for index in range(len(careful))] == careful
