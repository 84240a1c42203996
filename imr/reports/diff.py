"""`imr diff`: what was added to which records between two revisions, for supervisors.

A supervisor reviews what staff wrote. Because records only grow at the end, the review is a
list of new entries per participant and group. Anything else, an earlier line edited or
removed, breaks the append-only rule and is reported as `rewritten`, with the lines, so it
cannot hide among the additions.

Files are compared as blocks: a block starts at each list item of the log and at each line
of the header or top-level comment, and runs to the next one. A merge may place one clone's
entries between the other's (ordered by time), which inserts whole blocks and is fine; a
block of the old version that is missing or changed in the new one is a rewrite.

Most changed files are the old file plus entries at the end. Those take a quick path: only the
appended text is parsed, and of the old entries only those the new ones name (a correction's
target, a goal, a relapse plan's previous version). The old text is trusted as the writer and
the merge driver trust it (it was checked when it was written; `imr check` reads it whole),
so a file whose old version was already unreadable shows its new entries here without the
"cannot be read" note. Anything else, a rewrite above all, takes the careful path.
"""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO

from imr.core import git
from imr.core.errors import ImrError
from imr.core.yamlio import YamlProblem, parse_text
from imr.gates.history import appended, log_blocks
from imr.records.ids import is_valid_id
from imr.records.kinds import GOAL_STEP, GOAL_UPDATE, KINDS, RELAPSE_PLAN
from imr.records.parallel import map_paths, paused_gc
from imr.records.record import RecordProblem, parse_record_bytes
from imr.records.state import derive_state
from imr.records.writer import open_log_end

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
FOLDERS = {"records": "participant", "groups": "group"}
_LEFT_ITEM = re.compile(r"^-(?: |$)", re.MULTILINE)


@dataclass
class FileChange:
    """One record or group file that differs between the two revisions."""

    kind: str  # participant | group
    id: str
    path: str
    status: str  # added | changed | deleted
    added: list[dict] = field(default_factory=list)
    rewritten: list[dict] = field(default_factory=list)
    problem: str | None = None  # the new version cannot be read (message key / params in `problem_params`)
    problem_params: dict = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)  # the new version's whole log, to name what entries refer to
    # Goal steps whose label in the record's state is not the number written: two clones gave one
    # goal's steps the same number, and the state numbers them apart (entry id -> label shown).
    step_labels: dict[str, str] = field(default_factory=dict)


@dataclass
class DiffReport:
    old: str  # a revision name as given, or HEAD
    new: str | None  # None: the working tree
    changes: list[FileChange]

    @property
    def rewrites(self) -> list[FileChange]:
        return [c for c in self.changes if c.rewritten]


@dataclass
class _Block:
    start: int  # 1-based line number
    lines: list[str]

    @property
    def key(self) -> str:
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(line.rstrip() for line in lines)


def diff_workspace(root: Path, revisions: list[str]) -> DiffReport:
    """Compare records and groups between revisions (default: the working tree against HEAD)."""
    if len(revisions) > 2:
        raise ImrError("diff_too_many_revisions")
    root = Path(root).resolve()
    git.text(root, "rev-parse", "--show-prefix", missing="diff_not_git", failed="diff_not_git")
    if revisions:
        old_name, old = revisions[0], _resolve(root, revisions[0])
    else:
        old_name = "HEAD"
        old = _resolve(root, "HEAD", missing_ok=True) or EMPTY_TREE
    assert old is not None  # _resolve raises for a revision that does not exist
    new_name = revisions[1] if len(revisions) == 2 else None
    new = _resolve(root, new_name) if new_name else None
    return _diff(root, old, new, old_name, new_name)


def diff_period(root: Path, since: date, until: date | None = None) -> DiffReport:
    """What was committed in a period of days (by commit time), on the current branch.

    A supervisor thinks in weeks and months, not commit ids. The old side is the last commit
    made before `since` (nothing: the empty tree), the new side the last commit made by the end
    of `until`, or the working tree without `until`. Git orders by commit time: an entry written
    in a clone on Monday and merged on Wednesday belongs to Wednesday; the entries still show
    their own dates.
    """
    if until is not None and until < since:
        raise ImrError("diff_period_reversed", since=since.isoformat(), until=until.isoformat())
    root = Path(root).resolve()
    git.text(root, "rev-parse", "--show-prefix", missing="diff_not_git", failed="diff_not_git")
    old = _last_commit_by(root, since - timedelta(days=1)) or EMPTY_TREE
    new = (_last_commit_by(root, until) or EMPTY_TREE) if until is not None else None
    return _diff(root, old, new, since.isoformat(), until.isoformat() if until is not None else None)


