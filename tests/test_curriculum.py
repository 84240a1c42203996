"""The real curriculum is complete, readable and consistent (issue: the whole programme in Swedish)."""

import json
import statistics

import pytest

from imr.curriculum import load_curriculum
from imr.curriculum_check import LEADER_SECTIONS, check_curriculum, curriculum_stats
from imr.lix import markdown_readability

CUR = load_curriculum("sv")
VARIANTS = ["schizophrenia", "schizoaffective", "bipolar", "depression"]
EXPECTED_COUNTS = {1: 4, 2: 4, 3: 3, 4: 4, 5: 4, 6: 4, 7: 4, 8: 4, 9: 6, 10: 3, 11: 3}


def test_eleven_modules_about_forty_sessions():
    assert [m.number for m in CUR.modules] == list(range(1, 12))
    assert {m.number: len(m.sessions) for m in CUR.modules} == EXPECTED_COUNTS
    assert 36 <= len(CUR.sessions()) <= 44


def test_strict_check_is_clean():
    assert [f.message() for f in check_curriculum(CUR, strict=True)] == []


def test_module_two_has_every_variant():
    module = CUR.module(2)
    assert module.has_variants
    for session in module.sessions:
        assert sorted(session.handout_variants()) == sorted(VARIANTS)
        texts = {session.handout(v) for v in ["general", *VARIANTS]}
        assert len(texts) == 5, "each version is its own text"


def test_readability_limits():
    rows = curriculum_stats(CUR)
    assert rows, "handouts exist"
    assert max(r["lix"] for r in rows) <= 40
    assert statistics.median(r["lix"] for r in rows) <= 35


@pytest.mark.parametrize("session", CUR.sessions(), ids=lambda s: s.id)
def test_session_texts_are_substantial(session):
    leader = session.leader_guide()
    assert markdown_readability(leader).words >= 300
    for section in LEADER_SECTIONS:
        assert "{#" + section + "}" in leader
    for variant in session.handout_paths:
        handout = session.handout(variant)
        assert markdown_readability(handout).words >= 250
        assert ".worksheet" in handout and ".lines" in handout
    assert 2 <= len(session.homework) <= 4
    assert session.objectives and session.key_points


def test_required_worksheets_exist():
    ids = " ".join(s.handout(v) for s in CUR.sessions() for v in s.handout_paths)
    for wid in ("ab-1-mina-varderingar", "ab-1-mitt-mal", "ab-7-aterfallsplan", "ab-9-problemlosning"):
        assert "#" + wid in ids
    assert "prefill=goals" in CUR.session("1.3").handout()
    assert "prefill=relapse-plan" in CUR.session("7.4").handout()


def test_glossary_terms_used_and_avoided():
    from imr import resources
    from imr.yamlio import load_file

    glossary = load_file(resources.builtin_dir("curriculum") / "sv" / "glossary.yaml")
    assert len(glossary) >= 15
    handouts = "\n".join(s.handout(v) for s in CUR.sessions() for v in s.handout_paths).lower()
    assert "hemuppgift" in handouts
    assert " läxa" not in handouts and " läxor" not in handouts


def test_incomplete_curriculum_fails_check(imr):
    """A workspace override with a missing section, placeholder and broken link is reported."""
    folder = imr.root / "curriculum" / "sv" / "01-aterhamtning"
    folder.mkdir(parents=True)
    base = CUR.session("1.1")
    text = base.handout().replace("{#takeaway}", "")
    text += "\nTODO skriv mer. Se [bladet](#ab-9-finns-inte) och [bild](bild.png).\n"
    (folder / "1.handout.md").write_text(text, encoding="utf-8")
    result = imr("check")
    assert result.exit_code == 1
    out = result.output
    assert "curriculum/sv/01-aterhamtning/1.handout.md" in out
    assert "#takeaway" in out
    assert "TODO" in out
    assert "#ab-9-finns-inte" in out
    assert "bild.png" in out


@pytest.mark.parametrize("kind,expected", [("goals", ["stepp-1", "triggers"]),
                                            ("goal", ["goal", "stepp-1", "step-2", "step-3", "triggers"])])
def test_fill_keys_that_are_never_filled_fail_check(imr, kind, expected):
    folder = imr.root / "curriculum" / "sv" / "01-aterhamtning"
    folder.mkdir(parents=True)
    text = CUR.session("1.3").handout()
    assert "fill=step-1}" in text and "fill=goal}" in text and "prefill=goals}" in text
    text = text.replace("fill=step-1}", "fill=stepp-1}").replace("prefill=goals}", f"prefill={kind}}}")
    text += "\n::: {.lines n=2 fill=triggers}\n:::\n"  # a relapse-plan key, here after the goal worksheet
    (folder / "3.handout.md").write_text(text, encoding="utf-8")
    lines = imr("check").output.strip().splitlines()
    assert all(line.startswith("curriculum/sv/01-aterhamtning/3.handout.md:") for line in lines)
    if kind != "goals":
        assert "prefill=goal " in lines.pop(0)
    assert [line.split("fill=")[1].split()[0] for line in lines] == expected


def test_fill_keys_accepted_are_exactly_the_keys_the_renderer_makes():
    from imr.prefill import RELAPSE_SECTIONS, goal_key, is_fill_key, step_key

    made = [goal_key(n) for n in range(1, 15)] + [step_key(n, i) for n in range(1, 15) for i in range(1, 15)]
    assert all(is_fill_key("goals", key) for key in made)
    for near_miss in ("goal-1", "goal-1-step-1", "goal-step-1", "step-0", "goal-2-step", "steps-1", "triggers"):
        assert not is_fill_key("goals", near_miss), near_miss
    assert all(is_fill_key("relapse-plan", key) for key in RELAPSE_SECTIONS)
    assert not is_fill_key("relapse-plan", "goal") and not is_fill_key("mood", "goal")


def test_missing_variant_fails_check(imr):
    """A new diagnosis version in the programme without its module 2 handouts is reported."""
    from imr import resources

    folder = imr.root / "curriculum" / "sv"
    folder.mkdir(parents=True)
    programme = (resources.builtin_dir("curriculum") / "sv" / "programme.yaml").read_text(encoding="utf-8")
    (folder / "programme.yaml").write_text(programme + "  ptsd: PTSD\n", encoding="utf-8")
    result = imr("check")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 4
    assert all("handout.ptsd.md" in line for line in lines)


def test_curriculum_list_and_show_json(imr):
    data = json.loads(imr.ok("curriculum", "list", "--json").output)
    assert len(data) == 11 and data[0]["number"] == 1
    assert data[2]["sessions"][1] == {"id": "3.2", "title": CUR.session("3.2").title}
    shown = json.loads(imr.ok("curriculum", "show", "2.2", "--json").output)
    assert shown["title"] and "{#checkin}" in shown["leader_guide"] and shown["handout"]
    assert set(shown["variants"]) == {"general", *VARIANTS}
    assert "variants" not in json.loads(imr.ok("curriculum", "show", "3.1", "--json").output)
    assert imr("curriculum", "show", "12.1").exit_code == 1
    assert imr("curriculum", "show", "x.y").exit_code == 1
    stats = json.loads(imr.ok("curriculum", "stats", "--json").output)
    assert stats[0]["lix"] >= stats[-1]["lix"]
