"""Merging clones' versions of an append-only log so that every order of merging ends the same.

A record or group file is a header and a `log:` list, cut into blocks (`log_blocks`): each log
item with its deeper lines, each other line at the left margin alone. Blocks are immutable:
once written, a block's bytes never change. Merging two versions (git gives the common base,
ours and theirs) keeps every block of both and invents none:

- every block of the base must be in both sides, byte for byte and in the same order (else
  someone changed or removed an earlier entry: the merge is refused);
- the blocks both sides have (the base, and entries both picked up, e.g. by a cherry-pick)
  are anchors and keep their places;
- between two anchors, each side's own new blocks are joined by one canonical rule: repeatedly
  take the smaller of the two sides' next blocks by the key (`at` as a moment, then `id`,
  then the bytes; a block without a readable `at` after those with one). Each side keeps its
  own order, and the rule looks at the blocks only, never at which side is "ours".

Why this converges: that step ("merge" of merge sort) puts a block before another side's
block exactly when the largest key up to it in its own run is smaller, so the result is the
blocks ordered by that running maximum, a value the block carries through every later merge.
The result depends on the set of blocks, not on who merged first or whether the merge ran in
`imr sync`, `git pull`, `git pull --rebase`, `cherry-pick` or `am -3`. Two clones merging the
same pair write the same bytes, so their merge commits meet without a conflict.
`imr.gates.history` holds every commit to the same rule (see `insertion_problem`).

The exact bytes each side wrote survive (CRLF line ends and a byte-order mark included).
`imr sync` runs this for every record of a merge in its own process (`imr.gates.sync`); a raw
`git pull` starts one driver process per file (see `imr.merge_driver`), where start-up time is
most of a merge's cost, so this module imports nothing but builtins at the top. The common
case is decided without PyYAML, recognising the new entries in the house style the writer
produces (about three times quicker than parsing, in the driver and in sync alike: see
bench/bench_merge.py); anything outside that narrow shape is checked by parsing the result
with the strict reader.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, pairwise, repeat
from operator import not_

TYPE_CHECKING = False  # not `typing`'s: importing typing loads `re` (see `block_starts`)
if TYPE_CHECKING:
    import re

_MARKER_SIZE = 7


class MergeOutcome:
    """A clean merge carries `text`; a refused one carries `reason` (a strings key)."""

    __slots__ = ("reason", "text")

    def __init__(self, text: str | None = None, reason: str | None = None) -> None:
        self.text = text
        self.reason = reason

    @property
    def clean(self) -> bool:
        return self.text is not None

    def __repr__(self) -> str:
        return f"MergeOutcome(text={self.text!r}, reason={self.reason!r})"


def merge_logs(base: bytes, ours: bytes, theirs: bytes) -> MergeOutcome:
    """Merge two versions of one log file that grew from `base`, or say why that is not safe."""
    if ours == theirs or base == theirs:
        return _decoded(ours)
    if base == ours:
        return _decoded(theirs)
    if not base:
        return MergeOutcome(reason="merge_unreadable")  # the same file made in two clones
    if not base.endswith(b"\n"):
        # The writer starts a new line before appending; text glued to the last line changes it.
        newline = b"\r\n" if ours.startswith(base + b"\r\n") or theirs.startswith(base + b"\r\n") else b"\n"
        if not all(side == base or side.startswith(base + newline) for side in (ours, theirs)):
            return MergeOutcome(reason="merge_rewritten")
        base += newline
        ours, theirs = (base if side + newline == base else side for side in (ours, theirs))
    try:
        for data in (base, ours, theirs):
            data.decode("utf-8")
    except UnicodeDecodeError:
        return MergeOutcome(reason="merge_unreadable")
    indent = item_indent(base) if _has_item(base) else item_indent(ours if _has_item(ours) else theirs)
    base_blocks = log_blocks(base, indent=indent, blank_apart=True)
    split = [base_blocks, *(appended_blocks(base, base_blocks, side, indent) for side in (ours, theirs))]
    joined = join_blocks(split[1], split[2], indent, base=split[0])
    if isinstance(joined, str):
        return MergeOutcome(reason=joined)
    result, new = joined
    text = b"".join(result).decode("utf-8")
    problem = _verify(text, split[0], new, indent, split[1:], result)
    if problem:
        return MergeOutcome(reason=problem)
    return MergeOutcome(text=text)


def join_blocks(
    ours: list[bytes], theirs: list[bytes], indent: int, base: list[bytes] | None = None
) -> tuple[list[bytes], list[bytes]] | str:
    """The canonical join of two block lists, and the blocks not in `base`; or a refusal reason.

    With `base`, each side must hold the base's blocks unchanged and in order. The history
    check calls this without a base to recompute what a merge commit should be.
    """
    if base is not None and not (is_subsequence(base, ours) and is_subsequence(base, theirs)):
        return "merge_rewritten"
    in_theirs: dict[bytes, int] = {}
    for block in theirs:
        in_theirs[block] = in_theirs.get(block, 0) + 1
    in_ours: dict[bytes, int] = {}
    for block in ours:
        in_ours[block] = in_ours.get(block, 0) + 1
    shared_o = _shared(ours, in_theirs)
    shared_t = _shared(theirs, in_ours)
    if [ours[k] for k in shared_o] != [theirs[k] for k in shared_t]:
        return "merge_rewritten"  # the same entries in another order: not a join of appends
    result: list[bytes] = []
    new: list[bytes] = []
    i = j = 0
    for a, b in zip([*shared_o, len(ours)], [*shared_t, len(theirs)], strict=False):
        run_o, run_t = ours[i:a], theirs[j:b]
        for run in (run_o, run_t):
            new.extend(run)
        result.extend(merge_runs(run_o, run_t, indent))
        if a < len(ours):
            result.append(ours[a])
        i, j = a + 1, b + 1
    if base is not None:
        counted: dict[bytes, int] = {}
        for block in base:
            counted[block] = counted.get(block, 0) + 1
        new = [block for block in _without(result, counted)]
    for k in range(len(result) - 1):
        if not result[k].endswith(b"\n"):
            result[k] += b"\n"
    return result, new


def _shared(blocks: list[bytes], other: dict[bytes, int]) -> list[int]:
    left = dict(other)
    out = []
    for k, block in enumerate(blocks):
        if left.get(block, 0) > 0:
            left[block] -= 1
            out.append(k)
    return out


def _without(blocks: list[bytes], counted: dict[bytes, int]) -> list[bytes]:
    left = dict(counted)
    out = []
    for block in blocks:
        if left.get(block, 0) > 0:
            left[block] -= 1
        else:
            out.append(block)
    return out


def first_missing(small: list[bytes], large: list[bytes]) -> int | None:
    """The index of the first block of `small` not found, in order, in `large` (None: all are)."""
    position = 0
    for k, block in enumerate(small):
        while position < len(large) and large[position] != block:
            position += 1
        if position == len(large):
            return k
        position += 1
    return None


def is_subsequence(small: list[bytes], large: list[bytes]) -> bool:
    return first_missing(small, large) is None


def merge_runs(run_a: list[bytes], run_b: list[bytes], indent: int) -> list[bytes]:
    """The merge step of merge sort by `block_key`: each run keeps its order, sides do not matter."""
    if not run_a or not run_b:
        return list(run_a or run_b)
    keys_a = [block_key(block, indent) for block in run_a]
    keys_b = [block_key(block, indent) for block in run_b]
    out: list[bytes] = []
    i = j = 0
    while i < len(run_a) and j < len(run_b):
        if keys_a[i] <= keys_b[j]:
            out.append(run_a[i])
            i += 1
        else:
            out.append(run_b[j])
            j += 1
    return out + run_a[i:] + run_b[j:]


def block_key(block: bytes, indent: int) -> tuple:
    """The canonical order of a block: (has a time, `at` as UTC microseconds, `id`, the bytes)."""
    fields = block_fields(block, indent)
    moment = _time_key(fields.get("at")) if "at" in fields else None
    if moment is None:
        return (1, 0, "", block)
    return (0, moment, fields.get("id", ""), block)


def block_fields(block: bytes, indent: int) -> dict[str, str]:
    """`id`, `kind`, `at` and `target` of a log item as one-line scalars, read by line shape only."""
    fields: dict[str, str] = {}
    column = indent + 2
    for number, raw in enumerate(block.split(b"\n")):
        line = raw.rstrip(b"\r")
        if number == 0:
            if line[indent : indent + 2] != b"- ":
                return fields
            rest = line[column:]
        elif len(line) > column and line[:column] == b" " * column and line[column : column + 1] not in (b" ", b"#"):
            rest = line[column:]
        else:
            continue
        colon = rest.find(b": ")
        if colon <= 0:
            continue
        key = rest[:colon]
        if key in (b"id", b"kind", b"at", b"target"):
            try:
                value = _scalar(rest[colon + 2 :].decode("utf-8").strip(" "))
            except UnicodeDecodeError:
                value = None
            if value is not None and key.decode() not in fields:
                fields[key.decode()] = value
    return fields


def merge_files(base: str, ours: str, theirs: str, shown: str = "", marker_size: int = _MARKER_SIZE) -> MergeOutcome:
    """Git's merge-driver contract: the result goes into `ours`; a refusal leaves markers there."""
    with open(base, "rb") as handle:
        base_data = handle.read()
    with open(ours, "rb") as handle:
        ours_data = handle.read()
    with open(theirs, "rb") as handle:
        theirs_data = handle.read()
    outcome = merge_logs(base_data, ours_data, theirs_data)
    label = shown or str(ours)
    result = (
        outcome.text.encode("utf-8")
        if outcome.text is not None
        else conflict_text(base_data, ours_data, theirs_data, label, marker_size)
    )
    if result != ours_data:
        with open(ours, "wb") as handle:
            handle.write(result)
    return outcome