def _last_commit_by(root: Path, day: date) -> str | None:
    """The newest commit on the current branch committed by the end of `day` (local time)."""
    end = datetime.combine(day, time(23, 59, 59)).astimezone()
    # --first-parent: the branch's own line, so a clone's entries merged in later belong to the
    # day of the merge, not to a commit of the clone that happens to be older than `day`.
    before = f"--before={end.strftime('%Y-%m-%d %H:%M:%S %z')}"
    result = git.run(root, "rev-list", "-1", "--first-parent", before, "HEAD", "--", missing="diff_not_git")
    if result.returncode != 0:  # no commit at all yet
        return None
    return result.stdout.decode().strip() or None


def signed_by(report: DiffReport, sign: str) -> DiffReport:
    """Only the entries one person signed; rewrites stay, whoever made them (integrity first)."""
    wanted = sign.strip().casefold()
    changes = []
    for change in report.changes:
        added = [a for a in change.added if str(a["data"].get("by") or "").strip().casefold() == wanted]
        if added or change.rewritten or change.problem:
            changes.append(replace(change, added=added))
    return replace(report, changes=changes)


def _diff(root: Path, old: str, new: str | None, old_name: str, new_name: str | None) -> DiffReport:
    spec = ["--", *FOLDERS]
    # --raw names each file's old and new blob, so each is read by id in one `git cat-file`
    # (a lookup by revision and path walks the folder's tree again for every file).
    listed = git.text(
        root,
        "diff",
        "--no-renames",
        "--no-ext-diff",
        "--raw",
        "--no-abbrev",
        "-z",
        "--relative",
        old,
        *([new] if new else []),
        *spec,
        missing="diff_not_git",
        failed="diff_git_failed",
    ).split("\0")
    blob_ids: dict[str, tuple[str | None, str | None]] = {}
    for meta, path in zip(listed[0::2], listed[1::2], strict=False):
        fields = meta.split()
        if len(fields) >= 4 and _kind(path):
            blob_ids[path] = (_blob_id(fields[0].lstrip(":"), fields[2]), _blob_id(fields[1], fields[3]))
    if new is None:
        untracked = git.text(
            root,
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            *spec,
            missing="diff_not_git",
            failed="diff_git_failed",
        )
        blob_ids.update({p: (None, None) for p in untracked.split("\0") if p and _kind(p) and p not in blob_ids})
    paths = sorted(blob_ids)
    # Most old versions are the start of the new one: a hash of the new bytes up to the old
    # size proves it (as git itself would), so those old versions never cross the pipe. The
    # rest are read afterwards. Appended files are compared as the blobs stream in; those that
    # need the careful path (a rewrite, an odd shape) last, on every core if there are many.
    sizes = _blob_sizes(root, [i for p in paths if (i := blob_ids[p][0])])
    changes: dict[str, FileChange | None] = {}
    old_texts: dict[str, bytes | None] = {}
    new_texts: dict[str, bytes | None] = {}

    def compare_quickly(path: str, old_data: bytes | None, new_data: bytes | None) -> None:
        if old_data == new_data:
            return
        if old_data is not None and new_data is not None:
            quick = _appended(path, _text(old_data), _text(new_data))
            if quick is not None:
                changes[path] = quick
                return
        old_texts[path], new_texts[path] = old_data, new_data

    with paused_gc():
        unread: dict[str, bytes | None] = {}
        new_blobs = _stream_blobs(root, [blob_ids[p][1] or "" for p in paths if new is not None and blob_ids[p][1]])
        for path in paths:
            old_id, new_id = blob_ids[path]
            new_data = _read_worktree(root / path) if new is None else next(new_blobs) if new_id else None
            old_data = _prefix_if_same(new_data, old_id, sizes.get(old_id or ""))
            if old_id and old_data is None:
                unread[path] = new_data
            else:
                compare_quickly(path, old_data, new_data)
        for _ in new_blobs:  # let git finish and report a failure
            pass
        old_blobs = _stream_blobs(root, [blob_ids[p][0] or "" for p in unread])
        for path, new_data in unread.items():
            compare_quickly(path, next(old_blobs), new_data)
        for _ in old_blobs:
            pass
        careful = list(old_texts)
        changes.update(zip(careful, map_paths(_compare_one, careful, old_texts, new_texts), strict=False))
    return DiffReport(
        old=old_name, new=new_name, changes=[c for c in (changes[p] for p in sorted(changes)) if c is not None]
    )


