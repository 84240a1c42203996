"""Merging two clones' versions of an append-only log, so staff never see a conflict.

Records and group files only grow at the end, so when two people append to the same file in
two clones, both versions start with the common base byte for byte and differ only in their
new tails. The merge keeps the base as it is and interleaves the two tails' entries by their
`at` time (ours first on a tie), at text level, so hand comments and the exact bytes each
side wrote survive. The result is re-parsed before it is accepted.

Anything else means someone changed earlier bytes, which the append-only rule forbids; then
the merge is refused and git's ordinary conflict markers are left for a person to resolve,
so nothing is lost without anyone noticing. Git calls this as a merge driver from any folder
(see `imr.gitsetup`), so nothing here looks for a workspace.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from imr.yamlio import YamlProblem, parse_text

_ITEM = re.compile(r"( *)-(?: |$)")


@dataclass
class MergeOutcome:
    """A clean merge carries `text`; a refused one carries `reason` (a strings key)."""

    text: str | None = None
    reason: str | None = None

    @property
    def clean(self) -> bool:
        return self.text is not None


@dataclass
class _Item:
    side: int  # 0 = ours, 1 = theirs
    index: int  # position within its side's tail
    text: str
    entry: dict | None  # None: only comments or blank lines
    key: datetime | None


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


def merge_files(base: Path, ours: Path, theirs: Path, shown: str = "") -> MergeOutcome:
    """Git's merge-driver contract: the result goes into `ours`; a refusal leaves markers there."""
    outcome = merge_logs(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    if outcome.clean:
        ours.write_bytes(outcome.text.encode("utf-8"))
        return outcome
    label = shown or ours.name
    subprocess.run(
        ["git", "merge-file", "-L", f"{label} (ours)", "-L", f"{label} (base)", "-L", f"{label} (theirs)",
         str(ours), str(base), str(theirs)],
        capture_output=True,
    )
    return outcome


def _decoded(data: bytes) -> MergeOutcome:
    try:
        return MergeOutcome(text=data.decode("utf-8"))
    except UnicodeDecodeError:
        return MergeOutcome(reason="merge_unreadable")


def _log_length(text: str) -> int | None:
    try:
        data = parse_text(text)
    except YamlProblem:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("log"), list):
        return None
    return len(data["log"])


def _tail_items(tail: str, side: int) -> list[_Item] | None:
    """Split a side's new text into log items; comments before an item travel with it."""
    if not tail:
        return []
    lines = tail.splitlines(keepends=True)
    indent = None
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            match = _ITEM.match(line)
            if not match:
                return None  # new text that is not a list item: not an append to the log
            indent = match.group(1)
            break
    if indent is None:  # only comments or blank lines: kept, though there is no time to order them by
        return [_Item(side, 0, tail if tail.endswith("\n") else tail + "\n", None, None)]
    blocks: list[list[str]] = [[]]
    seen_item = False
    for line in lines:
        starts_item = _starts_item(line, indent)
        if starts_item and seen_item:
            blocks.append([])
        seen_item = seen_item or starts_item
        blocks[-1].append(line)
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


def _starts_item(line: str, indent: str) -> bool:
    match = _ITEM.match(line)
    return match is not None and match.group(1) == indent


def _time_key(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


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


def _corrections_still_point_right(merged: list[_Item], sides: list[list[_Item]], same_as: dict[int, _Item],
                                   base_count: int) -> bool:
    """A correction names its target by position; a target among the new entries must not move."""
    entries = [item for item in merged if item.entry is not None]
    position = {(item.side, item.index): base_count + n for n, item in enumerate(entries, start=1)}
    for side, all_items in enumerate(sides):
        items = [item for item in all_items if item.entry is not None]
        for item in items:
            entry = item.entry
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
    try:
        data = parse_text(text)
    except YamlProblem:
        return False
    log = data.get("log") if isinstance(data, dict) else None
    entries = [item.entry for item in merged if item.entry is not None]
    return isinstance(log, list) and log[base_count:] == entries and len(log) == base_count + len(entries)