# --- cutting a file into blocks ---------------------------------------------------------------


def log_blocks(
    data: bytes, like: bytes | None = None, indent: int | None = None, blank_apart: bool = False
) -> list[bytes]:
    """A file as blocks: each log item with its deeper lines, each other top-level line alone.

    The one way a record or group file is cut into entries for comparing versions: in the
    merge, the history check and the hooks, and in `imr diff` for the wording. Blank lines stay
    with the block before them. The item indent is the first list item's after `log:` (in
    `like` when given: an older version may have no item yet); without one, every line at the
    left margin starts a block. `blank_apart` (for merging and the history rule): blank lines
    after a block are a block of their own, so blank lines appended after an entry do not
    make that entry look changed.

    The file is cut, never copied line by line: a block starts at every line that is not blank
    and has at most `indent` leading spaces, and with `blank_apart` also at the blank lines
    before such a line or the end, when something stands above them. Blank lines at the very
    start belong to the first block.
    """
    if not data:
        return []
    if indent is None:
        indent = item_indent(data if like is None else like)
    cuts = block_starts(data, indent)
    if blank_apart:
        cuts = _with_blank_runs(data, cuts)
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(data))
    return [data[a:b] for a, b in pairwise(cuts) if b > a]


def appended_blocks(base: bytes, base_blocks: list[bytes], data: bytes, indent: int) -> list[bytes]:
    """`log_blocks(data, indent=indent, blank_apart=True)` of a version that may add to `base`
    (cut into `base_blocks`), cutting only the added text where that gives the same blocks.

    It does when `base` ends with a line break and the added text's first line starts a block:
    whether a line starts a block depends on that line alone, and a run of blank lines (cut
    apart from the block above it) cannot reach across that first line, so the cuts are the
    base's (the run before its end included), the added text's start and the added text's own.
    """
    if len(data) > len(base) and base.endswith(b"\n") and data.startswith(base):
        added = data[len(base) :]
        if _first_line_starts(added, indent):
            return base_blocks + log_blocks(added, indent=indent, blank_apart=True)
    return log_blocks(data, indent=indent, blank_apart=True)


