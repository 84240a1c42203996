"""`imr fidelity`: the IMR-FS items the records support, scored, with the evidence beside each."""

from __future__ import annotations

from datetime import date

import typer

from imr.cli.common import console, escape, handle_errors, print_json, t, workspace


def register(app: typer.Typer) -> None:
    @app.command("fidelity")
    @handle_errors
    def fidelity(
        since: str | None = typer.Option(None, "--since"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Estimate IMR fidelity (IMR-FS) from the records; items that need observation are named, not guessed."""
        from imr.programme.sessions import check_date
        from imr.reports.fidelity import as_rows, assess, mean_score

        ws = workspace()
        start = date.fromisoformat(check_date(since)) if since else None
        items = assess(ws, since=start)
        rows = as_rows(items, ws.lang, ws.root)
        if as_json:
            print_json(rows)
            return
        from rich.table import Table

        table = Table(title=t("fidelity_title", since=since) if since else t("fidelity_title_all"), show_lines=True)
        for key in ("fidelity_col_item", "fidelity_col_name", "fidelity_col_score", "fidelity_col_evidence"):
            table.add_column(t(key))
        for row in rows:
            if row["score"] is not None:
                score = str(row["score"])
            elif row["basis"] == "observation":
                score = t("fidelity_observation")
            elif row.get("indication") is not None:
                from imr.cli.common import lang
                from imr.core.strings import number

                shown = row["indication"]
                shown = number(shown, lang(), 1) if isinstance(shown, float) else shown
                score = t("fidelity_indication", value=shown)
            else:
                score = t("none")
            table.add_row(str(row["item"]), escape(row["name"]), escape(score), escape(row["text"]))
        out = console()
        out.print(table)
        value = mean_score(items)
        if value is not None:
            level = "high" if value >= 4 else "moderate" if value >= 3 else "low"
            from imr.cli.common import lang
            from imr.core.strings import number

            out.print(
                escape(
                    t(
                        "fidelity_mean",
                        mean=number(value, lang(), 1),
                        count=sum(1 for i in items if i.score is not None),
                        level=t(f"fidelity_level_{level}"),
                    )
                )
            )
