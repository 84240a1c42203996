"""Groups: an append-only group file, a shared plan with catch-up lists, and all-or-nothing group logs."""

import json
import re
import shutil
import subprocess

import pytest


def added_only(imr) -> None:
    diff = imr.git("diff", "--unified=0", "--", "records", "groups")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], diff


@pytest.fixture
def group(imr):
    """Group `tors` with p-01..p-04 (p-04 in the bipolar version of module 2)."""
    for pid in ("p-01", "p-02", "p-03"):
        imr.ok("patient", "add", pid)
    imr.ok("patient", "add", "p-04", "--variant", "bipolar")
    imr.ok("group", "create", "tors", "--leader", "KL", "--leader", "AB", "--weekday", "torsdag")
    imr.ok("group", "add", "tors", "p-01", "p-02", "p-03", "p-04")
    return imr


def plan_of(imr, name="tors"):
    return json.loads(imr.ok("session", "next", "--group", name, "--json").output)


def members(plan):
    return {m["id"]: m for m in plan["members"]}


def test_group_file_is_append_only(imr):
    for pid in ("p-01", "p-02"):
        imr.ok("patient", "add", pid)
    imr.ok("group", "create", "tors", "--leader", "KL", "--weekday", "tor")
    imr.commit_all()
    imr.ok("group", "add", "tors", "p-01", "p-02")
    added_only(imr)
    imr.commit_all()
    imr.ok("group", "remove", "tors", "p-02", "--note", "Flyttat till annan avdelning.")
    added_only(imr)
    text = (imr.root / "groups" / "tors.yaml").read_text()
    assert text.count("kind: member-added") == 2 and "kind: member-removed" in text and "name: tors" in text
    shown = json.loads(imr.ok("group", "show", "tors", "--json").output)
    assert [m["id"] for m in shown["members"]] == ["p-01"]
    assert shown["leaders"] == ["KL"] and shown["weekdays"] == ["thursday"]
    assert [e["kind"] for e in shown["log"]] == ["group-created", "member-added", "member-added", "member-removed"]
    out = imr.ok("group", "show", "tors").output
    assert "torsdag" in out and "p-01" in out
    assert json.loads(imr.ok("group", "list", "--json").output)[0]["size"] == 1
    assert imr("check").exit_code == 0, imr("check").output


def test_ninth_member_warns_about_fidelity(imr):
    for number in range(1, 10):
        imr.ok("patient", "add", f"p-0{number}")
    imr.ok("group", "create", "stor")
    eight = imr.ok("group", "add", "stor", *[f"p-0{n}" for n in range(1, 9)]).output
    assert "Varning" not in eight
    ninth = imr.ok("group", "add", "stor", "p-09").output
    assert "Varning" in ninth and "9 deltagare" in ninth and "programtroheten" in ninth
    assert json.loads(imr.ok("group", "show", "stor", "--json").output)["size"] == 9


@pytest.mark.parametrize(
    "args",
    [
        ["group", "create", "tors"],
        ["group", "create", "Tors"],
        ["group", "create", "../x"],
        ["group", "create", "ny", "--weekday", "blådag"],
        ["group", "create", "ny", "--leader", "  "],
        ["group", "create", "ny", "--note", "Ring 070-123 45 67"],
        ["group", "add", "tors", "p-99"],
        ["group", "add", "tors", "p-05", "p-99"],
        ["group", "add", "tors", "p-01"],
        ["group", "add", "tors", "p-05", "p-05"],
        ["group", "add", "tors", "P-05"],
        ["group", "add", "fre", "p-01"],
        ["group", "add", "ingen", "p-05"],
        ["group", "remove", "tors", "p-05"],
        ["group", "remove", "ingen", "p-01"],
        ["group", "show", "ingen"],
        ["session", "next", "--group", "ingen"],
        ["session", "next", "--group", "tom"],
        ["session", "log", "--group", "tors", "--absent", "p-05"],
        ["session", "log", "--group", "tors", "--absent", "p-01", "--absent", "p-99"],
        ["session", "log", "--group", "ingen"],
        ["session", "log", "--group", "tom"],
        ["session", "log", "--group", "tors", "--step-done", "p-01:G9.1"],
        ["session", "log", "--group", "tors", "--step-done", "p-05:G1.1"],
        ["session", "log", "--group", "tors", "--step-done", "G1.1"],
        ["session", "log", "--group", "tors", "--absent", "p-02", "--step-done", "p-02:G1.1"],
        ["session", "log", "--group", "tors", "--note", "Ring 070-123 45 67"],
        ["session", "log", "--group", "tors", "--homework-review", "maybe"],
        ["session", "log", "--group", "tors", "--date", "2026-02-30"],
        ["session", "log", "--group", "tors", "--module", "1"],
        ["session", "log", "--group", "tors", "--module", "12", "--session", "1"],
    ],
)
def test_bad_group_input_writes_nothing(group, args):
    imr = group
    imr.ok("patient", "add", "p-05")
    imr.ok("goal", "add", "p-02", "Mål", "--step", "Steg")
    imr.ok("group", "create", "fre")
    imr.ok("group", "create", "tom")
    imr.ok("group", "add", "fre", "p-05")
    imr.ok("group", "remove", "fre", "p-05")
    imr.ok("group", "add", "fre", "p-05")
    imr.refused(*args)