def block_starts(data: bytes, indent: int) -> list[int]:
    """Where each line begins that is not blank and has at most `indent` leading spaces.

    Found by one regular expression in C that skips from line break to line break (most lines
    of a record are an entry's deeper lines, refused at their first spaces): about 3x quicker
    than telling the lines apart. Importing `re` costs a fresh interpreter about 10 ms, so the
    merge driver's own process, where it is not loaded yet, tells the lines apart instead
    (`block_starts_by_lines`, the same cuts).
    """
    regex = sys.modules.get("re")
    if regex is None:
        return block_starts_by_lines(data, indent)
    pattern = _STARTS.get(indent)
    if pattern is None:
        pattern = _STARTS[indent] = regex.compile(rb"\n(?! {%d})[ \t\r\x0b\x0c]*[^ \t\r\n\x0b\x0c]" % (indent + 1))
    starts = [match.start() + 1 for match in pattern.finditer(data)]
    if _first_line_starts(data, indent):
        starts.insert(0, 0)
    return starts


def _first_line_starts(data: bytes, indent: int) -> bool:
    """Whether the first line of `data` starts a block: not blank, at most `indent` spaces in."""
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    return bool(first.strip()) and not first.startswith(b" " * (indent + 1))


# Per indent: a line break, then a line that is not blank (something `bytes.strip` keeps) and does
# not start with more than `indent` spaces.
_STARTS: dict[int, re.Pattern[bytes]] = {}


