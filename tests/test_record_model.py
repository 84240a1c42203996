"""Record model v2 as a ward uses it: staff clones pushing through a bare repository, real git.

Entry ids and goal labels are made under the lock and never collide; references survive merges in
either order; the session date is the programme's clock; group meetings carry per-member facts.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ENROLLED_ON, Imr, posix_only

LABEL = re.compile(r"\bG[A-HJ-NP-Z][A-HJ-NP-Z2-9]{2}\b")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@invalid",
}


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"git {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


def log_of(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["log"]


@pytest.fixture
def ward(enrolled: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Imr]:
    """A bare repository and three clones (two staff, one supervisor), each set up with `imr init .`."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    enrolled.ok("patient", "add", "p-02")
    git(enrolled.root, "add", "-A")
    git(enrolled.root, "commit", "-q", "--no-verify", "-m", "start")
    bare = tmp_path / "ward.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(enrolled.root), str(bare)], check=True)
    clones = {}
    for name in ("anna", "bo", "supervisor"):
        root = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(bare), str(root)], check=True)
        clone = Imr(root, monkeypatch)
        clone.ok("init", ".")
        clones[name] = clone
    return clones


def sync(clone: Imr) -> None:
    """What a member of staff does: commit own entries, pull (merge driver), push."""
    git(clone.root, "add", "-A")
    git(clone.root, "commit", "-q", "--no-verify", "-m", "entries", check=False)
    pulled = git(clone.root, "pull", "-q", "--no-rebase", "--no-edit", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    git(clone.root, "push", "-q")


def test_two_clones_adding_goals_at_once_never_share_a_label(ward):
    anna, bo, sup = ward["anna"], ward["bo"], ward["supervisor"]
    a = LABEL.search(anna.ok("goal", "add", "p-01", "Sova bättre", "--step", "Lägga mig före elva").output).group(0)
    b = LABEL.search(bo.ok("goal", "add", "p-01", "Gå ut varje dag", "--step", "Promenad runt huset").output).group(0)
    sync(anna)
    sync(bo)
    sync(anna)
    git(sup.root, "pull", "-q", "--no-rebase")
    goals = {g["id"]: g for g in json.loads(sup.ok("goal", "list", "p-01", "--json").output)}
    assert set(goals) == {a, b} and a != b
    assert [s["id"] for s in goals[a]["steps"]] == [f"{a}.1"]
    check = sup("check")
    assert check.exit_code == 0, check.output


def test_six_concurrent_goal_adds_in_one_workspace_give_six_labels(enrolled: Imr):
    env = dict(os.environ, IMR_SIGNATURE="KL", IMR_WORKSPACE=str(enrolled.root))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "imr", "goal", "add", "p-01", f"Mål {i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(6)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    goals = json.loads(enrolled.ok("goal", "list", "p-01", "--json").output)
    assert len(goals) == 6 and len({g["id"] for g in goals}) == 6
    ids = [e["id"] for e in log_of(enrolled.record("p-01"))]
    assert len(ids) == len(set(ids)) == 7
    assert enrolled("check").exit_code == 0


@pytest.mark.parametrize("order", ["anna-first", "bo-first"])
def test_a_correction_keeps_its_target_across_merges_in_either_order(ward, order):
    anna, bo, sup = ward["anna"], ward["bo"], ward["supervisor"]
    anna.ok("session", "log", "p-01", "--date", "2026-03-02", "--note", "Första träffen.")
    sync(anna)
    git(bo.root, "pull", "-q", "--no-rebase")
    target = log_of(bo.record("p-01"))[-1]["id"]
    bo.ok("correct", "p-01", target[:5], "--note", "Fel datum.", "--set", "date=2026-03-03")
    anna.ok("session", "log", "p-01", "--date", "2026-02-20", "--note", "Efterregistrerad, tidigare träff.")
    first, second = (anna, bo) if order == "anna-first" else (bo, anna)
    sync(first)
    sync(second)
    sync(first)
    git(sup.root, "pull", "-q", "--no-rebase")
    log = log_of(sup.record("p-01"))
    correction = next(e for e in log if e["kind"] == "correction")
    assert correction["target"] == target, "the reference is the id, whatever the merge did to positions"
    shown = json.loads(sup.ok("patient", "show", "p-01", "--json").output)
    assert {r["date"] for r in shown["log"] if r["kind"] == "session"} == {"2026-02-20", "2026-03-02"}
    plan = json.loads(sup.ok("session", "next", "p-01", "--json").output)
    assert plan["last_session"]["date"] == "2026-03-03", "the corrected date counts"
    assert sup("check").exit_code == 0, sup("check").output


def test_a_back_dated_session_does_not_hide_the_last_homework(enrolled: Imr):
    """The issue's reproduction: a session registered afterwards with an earlier date."""
    enrolled.ok("session", "log", "p-01", "--date", "2026-11-20", "--homework", "Läs.")
    enrolled.ok(
        "session",
        "log",
        "p-01",
        "--date",
        "2026-11-18",
        "--note",
        "Efterregistrerad.",
        "--module",
        "1",
        "--session",
        "2",
    )
    plan = json.loads(enrolled.ok("session", "next", "p-01", "--json").output)
    assert plan["last_session"]["date"] == "2026-11-20" and plan["last_session"]["homework"] == "Läs."
    shown = enrolled.ok("patient", "show", "p-01").output
    assert "2026-11-18" in shown and "2026-11-20" in shown


def test_identical_write_times_order_by_session_date_then_position(enrolled: Imr):
    path = enrolled.record("p-01")
    same = "2026-03-01T10:00:00+01:00"
    with open(path, "a", encoding="utf-8") as handle:
        for key, day, session in (("aaaaaaaa", "2026-02-10", 2), ("bbbbbbbb", "2026-02-03", 1)):
            handle.write(
                f"- id: {key}\n  kind: session\n  at: '{same}'\n  by: KL\n  module: 1\n"
                f"  session: {session}\n  date: '{day}'\n"
            )
    plan = json.loads(enrolled.ok("session", "next", "p-01", "--json").output)
    assert plan["last_session"]["session"] == "1.2" and plan["session"] == "1.3"
    assert enrolled("check").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["session", "log", "p-01", "--date", "2025-12-31"],
        ["session", "log", "p-01", "--date", "1900-01-01"],
        ["session", "log", "p-01", "--date", "2099-01-01"],
        ["imrs", "add", "p-01", "--rater", "client", "--scores", ",".join(["3"] * 15), "--date", "2025-06-01"],
    ],
)
def test_dates_before_enrolment_or_in_the_future_are_refused(enrolled: Imr, args):
    enrolled.refused(*args)


