"""How a record or group file is cut into blocks (`imr.gates.merge.log_blocks`), the one cut the
merge, the history check, the hooks and `imr diff` share.

`log_blocks` cuts the file at the lines that start a block (found by a regular expression, or
without `re` in the merge driver's process by telling the lines apart) instead of building the
blocks line by line, and `item_indent` reads only the lines it needs. The line-by-line `log_blocks` it replaced
is kept here as the specification, and `item_indent` is held to `_item_indent` over all the lines,
over files of every shape of line: blank lines of spaces, tabs, CR and form feeds, deeper and
shallower lines, lines without a final line break, a byte-order mark, `log:` with a comment.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.gates.merge import _item_indent, block_starts, block_starts_by_lines, item_indent, lines_of, log_blocks


def reference_log_blocks(
    data: bytes, like: bytes | None = None, indent: int | None = None, blank_apart: bool = False
) -> list[bytes]:
    ends = lines_of(data)
    if indent is None:
        indent = _item_indent(ends if like is None else lines_of(like))
    blocks: list[bytes] = []
    pending = b""
    for line in ends:
        stripped = line.lstrip(b" ")
        if not stripped.strip():
            pending += line
            continue
        starts = len(line) - len(stripped) <= indent
        if pending:
            if starts and blank_apart and blocks:
                blocks.append(pending)
            elif blocks:
                blocks[-1] += pending
            else:
                blocks.append(pending)
            pending = b""
        if starts or not blocks:
            blocks.append(line)
        else:
            blocks[-1] += line
    if pending:
        if blank_apart and blocks:
            blocks.append(pending)
        elif blocks:
            blocks[-1] += pending
        else:
            blocks.append(pending)
    return blocks


PIECES = [
    b"",
    b" ",
    b"  ",
    b"   ",
    b"\t",
    b"\r",
    b"\x0c",
    b"\x0b",
    b" \t",
    b"-",
    b"- kind: session",
    b"  - b",
    b"  at: x",
    b"log:",
    b"log: # kommentar",
    b"\xef\xbb\xbflog:",
    b"# kommentar",
    b"id: p-01",
    b"a\t",
    b"\tx",
]
LINE = st.tuples(st.sampled_from(PIECES), st.sampled_from(PIECES), st.sampled_from([b"\n", b"\n", b"\r\n", b""]))
FILES = st.lists(LINE, max_size=14).map(lambda lines: b"".join(a + b + end for a, b, end in lines))


@settings(max_examples=400, deadline=None)
@given(
    FILES,
    st.one_of(st.none(), FILES),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.booleans(),
)
def test_blocks_are_cut_as_the_line_by_line_reading_cut_them(data, like, indent, blank_apart):
    assert log_blocks(data, like=like, indent=indent, blank_apart=blank_apart) == reference_log_blocks(
        data, like=like, indent=indent, blank_apart=blank_apart
    )
    assert item_indent(data) == _item_indent(lines_of(data))
    # the merge driver's own process, without `re`, finds the same lines that start a block
    for k in (0, 1, 2, 4):
        assert block_starts_by_lines(data, k) == block_starts(data, k)


def test_blank_lines_after_an_entry_are_a_block_of_their_own_only_when_asked():
    record = b"# c\nid: p-01\nlog:\n- kind: a\n  at: x\n\n \n- kind: b\n  at: y\n\n"
    assert log_blocks(record, blank_apart=True) == [
        b"# c\n",
        b"id: p-01\n",
        b"log:\n",
        b"- kind: a\n  at: x\n",
        b"\n \n",
        b"- kind: b\n  at: y\n",
        b"\n",
    ]
    assert log_blocks(record) == [
        b"# c\n",
        b"id: p-01\n",
        b"log:\n",
        b"- kind: a\n  at: x\n\n \n",
        b"- kind: b\n  at: y\n\n",
    ]
    indented = b"log:\n  - kind: a\n    at: x\n  - kind: b\n"
    assert item_indent(indented) == 2
    assert log_blocks(indented) == [b"log:\n", b"  - kind: a\n    at: x\n", b"  - kind: b\n"]
    assert log_blocks(b"") == [] and log_blocks(b"\n\n") == [b"\n\n"]