@pytest.mark.parametrize(
    "args",
    [
        ["session", "next"],
        ["session", "next", "p-01", "--group", "tors"],
        ["session", "log"],
        ["session", "log", "p-01", "p-02"],
        ["session", "log", "--group", "tors", "p-01"],
        ["session", "log", "--group", "tors", "--absent"],
    ],
)
def test_participant_or_group_is_a_usage_error(group, args):
    before = group.snapshot()
    result = group(*args)
    assert result.exit_code == 2, result.output
    assert group.snapshot() == before


def test_group_log_writes_one_entry_in_every_record(group):
    imr = group
    imr.commit_all()
    group_file = (imr.root / "groups" / "tors.yaml").read_bytes()
    out = imr.ok(
        "session",
        "log",
        "--group",
        "tors",
        "--absent",
        "p-02",
        "--date",
        "2026-03-05",
        "--homework",
        "Skriv tre saker som är viktiga.",
        "--note",
        "Bra start.",
    ).output
    assert "3 av 4" in out and "p-02" in out
    added_only(imr)
    for pid in ("p-01", "p-03", "p-04"):
        text = imr.record(pid).read_text()
        assert "kind: session" in text and "group: tors" in text and "Bra start." in text
    absent = imr.record("p-02").read_text()
    assert "kind: absent" in absent and "group: tors" in absent and "kind: session" not in absent
    assert "Bra start." not in absent, "the session note is not put in the record of someone who was not there"
    assert (imr.root / "groups" / "tors.yaml").read_bytes() == group_file, "sessions live in the members' records"
    assert imr("check").exit_code == 0, imr("check").output


def test_group_plan_moves_together_and_catch_up_only_for_those_who_missed(group):
    imr = group
    plan = plan_of(imr)
    assert plan["session"] == "1.1" and plan["title"] and plan["last_session"] is None
    assert all(m["catch_up"] == [] and m["attended_last"] is None for m in plan["members"])

    imr.ok(
        "session",
        "log",
        "--group",
        "tors",
        "--absent",
        "p-02",
        "--date",
        "2026-03-05",
        "--homework",
        "Skriv tre saker som är viktiga.",
    )
    imr.ok("session", "log", "--group", "tors", "--absent", "p-03", "p-04", "--date", "2026-03-12")
    plan = plan_of(imr)
    assert plan["session"] == "1.3" and plan["sessions_held"] == 2
    by_id = members(plan)
    assert by_id["p-01"]["catch_up"] == []
    assert by_id["p-02"]["catch_up"] == ["1.1"]
    assert by_id["p-03"]["catch_up"] == ["1.2"] and by_id["p-04"]["catch_up"] == ["1.2"]
    assert by_id["p-01"]["attended_last"] is True and by_id["p-03"]["attended_last"] is False
    assert by_id["p-03"]["homework"] == "Skriv tre saker som är viktiga.", "homework from their last session"
    detail = by_id["p-02"]["catch_up_details"][0]
    assert detail["session"] == "1.1" and detail["key_points"] and detail["handout"].endswith("1.handout.md")
    assert plan["last_session"]["present"] == ["p-01", "p-02"]

    text = imr.ok("session", "next", "--group", "tors").output
    assert "Att ta igen" in text and "p-02 missade 1.1" in text and "p-01 missade" not in text

    # An individual catch-up session takes the session off the list.
    imr.ok("session", "log", "p-02", "--module", "1", "--session", "1", "--date", "2026-03-13")
    by_id = members(plan_of(imr))
    assert by_id["p-02"]["catch_up"] == [] and by_id["p-03"]["catch_up"] == ["1.2"]
    assert plan_of(imr)["session"] == "1.3", "a member's own session does not move the group"


def test_late_joiner_has_no_catch_up_and_a_session_nobody_attended_is_not_held(group):
    imr = group
    imr.ok("session", "log", "--group", "tors", "--date", "2026-03-05")
    imr.ok("patient", "add", "p-05")
    imr.ok("group", "add", "tors", "p-05")
    by_id = members(plan_of(imr))
    assert by_id["p-05"]["catch_up"] == [] and by_id["p-05"]["attended_last"] is None
    imr.ok(
        "session", "log", "--group", "tors", "--absent", "p-01", "p-02", "p-03", "p-04", "p-05", "--date", "2026-03-12"
    )
    plan = plan_of(imr)
    assert plan["session"] == "1.2", "nobody came, so 1.2 is still to be held"
    assert all(m["catch_up"] == [] for m in plan["members"])
    assert all(m["attended_last"] is False for m in plan["members"])