def test_a_correction_cannot_move_a_date_into_the_future_or_before_enrolment(enrolled: Imr):
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02")
    enrolled.refused("correct", "p-01", "2", "--note", "Fel.", "--set", "date=2099-01-01")
    assert ENROLLED_ON == "2026-01-01"
    enrolled.refused("correct", "p-01", "2", "--note", "Fel.", "--set", "date=2025-12-31")
    enrolled.ok("correct", "p-01", "2", "--note", "Fel dag.", "--set", "date=2026-03-03")


def test_logging_one_meeting_twice_is_refused_unless_said_again(enrolled: Imr):
    """`--again` says it was another meeting: the entry is marked so, and `imr check` (and the hook)
    accept it; a double log that nobody said was another meeting stays a finding (test_merge)."""
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--module", "1", "--session", "1")
    result = enrolled.refused("session", "log", "p-01", "--date", "2026-03-02", "--module", "1", "--session", "1")
    assert "--again" in result.output
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--module", "1", "--session", "1", "--again")
    assert enrolled("check").exit_code == 0


@pytest.fixture
def group(imr: Imr) -> Imr:
    for pid in ("p-01", "p-02", "p-03"):
        imr.ok("patient", "add", pid)
    imr.ok("group", "create", "tors", "--leader", "KL")
    imr.ok("group", "add", "tors", "p-01", "p-02", "p-03")
    return imr


def test_group_log_carries_per_member_facts_and_none_for_absentees(group: Imr):
    group.ok("session", "log", "--group", "tors", "--date", "2026-03-05", "--module", "1", "--session", "1")
    group.ok(
        "session",
        "log",
        "--group",
        "tors",
        "--date",
        "2026-03-12",
        "--homework-review",
        "gjord",
        "--homework-review",
        "p-02:delvis",
        "--significant-other-member",
        "p-02",
        "--handout",
        "--absent",
        "p-03",
    )
    last = {pid: log_of(group.record(pid))[-1] for pid in ("p-01", "p-02", "p-03")}
    assert last["p-01"]["homework_review"] == "done" and "significant_other" not in last["p-01"]
    assert last["p-02"]["homework_review"] == "partly" and last["p-02"]["significant_other"] is True
    assert last["p-03"]["kind"] == "absent" and "homework_review" not in last["p-03"]
    assert last["p-01"]["handout"] is True and "handout" not in last["p-03"]
    assert group("check").exit_code == 0


