"""`imr status`: one row per participant (attendance, next session, goals, latest IMRS).

The body (`show_status`) imports no typer: `imr.cli.app.main` runs `imr status` and `imr status
--json` without building a typer command (`argv.plain_command`); `register` declares the
command for typer, which calls the same function.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from imr.cli.common import console, escape, handle_errors, lang, print_json, t, workspace
from imr.core.strings import number, plural

if TYPE_CHECKING:
    import typer

COLUMNS = ("id", "variant", "form", "next", "attendance", "last", "goals", "imrs")


def register(app: typer.Typer) -> None:
    import typer

    @app.command("status")
    def status(as_json: bool = typer.Option(False, "--json")) -> None:
        """One row per participant: next session, attendance, last session, goals, IMRS."""
        show_status(as_json)


@handle_errors
def show_status(as_json: bool = False) -> None:
    from imr.reports.status import status_overview

    rows, found = status_overview(workspace())
    if as_json:
        print_json(rows)
        return
    if not rows:
        sys.stdout.write(t("no_participants") + "\n")
        return
    labels = _Labels()
    cells = [_cells(row, labels) for row in rows]
    if sys.stdout.isatty():
        _table(rows, cells)
    else:
        _plain(cells)
    if found:
        sys.stdout.write(t("status_findings", count=found) + "\n")
    _unsynced_note()


def _unsynced_note() -> None:
    """One line when records changed here have not been shared with `imr sync` yet."""
    from imr.gates.pending import own_changes  # lazy: git runs only when the table is shown

    root = workspace().root
    if not (root / ".git").exists():
        return
    try:
        changed = own_changes(root)
    except (OSError, ValueError):
        return  # no git on this computer: nothing to say about syncing
    if changed:
        sys.stdout.write(t("status_unsynced", files=plural(len(changed), t("file_one"), t("file_many"))) + "\n")


class _Labels:
    """The labels `_cells` needs, looked up once per run instead of once per cell (a region's
    thousand rows are seven thousand labels)."""

    def __init__(self) -> None:
        from imr.cli.common import strings_root
        from imr.core.strings import strings

        table = strings(lang(), strings_root())
        self.cli: dict[str, str] = table.get("cli", {})
        self.values: dict[str, dict] = table.get("values", {})
        self.lang = lang()
        self.attendance: dict[tuple, str] = {}  # (attended, missed, in a row) -> the cell: few differ

    def attended(self, row: dict[str, Any]) -> str:
        counts = (row["sessions_attended"], row["sessions_missed"], row.get("absences_in_a_row", 0))
        cell = self.attendance.get(counts)
        if cell is None:
            t = self.t
            cell = self.attendance[counts] = t(
                "status_attendance_counted",
                attended=plural(counts[0], t("session_one"), t("session_many")),
                missed=plural(counts[1], t("missed_one"), t("missed_many")),
            ) + (" " + t("status_in_a_row", count=counts[2]) if counts[2] >= 2 else "")
        return cell

    def t(self, key: str, **params: Any) -> str:  # as imr.cli.common.t
        text = self.cli.get(key)
        if text is None:
            return key
        return text.format(**params) if params else text

    def value(self, group: str, raw: Any) -> str:  # as imr.cli.common.value
        if raw is None:
            return self.t("none")
        return str(self.values.get(group, {}).get(str(raw), raw))


def _cells(row: dict[str, Any], labels: _Labels) -> list[str]:
    t, value = labels.t, labels.value
    if "error" in row:
        return [row["id"], row["error"]] + [""] * (len(COLUMNS) - 2)
    form = value("format", row["format"])
    if row.get("group"):
        form = t("status_in_group", group=row["group"])
    last = row["last_session_date"] or t("none")
    if row["last_session"]:
        last = f"{row['last_session']} {last}"
    if row["overdue"]:
        last += " " + t("status_overdue", days=row["days_since_session"])
    imrs = t("none")
    if row["imrs_mean"] is not None:
        imrs = number(row["imrs_mean"], labels.lang)
        if row["imrs_change"] is not None:
            change = number(row["imrs_change"], labels.lang)
            imrs += f" ({'+' if row['imrs_change'] > 0 else ''}{change})"
        if row.get("imrs_rater"):
            imrs += f" {value('rater', row['imrs_rater'])}"
    return [
        row["id"],
        value("variant", row["variant"]),
        form,
        row["next_session"] or t("status_complete"),
        labels.attended(row),
        last,
        str(row["active_goals"]),
        imrs,
    ]


def _table(rows: list[dict[str, Any]], cells: list[list[str]]) -> None:
    from rich.table import Table  # lazy: 13 ms on imr --help and the module's other commands

    table = Table(title=t("status_title"))
    for column in COLUMNS:
        table.add_column(t(f"status_col_{column}"))
    for row, values in zip(rows, cells, strict=False):
        style = "red" if "error" in row or row.get("overdue") or row.get("absences_in_a_row", 0) >= 2 else None
        table.add_row(*(escape(v) for v in values), style=style)
    console().print(table)


def _plain(cells: list[list[str]]) -> None:
    """Aligned columns without rich, for pipes and big wards (1,000 rows print instantly)."""
    header = [t(f"status_col_{column}") for column in COLUMNS]
    rows = [header, *cells]
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)  # (one format per row: a region's are many)
    sys.stdout.write("\n".join([line.format(*row).rstrip() for row in rows]) + "\n")