def _compare_one(path: str, old_texts: dict[str, bytes], new_texts: dict[str, bytes]) -> FileChange | None:
    return compare_carefully(path, old_texts.get(path), new_texts.get(path))


def compare(path: str, old: bytes | None, new: bytes | None) -> FileChange | None:
    """The added entries and rewritten lines between two versions of one file."""
    if old == new:
        return None
    if old is not None and new is not None:
        quick = _appended(path, _text(old), _text(new))
        if quick is not None:
            return quick
    return compare_carefully(path, old, new)


def _appended(path: str, old_text: str, new_text: str) -> FileChange | None:
    """Entries added at the end of a well-shaped log, parsing only them; None: be careful.

    Taken only when the careful path would see the old blocks unchanged followed by new ones:
    the new text starts with the old, which ends a line and ends in its log of items at the
    left margin, and the new text starts a line at the left margin.
    """
    if not old_text.endswith("\n") or not new_text.startswith(old_text) or "\t" in new_text:
        return None
    tail = new_text[len(old_text) :]
    lines = tail.split("\n")
    first = next((line for line in lines if line.strip(" ")), None)
    if first is None or first.startswith(" "):
        return None
    log_end = open_log_end(old_text)  # the writer's test: the log is the last key, items at the margin
    if log_end is None:
        return None
    try:
        items = parse_text(tail)
    except YamlProblem:
        return None
    if items is None:
        items = []
    if not isinstance(items, list):
        return None
    count = old_text.count("\n- ", log_end) + old_text.count("\n-\n", log_end)
    old_lines = old_text.count("\n")
    block_starts = {number for number, line in enumerate(lines, start=1) if line[:1] not in ("", " ")}
    change = FileChange(kind=_kind(path) or "participant", id=Path(path).stem, path=path, status="changed")
    for number, item in enumerate(items, start=count + 1):
        line = getattr(item, "line", 0)
        if isinstance(item, dict) and line in block_starts:
            change.added.append({"entry": number, "line": old_lines + line, "data": dict(item)})
    new_entries = [dict(item) if isinstance(item, dict) else {} for item in items]
    named = _named_old_entries(old_text, log_end, new_entries)
    if named is None:
        return None
    change.log = named + new_entries
    change.step_labels = _step_labels(path, new_text, change.added)
    return change


def _step_labels(path: str, text: str, added: list[dict]) -> dict[str, str]:
    """`FileChange.step_labels` of the new version, when an added entry adds or names a goal step
    (the whole record is read only then: most changes are sessions)."""
    if not any(a["data"].get("kind") in (GOAL_STEP, GOAL_UPDATE) or a["data"].get("steps_done") for a in added):
        return {}
    try:
        record = parse_record_bytes(text.encode("utf-8"), Path(path), path)
    except RecordProblem:
        return {}
    written = {e.id: e.get("step") for e in record.entries if e.kind == GOAL_STEP}
    return {
        step.key: step.id
        for goal in derive_state(record).goals.values()
        for step in goal.steps
        if step.key in written and written[step.key] != step.id
    }