def block_starts_by_lines(data: bytes, indent: int) -> list[int]:
    """`block_starts` without `re`: the lines with more than `indent` leading spaces are told
    apart in one pass in C."""
    lines = data.split(b"\n")
    shallow = compress(range(len(lines)), map(not_, map(bytes.startswith, lines, repeat(b" " * (indent + 1)))))
    offsets = list(accumulate(map(len, lines), initial=0))  # line k starts at offsets[k] + k
    return [offsets[k] + k for k in shallow if lines[k].strip()]


_BLANK_BYTES = frozenset(b" \t\n\r\x0b\x0c")  # what `bytes.strip` removes


def _with_blank_runs(data: bytes, cuts: list[int]) -> list[int]:
    """`cuts` (the starts of blocks) and, before each of them and before the end, the start of
    the blank lines just above it, where a line that is not blank stands higher up."""
    out: list[int] = []
    for at in [*cuts, len(data)]:
        run = at
        while run > 0:
            if run > 1 and data[run - 2] not in _BLANK_BYTES:
                break  # the line above ends in text: it is not blank
            above = data.rfind(b"\n", 0, run - 1) + 1
            if data[above:run].strip():
                break
            run = above
        if 0 < run < at:
            out.append(run)
        if at < len(data):
            out.append(at)
    return out


def item_indent(data: bytes) -> int:
    return _item_indent(_lines_lazily(data))


def _lines_lazily(data: bytes) -> Iterator[bytes]:
    """The lines `lines_of` gives, one at a time (the item indent is found in the first few)."""
    at = 0
    while True:
        end = data.find(b"\n", at)
        if end < 0:
            if at < len(data):
                yield data[at:]
            return
        yield data[at : end + 1]
        at = end + 1


def _has_item(data: bytes) -> bool:
    return b"\n-" in data or b"\n -" in data or b"\n  -" in data


def _item_indent(ends: Iterable[bytes]) -> int:
    indent = 0
    after_log = False
    for line in ends:
        stripped = line.lstrip(b" ")
        if not after_log:
            after_log = line.lstrip(b"\xef\xbb\xbf").startswith(b"log:") and line[4:].split(b"#")[0].strip() == b""
            continue
        if stripped.startswith(b"-") and stripped[1:2] in (b" ", b"\n", b"\r", b""):
            indent = len(line) - len(stripped)
            break
        if stripped.strip() and not stripped.startswith(b"#"):
            break
    return indent


def is_item(block: bytes, indent: int) -> bool:
    return (
        block[indent : indent + 1] == b"-"
        and block[indent + 1 : indent + 2] in (b" ", b"\n", b"\r", b"")
        and block[:indent] == b" " * indent
    )


def is_comment(block: bytes) -> bool:
    """Comment or blank lines only (they change no entry)."""
    return all(not line.strip() or line.strip().startswith(b"#") for line in block.split(b"\n"))


# --- checking the result -----------------------------------------------------------------------


def _verify(
    text: str, base: list[bytes], new: list[bytes], indent: int, sides: list[list[bytes]], result: list[bytes]
) -> str | None:
    """None when the joined text is the log with every entry of both sides; else a reason."""
    for block in new:
        if not (is_item(block, indent) or is_comment(block)):
            return "merge_unreadable"  # new text that is not a log entry: a header line, a key
    base_text = b"".join(base).decode("utf-8")
    quick = _log_is_last(base_text, " " * indent) and all(
        is_comment(block)
        or _house_style_fields(block.decode("utf-8").splitlines(keepends=True), " " * indent) is not None
        for block in new
    )
    if not quick:
        problem = _careful(text, new, indent, result)
        if problem:
            return problem
    return _corrections_point_right(new, indent, sides, result)


