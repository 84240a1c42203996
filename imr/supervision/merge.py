"""Merging two clones' versions of an append-only log, so staff never see a needless conflict.

Records and group files only grow at the end, so when two people append to the same file in
two clones, both versions start with the common base byte for byte and differ only in their
new tails. The merge keeps the base as it is and interleaves the two tails' entries by their
`at` time (ours first on a tie), at text level, so hand comments and the exact bytes each
side wrote survive (CRLF line ends and a byte-order mark included: nothing is normalised).

The rule, which `imr.supervision.history` checks for merge commits too: a merge is clean only when both
sides purely appended to the common base and every new text is a log entry. Anything else
means someone changed earlier bytes, which the append-only rule forbids. Then the merge is
refused and every region where the three versions differ is put between conflict markers
(`conflict_text`), a rewritten earlier line included, so nothing unmarked slips into the
result and git reports a conflict for a person to resolve.

Git starts one driver process per file (see `imr.merge_driver`), so start-up time is most of
a merge's cost. Hence this module imports nothing but builtins at the top, and the common
case is decided without PyYAML: the base is trusted (it was committed and checked) and only
its line shape is looked at, and the new entries are recognised in the house style the
writer produces. Anything outside that narrow shape takes the careful path, which parses
the base, the new entries and the result with the strict YAML reader, as before. Both give
the same bytes; tests hold them to it.
"""

from __future__ import annotations

_MARKER_SIZE = 7


class MergeOutcome:
    """A clean merge carries `text`; a refused one carries `reason` (a strings key)."""

    __slots__ = ("text", "reason")

    def __init__(self, text: str | None = None, reason: str | None = None) -> None:
        self.text = text
        self.reason = reason

    @property
    def clean(self) -> bool:
        return self.text is not None

    def __repr__(self) -> str:
        return f"MergeOutcome(text={self.text!r}, reason={self.reason!r})"


class _Item:
    """One appended log entry (with the comments before it), as text, and what ordering needs."""

    __slots__ = ("side", "index", "text", "entry", "key")

    def __init__(self, side: int, index: int, text: str, entry: dict | None, key) -> None:
        self.side = side  # 0 = ours, 1 = theirs
        self.index = index  # position within its side's tail
        self.text = text
        self.entry = entry  # None: only comments or blank lines
        self.key = key  # the `at` moment, or None


def merge_logs(base: bytes, ours: bytes, theirs: bytes) -> MergeOutcome:
    """Merge two appended-to versions of one log file, or say why that is not safe."""
    if ours == theirs or base == theirs:
        return _decoded(ours)
    if base == ours:
        return _decoded(theirs)
    if not (ours.startswith(base) and theirs.startswith(base)):
        return MergeOutcome(reason="merge_rewritten")
    try:
        base_text = base.decode("utf-8")
        tails = [ours[len(base):].decode("utf-8"), theirs[len(base):].decode("utf-8")]
    except UnicodeDecodeError:
        return MergeOutcome(reason="merge_unreadable")
    if base_text and not base_text.endswith("\n"):
        # The writer starts a new line before appending; text glued to the last line would
        # be a change to that line.
        if not all(tail.startswith("\n") or not tail for tail in tails):
            return MergeOutcome(reason="merge_rewritten")
        base_text += "\n"
        tails = [tail[1:] for tail in tails]
    quick = _quick_merge(base_text, tails)
    if quick is not None:
        return quick
    return _careful_merge(base_text, tails)


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
    result = (outcome.text.encode("utf-8") if outcome.text is not None
              else conflict_text(base_data, ours_data, theirs_data, label, marker_size))
    if result != ours_data:
        with open(ours, "wb") as handle:
            handle.write(result)
    return outcome


# --- the quick path: no YAML parser ---------------------------------------------------------

_PLAIN_START_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BLOCK_INDICATORS = frozenset(("|", "|-", "|+", ">", ">-", ">+"))


def _quick_merge(base_text: str, tails: list[str]) -> MergeOutcome | None:
    """The merge of house-style appends to a well-shaped log, or None to take the careful path."""
    sides: list[list[_Item]] = []
    indent = None
    for side, tail in enumerate(tails):
        is_log, found = _item_indent(tail)
        if not is_log:
            return None
        if found is not None:
            if indent is not None and found != indent:
                return None
            indent = found
        items = _quick_items(tail, side, found)
        if items is None:
            return None
        sides.append(items)
    if indent is None or not _log_is_last(base_text, indent):
        return None
    for items in sides:
        for item in items:
            if item.entry is not None and item.entry.get("kind") == "correction":
                return None  # a correction names its target by position: count the base carefully
    ours_items, theirs_items = sides
    theirs_items, _same_as = _without_duplicates(ours_items, theirs_items)
    merged = _interleave(ours_items, theirs_items)
    return MergeOutcome(text=base_text + "".join(item.text for item in merged))


