"""`imr export`: tidy tables for the ward's own evaluation in R, Python or a spreadsheet.

One row per observation, one column per variable, pseudonymous ids and signatures only and no
free text (notes, goals and homework are what people typed, and they stay in the records).
The tables are built from derived state, so voided entries are left out and corrected ones
appear as corrected, exactly as `imr status` and `imr report` count them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from imr.core.errors import ImrError
from imr.programme.goals import describe_goals
from imr.programme.group_planning import group_progress
from imr.programme.groups import all_groups
from imr.programme.imrs import ITEMS
from imr.records.ids import is_valid_id
from imr.records.parsed import read_all_records
from imr.records.record import RecordProblem, day_of
from imr.records.state import ParticipantState, derive_state
from imr.reports.fidelity import as_rows, assess
from imr.workspace.folder import Workspace

Table = tuple[list[str], list[list[Any]]]


HEADERS = {
    "sessions": [
        "participant",
        "entry",
        "date",
        "module",
        "session",
        "group",
        "by",
        "homework_review",
        "handout",
        "significant_other",
    ],
    "attendance": ["group", "date", "session", "participant", "status"],
    "goals": ["participant", "goal", "step", "status", "done_on"],
    "imrs_items": ["participant", "date", "rater", "item", "score"],
    "fidelity": ["item", "basis", "score", "indication", "since", "until"],
}


def export_tables(ws: Workspace, since: date | None = None, today: date | None = None) -> dict[str, Table]:
    """sessions, attendance, goals, imrs_items and fidelity, each as (header, rows)."""

    def keep(value: Any) -> bool:
        day = day_of(value)
        return day is not None and (since is None or day >= since)

    states = _states(ws)
    rows = {
        "sessions": [row for pid in sorted(states) for row in _session_rows(pid, states[pid], keep)],
        "attendance": _group_attendance(ws, keep) + _individual_attendance(states, keep),
        "goals": [row for pid in sorted(states) for row in _goal_rows(pid, states[pid])],
        "imrs_items": [row for pid in sorted(states) for row in _imrs_rows(pid, states[pid], keep)],
        "fidelity": _fidelity_rows(ws, since, today),
    }
    return {name: (list(header), rows[name]) for name, header in HEADERS.items()}


Keep = Callable[[Any], bool]  # whether a date falls in the exported period


def _states(ws: Workspace) -> dict[str, ParticipantState]:
    """Every readable record's derived state by participant id (an unreadable one is `imr check`'s)."""
    states = {}
    if ws.records_dir.is_dir():
        for path, result in read_all_records(ws.records_dir, ws.root):
            if is_valid_id(path.stem) and not isinstance(result, RecordProblem):
                states[path.stem] = derive_state(result)
    return states


def _session_rows(pid: str, state: ParticipantState, keep: Keep) -> list[list[Any]]:
    return [
        [
            pid,
            entry.id,
            entry.get("date"),
            entry.get("module"),
            entry.get("session"),
            entry.get("group") or "",
            entry.get("by"),
            entry.get("homework_review") or "",
            _flag(entry.get("handout")),
            _flag(entry.get("significant_other")),
        ]
        for entry in state.sessions
        if keep(entry.get("date"))
    ]


def _goal_rows(pid: str, state: ParticipantState) -> list[list[Any]]:
    """Each goal and its steps with their status and the day they were marked done."""
    rows = []
    for goal in describe_goals(state):
        done: dict[str, str] = {}
        for item in goal["history"]:
            if item["status"] == "done" and item.get("target"):
                for label in str(item["target"]).split(", "):
                    done.setdefault(label, str(item.get("date") or item.get("at") or "")[:10])
        rows.append([pid, goal["id"], "", goal["status"], done.get(goal["id"], "")])
        for step in goal["steps"]:
            rows.append([pid, goal["id"], step["id"], step["status"], done.get(step["id"], "")])
    return rows


def _imrs_rows(pid: str, state: ParticipantState, keep: Keep) -> list[list[Any]]:
    """One row per IMR Scale item answered (`na`: an empty score)."""
    return [
        [pid, entry.get("date"), entry.get("rater"), number, score if isinstance(score, int) else ""]
        for entry in state.imrs
        if keep(entry.get("date"))
        for number, score in enumerate(entry.get("scores") or [], start=ITEMS[0])
    ]


def _group_attendance(ws: Workspace, keep: Keep) -> list[list[Any]]:
    rows = []
    for group in all_groups(ws):
        progress = group_progress(ws, group)
        for meeting in progress.meetings:
            if not keep(meeting.date):
                continue
            for pid in dict.fromkeys(meeting.present):  # a session logged twice is one attendance
                rows.append([group.name, meeting.date, str(meeting.ref), pid, "present"])
            for pid in dict.fromkeys(meeting.absent):
                member = progress.states.get(pid)
                made_up = member is not None and meeting.ref in member.done
                rows.append([group.name, meeting.date, str(meeting.ref), pid, "caught_up" if made_up else "absent"])
    return rows


def _individual_attendance(states: dict[str, ParticipantState], keep: Keep) -> list[list[Any]]:
    """The individual track: its sessions and absences, group left empty (a group member's
    catch-up is counted in the group's rows)."""
    rows = []
    for pid in sorted(states):
        state = states[pid]
        if state.format == "group":
            continue
        for entry in state.sessions:
            if not entry.get("group") and keep(entry.get("date")):
                rows.append(["", entry.get("date"), f"{entry.get('module')}.{entry.get('session')}", pid, "present"])
        for entry in state.absences:
            if not entry.get("group") and keep(entry.get("date")):
                ref = f"{entry.get('module')}.{entry.get('session')}"
                made_up = any(f"{e.get('module')}.{e.get('session')}" == ref for e in state.sessions)
                rows.append(["", entry.get("date"), ref, pid, "caught_up" if made_up else "absent"])
    return rows


def _fidelity_rows(ws: Workspace, since: date | None, today: date | None) -> list[list[Any]]:
    return [
        [
            row["item"],
            row["basis"],
            "" if row["score"] is None else row["score"],
            "" if row.get("indication") is None else row["indication"],
            since.isoformat() if since else "",
            (today or date.today()).isoformat(),
        ]
        for row in as_rows(assess(ws, since=since, today=today), "en", ws.root)
    ]


def _flag(value: Any) -> str:
    return "" if value is None else ("true" if value is True else "false")


FORMATS = ("csv", "parquet")


def parquet_bytes(table: Table) -> bytes:
    """One table as Parquet (pyarrow, the optional `parquet` extra): whole-number columns typed
    as integers, empty cells as nulls, the rest as text."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImrError("export_parquet_missing") from None
    header, rows = table
    columns = {}
    for index, name in enumerate(header):
        values = [None if row[index] in ("", None) else row[index] for row in rows]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values if v is not None):
            columns[name] = pa.array([None if v is None else int(v) for v in values], type=pa.int64())
        else:
            columns[name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    """One table as UTF-8 CSV with a header row (comma, \\r\\n as the csv module writes it);
    every text cell neutralised against formula injection (`csv_cell`)."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
    a tab or a carriage return) gets a leading `'`, as OWASP recommends for CSV injection; the
    csv module then quotes the cell where needed. Numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