def _careful(text: str, new: list[bytes], indent: int, result: list[bytes]) -> str | None:
    YamlProblem, parse_text = _reader()
    for block in new:
        if is_comment(block):
            continue
        lines = block.decode("utf-8").splitlines(keepends=True)
        dedented = "".join(line[indent:] if line.startswith(" " * indent) else line for line in lines)
        try:
            parsed = parse_text(dedented)
        except YamlProblem:
            return "merge_unreadable"
        if not isinstance(parsed, list) or len(parsed) != 1 or not isinstance(parsed[0], dict):
            return "merge_unreadable"
    try:
        data = parse_text(text)
    except YamlProblem:
        return "merge_unreadable"
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, list) or len(log) != sum(1 for block in result if is_item(block, indent)):
        return "merge_unreadable"
    return None


def _corrections_point_right(
    new: list[bytes], indent: int, sides: list[list[bytes]], result: list[bytes]
) -> str | None:
    """A correction in an old record names its target by position: that position must not move."""
    numbered = [block for block in new if b"correction" in block and b"target:" in block]
    if not numbered:
        return None
    result_items = [block for block in result if is_item(block, indent)]
    for side in sides:
        items = [block for block in side if is_item(block, indent)]
        for block in numbered:
            if block not in side:
                continue
            fields = block_fields(block, indent)
            target = fields.get("target", "")
            if fields.get("kind") != "correction" or not target.isdigit() or not target.isascii():
                continue
            number = int(target)
            if 1 <= number <= len(items) and (
                number > len(result_items) or result_items[number - 1] != items[number - 1]
            ):
                return "merge_correction_moved"
    return None


def _decoded(data: bytes) -> MergeOutcome:
    try:
        return MergeOutcome(text=data.decode("utf-8"))
    except UnicodeDecodeError:
        return MergeOutcome(reason="merge_unreadable")


# --- the writer's style, recognised without a YAML parser -----------------------------------

_PLAIN_START_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_INDICATORS = frozenset(("|", "|-", "|+", ">", ">-", ">+"))


def _log_is_last(base_text: str, indent: str) -> bool:
    """Whether text appended at `indent` continues the base's `log:` list (line shape only).

    The base is the common ancestor both sides committed, so its entries are not parsed
    again; but the new entries must land in the log, so `log:` must be the last top-level
    key and every line after it an item at `indent`, a deeper line, a comment or blank.
    """
    start = base_text.rfind("\nlog:")
    if start < 0:
        if not base_text.startswith("log:"):
            return False
        start = 0
    else:
        start += 1
    end = base_text.find("\n", start)
    rest_of_key = base_text[start + 4 : end if end >= 0 else len(base_text)].strip()
    if rest_of_key and not rest_of_key.startswith("#"):
        return False  # `log: []` or a value on the key's line: appended items cannot join it
    if end < 0:
        return True
    if "re" not in sys.modules:  # the merge driver's own process: see `block_starts`
        return _log_continues_by_lines(base_text, end, indent)
    return _log_continues(base_text, end, indent)


def _log_continues(text: str, end: int, indent: str) -> bool:
    """Whether the lines after the line break at `end` are items at `indent` with their deeper
    lines, comments and blank lines, the first line of content an item (three searches in C)."""
    import re

    width = len(indent)
    patterns = _LOG_LINES.get(width)
    if patterns is None:
        patterns = _LOG_LINES[width] = (
            re.compile(r"\n(?! *\r?$)(?! *#)", re.M),
            re.compile(rf"\n {{{width}}}-(?: |$)", re.M),
            re.compile(rf"\n(?! {{{width + 1}}})(?! *\r?$)(?! *#)(?! {{{width}}}-(?: |$))", re.M),
        )
    content, item, other = patterns
    first = content.search(text, end)  # the line break before the first line of content
    if first is None:
        return True
    return item.match(text, first.start()) is not None and other.search(text, first.start()) is None