def _named_old_entries(old_text: str, log_end: int, new_entries: list[dict]) -> list[dict] | None:
    """The old entries the new ones refer to, in log order, read one by one; None if one is unreadable.

    An id names the last entry that carries it (as a lookup over the whole log would); a new
    relapse-plan version without `previous` is compared with the one before it, so then every
    old version is read (there are few).
    """
    refs: set[str] = set()
    for entry in new_entries:
        declared = KINDS.get(entry.get("kind"))  # type: ignore[arg-type]
        for key in declared.refs if declared is not None else ():  # the fields the kind declares as references
            ref = entry.get(key)
            if isinstance(ref, str):
                refs.add(ref)
            elif isinstance(ref, (list, dict)):  # steps_done, joins (a dict: a hand edit, named by its keys)
                refs.update(r for r in ref if isinstance(r, str))
    refs -= {e["id"] for e in new_entries if isinstance(e.get("id"), str)}
    relapse = any(e.get("kind") == RELAPSE_PLAN for e in new_entries)
    if not refs and not relapse:
        return []
    starts = [m.start() for m in _LEFT_ITEM.finditer(old_text, log_end)]
    wanted: dict[int, dict] = {}
    bad = False

    def entry_at(offset: int) -> tuple[int, dict | None]:
        nonlocal bad
        index = bisect_right(starts, offset) - 1
        if index < 0:
            return -1, None
        if index not in wanted:
            end = starts[index + 1] if index + 1 < len(starts) else len(old_text)
            try:
                parsed = parse_text(old_text[starts[index] : end])
            except YamlProblem:
                parsed = None
            if not isinstance(parsed, list) or len(parsed) != 1:
                bad = True
                return index, None
            wanted[index] = dict(parsed[0]) if isinstance(parsed[0], dict) else {}
        return index, wanted[index]

    first = starts[0] if starts else len(old_text)
    kept: set[int] = set()
    for ref in refs:
        position = old_text.rfind(ref, first)
        while position >= 0 and not bad:
            index, found = entry_at(position)
            if found is not None and found.get("id") == ref:
                kept.add(index)
                break
            position = old_text.rfind(ref, first, starts[index]) if index >= 0 else -1
    if relapse:
        position = old_text.find(RELAPSE_PLAN, first)
        while position >= 0 and not bad:
            index, found = entry_at(position)
            if found is not None and found.get("kind") == RELAPSE_PLAN:
                kept.add(index)
            following = starts[index + 1] if index + 1 < len(starts) else len(old_text)
            position = old_text.find(RELAPSE_PLAN, following)
    if bad:
        return None
    return [wanted[index] for index in sorted(kept)]


def compare_carefully(path: str, old: bytes | None, new: bytes | None) -> FileChange | None:
    """Every block of both versions compared and the new version parsed whole."""
    if old == new:
        return None
    kind = _kind(path)
    status = "added" if old is None else "deleted" if new is None else "changed"
    change = FileChange(kind=kind or "participant", id=Path(path).stem, path=path, status=status)
    old_text = _text(old)
    new_text = _text(new)
    old_blocks = _blocks(old_text)
    new_blocks = _blocks(new_text)
    entries_by_line = _entries_by_line(new_text, change)
    matcher = SequenceMatcher(None, [b.key for b in old_blocks], [b.key for b in new_blocks], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert":
            for block in new_blocks[j1:j2]:
                found = entries_by_line.get(block.start)
                if found is not None:
                    number, entry = found
                    change.added.append({"entry": number, "line": block.start, "data": entry})
            continue
        removed = [line for block in old_blocks[i1:i2] for line in block.lines]
        added = [line for block in new_blocks[j1:j2] for line in block.lines]
        change.rewritten.append(
            {
                "line": old_blocks[i1].start if i1 < len(old_blocks) else 0,
                "removed": _trim(removed),
                "added": _trim(added),
            }
        )
    if old is not None and new is not None and not change.rewritten:
        # What the text comparison cannot see (a byte-order mark, CRLF, trailing spaces, an
        # entry slipped in between earlier ones) the history rule sees on bytes: `imr diff
        # --strict` and `imr check --since` agree.
        line = appended(old, new)
        if line is not None:
            old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
            change.rewritten.append(
                {
                    "line": line,
                    "removed": old_lines[line - 1 : line] if 0 < line <= len(old_lines) else [],
                    "added": new_lines[line - 1 : line] if 0 < line <= len(new_lines) else [],
                }
            )
    if change.kind == "participant" and not change.problem:
        change.step_labels = _step_labels(path, new_text, change.added)
    return change


def _kind(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) != 2 or parts[0] not in FOLDERS or not parts[1].endswith(".yaml"):
        return None
    return FOLDERS[parts[0]] if is_valid_id(parts[1][:-5]) else None


def _text(data: bytes | None) -> str:
    if data is None:
        return ""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _blocks(text: str) -> list[_Block]:
    """A file as the history check splits it (`history.log_blocks`), with line numbers and as text."""
    blocks, start = [], 1
    for block in log_blocks(text.encode("utf-8")):
        lines = block.decode("utf-8").split("\n")
        if lines[-1] == "":
            lines.pop()
        blocks.append(_Block(start, lines))
        start += block.count(b"\n")
    return blocks


def _entries_by_line(text: str, change: FileChange) -> dict[int, tuple[int, dict]]:
    """Entries of the new version by the line they start on; a note if it cannot be parsed."""
    if not text:
        return {}

    try:
        data = parse_text(text)
    except YamlProblem as problem:
        change.problem = problem.code
        change.problem_params = {**problem.params, "line": problem.line}
        return {}
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, list):
        change.problem = "record_log_not_list"
        return {}
    change.log = [dict(item) if isinstance(item, dict) else {} for item in log]
    return {
        getattr(item, "line", 0): (number, dict(item))
        for number, item in enumerate(log, start=1)
        if isinstance(item, dict)
    }


