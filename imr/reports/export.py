"""`imr export`: tidy tables for the ward's own evaluation in R, Python or a spreadsheet.

One row per observation, one column per variable, pseudonymous ids and signatures only and no
free text (notes, goals and homework are what people typed, and they stay in the records).
The tables are built from derived state, so voided entries are left out and corrected ones
appear as corrected, exactly as `imr status` and `imr report` count them.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from imr.core.errors import ImrError
from imr.programme.goals import describe_goals
from imr.programme.group_planning import group_progress
from imr.programme.groups import all_groups
from imr.records.ids import is_valid_id
from imr.records.parsed import read_all_records
from imr.records.record import RecordProblem, day_of
from imr.records.state import derive_state
from imr.reports.fidelity import as_rows, assess
from imr.workspace.folder import Workspace

Table = tuple[list[str], list[list[Any]]]


def export_tables(ws: Workspace, since: date | None = None, today: date | None = None) -> dict[str, Table]:  # noqa: C901 (to split: the maintainability issue)
    """sessions, attendance, goals, imrs_items and fidelity, each as (header, rows)."""

    def keep(value: Any) -> bool:
        day = day_of(value)
        return day is not None and (since is None or day >= since)

    states = {}
    if ws.records_dir.is_dir():
        for path, result in read_all_records(ws.records_dir, ws.root):
            if is_valid_id(path.stem) and not isinstance(result, RecordProblem):
                states[path.stem] = derive_state(result)
    sessions, goals, items = [], [], []
    for pid in sorted(states):
        state = states[pid]
        for entry in state.sessions:
            if keep(entry.get("date")):
                sessions.append(
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
                )
        for goal in describe_goals(state):
            done: dict[str, str] = {}
            for item in goal["history"]:
                if item["status"] == "done" and item.get("target"):
                    for label in str(item["target"]).split(", "):
                        done.setdefault(label, str(item.get("date") or item.get("at") or "")[:10])
            goals.append([pid, goal["id"], "", goal["status"], done.get(goal["id"], "")])
            for step in goal["steps"]:
                goals.append([pid, goal["id"], step["id"], step["status"], done.get(step["id"], "")])
        for entry in state.imrs:
            if keep(entry.get("date")):
                for number, score in enumerate(entry.get("scores") or [], start=1):
                    items.append(
                        [pid, entry.get("date"), entry.get("rater"), number, score if isinstance(score, int) else ""]
                    )
    attendance = []
    for group in all_groups(ws):
        progress = group_progress(ws, group)
        for meeting in progress.meetings:
            if not keep(meeting.date):
                continue
            for pid in dict.fromkeys(meeting.present):  # a session logged twice is one attendance
                attendance.append([group.name, meeting.date, str(meeting.ref), pid, "present"])
            for pid in dict.fromkeys(meeting.absent):
                member = progress.states.get(pid)
                made_up = member is not None and meeting.ref in member.done
                attendance.append(
                    [group.name, meeting.date, str(meeting.ref), pid, "caught_up" if made_up else "absent"]
                )
    for pid in sorted(states):  # the individual track: its sessions and absences, group left empty
        state = states[pid]
        if state.format == "group":
            continue  # a group member's catch-up is counted in the group's rows
        for entry in state.sessions:
            if not entry.get("group") and keep(entry.get("date")):
                attendance.append(
                    ["", entry.get("date"), f"{entry.get('module')}.{entry.get('session')}", pid, "present"]
                )
        for entry in state.absences:
            if not entry.get("group") and keep(entry.get("date")):
                ref = f"{entry.get('module')}.{entry.get('session')}"
                made_up = any(f"{e.get('module')}.{e.get('session')}" == ref for e in state.sessions)
                attendance.append(["", entry.get("date"), ref, pid, "caught_up" if made_up else "absent"])
    fidelity = [
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
    return {
        "sessions": (
            [
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
            sessions,
        ),
        "attendance": (["group", "date", "session", "participant", "status"], attendance),
        "goals": (["participant", "goal", "step", "status", "done_on"], goals),
        "imrs_items": (["participant", "date", "rater", "item", "score"], items),
        "fidelity": (["item", "basis", "score", "indication", "since", "until"], fidelity),
    }


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
