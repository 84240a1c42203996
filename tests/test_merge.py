"""Merging records between clones: both sides' entries survive; rewrites fall back to conflicts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Imr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.core.yamlio import dump, parse_text
from imr.gates.merge import conflict_text, merge_logs

BASE = (
    "# IMR record (pseudonymous).\n"
    "id: p-01\n"
    "log:\n"
    "- kind: enrolled\n"
    "  at: '2026-01-01T09:00:00+01:00'\n"
    "  by: KL\n"
    "  variant: general\n"
    "  format: individual\n"
)


def item(at: str, note: str, by: str = "KL") -> str:
    return (
        f"- kind: session\n  at: '{at}'\n  by: {by}\n  module: 1\n  session: 1\n  date: '{at[:10]}'\n  note: {note}\n"
    )


def notes(text: str) -> list[str]:
    return [e.get("note") for e in parse_text(text)["log"][1:]]


# --- the merge itself, on bytes -----------------------------------------------------------


def test_entries_from_both_sides_are_ordered_by_time_and_a_tie_never_by_side():
    ours = BASE + item("2026-01-05T10:00:00+01:00", "ours early") + item("2026-01-07T10:00:00+01:00", "ours late")
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "theirs") + item("2026-01-07T10:00:00+01:00", "theirs tie")
    outcome = merge_logs(BASE.encode(), ours.encode(), theirs.encode())
    assert outcome.clean
    assert outcome.text.startswith(BASE)
    # A tie in `at` is broken by the entry's bytes, so both clones merging the pair agree.
    assert notes(outcome.text) == ["ours early", "theirs", "ours late", "theirs tie"]
    assert merge_logs(BASE.encode(), theirs.encode(), ours.encode()).text == outcome.text


def test_times_in_different_offsets_compare_as_moments():
    ours = BASE + item("2026-01-05T10:30:00+01:00", "ours at 09:30 UTC")
    theirs = BASE + item("2026-01-05T09:00:00+00:00", "theirs at 09:00 UTC")
    assert notes(merge_logs(BASE.encode(), ours.encode(), theirs.encode()).text) == [
        "theirs at 09:00 UTC",
        "ours at 09:30 UTC",
    ]


def test_hand_comments_travel_with_their_entries_and_bytes_are_kept():
    ours = BASE + "# written after the ward round\n" + item("2026-01-05T10:00:00+01:00", "ours")
    theirs = BASE + item("2026-01-04T10:00:00+01:00", "theirs") + "# a comment at the end\n"
    text = merge_logs(BASE.encode(), ours.encode(), theirs.encode()).text
    assert text == BASE + item(
        "2026-01-04T10:00:00+01:00", "theirs"
    ) + "# a comment at the end\n" + "# written after the ward round\n" + item("2026-01-05T10:00:00+01:00", "ours")


def test_the_same_entry_appended_on_both_sides_is_kept_once():
    same = item("2026-01-05T10:00:00+01:00", "cherry-picked")
    ours = BASE + same + item("2026-01-06T10:00:00+01:00", "ours")
    theirs = BASE + same
    assert notes(
        merge_logs(BASE.encode(), ours.encode(), (theirs + item("2026-01-07T10:00:00+01:00", "theirs")).encode()).text
    ) == ["cherry-picked", "ours", "theirs"]


def test_a_base_without_final_newline_still_merges():
    base = BASE.rstrip("\n")
    ours = base + "\n" + item("2026-01-05T10:00:00+01:00", "ours")
    theirs = base + "\n" + item("2026-01-06T10:00:00+01:00", "theirs")
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    assert outcome.clean and notes(outcome.text) == ["ours", "theirs"]


def test_an_indented_log_merges_too():
    base = (
        BASE.replace("\n- ", "\n  - ")
        .replace("\n  at", "\n    at")
        .replace("\n  by", "\n    by")
        .replace("\n  variant", "\n    variant")
        .replace("\n  format", "\n    format")
    )
    assert parse_text(base)["log"][0]["kind"] == "enrolled"

    def indented(text: str) -> str:
        return "".join("  " + line for line in text.splitlines(keepends=True))

    ours = base + indented(item("2026-01-06T10:00:00+01:00", "ours"))
    theirs = base + indented(item("2026-01-05T10:00:00+01:00", "theirs"))
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    assert outcome.clean and notes(outcome.text) == ["theirs", "ours"]


@pytest.mark.parametrize(
    "ours, theirs",
    [
        # an earlier line changed on one side
        (
            BASE.replace("variant: general", "variant: bipolar") + item("2026-01-05T10:00:00+01:00", "a"),
            BASE + item("2026-01-06T10:00:00+01:00", "b"),
        ),
        # an earlier entry removed on one side
        (
            BASE.split("- kind")[0] + item("2026-01-05T10:00:00+01:00", "a"),
            BASE + item("2026-01-06T10:00:00+01:00", "b"),
        ),
        # text glued to the last line (no new line first)
        (
            BASE.rstrip("\n") + " # changed\n" + item("2026-01-05T10:00:00+01:00", "a"),
            BASE + item("2026-01-06T10:00:00+01:00", "b"),
        ),
    ],
)
def test_a_rewrite_on_either_side_refuses_the_merge(ours, theirs):
    assert merge_logs(BASE.encode(), ours.encode(), theirs.encode()).reason == "merge_rewritten"
    assert merge_logs(BASE.encode(), theirs.encode(), ours.encode()).reason == "merge_rewritten"


@pytest.mark.parametrize(
    "tail",
    [
        "extra: key\n",  # not a log item
        "- kind: session\n  at: [unclosed\n",  # not YAML
        "- kind: session\n  at: '2026-01-06T10:00:00+01:00'\n- [not, a, mapping]\n",
    ],
)
def test_new_text_that_is_not_a_list_of_entries_is_refused(tail):
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    assert merge_logs(BASE.encode(), (BASE + tail).encode(), theirs.encode()).reason == "merge_unreadable"


def test_a_comment_alone_appended_on_one_side_is_kept():
    ours = BASE + "# Handledning 2026-01-10: inga synpunkter.\n"
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "theirs")
    outcome = merge_logs(BASE.encode(), ours.encode(), theirs.encode())
    # A comment has no time: it follows the other side's timed entries, whichever side it is on.
    assert outcome.text == theirs + "# Handledning 2026-01-10: inga synpunkter.\n"


def test_the_same_record_created_in_both_clones_is_a_conflict():
    assert merge_logs(b"", BASE.encode(), BASE.replace("general", "bipolar").encode()).reason == "merge_unreadable"


def test_a_correction_whose_new_target_would_move_is_refused():
    correction = "- kind: correction\n  at: '2026-01-05T11:00:00+01:00'\n  by: KL\n  target: 2\n  note: fel datum\n"
    ours = BASE + item("2026-01-05T10:00:00+01:00", "ours") + correction
    theirs = BASE + item("2026-01-04T10:00:00+01:00", "theirs, earlier")
    assert merge_logs(BASE.encode(), ours.encode(), theirs.encode()).reason == "merge_correction_moved"
    # A correction of an entry in the common base keeps its target, so that merges.
    ours_base_target = BASE + correction.replace("target: 2", "target: 1")
    assert merge_logs(BASE.encode(), ours_base_target.encode(), theirs.encode()).clean


def test_one_side_unchanged_takes_the_other():
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    assert merge_logs(BASE.encode(), BASE.encode(), theirs.encode()).text == theirs
    assert merge_logs(BASE.encode(), theirs.encode(), theirs.encode()).text == theirs


# --- real git: two clones of one workspace -----------------------------------------------


@pytest.fixture
def clones(enrolled: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Imr, Imr]:
    """Clone A (the `imr init` workspace, with p-01 and p-02) and clone B, both with the driver."""
    for key, value in (
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@invalid"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@invalid"),
    ):
        monkeypatch.setenv(key, value)
    enrolled.ok("patient", "add", "p-02")
    git(enrolled.root, "add", "-A")
    git(enrolled.root, "commit", "-q", "--no-verify", "-m", "start")
    other = tmp_path / "clone-b"
    subprocess.run(["git", "clone", "-q", str(enrolled.root), str(other)], check=True)
    b = Imr(other, monkeypatch)
    result = b.ok("init", ".")
    assert "merge.imr" in result.output
    return enrolled, b


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], check=check, capture_output=True, text=True)


def commit(clone: Imr, message: str) -> None:
    git(clone.root, "commit", "-q", "--no-verify", "-am", message)


def pull(clone: Imr, other: Imr) -> subprocess.CompletedProcess:
    return git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", str(other.root), "HEAD", check=False)


def test_two_clones_append_to_the_same_record_and_merge_cleanly(clones):
    a, b = clones
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Från klon A", "--homework", "Läs bladet")
    commit(a, "A logs p-01")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    b.ok("absent", "p-02", "--date", "2026-01-06")
    commit(b, "B logs p-01 and p-02")

    result = pull(b, a)
    assert result.returncode == 0, result.stderr
    assert "CONFLICT" not in result.stdout + result.stderr
    text = b.record("p-01").read_text(encoding="utf-8")
    assert "Från klon A" in text and "Från klon B" in text
    assert "<<<<<<<" not in text
    log = parse_text(text)["log"]
    assert [e["kind"] for e in log] == ["enrolled", "session", "session"]
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    b.ok("check")
    assert b("check").output == ""
    # Reviewing the merge against B's own history shows A's entry as an addition, not a rewrite.
    review = b.ok("diff", "HEAD^1", "HEAD", "--json")
    import json

    data = json.loads(review.output)
    assert data["rewritten_files"] == 0
    assert [e["note"] for p in data["participants"] for e in p["added"]] == ["Från klon A"]


def test_two_clones_append_to_different_records_and_merge_cleanly(clones):
    a, b = clones
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "A om p-01")
    commit(a, "A")
    b.ok("session", "log", "p-02", "--date", "2026-01-05", "--note", "B om p-02")
    commit(b, "B")
    assert pull(a, b).returncode == 0
    assert "A om p-01" in a.record("p-01").read_text(encoding="utf-8")
    assert "B om p-02" in a.record("p-02").read_text(encoding="utf-8")
    a.ok("check")


def test_group_files_merge_with_the_same_driver(clones):
    a, b = clones
    group = a.root / "groups" / "tisdag.yaml"
    group.write_text(
        "# IMR group.\nname: tisdag\nlog:\n- kind: group-created\n  at: '2026-01-01T09:00:00+01:00'\n  by: KL\n",
        encoding="utf-8",
    )
    git(a.root, "add", "-A")
    commit(a, "group")
    assert pull(b, a).returncode == 0
    with open(group, "a", encoding="utf-8") as handle:
        handle.write("- kind: member-added\n  at: '2026-01-02T09:00:00+01:00'\n  by: KL\n  id: p-01\n")
    commit(a, "A adds p-01")
    with open(b.root / "groups" / "tisdag.yaml", "a", encoding="utf-8") as handle:
        handle.write("- kind: member-added\n  at: '2026-01-03T09:00:00+01:00'\n  by: AB\n  id: p-02\n")
    commit(b, "B adds p-02")
    assert git(b.root, "check-attr", "merge", "groups/tisdag.yaml").stdout.strip().endswith("merge: imr")
    assert pull(b, a).returncode == 0
    assert len(parse_text(group.read_text(encoding="utf-8"))["log"]) == 2  # A itself is unchanged
    merged = parse_text((b.root / "groups" / "tisdag.yaml").read_text(encoding="utf-8"))["log"]
    assert [e.get("id") for e in merged[1:]] == ["p-01", "p-02"]


def test_a_rewrite_makes_the_driver_fall_back_to_conflict_markers(clones):
    a, b = clones
    path = a.record("p-01")
    # Clone A edits the last line of the committed record (breaking the append-only rule) ...
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[-1] = lines[-1].rstrip("\n") + "  # ändrad i efterhand\n"
    path.write_text("".join(lines), encoding="utf-8")
    flagged = a.ok("diff")
    assert flagged.output.startswith("VARNING")
    commit(a, "A rewrites")
    # ... while clone B appends an entry after it.
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B appends")

    result = pull(b, a)
    assert result.returncode != 0
    assert "CONFLICT" in result.stdout + result.stderr
    assert "tidigare rader har ändrats" in result.stdout + result.stderr
    merged = b.record("p-01").read_text(encoding="utf-8")
    assert "<<<<<<<" in merged and ">>>>>>>" in merged
    assert "Från klon B" in merged and "ändrad i efterhand" in merged  # nothing lost
    assert "UU records/p-01.yaml" in git(b.root, "status", "--short").stdout


def test_a_rewrite_that_git_could_merge_is_still_refused(clones):
    a, b = clones
    path = a.record("p-01")
    path.write_text(
        path.read_text(encoding="utf-8").replace("variant: schizophrenia", "variant: bipolar"), encoding="utf-8"
    )
    commit(a, "A rewrites the variant")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B appends")
    result = pull(b, a)
    assert result.returncode != 0
    assert "UU records/p-01.yaml" in git(b.root, "status", "--short").stdout
    assert "Från klon B" in b.record("p-01").read_text(encoding="utf-8")


def test_merge_driver_cli_command_still_works_for_old_registrations(tmp_path: Path, imr: Imr):
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(BASE, encoding="utf-8")
    ours.write_text(BASE + item("2026-01-06T10:00:00+01:00", "ours"), encoding="utf-8")
    theirs.write_text(BASE + item("2026-01-05T10:00:00+01:00", "theirs"), encoding="utf-8")
    imr.ok("merge-driver", str(base), str(ours), str(theirs), "records/p-01.yaml")
    assert notes(ours.read_text(encoding="utf-8")) == ["theirs", "ours"]

    ours.write_text(BASE.replace("KL", "XX") + item("2026-01-06T10:00:00+01:00", "ours"), encoding="utf-8")
    result = imr("merge-driver", str(base), str(ours), str(theirs), "records/p-01.yaml")
    assert result.exit_code == 1
    assert "records/p-01.yaml" in result.output and "Traceback" not in result.output
    assert "<<<<<<<" in ours.read_text(encoding="utf-8")


def test_merge_driver_is_hidden_from_help(imr: Imr):
    assert "merge-driver" not in imr.ok("--help").output


# --- the quick path gives the careful result --------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    [
        "- kind: correction\n  at: '2026-01-05T11:00:00+01:00'\n  by: KL\n  target: 1\n  note: fel\n",  # positions
        "- kind: session\n  at: &a '2026-01-05T11:00:00+01:00'\n",  # an anchor
        "- kind: session\n  note: 'två\n  at: rader'\n  at: '2026-01-05T11:00:00+01:00'\n",  # a quote over a key's column
        "- kind: session\n  at: '2026-01-05T11:00:00+01:00'\n  at: '2026-01-06T11:00:00+01:00'\n",  # a key twice
        "- kind: session\n\tat: '2026-01-05T11:00:00+01:00'\n",  # a tab
        "- {kind: session, at: '2026-01-05T11:00:00+01:00'}\n",  # flow style
    ],
)
def test_anything_outside_the_writers_style_is_parsed_before_it_merges(tail):
    from imr.gates import merge

    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    block = tail.encode()
    assert merge._house_style_fields(tail.splitlines(keepends=True), "") is None or b"target" in block
    outcome = merge_logs(BASE.encode(), (BASE + tail).encode(), theirs.encode())
    if outcome.clean:
        parsed = parse_text(outcome.text)["log"]
        assert len(parsed) == 3


WARD_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ABCKLM .,;:-!?#'\"()”0123456789", max_size=220)
NOTE = st.one_of(
    WARD_TEXT, WARD_TEXT, st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=160)
)
TIME = st.builds(
    lambda d, h, m, z: f"2026-01-{d:02d}T{h:02d}:{m:02d}:00{z}",
    st.integers(2, 28),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["+01:00", "+02:00", "Z", "-05:00", "+00:00"]),
)


@st.composite
def entries(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["session", "contact", "goal", "imrs"]))
        at = draw(TIME)
        if kind == "session":
            value = {
                "kind": kind,
                "at": at,
                "by": draw(st.sampled_from(["KL", "AB"])),
                "module": 1,
                "session": 2,
                "date": at[:10],
                "note": draw(NOTE),
                "handout": draw(st.booleans()),
            }
        elif kind == "contact":
            value = {"kind": kind, "at": at, "by": "KL", "date": at[:10], "who": "mamma", "note": draw(NOTE)}
        elif kind == "goal":
            value = {
                "kind": kind,
                "at": at,
                "by": "KL",
                "goal": "G1",
                "text": draw(NOTE),
                "steps": draw(st.lists(NOTE, max_size=3)),
            }
        else:
            value = {
                "kind": kind,
                "at": at,
                "by": "KL",
                "rater": "client",
                "date": at[:10],
                "scores": draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)),
            }
        out.append(value)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries(), entries(), st.booleans(), st.booleans(), st.sampled_from(["", "# handledning\n"]))
def test_a_merge_keeps_every_entry_once_whichever_side_is_ours(ours_new, theirs_new, crlf, shared_first, comment):
    def text(entries_: list[dict]) -> str:
        return dump(entries_) if entries_ else ""

    shared = text(ours_new[:1]) if shared_first else ""
    base = BASE
    ours = base + shared + comment + text(ours_new)
    theirs = base + shared + text(theirs_new)
    if crlf:
        base, ours, theirs = (t.replace("\n", "\r\n") for t in (base, ours, theirs))
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    if outcome.clean:
        assert outcome.text.startswith(base)
        # the same bytes whichever side is ours, and every entry of both sides once
        assert merge_logs(base.encode(), theirs.encode(), ours.encode()).text == outcome.text
        log = parse_text(outcome.text)["log"]
        for side in (ours, theirs):
            position = 0
            for entry in parse_text(side)["log"]:  # every entry of each side, in its order
                position = log.index(entry, position) + 1
        assert len(log) <= len(parse_text(ours)["log"]) + len(parse_text(theirs)["log"]) - 1


def test_the_driver_entry_point_imports_neither_typer_nor_rich_nor_pydantic_nor_yaml(tmp_path: Path):
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_text(BASE, encoding="utf-8")
    ours.write_text(BASE + item("2026-01-06T10:00:00+01:00", "ours"), encoding="utf-8")
    theirs.write_text(BASE + item("2026-01-05T10:00:00+01:00", "theirs"), encoding="utf-8")
    probe = (
        "import sys, runpy; sys.argv = ['imr.merge_driver', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('imr.merge_driver', run_name='__main__')\n"
        "except SystemExit as done:\n    code = done.code\n"
        "print(sorted(m for m in ('typer', 'rich', 'pydantic', 'yaml', 're') if m in sys.modules), code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(base), str(ours), str(theirs), "7", "records/p-01.yaml"],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "[] 0", result.stderr
    assert notes(ours.read_text(encoding="utf-8")) == ["theirs", "ours"]


# --- a refused merge marks every difference -------------------------------------------------


def resolve(text: bytes, keep: str) -> bytes:
    """Take one side of every conflict region (as a person choosing "ours" or "theirs" would)."""
    out, section = [], None
    parts = text.split(b"\n")
    for line_n in [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else []):
        line = line_n.rstrip(b"\n")
        if line.startswith(b"<<<<<<< "):
            section = "ours"
        elif line.startswith(b"||||||| ") and section:
            section = "base"
        elif line.rstrip(b"\r") == b"=======" and section:
            section = "theirs"
        elif line.startswith(b">>>>>>> ") and section:
            section = None
        elif section is None or section == keep:
            out.append(line_n)
    return b"".join(out)


LINES = st.lists(st.sampled_from([b"a\n", b"b\n", b"c\n", b"- kind: x\n", b"  by: KL\n", b"  note: y\n"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(LINES, LINES, LINES)
def test_conflict_text_hides_nothing(base_lines, ours_lines, theirs_lines):
    base, ours, theirs = b"".join(base_lines), b"".join(ours_lines), b"".join(theirs_lines)
    marked = conflict_text(base, ours, theirs, "records/p-01.yaml")
    assert resolve(marked, "ours") == ours
    assert resolve(marked, "theirs") == theirs
    assert resolve(marked, "base") == base


def test_a_rewrite_with_appends_on_both_sides_is_marked_where_it_is():
    ours = BASE.replace("variant: general", "variant: bipolar") + item("2026-01-05T10:00:00+01:00", "a")
    theirs = BASE + item("2026-01-06T10:00:00+01:00", "b")
    marked = conflict_text(BASE.encode(), ours.encode(), theirs.encode(), "records/p-01.yaml").decode()
    regions = marked.split("<<<<<<< ")[1:]
    assert len(regions) == 2
    assert "variant: bipolar" in regions[0].split("=======")[0] and "variant: general" in regions[0]
    assert "note: a" in regions[1] and "note: b" in regions[1]
    outside = "".join(part.split(">>>>>>>")[-1] for part in marked.split("<<<<<<<"))
    assert "bipolar" not in outside and "note: a" not in outside and "note: b" not in outside


def test_crlf_and_bom_records_merge_without_a_byte_changed():
    base = ("\ufeff" + BASE).replace("\n", "\r\n")
    ours = base + item("2026-01-06T10:00:00+01:00", "ours").replace("\n", "\r\n")
    theirs = base + item("2026-01-05T10:00:00+01:00", "theirs").replace("\n", "\r\n")
    outcome = merge_logs(base.encode(), ours.encode(), theirs.encode())
    assert (
        outcome.text.encode()
        == (
            base
            + (item("2026-01-05T10:00:00+01:00", "theirs") + item("2026-01-06T10:00:00+01:00", "ours")).replace(
                "\n", "\r\n"
            )
        ).encode()
    )
    # Normalising the line ends on one side is a rewrite of every line, so it is refused.
    assert merge_logs(base.encode(), ours.replace("\r\n", "\n").encode(), theirs.encode()).reason == "merge_rewritten"


# --- real git, more clones ------------------------------------------------------------------


def minimal_shell_env() -> dict[str, str]:
    """A shell as a git GUI might start it: no virtual environment, no IMR_*, a minimal PATH."""
    keep = {k: v for k, v in os.environ.items() if k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LC_ALL": "C", **keep}


def test_the_driver_runs_from_a_shell_without_the_venv_on_path(clones):
    a, b = clones
    driver = git(b.root, "config", "merge.imr.driver").stdout.strip()
    assert shlex.split(driver)[0] == sys.executable and os.path.isabs(shlex.split(driver)[2])
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Från klon A")
    commit(a, "A")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B")
    env = minimal_shell_env()
    assert subprocess.run(["sh", "-c", "command -v imr"], env=env, capture_output=True).returncode != 0
    result = subprocess.run(
        [
            "env",
            "-i",
            *(f"{k}={v}" for k, v in env.items()),
            "git",
            "-C",
            str(b.root),
            "pull",
            "-q",
            "--no-rebase",
            "--no-edit",
            "--no-verify",
            str(a.root),
            "HEAD",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(notes(b.record("p-01").read_text(encoding="utf-8"))) == ["Från klon A", "Från klon B"]


def test_three_clones_through_a_bare_repository_merge_in_either_order(clones, tmp_path: Path):
    a, b = clones
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(a.root), str(hub)], check=True)
    c_root = tmp_path / "clone-c"
    subprocess.run(["git", "clone", "-q", str(hub), str(c_root)], check=True)
    c = Imr(c_root, a.monkeypatch)
    c.ok("init", ".")
    git(c_root, "remote", "rename", "origin", "hub")
    for clone in (a, b):
        git(clone.root, "remote", "add", "hub", str(hub))
        git(clone.root, "fetch", "-q", "hub")
    for clone, day, note in ((a, "2026-01-05", "A"), (b, "2026-01-07", "B"), (c, "2026-01-06", "C")):
        clone.ok("session", "log", "p-01", "--date", day, "--note", f"Från {note}")
        commit(clone, note)
    # A pushes first; B and C pull and push in turn; A and B pull last.
    git(a.root, "push", "-q", "hub", "HEAD:master")
    for clone in (b, c):
        pulled = git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", "hub", "master", check=False)
        assert pulled.returncode == 0, pulled.stderr
        git(clone.root, "push", "-q", "hub", "HEAD:master")
    for clone in (a, b):
        assert git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", "hub", "master", check=False).returncode == 0
    texts = {clone.record("p-01").read_bytes() for clone in (a, b, c)}
    assert len(texts) == 1
    assert sorted(notes(texts.pop().decode())) == ["Från A", "Från B", "Från C"]
    for clone in (a, b, c):
        assert clone("check", "--since", "").output == ""  # the whole history, merges included


def test_a_rewrite_on_one_side_of_a_merge_is_marked_in_either_order(clones):
    a, b = clones
    committed = a.record("p-01").read_text(encoding="utf-8")
    a.record("p-01").write_text(committed.replace("variant: schizophrenia", "variant: bipolar"), encoding="utf-8")
    a.ok("session", "log", "p-01", "--date", "2026-01-05", "--note", "Från klon A")
    commit(a, "A rewrites and appends")
    b.ok("session", "log", "p-01", "--date", "2026-01-06", "--note", "Från klon B")
    commit(b, "B appends")
    for ours, theirs in ((a, b), (b, a)):
        result = pull(ours, theirs)
        assert result.returncode != 0 and "CONFLICT" in result.stdout + result.stderr
        text = ours.record("p-01").read_text(encoding="utf-8")
        first = text.index("<<<<<<<")
        assert first < text.index("variant: bipolar") < text.index(">>>>>>>")
        assert "variant: bipolar" not in text[:first]
        git(ours.root, "merge", "--abort")


def test_crlf_records_merge_in_git_without_normalising(clones):
    a, b = clones
    path = a.record("p-01")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(a.root, "commit", "-q", "--no-verify", "-am", "CRLF")
    assert pull(b, a).returncode == 0
    for clone, day, note in ((a, 5, "A"), (b, 6, "B")):
        with open(clone.record("p-01"), "ab") as handle:
            entry = item(f"2026-01-0{day}T10:00:00+01:00", note).replace(
                "- kind:", f"- id: {note.lower()}0000001\n  kind:", 1
            )
            handle.write(entry.replace("\n", "\r\n").encode())
        commit(clone, note)
    before = a.record("p-01").read_bytes()
    assert pull(a, b).returncode == 0
    after = a.record("p-01").read_bytes()
    assert after.startswith(before) and after.count(b"\r\n") == after.count(b"\n")
    assert "0 insertions" not in git(a.root, "diff", "--stat", "HEAD^1", "HEAD").stdout
    assert git(a.root, "diff", "--numstat", "HEAD^1", "HEAD").stdout.split()[1] == "0"  # nothing removed