def test_group_plan_shows_goal_steps_and_variant_handouts(group):
    imr = group
    out = imr.ok(
        "goal", "add", "p-01", "Laga mat själv", "--step", "Handla en gång i veckan", "--step", "Laga en rätt"
    ).output
    g = re.search(r"\bG[A-Z2-9]{3}\b", out).group(0)
    imr.ok(
        "session",
        "log",
        "--group",
        "tors",
        "--module",
        "2",
        "--session",
        "1",
        "--date",
        "2026-03-05",
        "--step-done",
        f"p-01:{g}.1",
    )
    plan = plan_of(imr)
    assert plan["session"] == "2.2"
    by_id = members(plan)
    assert by_id["p-01"]["goals"][0]["current_step"]["id"] == f"{g}.2"
    assert by_id["p-04"]["handout"]["variant"] == "bipolar" and by_id["p-01"]["handout"]["variant"] == "general"
    assert {h["variant"] for h in plan["handouts"]} == {"general", "bipolar"}
    text = imr.ok("session", "next", "--group", "tors").output
    assert f"p-01 – {g}: Laga mat själv" in text and f"{g}.2: Laga en rätt" in text
    assert "steps_done:\n  - " in imr.record("p-01").read_text()


def test_group_log_edit_uses_the_editor_note(group, tmp_path):
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\nprintf 'Vi pratade om återhämtning.\\n' >> \"$1\"\n")
    script.chmod(0o755)
    group.ok("session", "log", "--group", "tors", "--edit", "--date", "2026-03-05", env={"VISUAL": str(script)})
    assert "Vi pratade om återhämtning." in group.record("p-03").read_text()
    before = group.snapshot()
    result = group("session", "log", "--group", "tors", "--absent", "p-99", "--edit", env={"VISUAL": str(script)})
    assert result.exit_code == 1 and group.snapshot() == before


def test_group_log_is_all_or_nothing_when_a_write_fails(group):
    """A real failure midway: the third record is immutable, so its rename fails after two succeeded."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not available")
    target = group.record("p-03")
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("this file system or user cannot set the immutable flag")
    try:
        before = group.snapshot()
        result = group("session", "log", "--group", "tors", "--date", "2026-03-05")
        assert result.exit_code == 1, result.output
        assert "Inget ändrades" in result.output
        assert group.snapshot() == before, "records already replaced were put back"
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    group.ok("session", "log", "--group", "tors", "--date", "2026-03-05")


def test_a_broken_member_record_stops_the_whole_group_log(group):
    path = group.record("p-04")
    path.write_text(path.read_text() + "- kind: session\n  at: [unclosed\n")
    before = group.snapshot()
    result = group("session", "log", "--group", "tors", "--date", "2026-03-05")
    assert result.exit_code == 1
    assert group.snapshot() == before


def test_check_reports_problems_in_group_files(group):
    imr = group
    assert imr("check").exit_code == 0
    groups = imr.root / "groups"
    (groups / "fel.yaml").write_text(
        "name: annan\nlog:\n- kind: member-added\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  id: p-77\n"
        "- kind: member-removed\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  id: p-78\n"
        "- kind: member-added\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n  id: p-01\n  colour: blue\n"
    )
    (groups / "Dålig.yaml").write_text("name: x\nlog: []\n")
    (groups / "trasig.yaml").write_text("name: trasig\nlog:\n- kind: [\n")
    result = imr("check", "--json")
    assert result.exit_code == 1
    findings = json.loads(result.output)
    codes = {f["code"] for f in findings}
    assert {
        "group_name_mismatch",
        "group_first_not_created",
        "group_unknown_participant",
        "group_not_a_member",
        "entry_unknown_field",
        "group_bad_filename",
        "yaml_syntax",
        "group_member_in_several",
    } <= codes
    assert all(f["path"].startswith("groups/") for f in findings)
    # A broken group file does not stop the other groups from working.
    assert plan_of(imr)["session"] == "1.1"


def test_module_7_group_plan_names_each_members_relapse_plan(group):
    imr = group
    imr.ok("relapse-plan", "p-01", "--trigger", "Stress")
    imr.ok("session", "log", "--group", "tors", "--module", "7", "--session", "1", "--date", "2026-03-05")
    plan = plan_of(imr)
    assert plan["session"] == "7.2"
    by_id = members(plan)
    assert by_id["p-01"]["relapse_plan_version"] == 1 and by_id["p-02"]["relapse_plan_version"] is None
    text = imr.ok("session", "next", "--group", "tors").output
    assert "p-01: återfallsplanen finns i version 1" in text and "p-02: ingen återfallsplan ännu" in text


def test_a_session_logged_twice_for_a_member_counts_them_once(group):
    """A double log (which `imr check` reports as a duplicate) is one person at one meeting."""
    imr = group
    imr.ok("session", "log", "--group", "tors", "--absent", "p-02", "--date", "2026-03-05")
    record = imr.record("p-01")
    text = record.read_text(encoding="utf-8")
    last = text[text.rindex("- id:") :]
    assert "group: tors" in last
    record.write_text(text + re.sub(r"- id: \w+", "- id: dup12345", last, count=1), encoding="utf-8")
    assert "duplicate" in imr("check").output.casefold() or imr("check").exit_code != 0
    last_session = plan_of(imr)["last_session"]
    assert last_session["present"] == ["p-01", "p-03", "p-04"] and last_session["absent"] == ["p-02"]
    assert "3 av 4" in imr.ok("session", "next", "--group", "tors").output
