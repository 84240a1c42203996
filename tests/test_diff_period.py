"""`imr diff --since/--until/--by`: review by calendar in a real git repository with dated commits."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import Imr

from imr.workspace import store
from imr.workspace.folder import open_workspace


def commit_on(imr: Imr, when: str, message: str) -> None:
    """Commit everything with both git dates set, as if committed at `when`."""
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(["git", "-C", str(imr.root), "add", "-A"], check=True, env=env)
    subprocess.run(
        [
            "git",
            "-C",
            str(imr.root),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@invalid",
            "commit",
            "-q",
            "-m",
            message,
        ],
        check=True,
        env=env,
    )


def append(imr: Imr, pid: str, **fields) -> None:
    store.append(open_workspace(imr.root), pid, [{"at": "2026-11-09T10:00:00+01:00", **fields}])


@pytest.fixture
def month(enrolled: Imr) -> Imr:
    """Three commits in November: enrolment on the 2nd, sessions on the 10th and the 20th."""
    commit_on(enrolled, "2026-11-02T09:00:00+01:00", "enrol")
    enrolled.ok("session", "log", "p-01", "--date", "2026-11-09", "--note", "Andra veckan.")
    append(enrolled, "p-01", kind="contact", date="2026-11-09", who="syster", by="AB")
    commit_on(enrolled, "2026-11-10T16:00:00+01:00", "week 2")
    enrolled.ok("session", "log", "p-01", "--date", "2026-11-19", "--note", "Tredje veckan.")
    commit_on(enrolled, "2026-11-20T16:00:00+01:00", "week 3")
    return enrolled


def diff_json(imr: Imr, *args: str) -> dict:
    return json.loads(imr.ok("diff", "--json", *args).output)


def test_period_is_the_same_review_as_the_commits_it_spans(month: Imr):
    by_period = diff_json(month, "--since", "2026-11-05", "--until", "2026-11-15")
    by_commits = diff_json(month, "HEAD~2", "HEAD~1")
    assert (by_period["from"], by_period["to"]) == ("2026-11-05", "2026-11-15")
    assert {**by_period, "from": None, "to": None} == {**by_commits, "from": None, "to": None}
    [p01] = by_period["participants"]
    assert [(a["kind"], a["by"]) for a in p01["added"]] == [("session", "KL"), ("contact", "AB")]
    out = month.ok("diff", "--since", "2026-11-05", "--until", "2026-11-15").output
    assert "Tillagt från 2026-11-05 till 2026-11-15" in out
    assert "2026-11-09 AB: kontakt med närstående (syster)" in out
    assert "Tredje veckan" not in out


def test_period_without_commits_and_before_the_first_commit(month: Imr):
    out = month.ok("diff", "--since", "2026-11-11", "--until", "2026-11-19").output
    assert "Inga ändringar i journaler eller grupper från 2026-11-11 till 2026-11-19." in out
    assert "Inga ändringar" in month.ok("diff", "--since", "2026-10-01", "--until", "2026-10-31").output
    first = diff_json(month, "--since", "2026-10-01", "--until", "2026-11-02")
    [p01] = first["participants"]  # from the empty tree: the whole record is new
    assert p01["status"] == "added" and [a["kind"] for a in p01["added"]] == ["enrolled"]


def test_since_without_until_runs_to_the_working_tree(month: Imr):
    month.ok("session", "log", "p-01", "--date", "2026-11-26", "--note", "Ej incheckad.")
    data = diff_json(month, "--since", "2026-11-15")
    assert data["to"] is None
    assert [a.get("note") for a in data["participants"][0]["added"]] == ["Tredje veckan.", "Ej incheckad."]
    # Every commit so far was made before today: "idag" leaves only what is not committed yet.
    assert [a.get("note") for a in diff_json(month, "--since", "idag")["participants"][0]["added"]] == ["Ej incheckad."]


def test_by_keeps_one_signature_but_never_hides_a_rewrite(month: Imr):
    path = month.root / "records" / "p-01.yaml"
    path.write_text(path.read_text().replace("Andra veckan.", "Andra veckan, ändrad."))
    append(month, "p-01", kind="contact", date="2026-11-25", who="bror", by="AB")
    data = diff_json(month, "--since", "2026-11-15", "--by", "AB")
    assert data["rewritten_files"] == 1
    [p01] = data["participants"]
    assert [(a["kind"], a["by"]) for a in p01["added"]] == [("contact", "AB")]
    assert any("Andra veckan, ändrad." in line for hunk in p01["rewritten"] for line in hunk["added"])
    out = month.ok("diff", "--since", "2026-11-15", "--by", "ab").output  # signatures match in any case
    assert "VARNING" in out and "bror" in out and "Tredje veckan" not in out
    # Nobody signed "XY": nothing to show except the rewrite.
    only_rewrite = diff_json(month, "--since", "2026-11-15", "--by", "XY")
    assert only_rewrite["participants"][0]["added"] == [] and only_rewrite["rewritten_files"] == 1


def test_by_drops_files_with_nothing_signed(month: Imr):
    data = diff_json(month, "--since", "2026-11-05", "--until", "2026-11-15", "--by", "XY")
    assert data["participants"] == [] and data["rewritten_files"] == 0
    out = month.ok("diff", "--since", "2026-11-05", "--until", "2026-11-15", "--by", "XY").output
    assert out.strip() == "Inga poster signerade XY från 2026-11-05 till 2026-11-15."


@pytest.mark.parametrize(
    "args, message",
    [
        (("HEAD~1", "--since", "2026-11-01"), "Ange antingen versioner eller --since/--until"),
        (("--until", "2026-11-15"), "--until behöver ett --since"),
        (("--since", "2026-11-15", "--until", "2026-11-01"), "ligger före --since"),
        (("--since", "31/13"), "Datumet ”31/13” går inte att läsa"),
    ],
)
def test_period_errors_are_one_sentence(month: Imr, args: tuple, message: str):
    result = month("diff", *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_a_clone_merged_later_counts_on_the_day_of_the_merge(month: Imr):
    """Entries written in a clone on the 13th and merged on the 25th belong to the period of the merge."""
    month.ok("patient", "add", "p-02")
    commit_on(month, "2026-11-21T09:00:00+01:00", "p-02")
    month.git("checkout", "-q", "-b", "clone")
    append(month, "p-02", kind="contact", date="2026-11-22", who="mamma", by="AB")
    commit_on(month, "2026-11-23T09:00:00+01:00", "in the clone")
    month.git("checkout", "-q", "-")
    month.ok("session", "log", "p-01", "--date", "2026-11-22", "--note", "På avdelningen.")
    commit_on(month, "2026-11-22T16:00:00+01:00", "on the ward")
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": "2026-11-25T09:00:00+01:00",
        "GIT_AUTHOR_DATE": "2026-11-25T09:00:00+01:00",
    }
    subprocess.run(
        [
            "git",
            "-C",
            str(month.root),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@invalid",
            "merge",
            "-q",
            "--no-ff",
            "--no-verify",
            "-m",
            "merge the clone",
            "clone",
        ],
        check=True,
        env=env,
    )
    # The clone's commit (the 23rd) is newer than the ward's last one before the 24th (the 22nd),
    # but it is not on this branch's own line: the period starts after the ward's commit.
    data = diff_json(month, "--since", "2026-11-24", "--until", "2026-11-25")
    assert [(p["id"], [a["who"] for a in p["added"]]) for p in data["participants"]] == [("p-02", ["mamma"])]
    out = month.ok("diff", "--since", "2026-11-24", "--until", "2026-11-25").output
    assert "2026-11-22 AB: kontakt med närstående (mamma)" in out  # the entry's own date, as written


def test_no_commits_yet(enrolled: Imr):
    data = diff_json(enrolled, "--since", "2026-11-01")
    assert [p["status"] for p in data["participants"]] == ["added"]