def _read_worktree(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _resolve(root: Path, revision: str, missing_ok: bool = False) -> str | None:
    """A revision as a commit id; user text never reaches git as an option."""
    if not revision or revision.startswith("-"):
        raise ImrError("diff_bad_revision", rev=revision)
    result = git.run(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}", missing="diff_not_git"
    )
    if result.returncode != 0:
        if missing_ok:
            return None
        raise ImrError("diff_bad_revision", rev=revision)
    return result.stdout.decode().strip()


def _blob_id(mode: str, object_id: str) -> str | None:
    """A file's blob in `git diff --raw` output; None where the side has no file (or a submodule)."""
    if mode in ("000000", "160000") or not object_id.strip("0"):
        return None
    return object_id


def _prefix_if_same(data: bytes | None, object_id: str | None, size: int | None) -> bytes | None:
    """The first `size` bytes of `data` if they are exactly the blob `object_id`, else None."""
    if data is None or object_id is None or size is None or size > len(data):
        return None
    prefix = data[:size]
    digest = hashlib.sha256 if len(object_id) == 64 else hashlib.sha1  # git's two object formats
    return prefix if digest(b"blob %d\0" % size + prefix).hexdigest() == object_id else None


def _blob_sizes(root: Path, object_ids: list[str]) -> dict[str, int]:
    if not object_ids:
        return {}
    request = "".join(f"{object_id}\n" for object_id in object_ids).encode()
    listed = git.output(
        root, "cat-file", "--batch-check", input=request, missing="diff_not_git", failed="diff_git_failed"
    )
    sizes = {}
    for line in listed.decode("ascii", "replace").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == "blob":
            sizes[fields[0]] = int(fields[2])
    return sizes


def _stream_blobs(root: Path, object_ids: list[str]) -> Iterator[bytes | None]:
    """Blob contents in the order asked for (None: not a blob), read by one `git cat-file --batch`
    while the caller works on the ones already read."""
    if not object_ids:
        return
    # --buffer: git writes in large blocks instead of flushing after every blob.
    process = git.popen(root, "cat-file", "--batch", "--buffer", missing="diff_not_git", bufsize=1 << 16)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    request = "".join(f"{object_id}\n" for object_id in object_ids).encode()
    # Written from a thread: git answers while it reads, and a full pipe each way would stall both.
    feeder = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    feeder.start()
    output = process.stdout
    try:
        for _ in object_ids:
            header = output.readline().split()
            if len(header) != 3:  # missing, or git stopped
                yield None
                continue
            data = output.read(int(header[2]) + 1)[:-1]
            yield data if header[1] == b"blob" else None
    finally:
        feeder.join()
        output.close()
        error = process.stderr.read()
        process.stderr.close()
        if process.wait() != 0:
            raise ImrError("diff_git_failed", detail=error.decode(errors="replace").strip()[:200])


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # git stopped early; the reader reports it
        pass