# Per item indent, each after a line break (so that the search skips from break to break): a line
# with content (not blank, not a comment); an item at the indent; a line that is none of blank,
# comment, item or deeper (where `_log_continues_by_lines` returns False).
_LOG_LINES: dict[int, tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = {}


def _log_continues_by_lines(text: str, end: int, indent: str) -> bool:
    """`_log_continues` line by line, without `re`."""
    width = len(indent)
    seen_item = False
    for line in text[end + 1 :].split("\n"):
        stripped = line.lstrip(" ")
        if not stripped or stripped == "\r" or stripped.startswith("#"):
            continue
        depth = len(line) - len(stripped)
        if depth > width and seen_item:
            continue
        if depth == width and _starts_item(line, indent):
            seen_item = True
            continue
        return False  # another top-level key, or the base's items sit at another indent
    return True


def _house_style_fields(block: list[str], indent: str) -> dict[str, str] | None:
    """`kind` and `at` of one entry written in the writer's style, or None if unsure.

    Accepted: one block mapping whose keys are plain words, each value a one-line scalar
    (plain, or quoted without escapes), a block scalar (`|`, `>`, with chomping), a plain
    scalar folded over several lines as the writer folds long notes, or a list or mapping
    of one-line scalars; comments; blank lines. Every line is printable text without tabs.
    That is a strict subset of what the strict reader accepts (unique keys included);
    anything else is left to the reader.
    """
    shape = _HouseStyle(len(indent))
    for raw in block:
        if not shape.read(raw):
            return None
    return shape.fields if shape.complete() else None


class _HouseStyle:
    """One entry read line by line; `mode` says what the next line may be:
    start (the item's first line), key (a key of the entry), plain (a key, or a further line of
    a folded plain scalar), quoted (inside a single-quoted scalar), block (inside a block
    scalar), nested (the lines of a list or mapping under a key)."""

    __slots__ = ("block_indent", "column", "fields", "indent", "mode", "nested_depth", "nested_keys", "seen")

    def __init__(self, indent: int) -> None:
        self.indent = indent
        self.column = indent + 2
        self.fields: dict[str, str] = {}
        self.seen: set[str] = set()
        self.mode = "start"
        self.block_indent = 0
        self.nested_keys: set[str] = set()
        self.nested_depth = -1

    def complete(self) -> bool:
        """Whether the entry ended where an entry may end."""
        return not (
            self.mode in ("start", "quoted")
            or (self.mode == "nested" and self.nested_depth == -1)
            or (self.mode == "block" and self.block_indent == 0)
        )

    def read(self, raw: str) -> bool:
        """Take one line; False when it is outside the house style."""
        line = raw[:-1] if raw.endswith("\n") else raw
        if line.endswith("\r"):
            line = line[:-1]
        if not line.isprintable():
            return False  # tabs, control characters, other line breaks, invisible characters
        stripped = line.lstrip(" ")
        depth = len(line) - len(stripped)
        if self.mode == "quoted":  # a single-quoted scalar the writer folded over several lines
            return self._quoted(stripped, depth)
        if self.mode == "block":
            inside = self._block(line, stripped, depth)
            if inside is not None:
                return inside
        if not stripped:
            return True
        if stripped.startswith("#"):
            if self.mode == "plain":
                self.mode = "key"  # a comment ends a folded plain scalar
            return True
        return self._content(line, stripped, depth)

    def _quoted(self, stripped: str, depth: int) -> bool:
        if not stripped:
            return True
        if depth <= self.column:
            return False
        closed = _quote_closes(stripped)
        if closed is None:
            return False
        if closed:
            self.mode = "key"
        return True

    def _block(self, line: str, stripped: str, depth: int) -> bool | None:
        """A line of a block scalar (True), one it cannot hold (False), or None: the scalar
        ended and the line is read as a key."""
        if not stripped:
            return not line  # a spaces-only line in a block scalar: leave it to the reader
        if self.block_indent == 0:
            if depth <= self.column:
                return False
            self.block_indent = depth
            return True
        if depth >= self.block_indent:
            return True
        self.mode = "key"
        return None

    def _content(self, line: str, stripped: str, depth: int) -> bool:
        if self.mode == "start":
            if depth != self.indent or not stripped.startswith("- "):
                return False
            return self._key(line[self.column :])
        if depth == self.column and not stripped.startswith("-"):
            if self.mode == "nested" and self.nested_depth == -1:
                return False  # a key without a value (null): leave it to the reader
            return self._key(stripped)
        if self.mode == "plain" and depth > self.column:
            return _plain_continuation(stripped)
        if self.mode == "nested" and depth >= self.column and self.nested_depth in (-1, depth):
            return self._nested(stripped, depth)
        return False

    def _nested(self, stripped: str, depth: int) -> bool:
        self.nested_depth = depth
        if stripped.startswith("- "):
            if self.nested_keys - {"-"} or not _one_line_value(stripped[2:]):
                return False
            self.nested_keys.add("-")
            return True
        key, value = _key_value(stripped)
        if key is None or key in self.nested_keys or "-" in self.nested_keys or depth == self.column:
            return False
        if not _one_line_value(value):
            return False
        self.nested_keys.add(key)
        return True

    def _key(self, rest: str) -> bool:
        key, value = _key_value(rest)
        if key is None or key in self.seen:
            return False
        self.seen.add(key)
        if key in ("kind", "at", "target"):
            scalar = _scalar(value)
            if scalar is None:
                return False
            self.fields[key] = scalar
            self.mode = "key"
        elif value == "":
            self.mode = "nested"
            self.nested_keys = set()
            self.nested_depth = -1
        elif value in _BLOCK_INDICATORS:
            self.mode = "block"
            self.block_indent = 0
        elif _one_line_value(value):
            self.mode = "key" if value[0] in "'\"" else "plain"
        elif value[0] == "'" and _quote_closes(value[1:]) is False:
            self.mode = "quoted"
        else:
            return False
        return True


def _key_value(text: str) -> tuple[str | None, str]:
    colon = text.find(":")
    if colon <= 0:
        return None, ""
    key = text[:colon]
    if not (key.isascii() and key.replace("_", "a").replace("-", "a").isalnum() and key[0].isalpha()):
        return None, ""
    rest = text[colon + 1 :]
    if rest and not rest.startswith(" "):
        return None, ""
    return key, rest.strip(" ")


def _one_line_value(value: str) -> bool:
    """A scalar complete on its line: quoted without escapes, or plain."""
    if not value:
        return False
    first = value[0]
    if first == "'":
        return len(value) >= 2 and value.endswith("'") and "'" not in value[1:-1].replace("''", "")
    if first == '"':
        return len(value) >= 2 and value.endswith('"') and '"' not in value[1:-1] and "\\" not in value
    return _plain(value)


def _quote_closes(text: str) -> bool | None:
    """Inside a single-quoted scalar: True if `text` ends it (at its very end), False if it
    goes on, None if a quote ends it before the end of the line."""
    rest = text.replace("''", "")
    position = rest.find("'")
    if position < 0:
        return False
    return True if position == len(rest) - 1 else None


def _plain(value: str) -> bool:
    return (
        value[0] not in _PLAIN_START_FORBIDDEN
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value == value.rstrip(" ")
    )


def _plain_continuation(text: str) -> bool:
    """A further line of a plain scalar the writer folded over several lines."""
    return (
        text[0] not in _PLAIN_START_FORBIDDEN
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not text.startswith("- ")
    )


def _scalar(value: str) -> str | None:
    """The text of a one-line scalar for `kind`, `at` or `target`; None if unsure."""
    if not value or "#" in value:
        return None
    if value[0] == "'":
        return value[1:-1].replace("''", "'") if _one_line_value(value) else None
    if value[0] == '"':
        return value[1:-1] if _one_line_value(value) else None
    if not _plain(value):
        return None
    return value


def _split_items(lines: list[str], indent: str) -> list[list[str]]:
    """Lines grouped per list item; comments before the first item stay with it."""
    blocks: list[list[str]] = [[]]
    seen_item = False
    for line in lines:
        starts_item = _starts_item(line, indent)
        if starts_item and seen_item:
            blocks.append([])
        seen_item = seen_item or starts_item
        blocks[-1].append(line)
    return blocks


def _starts_item(line: str, indent: str) -> bool:
    """A line that starts a list item at exactly `indent` (`- ` or a lone `-`)."""
    width = len(indent)
    if not line.startswith(indent) or line[width : width + 1] != "-":
        return False
    after = line[width + 1 :]
    return after == "" or after == "\n" or after[0] == " "


def _time_key(value: object) -> int | None:
    """The moment of an `at` value as UTC microseconds, or None if it is not an aware time."""
    if not isinstance(value, str):
        return None
    from datetime import datetime, timedelta, timezone

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def _reader():
    """The strict YAML reader; under `python -S` (the quick driver) site-packages come first."""
    import sys

    if sys.flags.no_site and "yaml" not in sys.modules:
        import site

        site.main()
    from imr.core.yamlio import YamlProblem, parse_text

    return YamlProblem, parse_text


# --- a refused merge: every difference between markers --------------------------------------


def conflict_text(base: bytes, ours: bytes, theirs: bytes, label: str, marker_size: int = _MARKER_SIZE) -> bytes:
    """All three versions with every region where they differ between conflict markers.

    Lines that are the same in the base and on both sides stay as they are; everything else
    (a rewritten earlier line, a removed entry, each side's new entries) stands in one
    marked region with our text, the base's and theirs (git's diff3 style, so a reviewer
    sees what the earlier bytes were). Keeping the `ours` part of every region gives exactly
    our version, keeping `theirs` gives theirs: nothing that differs can stand unmarked.
    """
    from difflib import SequenceMatcher

    base_lines, ours_lines, theirs_lines = (lines_of(data) for data in (base, ours, theirs))
    newline = b"\r\n" if (ours_lines or base_lines or [b""])[0].endswith(b"\r\n") else b"\n"
    head = 0
    while (
        head < len(base_lines)
        and head < len(ours_lines)
        and head < len(theirs_lines)
        and base_lines[head] == ours_lines[head] == theirs_lines[head]
        and base_lines[head].endswith(b"\n")
    ):
        head += 1
    tail = 0
    while (
        tail < min(len(base_lines), len(ours_lines), len(theirs_lines)) - head
        and base_lines[-1 - tail] == ours_lines[-1 - tail] == theirs_lines[-1 - tail]
    ):
        tail += 1
    end = len(base_lines) - tail
    middle = base_lines[head:end]
    ours_mid = ours_lines[head : len(ours_lines) - tail]
    theirs_mid = theirs_lines[head : len(theirs_lines) - tail]

    def matched(other: list[bytes]) -> dict[int, int]:
        found: dict[int, int] = {}
        for a, b, size in SequenceMatcher(None, middle, other, autojunk=False).get_matching_blocks():
            for k in range(size):
                found[a + k] = b + k
        return found

    in_ours, in_theirs = matched(ours_mid), matched(theirs_mid)
    out = list(base_lines[:head])
    b = o = t = 0
    label_bytes = label.encode("utf-8", errors="replace")

    def region(b_end: int, o_end: int, t_end: int) -> None:
        chunks = (ours_mid[o:o_end], middle[b:b_end], theirs_mid[t:t_end])
        if chunks[0] == chunks[1] == chunks[2]:
            out.extend(chunks[0])
            return
        if not any(chunks):
            return
        marks = (
            b"<" * marker_size + b" " + label_bytes + b" (ours)",
            b"|" * marker_size + b" " + label_bytes + b" (base)",
            b"=" * marker_size,
        )
        for mark, chunk in zip(marks, chunks, strict=False):
            out.append(mark + newline)
            out.extend(chunk)
            if chunk and not chunk[-1].endswith(b"\n"):
                out.append(newline)
        out.append(b">" * marker_size + b" " + label_bytes + b" (theirs)" + newline)

    for k in range(len(middle)):
        if k in in_ours and k in in_theirs and in_ours[k] >= o and in_theirs[k] >= t:
            region(k, in_ours[k], in_theirs[k])
            out.append(middle[k])
            b, o, t = k + 1, in_ours[k] + 1, in_theirs[k] + 1
    region(len(middle), len(ours_mid), len(theirs_mid))
    out.extend(base_lines[end:])
    return b"".join(out)


def lines_of(data: bytes) -> list[bytes]:
    """Lines with their own ends; only `\\n` ends a line, so CRLF stays within it."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