def test_the_same_group_meeting_logged_by_two_leaders_is_refused_then_found(group: Imr):
    group.ok("session", "log", "--group", "tors", "--date", "2026-03-05", "--by", "AB")
    group.refused(
        "session",
        "log",
        "--group",
        "tors",
        "--date",
        "2026-03-05",
        "--module",
        "1",
        "--session",
        "1",
        "--by",
        "MK",
        "--absent",
        "p-01",
    )


def test_two_leaders_logging_one_meeting_in_two_clones_is_a_finding_with_both_signatures(ward):
    anna, bo, sup = ward["anna"], ward["bo"], ward["supervisor"]
    anna.ok("group", "create", "tors")
    sync(anna)
    git(bo.root, "pull", "-q", "--no-rebase")
    anna.ok("group", "add", "tors", "p-01", "p-02")
    sync(anna)
    git(bo.root, "pull", "-q", "--no-rebase")
    anna.ok(
        "session", "log", "--group", "tors", "--date", "2026-03-05", "--module", "1", "--session", "1", "--by", "AB"
    )
    bo.ok(
        "session",
        "log",
        "--group",
        "tors",
        "--date",
        "2026-03-05",
        "--module",
        "1",
        "--session",
        "1",
        "--by",
        "MK",
        "--absent",
        "p-01",
    )
    sync(anna)
    sync(bo)
    git(sup.root, "pull", "-q", "--no-rebase")
    check = sup("check")
    assert check.exit_code == 1
    assert "både som närvaro och frånvaro" in check.output and "AB" in check.output and "MK" in check.output
    assert "registrerad två gånger" in check.output  # p-02 was present in both logs


@posix_only
def test_records_keep_their_mode(enrolled: Imr):
    path = enrolled.record("p-01")
    os.chmod(path, 0o600)
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("style", ["crlf", "bom", "both"])
def test_an_append_never_changes_an_earlier_byte(enrolled: Imr, style):
    path = enrolled.record("p-01")
    text = path.read_bytes()
    if style in ("crlf", "both"):
        text = text.replace(b"\n", b"\r\n")
    if style in ("bom", "both"):
        text = b"\xef\xbb\xbf" + text
    path.write_bytes(text)
    enrolled.ok("session", "log", "p-01", "--date", "2026-03-02", "--note", "Efter.")
    new = path.read_bytes()
    assert new.startswith(text)
    tail = new[len(text) :]
    if style in ("crlf", "both"):
        assert b"\r\n" in tail and b"\n" not in tail.replace(b"\r\n", b"")
    assert enrolled("check").exit_code == 0


@posix_only
def test_a_record_that_is_a_link_is_neither_read_nor_written(enrolled: Imr, tmp_path: Path):
    other_ward = tmp_path / "other-ward.yaml"
    other_ward.write_bytes(enrolled.record("p-01").read_bytes().replace(b"p-01", b"p-09"))
    link = enrolled.root / "records" / "p-09.yaml"
    link.symlink_to(other_ward)
    before = other_ward.read_bytes()
    enrolled.refused("session", "log", "p-09", "--date", "2026-03-02")
    assert other_ward.read_bytes() == before
    check = enrolled("check")
    assert check.exit_code == 1 and "länk" in check.output
    (enrolled.root / "records" / "p-08.yaml").symlink_to("/dev/zero")
    assert enrolled("check").exit_code == 1  # refused, not read (a read would never end)