def _item_indent(tail: str) -> tuple[bool, str | None]:
    """Whether new text starts like log items, and their indent (None: only comments or blank lines)."""
    for line in tail.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        indent = line[: len(line) - len(stripped)]
        return (True, indent) if _starts_item(line, indent) else (False, None)
    return True, None


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
    rest_of_key = base_text[start + 4: end if end >= 0 else len(base_text)].strip()
    if rest_of_key and not rest_of_key.startswith("#"):
        return False  # `log: []` or a value on the key's line: appended items cannot join it
    if end < 0:
        return True
    width = len(indent)
    seen_item = False
    for line in base_text[end + 1:].split("\n"):
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


def _quick_items(tail: str, side: int, indent: str | None) -> list[_Item] | None:
    """New text split into entries, recognised without a YAML parser; None if unsure."""
    if not tail:
        return []
    lines = tail.split("\n")
    if lines[-1] == "":
        lines.pop()
        lines = [line + "\n" for line in lines]
    else:
        lines = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    if indent is None:  # only comments or blank lines: kept, though there is no time to order them by
        return [_Item(side, 0, tail if tail.endswith("\n") else tail + "\n", None, None)]
    blocks = _split_items(lines, indent)
    items = []
    for index, block in enumerate(blocks):
        fields = _house_style_fields(block, indent)
        if fields is None:
            return None
        text = "".join(block)
        if not text.endswith("\n"):
            text += "\n"
        entry = {"kind": fields.get("kind")}
        items.append(_Item(side, index, text, entry, _time_key(fields.get("at"))))
    return items


def _house_style_fields(block: list[str], indent: str) -> dict[str, str] | None:
    """`kind` and `at` of one entry written in the writer's style, or None if unsure.

    Accepted: one block mapping whose keys are plain words, each value a one-line scalar
    (plain, or quoted without escapes), a block scalar (`|`, `>`, with chomping), a plain
    scalar folded over several lines as the writer folds long notes, or a list or mapping
    of one-line scalars; comments; blank lines. Every line is printable text without tabs.
    That is a strict subset of what the strict reader accepts (unique keys included);
    anything else is left to the reader.
    """
    column = len(indent) + 2
    fields: dict[str, str] = {}
    seen: set[str] = set()
    mode = "start"  # start | key | plain | quoted | block | nested
    block_indent = 0
    nested_keys: set[str] = set()
    nested_depth = -1
    for raw in block:
        line = raw[:-1] if raw.endswith("\n") else raw
        if line.endswith("\r"):
            line = line[:-1]
        if not line.isprintable():
            return None  # tabs, control characters, other line breaks, invisible characters
        stripped = line.lstrip(" ")
        depth = len(line) - len(stripped)
        if mode == "quoted":  # a single-quoted scalar the writer folded over several lines
            if not stripped:
                continue
            if depth <= column:
                return None
            closed = _quote_closes(stripped)
            if closed is None:
                return None
            if closed:
                mode = "key"
            continue
        if mode == "block":
            if not stripped:
                if line:
                    return None  # a spaces-only line in a block scalar: leave it to the reader
                continue
            if block_indent == 0:
                if depth <= column:
                    return None
                block_indent = depth
                continue
            if depth >= block_indent:
                continue
            mode = "key"
        if not stripped:
            continue
        if stripped.startswith("#"):
            if mode == "plain":
                mode = "key"  # a comment ends a folded plain scalar
            continue
        if mode == "start":
            if depth != len(indent) or not stripped.startswith("- "):
                return None
            rest = line[column:]
        elif depth == column and not stripped.startswith("-"):
            if mode == "nested" and nested_depth == -1:
                return None  # a key without a value (null): leave it to the reader
            rest = stripped
        elif mode == "plain" and depth > column:
            if not _plain_continuation(stripped):
                return None
            continue
        elif mode == "nested" and depth >= column and (nested_depth in (-1, depth)):
            nested_depth = depth
            if stripped.startswith("- "):
                if nested_keys - {"-"} or not _one_line_value(stripped[2:]):
                    return None
                nested_keys.add("-")
                continue
            key, value = _key_value(stripped)
            if key is None or key in nested_keys or "-" in nested_keys or depth == column:
                return None
            if not _one_line_value(value):
                return None
            nested_keys.add(key)
            continue
        else:
            return None
        key, value = _key_value(rest)
        if key is None or key in seen:
            return None
        seen.add(key)
        if key in ("kind", "at", "target"):
            scalar = _scalar(value)
            if scalar is None:
                return None
            fields[key] = scalar
            mode = "key"
        elif value == "":
            mode = "nested"
            nested_keys = set()
            nested_depth = -1
        elif value in _BLOCK_INDICATORS:
            mode = "block"
            block_indent = 0
        elif _one_line_value(value):
            mode = "key" if value[0] in "'\"" else "plain"
        elif value[0] == "'" and _quote_closes(value[1:]) is False:
            mode = "quoted"
        else:
            return None
    if mode in ("start", "quoted") or (mode == "nested" and nested_depth == -1) or (mode == "block" and block_indent == 0):
        return None
    return fields


