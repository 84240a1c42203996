"""`imr diff`: added entries in words per participant and group; rewrites listed loudly first."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import Imr

from imr.reports.diff import compare, compare_carefully
from imr.workspace import store
from imr.workspace.folder import open_workspace


def append(imr: Imr, pid: str, *entries: dict) -> None:
    store.append(open_workspace(imr.root), pid, list(entries))


def entry(kind: str, at: str = "2026-01-05T10:00:00+01:00", by: str = "AB", **fields) -> dict:
    return {"kind": kind, "at": at, "by": by, **fields}


@pytest.fixture
def committed(enrolled: Imr) -> Imr:
    enrolled.commit_all("start")
    return enrolled


def test_added_session_is_told_in_words(committed: Imr):
    committed.ok(
        "session",
        "log",
        "p-01",
        "--date",
        "2026-01-05",
        "--homework-review",
        "partly",
        "--homework",
        "Skriv ned tre saker som fungerat.",
        "--note",
        "Hen var [bold]pigg[/bold] i dag.",
    )
    out = committed.ok("diff").output
    assert "Tillagt från HEAD till arbetskopian" in out
    assert "Deltagare p-01 (records/p-01.yaml, ändrad)" in out
    line = next(l for l in out.splitlines() if "träff 1.1" in l)
    assert "2026-01-05 KL" in line
    assert "träff 1.1" in line
    assert "hemuppgiften: delvis gjord" in line
    assert "ny hemuppgift: ”Skriv ned tre saker som fungerat.”" in line
    assert "anteckning: ”Hen var [bold]pigg[/bold] i dag.”" in line  # user text shown as typed
    assert "VARNING" not in out


def test_json_has_added_entries_per_participant(committed: Imr):
    committed.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Bra.")
    committed.ok("patient", "add", "p-02")  # a new, untracked record
    data = json.loads(committed.ok("diff", "--json").output)
    assert data["from"] == "HEAD" and data["to"] is None and data["rewritten_files"] == 0
    by_id = {p["id"]: p for p in data["participants"]}
    assert by_id["p-01"]["status"] == "changed"
    [added] = by_id["p-01"]["added"]
    assert added["entry"] == 2 and added["kind"] == "session" and added["note"] == "Bra."
    assert added["by"] == "KL" and added["date"] == "2026-01-05" and added["line"] > 1
    assert by_id["p-01"]["rewritten"] == []
    assert by_id["p-02"]["status"] == "added"
    assert [a["kind"] for a in by_id["p-02"]["added"]] == ["enrolled"]
    assert data["groups"] == []


def test_goal_changes_imrs_and_corrections_are_described(committed: Imr):
    append(
        committed,
        "p-01",
        entry("goal", goal="G1", text="Gå en promenad varje dag", steps=["Gå till kiosken"]),
        entry("goal-step", goal="G1", step="G1.2", text="Gå runt parken"),
        entry("goal-update", goal="G1.1", status="done"),
        entry("imrs", rater="client", date="2026-01-05", scores=[3] * 12 + [4, "na", "na"]),
        entry("contact", date="2026-01-05", who="syster"),
        entry("correction", target=1, note="Fel version.", set={"variant": "bipolar"}),
    )
    out = committed.ok("diff").output
    assert "nytt mål G1: ”Gå en promenad varje dag” (delmål: Gå till kiosken)" in out
    assert "nytt delmål G1.2: ”Gå runt parken”" in out
    assert "G1.1 får status klart" in out
    assert "IMRS (deltagare), medelvärde 3,08" in out
    assert "kontakt med närstående (syster)" in out
    assert "rättelse av post 1 (ändrar version=bipolär)" in out
    assert "AB" in out


def test_between_two_revisions(committed: Imr):
    committed.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Första.")
    committed.commit_all("first session")
    committed.ok("session", "log", "p-01", "--date", "2026-01-12", "--note", "Andra.")
    committed.commit_all("second session")
    data = json.loads(committed.ok("diff", "HEAD~1", "HEAD", "--json").output)
    assert [a["note"] for a in data["participants"][0]["added"]] == ["Andra."]
    data = json.loads(committed.ok("diff", "HEAD~2", "--json").output)
    assert [a["note"] for a in data["participants"][0]["added"]] == ["Första.", "Andra."]
    assert "Inga ändringar" in committed.ok("diff").output


def test_a_rewritten_line_is_listed_first_with_the_lines(committed: Imr):
    committed.ok("patient", "add", "p-02")
    committed.commit_all("two")
    path = committed.record("p-01")
    path.write_text(
        path.read_text(encoding="utf-8").replace("variant: schizophrenia", "variant: bipolar"), encoding="utf-8"
    )
    committed.ok("session", "log", "p-02", "--date", "2026-01-05", "--note", "Ny post.")
    out = committed.ok("diff").output
    lines = out.splitlines()
    assert lines[0].startswith("VARNING: tidigare rader har ändrats eller tagits bort i 1 fil(er)")
    assert lines[1] == "records/p-01.yaml rad 6:"
    assert "  -   variant: schizophrenia" in lines and "  +   variant: bipolar" in lines
    assert out.index("VARNING") < out.index("Ny post.")

    data = json.loads(committed.ok("diff", "--json").output)
    assert data["rewritten_files"] == 1
    rewritten = {p["id"]: p["rewritten"] for p in data["participants"]}
    [hunk] = rewritten["p-01"]
    assert hunk["line"] == 6
    assert "  variant: schizophrenia" in hunk["removed"] and "  variant: bipolar" in hunk["added"]
    assert rewritten["p-02"] == []


def test_removed_entry_and_deleted_record_are_rewrites(committed: Imr):
    committed.ok("patient", "add", "p-02")
    committed.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Ska bort.")
    committed.commit_all("two")
    path = committed.record("p-01")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex("\n- id:", 0, text.index("kind: session")) + 1], encoding="utf-8")
    committed.record("p-02").unlink()
    data = json.loads(committed.ok("diff", "--json").output)
    by_id = {p["id"]: p for p in data["participants"]}
    assert data["rewritten_files"] == 2
    assert any("  note: Ska bort." in h["removed"] for h in by_id["p-01"]["rewritten"])
    assert by_id["p-02"]["status"] == "deleted" and by_id["p-02"]["rewritten"][0]["line"] == 1


def test_appended_comment_or_blank_line_is_not_a_rewrite(committed: Imr):
    with open(committed.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write("\n# Handledning 2026-01-10: inga synpunkter.\n")
    data = json.loads(committed.ok("diff", "--json").output)
    assert data["rewritten_files"] == 0
    assert data["participants"][0]["added"] == []


def test_a_field_added_inside_an_old_entry_is_a_rewrite():
    old = b"id: p-01\nlog:\n- kind: enrolled\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n"
    new = old.replace(b"  by: KL\n", b"  by: KL\n  note: tillagd i efterhand\n")
    change = compare("records/p-01.yaml", old, new)
    assert change.rewritten and change.added == []
    assert change.rewritten[0]["added"][-1] == "  note: tillagd i efterhand"


def test_group_files_are_reported_as_groups(committed: Imr):
    group = committed.root / "groups" / "tisdag.yaml"
    group.write_text(
        "id: tisdag\nlog:\n- kind: group-created\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n"
        "  leaders: [KL, AB]\n- kind: member-added\n  at: '2026-01-01T09:01:00+01:00'\n  by: KL\n"
        "  id: p-01\n",
        encoding="utf-8",
    )
    data = json.loads(committed.ok("diff", "--json").output)
    [info] = data["groups"]
    assert info["name"] == "tisdag" and [a["kind"] for a in info["added"]] == ["group-created", "member-added"]
    out = committed.ok("diff").output
    assert "Grupp tisdag" in out and "gruppen skapad (ledare: KL, AB)" in out and "p-01 börjar i gruppen" in out


def test_a_workspace_without_commits_compares_with_nothing(enrolled: Imr):
    data = json.loads(enrolled.ok("diff", "--json").output)
    assert [p["id"] for p in data["participants"]] == ["p-01"]


def test_an_unreadable_new_version_is_reported_not_crashed_on(committed: Imr):
    with open(committed.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write("- kind: session\n  at: [oops\n")
    out = committed.ok("diff").output
    assert "records/p-01.yaml:" in out and "YAML" in out


@pytest.mark.parametrize("args", [["nosuchbranch"], ["--output=/tmp/x"], ["HEAD", "HEAD", "HEAD"]])
def test_bad_revisions_give_one_message_and_write_nothing(committed: Imr, args):
    before = committed.snapshot()
    result = committed("diff", "--", *args)
    assert result.exit_code == 1
    assert result.output.startswith("Fel:") and result.output.count("\n") == 1
    assert committed.snapshot() == before


def test_not_a_git_repository(committed: Imr):
    shutil.rmtree(committed.root / ".git")
    result = committed("diff")
    assert result.exit_code == 1 and "inget git-arkiv" in result.output


def test_a_step_the_state_numbers_apart_is_shown_under_its_label(committed: Imr):
    """Two clones each added step 1 to one goal; the one written later is GK7M.2 in every view,
    so the diff says so (and what was written), and a later entry naming it says GK7M.2 too."""

    def step(entry_id: str, at: str, text: str) -> str:
        return (
            f"- id: {entry_id}\n  kind: goal-step\n  at: '{at}'\n  by: KL\n  goal: bbbbbbbb\n"
            f"  step: GK7M.1\n  text: {text}\n"
        )

    path = committed.record("p-01")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(
            "- id: bbbbbbbb\n  kind: goal\n  at: '2026-03-01T09:00:00+01:00'\n  by: KL\n  goal: GK7M\n"
            "  text: Laga mat\n" + step("dddddddd", "2026-03-29T09:00:00+01:00", "Steka ägg")
        )
    committed.commit_all("the first clone's step")
    with open(path, "a", encoding="utf-8") as handle:  # the other clone's step, merged: written 30 minutes later
        handle.write(
            step("cccccccc", "2026-03-29T10:30:00+02:00", "Koka pasta")
            + "- id: eeeeeeee\n  kind: goal-update\n  at: '2026-04-02T10:00:00+02:00'\n  by: KL\n"
            "  target: cccccccc\n  status: done\n"
        )
    out = committed.ok("diff").output
    assert "nytt delmål GK7M.2 (skrevs som GK7M.1, som ett annat delmål redan har): ”Koka pasta”" in out
    assert "GK7M.2" in next(line for line in out.splitlines() if "eeeeeeee" in line)
    assert "GK7M.2" in committed.ok("goal", "list", "p-01").output  # the label the views show
    data = json.loads(committed.ok("diff", "--json").output)
    assert data["participants"][0]["step_labels"] == {"cccccccc": "GK7M.2"}
    old, new = committed.git("show", "HEAD:records/p-01.yaml").encode(), path.read_bytes()
    quick, careful = compare("records/p-01.yaml", old, new), compare_carefully("records/p-01.yaml", old, new)
    assert quick.step_labels == careful.step_labels == {"cccccccc": "GK7M.2"}  # both ways of reading a change


def test_a_group_change_is_told_in_words_in_the_diff_and_the_report(committed: Imr):
    """`imr group set` wrote a `group-changed` entry that the diff showed as its English kind name."""
    committed.ok("group", "create", "tisdag", "--leader", "KL")
    committed.commit_all("grupp")
    committed.ok("group", "set", "tisdag", "--weekday", "tor", "--leader", "AB")
    out = committed.ok("diff").output
    assert "gruppen ändrad: ledare nu AB; träffdagar nu torsdag" in out and "group-changed" not in out
    out = committed.ok("--lang", "en", "diff").output
    assert "group changed: leaders now AB; meeting days now Thursday" in out
    report = committed.root / "rapport.html"
    committed.ok("report", "-o", str(report))
    html = report.read_text(encoding="utf-8")
    assert "gruppen ändrad 1" in html and "group-changed" not in html


def test_no_git_repository_is_one_sentence(enrolled: Imr):
    shutil.rmtree(enrolled.root / ".git")
    out = enrolled.refused("diff").output
    assert "är inget git-arkiv" in out and "imr init" in out


def test_git_missing_is_one_sentence(committed: Imr, tmp_path, monkeypatch):
    """Every git call of `imr diff` goes through imr.core.git: git missing from PATH is the same
    sentence as a folder that is no repository, not a traceback."""
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = committed.refused("diff", "--since", "2026-01-01").output
    assert "är inget git-arkiv" in out
