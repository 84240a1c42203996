"""The relapse-prevention plan: versions appended, the latest shown, PII refused, edited in a real editor."""

import json
import sys

import pytest


def added_only(imr) -> None:
    diff = imr.git("diff", "--unified=0", "--", "records")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], diff


def current(imr, pid="p-01"):
    return json.loads(imr.ok("relapse-plan", pid, "--json").output)


def editor(tmp_path, name: str, body: str) -> str:
    """A real editor process: a small Python program that rewrites the file it is given."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
        + body
        + "open(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_without_options_shows_that_there_is_no_plan(enrolled):
    assert "ingen återfallsplan" in enrolled.ok("relapse-plan", "p-01").output
    assert current(enrolled) is None


def test_versions_carry_over_sections_and_only_append(enrolled):
    imr = enrolled
    imr.commit_all()
    imr.ok(
        "relapse-plan",
        "p-01",
        "--trigger",
        "Sömnbrist",
        "--trigger",
        "Bråk på avdelningen",
        "--helper",
        "kontaktperson",
        "--emergency",
        "avdelningens telefon",
    )
    added_only(imr)
    imr.commit_all()
    out = imr.ok("relapse-plan", "p-01", "--warning-sign", "Drar mig undan", "--kept-at", "I pärmen på rummet").output
    assert "Version 2" in out
    added_only(imr)
    plan = current(imr)
    assert plan["version"] == 2
    assert plan["triggers"] == ["Sömnbrist", "Bråk på avdelningen"], "sections not named are carried over"
    assert plan["warning_signs"] == ["Drar mig undan"]
    assert plan["emergency"] == ["avdelningens telefon"] and plan["kept_at"] == "I pärmen på rummet"

    imr.ok("relapse-plan", "p-01", "--helper", "sjuksköterskan: ringer läkaren")
    plan = current(imr)
    assert plan["helpers"] == ["kontaktperson", "sjuksköterskan: ringer läkaren"], (
        "an item given is added, nothing lost"
    )

    imr.ok("relapse-plan", "p-01", "--trigger", "Alkohol", "--replace")
    assert current(imr)["triggers"] == ["Alkohol"], "--replace replaces the named section as a whole"
    imr.ok("relapse-plan", "p-01", "--remove-helper", "Kontaktperson")
    assert current(imr)["helpers"] == ["sjuksköterskan: ringer läkaren"], "removal is explicit"
    text = imr.record("p-01").read_text()
    assert text.count("kind: relapse-plan") == 5 and "Bråk på avdelningen" in text

    shown = imr.ok("relapse-plan", "p-01").output
    assert "Version 5" in shown and "Alkohol" in shown and "Bråk på avdelningen" not in shown
    assert imr("check").exit_code == 0

    history = json.loads(imr.ok("relapse-plan", "p-01", "--history", "--json").output)
    assert history[3]["changes"]["triggers"] == {"added": ["Alkohol"], "removed": ["Sömnbrist", "Bråk på avdelningen"]}
    assert history[4]["changes"] == {"helpers": {"added": [], "removed": ["kontaktperson"]}}
    out = imr.ok("relapse-plan", "p-01", "--history").output
    assert "− Vem som hjälper och hur: kontaktperson" in out


def test_removing_an_item_that_is_not_there_names_what_is(enrolled):
    enrolled.ok("relapse-plan", "p-01", "--helper", "kontaktperson")
    result = enrolled.refused("relapse-plan", "p-01", "--remove-helper", "kontaktperson ringer")
    assert "kontaktperson" in result.output


def test_diff_says_what_a_new_version_added_and_removed(enrolled):
    imr = enrolled
    imr.ok("relapse-plan", "p-01", "--helper", "kontaktperson", "--trigger", "Sömnbrist")
    imr.commit_all()
    imr.ok("relapse-plan", "p-01", "--remove-helper", "kontaktperson", "--helper", "avdelningens telefon")
    out = imr.ok("diff").output
    assert "+ vem hjälper: avdelningens telefon" in out and "− vem hjälper: kontaktperson" in out


def test_plan_shows_in_module_7_session_plan(enrolled):
    imr = enrolled
    imr.ok("session", "log", "p-01", "--module", "7", "--session", "1", "--date", "2026-03-02")
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["session"] == "7.2" and plan["relapse_plan"] is None
    assert "Ingen återfallsplan ännu" in imr.ok("session", "next", "p-01").output
    imr.ok("relapse-plan", "p-01", "--trigger", "Stress")
    plan = json.loads(imr.ok("session", "next", "p-01", "--json").output)
    assert plan["relapse_plan"]["triggers"] == ["Stress"] and plan["relapse_plan"]["version"] == 1
    assert "Återfallsplanen: version 1" in imr.ok("session", "next", "p-01").output


@pytest.mark.parametrize(
    "args",
    [
        ["relapse-plan", "p-01", "--emergency", "Ring 070-123 45 67"],
        ["relapse-plan", "p-01", "--helper", "mejla a.b@example.se"],
        ["relapse-plan", "p-01", "--kept-at", "hos 19121212-1212"],
        ["relapse-plan", "p-01", "--trigger", "Stress"],
        ["relapse-plan", "p-01", "--note", "bara en anteckning"],
        ["relapse-plan", "p-01", "--trigger", "   "],
        ["relapse-plan", "p-01", "--trigger", "bad\x07bell"],
        ["relapse-plan", "p-99", "--trigger", "Stress"],
        ["relapse-plan", "p-01", "--trigger", "Ny", "--by", " "],
    ],
)
def test_bad_input_writes_nothing(enrolled, args):
    imr = enrolled
    imr.ok("relapse-plan", "p-01", "--trigger", "Stress")
    imr.refused(*args)


def test_empty_plan_is_refused(enrolled):
    before = enrolled.snapshot()
    result = enrolled("relapse-plan", "p-01", "--trigger", " ")
    assert result.exit_code == 1 and "tom" in result.output
    assert enrolled.snapshot() == before


def test_edit_prefills_the_form_and_saves_a_new_version(enrolled, tmp_path):
    imr = enrolled
    imr.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist", "--helper", "kontaktperson")
    seen = tmp_path / "seen.txt"
    body = (
        f"open({str(seen)!r}, 'w', encoding='utf-8').write(text)\n"
        "text = text.replace('det_här_gör_jag:\\n', 'det_här_gör_jag:\\n- Säger till kontaktpersonen\\n- Vilar\\n')\n"
        "text = text.replace('- Sömnbrist\\n', '- Sömnbrist\\n- Högljudda grannar\\n')\n"
    )
    imr.commit_all()
    imr.ok("relapse-plan", "p-01", "--edit", env={"VISUAL": editor(tmp_path, "fill", body)})
    added_only(imr)
    form = seen.read_text(encoding="utf-8")
    assert (
        "version 2" in form and "utlösande_faktorer:\n- Sömnbrist" in form and "vem_hjälper:\n- kontaktperson" in form
    )
    assert "# " in form, "the form explains itself in comments"
    plan = current(imr)
    assert plan["version"] == 2
    assert plan["triggers"] == ["Sömnbrist", "Högljudda grannar"]
    assert plan["actions"] == ["Säger till kontaktpersonen", "Vilar"]
    assert plan["helpers"] == ["kontaktperson"]


def test_edit_with_options_prefills_them(enrolled, tmp_path):
    seen = tmp_path / "seen.txt"
    body = f"open({str(seen)!r}, 'w', encoding='utf-8').write(text)\n"
    enrolled.ok("relapse-plan", "p-01", "--edit", "--trigger", "Stress", env={"VISUAL": editor(tmp_path, "keep", body)})
    assert "- Stress" in seen.read_text(encoding="utf-8")
    assert current(enrolled)["triggers"] == ["Stress"]


@pytest.mark.parametrize(
    "body",
    [
        "text = ''\n",
        "text = '\\n'.join(line for line in text.splitlines() if line.startswith('#'))\n",
        "text = text.replace('- Sömnbrist', '- [oavslutad')\n",
        "text = text + 'okänt_avsnitt:\\n- x\\n'\n",
        "text = text + 'utlösande_faktorer:\\n- dubbel\\n'\n",
        "text = text.replace('- Sömnbrist', '- Ring 070-123 45 67')\n",
        "text = text.replace('utlösande_faktorer:\\n- Sömnbrist', 'utlösande_faktorer:\\n  nyckel: värde')\n",
        "text = 'utlösande_faktorer:\\nvem_hjälper:\\n'\n",
    ],
)
def test_edit_that_is_empty_or_wrong_saves_nothing(enrolled, tmp_path, body):
    imr = enrolled
    imr.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist")
    imr.refused("relapse-plan", "p-01", "--edit", env={"VISUAL": editor(tmp_path, "bad", body)})


def test_unchanged_edit_saves_nothing(enrolled):
    enrolled.ok("relapse-plan", "p-01", "--trigger", "Sömnbrist")
    before = enrolled.snapshot()
    result = enrolled("relapse-plan", "p-01", "--edit", env={"VISUAL": "true"})
    assert result.exit_code == 1 and "oförändrad" in result.output
    assert enrolled.snapshot() == before