def _key_value(text: str) -> tuple[str | None, str]:
    colon = text.find(":")
    if colon <= 0:
        return None, ""
    key = text[:colon]
    if not (key.isascii() and key.replace("_", "a").replace("-", "a").isalnum() and key[0].isalpha()):
        return None, ""
    rest = text[colon + 1:]
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
    return (value[0] not in _PLAIN_START_FORBIDDEN and ": " not in value and " #" not in value
            and not value.endswith(":") and value == value.rstrip(" "))


def _plain_continuation(text: str) -> bool:
    """A further line of a plain scalar the writer folded over several lines."""
    return (text[0] not in _PLAIN_START_FORBIDDEN and ": " not in text and " #" not in text
            and not text.endswith(":") and not text.startswith("- "))


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
    if not line.startswith(indent) or line[width:width + 1] != "-":
        return False
    after = line[width + 1:]
    return after == "" or after == "\n" or after[0] == " "


def _time_key(value: object) -> int | None:
    """The moment of an `at` value as UTC microseconds, or None if it is not an aware time.

    The writer's own shape (`2026-01-05T10:00:00+01:00`) is read here without importing
    `datetime` (a few milliseconds per driver process); anything else goes to
    `datetime.fromisoformat`. Both give the same number for the same moment.
    """
    if not isinstance(value, str):
        return None
    if len(value) in (20, 25) and value[4] == value[7] == "-" and value[10] == "T" and value[13] == value[16] == ":":
        digits = value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:19]
        zone = value[19:]
        if digits.isdigit() and digits.isascii() and (zone == "Z" or (
                len(zone) == 6 and zone[0] in "+-" and zone[3] == ":" and (zone[1:3] + zone[4:]).isdigit()
                and (zone[1:3] + zone[4:]).isascii())):
            year, month, day = int(digits[0:4]), int(digits[4:6]), int(digits[6:8])
            hour, minute, second = int(digits[8:10]), int(digits[10:12]), int(digits[12:14])
            offset: int | None = 0
            if zone != "Z":
                zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
                offset = (zone_hours * 60 + zone_minutes) * 60 * (1 if zone[0] == "+" else -1)
                if zone_hours > 23 or zone_minutes > 59:
                    offset = None  # unusual offsets: as `datetime` judges them
            if offset is not None:
                if not (1 <= year and 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)
                        and hour < 24 and minute < 60 and second < 60):
                    return None
                seconds = ((_days_from_civil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second - offset
                return seconds * 1_000_000
    from datetime import datetime, timedelta, timezone

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


# --- shared by both paths ------------------------------------------------------------------

def _decoded(data: bytes) -> MergeOutcome:
    try:
        return MergeOutcome(text=data.decode("utf-8"))
    except UnicodeDecodeError:
        return MergeOutcome(reason="merge_unreadable")


def _without_duplicates(ours: list[_Item], theirs: list[_Item]) -> tuple[list[_Item], dict[int, _Item]]:
    """The same entry appended on both sides (e.g. cherry-picked) is kept once."""
    available: dict[str, list[_Item]] = {}
    for item in ours:
        available.setdefault(item.text, []).append(item)
    kept: list[_Item] = []
    same_as: dict[int, _Item] = {}
    for item in theirs:
        twins = available.get(item.text)
        if twins:
            same_as[item.index] = twins.pop(0)
        else:
            kept.append(item)
    return kept, same_as


def _interleave(ours: list[_Item], theirs: list[_Item]) -> list[_Item]:
    """Ordered by `at`, ties to ours; each side keeps its own order. Unordered times: ours, then theirs."""
    if any(item.key is None for item in ours + theirs):
        return ours + theirs
    merged: list[_Item] = []
    i = j = 0
    while i < len(ours) and j < len(theirs):
        if ours[i].key <= theirs[j].key:
            merged.append(ours[i])
            i += 1
        else:
            merged.append(theirs[j])
            j += 1
    return merged + ours[i:] + theirs[j:]


# --- the careful path: every new entry and the result parsed ------------------------------

def _careful_merge(base_text: str, tails: list[str]) -> MergeOutcome:
    base_count = _log_length(base_text)
    if base_count is None:
        return MergeOutcome(reason="merge_unreadable")
    sides: list[list[_Item]] = []
    for side, tail in enumerate(tails):
        items = _tail_items(tail, side)
        if items is None:
            return MergeOutcome(reason="merge_unreadable")
        sides.append(items)
    ours_items, theirs_items = sides
    theirs_items, same_as = _without_duplicates(ours_items, theirs_items)
    merged = _interleave(ours_items, theirs_items)
    if not _corrections_still_point_right(merged, sides, same_as, base_count):
        return MergeOutcome(reason="merge_correction_moved")
    text = base_text + "".join(item.text for item in merged)
    if not _verified(text, base_count, merged):
        return MergeOutcome(reason="merge_unreadable")
    return MergeOutcome(text=text)


def _reader():
    """The strict YAML reader; under `python -S` (the quick driver) site-packages come first."""
    import sys

    if sys.flags.no_site and "yaml" not in sys.modules:
        import site

        site.main()
    from imr.yamlio import YamlProblem, parse_text

    return YamlProblem, parse_text


def _log_length(text: str) -> int | None:
    YamlProblem, parse_text = _reader()

    try:
        data = parse_text(text)
    except YamlProblem:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("log"), list):
        return None
    return len(data["log"])


def _item_start_indent(line: str) -> str | None:
    stripped = line.lstrip(" ")
    indent = line[: len(line) - len(stripped)]
    return indent if _starts_item(line, indent) else None


def _tail_items(tail: str, side: int) -> list[_Item] | None:
    """Split a side's new text into log items; comments before an item travel with it."""
    YamlProblem, parse_text = _reader()

    if not tail:
        return []
    lines = tail.splitlines(keepends=True)
    indent = None
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            indent = _item_start_indent(line)
            if indent is None:
                return None  # new text that is not a list item: not an append to the log
            break
    if indent is None:  # only comments or blank lines: kept, though there is no time to order them by
        return [_Item(side, 0, tail if tail.endswith("\n") else tail + "\n", None, None)]
    blocks = _split_items(lines, indent)
    items = []
    for index, block in enumerate(blocks):
        text = "".join(block)
        if not text.endswith("\n"):
            text += "\n"
        dedented = "".join(line[len(indent):] if line.startswith(indent) else line for line in block)
        try:
            parsed = parse_text(dedented)
        except YamlProblem:
            return None
        if not isinstance(parsed, list) or len(parsed) != 1 or not isinstance(parsed[0], dict):
            return None
        items.append(_Item(side, index, text, parsed[0], _time_key(parsed[0].get("at"))))
    return items


def _corrections_still_point_right(merged: list[_Item], sides: list[list[_Item]], same_as: dict[int, _Item],
                                   base_count: int) -> bool:
    """A correction names its target by position; a target among the new entries must not move."""
    entries = [item for item in merged if item.entry is not None]
    position = {(item.side, item.index): base_count + n for n, item in enumerate(entries, start=1)}
    for side, all_items in enumerate(sides):
        items = [item for item in all_items if item.entry is not None]
        for item in items:
            entry = item.entry
            if entry is None:
                continue
            target = entry.get("target")
            if entry.get("kind") != "correction" or not isinstance(target, int) or target <= base_count:
                continue
            offset = target - base_count - 1
            if offset >= len(items):
                continue  # points past the end on its own side already; `imr check` reports it
            aimed = items[offset]
            if side == 1 and aimed.index in same_as:
                aimed = same_as[aimed.index]
            if position.get((aimed.side, aimed.index)) != target:
                return False
    return True


def _verified(text: str, base_count: int, merged: list[_Item]) -> bool:
    YamlProblem, parse_text = _reader()

    try:
        data = parse_text(text)
    except YamlProblem:
        return False
    log = data.get("log") if isinstance(data, dict) else None
    entries = [item.entry for item in merged if item.entry is not None]
    return isinstance(log, list) and log[base_count:] == entries and len(log) == base_count + len(entries)


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
    while (head < len(base_lines) and head < len(ours_lines) and head < len(theirs_lines)
           and base_lines[head] == ours_lines[head] == theirs_lines[head] and base_lines[head].endswith(b"\n")):
        head += 1
    tail = 0
    while (tail < min(len(base_lines), len(ours_lines), len(theirs_lines)) - head
           and base_lines[-1 - tail] == ours_lines[-1 - tail] == theirs_lines[-1 - tail]):
        tail += 1
    end = len(base_lines) - tail
    middle = base_lines[head:end]
    ours_mid = ours_lines[head:len(ours_lines) - tail]
    theirs_mid = theirs_lines[head:len(theirs_lines) - tail]

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
        marks = (b"<" * marker_size + b" " + label_bytes + b" (ours)",
                 b"|" * marker_size + b" " + label_bytes + b" (base)",
                 b"=" * marker_size)
        for mark, chunk in zip(marks, chunks):
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