def test_a_record_near_the_size_limit_refuses_appends_but_stays_readable(enrolled: Imr):
    from imr.records.writer import APPEND_LIMIT_BYTES

    path = enrolled.record("p-01")
    note = "Lång anteckning. " * 200
    entries = "".join(
        f"- id: {i:08d}\n  kind: contact\n  at: '2026-02-01T10:00:00+01:00'\n  by: KL\n"
        f"  date: '2026-02-01'\n  who: kontaktperson\n  note: {note}\n"
        for i in range(APPEND_LIMIT_BYTES // (len(note) + 120) + 1)
    )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(entries.replace("id: 0", "id: z"))
    result = enrolled.refused("session", "log", "p-01", "--date", "2026-03-02")
    assert "storleksgränsen" in result.output
    enrolled.ok("session", "next", "p-01")


def test_the_registry_declares_every_kind_once(imr: Imr):
    """Every kind has a fold, diff wording in sv and en, and its text fields are the ones scanned."""
    from imr.core.strings import strings
    from imr.records.kinds import KINDS, free_texts
    from imr.records.state import ParticipantState

    for name, kind in KINDS.items():
        assert callable(getattr(ParticipantState, kind.fold)), name
        for lang in ("sv", "en"):
            assert kind.diff in strings(lang)["cli"], (name, lang)
        entry = {
            "kind": name,
            **{field: f"text in {field}" for field in kind.free_text},
            "by": "AB",
            "at": "2026-03-01T10:00:00+01:00",
        }
        assert free_texts(entry) == [f"text in {field}" for field in kind.free_text], name
    assert set(KINDS["session"].free_text) == {"homework", "note"}
    assert "who" in KINDS["contact"].free_text and "kept_at" in KINDS["relapse-plan"].free_text


def _group_log_process(group: Imr, delay: str) -> subprocess.Popen:
    env = dict(os.environ, IMR_SIGNATURE="KL", IMR_WORKSPACE=str(group.root), IMR_TEST_RENAME_DELAY=delay)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imr",
            "session",
            "log",
            "--group",
            "tors",
            "--date",
            "2026-03-05",
            "--module",
            "1",
            "--session",
            "1",
            "--note",
            "Gruppträff.",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _have_meeting(group: Imr) -> list[bool]:
    return [any(e.get("date") == "2026-03-05" for e in log_of(group.record(pid))) for pid in ("p-01", "p-02", "p-03")]


def _wait_for_journal(group: Imr) -> None:
    import time

    journal = group.root / ".imr-journal.json"
    deadline = time.monotonic() + 60
    while not journal.exists():
        assert time.monotonic() < deadline, "the writer never reached its commit point"
        time.sleep(0.01)
    time.sleep(0.3)  # inside the delayed renames: some members renamed, some not


@posix_only
def test_sigkill_between_renames_is_completed_by_the_next_command(group: Imr):
    import signal

    proc = _group_log_process(group, "1.0")
    _wait_for_journal(group)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _have_meeting(group).count(True) in (1, 2), "killed in the middle, as intended"
    group.ok("status")  # any command that reads completes the transaction first
    assert _have_meeting(group) == [True, True, True]
    assert not (group.root / ".imr-journal.json").exists()
    assert group("check").exit_code == 0


@posix_only
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_during_renames_still_writes_every_member(group: Imr, signame: str):
    import signal

    proc = _group_log_process(group, "0.5")
    _wait_for_journal(group)
    proc.send_signal(getattr(signal, signame))
    out, err = proc.communicate(timeout=60)
    assert _have_meeting(group) == [True, True, True]
    if signame == "SIGINT":
        assert proc.returncode == 0 and "Sparat" in out.decode() + err.decode(), "it says what it saved"
    assert group("check").exit_code == 0


def test_concurrent_group_adds_of_one_member_let_exactly_one_through(group: Imr):
    """Two staff add p-04 at the same moment, to the same group and to two groups: one wins."""
    group.ok("patient", "add", "p-04")
    group.ok("group", "create", "fre")
    env = dict(os.environ, IMR_SIGNATURE="KL", IMR_WORKSPACE=str(group.root))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "imr", "group", "add", name, "p-04"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in ("tors", "tors", "fre", "fre")
    ]
    codes = [proc.wait(timeout=120) for proc in procs]
    assert sorted(codes) == [0, 1, 1, 1], codes
    groups = [name for name in ("tors", "fre") if "p-04" in (group.root / "groups" / f"{name}.yaml").read_text()]
    assert len(groups) == 1
    assert group("check").exit_code == 0


def test_a_participant_who_meets_in_a_group_is_pointed_to_the_group_plan(group: Imr):
    group.ok("session", "log", "--group", "tors", "--date", "2026-03-05")
    out = group.ok("session", "next", "p-01").output
    assert "imr session next --group tors" in out
    plan = json.loads(group.ok("session", "next", "p-01", "--json").output)
    assert plan["last_session"]["group"] == "tors"


def test_new_entry_ids_start_with_a_letter_so_no_reader_takes_one_for_a_number():
    from imr.core.yamlio import quick_load
    from imr.records.ids import ENTRY_ID
    from imr.records.record import new_entry_id

    ids = [new_entry_id(set()) for _ in range(3000)]
    assert all(ENTRY_ID.fullmatch(i) and i[0].isalpha() for i in ids)
    text = "id: p-01\nlog:\n" + "".join(f"- id: {i}\n  kind: x\n" for i in ids)
    assert quick_load(text) is not None  # the quick reader takes every one as text
