"""The real curriculum is complete, readable and consistent (issues: the whole programme in Swedish; 15).

Modules 1-5, the glossary and the programme files are reviewed on this branch (curriculum);
modules 6-11 on another (curriculum-b). Tests of the live texts therefore hold modules 1-5 to
every rule, and the new checks themselves are tested on small texts a ward could write.
"""

import json
import statistics

import pytest

from imr.curriculum.check import BAND, LEADER_SECTIONS, check_curriculum, curriculum_stats, out_of_band, sections
from imr.curriculum.lix import markdown_readability
from imr.curriculum.model import load_curriculum

CUR = load_curriculum("sv")
VARIANTS = ["schizophrenia", "schizoaffective", "bipolar", "depression"]
# Sessions that existed before issue 15 keep their numbers (records refer to them); new ones
# are added at the end of a module, and the programme stays at most 43 sessions.
ORIGINAL_COUNTS = {1: 4, 2: 4, 3: 3, 4: 4, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 2, 11: 3}
REVIEWED_HERE = tuple(range(1, 12))
# Modules 6-11 are merged from branch curriculum-b, which adds sessions to module 9; until then
# the whole live curriculum cannot pass the checks added for issue 15.
MERGED_6_TO_11 = len(CUR.module(9).sessions) > ORIGINAL_COUNTS[9]


def _reviewed_here(finding) -> bool:
    folders = tuple(m.folder for m in CUR.modules if m.number in REVIEWED_HERE)
    return "/sv/" not in finding.path or finding.path.split("/sv/")[1].startswith(folders)


def test_eleven_modules_about_forty_sessions():
    assert [m.number for m in CUR.modules] == list(range(1, 12))
    counts = {m.number: len(m.sessions) for m in CUR.modules}
    assert all(counts[n] >= ORIGINAL_COUNTS[n] for n in counts)
    assert counts == {**ORIGINAL_COUNTS, 9: 6, 10: 3}, "anger, memory (9.5, 9.6); money, work, SIP (10.3)"
    assert 40 <= len(CUR.sessions()) <= 43


def test_strict_check_is_clean_for_modules_1_to_5_and_shared_files():
    findings = [f for f in check_curriculum(CUR, strict=True) if _reviewed_here(f)]
    assert [f.message() for f in findings] == []


@pytest.mark.skipif(not MERGED_6_TO_11, reason="modules 6-11 come from branch curriculum-b (not merged yet)")
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
    rows = curriculum_stats(CUR)["handouts"]
    assert len(rows) >= 56, "handouts exist"
    assert max(r["lix"] for r in rows) <= 40
    assert statistics.median(r["lix"] for r in rows) <= 35


@pytest.mark.parametrize("module", REVIEWED_HERE)
def test_readability_within_the_documented_band(module):
    """Every handout of modules 1-5, and each module as a whole, is inside the band in curriculum/README.md."""
    data = curriculum_stats(CUR, [module])
    outside = {
        f"{r['session']} {r['variant']}": {k: r[k] for k in r["out_of_band"]}
        for r in data["handouts"]
        if r["out_of_band"]
    }
    assert outside == {}
    assert {k: data["overall"][k] for k in data["overall"]["out_of_band"]} == {}


def test_band_is_documented_in_the_readme():
    from imr.core import resources

    readme = (resources.builtin_dir("curriculum") / "README.md").read_text(encoding="utf-8")
    for scope in BAND.values():
        for low, high in scope.values():
            for limit in (low, high):
                if limit is not None:
                    assert (f"{limit * 100:g} %" if limit < 1 else f"{limit:g}") in readme, limit


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


def test_glossary_holds_the_chosen_terms():
    from imr.core import resources
    from imr.core.yamlio import load_file

    glossary = {e["term"]: e for e in load_file(resources.builtin_dir("curriculum") / "sv" / "glossary.yaml")}
    assert len(glossary) >= 25
    assert {"handout*", "undervisningsmaterial*"} <= set(glossary["utdelningsbladet"]["avoid"])
    assert "skriv* ned" in glossary["skriva ner"]["avoid"] and "hink*" in glossary["bägaren"]["avoid"]
    assert {"närstående", "anhörig", "gruppledare", "personer med egen erfarenhet"} <= set(glossary)
    labels = [t for t, e in glossary.items() if e.get("required_in") == "strategies"]
    assert labels == ["Motiverande strategier", "Pedagogiska strategier", "Kognitiva och beteendeinriktade strategier"]
    handouts = "\n".join(s.handout(v) for s in CUR.sessions() for v in s.handout_paths).lower()
    assert "hemuppgift" in handouts


def _findings(imr, code: str) -> list[str]:
    """Messages with one finding code from `check --strict` on a workspace's own files (not the built-in ones)."""
    cur = load_curriculum("sv", imr.root, use_cache=False)
    return [
        f.message()
        for f in check_curriculum(cur, imr.root, strict=True)
        if f.code == code and (imr.root / f.path).is_file()
    ]


def _override(imr, relative: str, text: str):
    path = imr.root / "curriculum" / "sv" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_glossary_avoid_words_are_reported_with_file_and_line(imr):
    text = CUR.session("1.1").handout()
    lines = text.splitlines()
    lines[2] += " Läs handouten igen och skrivit"
    lines.insert(3, "ned det. En Hink och en hinkande häst; bägaren är rätt.")
    _override(imr, "01-aterhamtning/1.handout.md", "\n".join(lines) + "\n")
    found = _findings(imr, "glossary_avoid")
    where = "curriculum/sv/01-aterhamtning/1.handout.md"
    assert found == [
        f"{where}:3: ”handouten” ska inte användas enligt ordlistan; använd ”utdelningsbladet”",
        f"{where}:3: ”skrivit\nned” ska inte användas enligt ordlistan; använd ”skriva ner”",
        f"{where}:4: ”Hink” ska inte användas enligt ordlistan; använd ”bägaren”",
        f"{where}:4: ”hinkande” ska inte användas enligt ordlistan; använd ”bägaren”",
    ]
    result = imr("check", "--strict")
    assert result.exit_code == 1 and f"{where}:3: ”handouten”" in result.output
    assert "”handouten”" not in imr("check").output, "wording is text quality, checked with --strict"


def test_a_ward_glossary_decides_what_is_avoided(imr):
    """The check reads the words from the glossary in effect, the ward's own when it has one."""
    _override(imr, "glossary.yaml", "- term: apelsin\n  explanation: En frukt.\n  avoid: [mandarin*]\n")
    _override(
        imr,
        "01-aterhamtning/module.yaml",
        (CUR.roots[0] / "01-aterhamtning" / "module.yaml")
        .read_text(encoding="utf-8")
        .replace("title: Strategier för återhämtning", "title: Strategier för återhämtning och mandariner", 1),
    )
    assert _findings(imr, "glossary_avoid") == [
        "curriculum/sv/01-aterhamtning/module.yaml:2: ”mandariner” ska inte användas enligt ordlistan; använd ”apelsin”"
    ]
    _override(imr, "glossary.yaml", "- explanation: ingen term\n")
    assert _findings(imr, "glossary_bad_entry") == [
        "curriculum/sv/glossary.yaml:1: en term i ordlistan saknar fältet term"
    ]


def test_teaching_strategy_labels_are_required_in_every_leader_guide(imr):
    text = CUR.session("1.2").leader_guide()
    assert "**Kognitiva och beteendeinriktade strategier" in text
    _override(
        imr,
        "01-aterhamtning/2.leader.md",
        text.replace("Kognitiva och beteendeinriktade strategier", "Kognitiv beteendeterapi"),
    )
    assert _findings(imr, "glossary_term_missing") == [
        "curriculum/sv/01-aterhamtning/2.leader.md: ”Kognitiva och beteendeinriktade strategier” saknas i "
        "avsnittet #strategies (ordlistan kräver det)"
    ]


def test_last_session_of_a_module_must_close_it(imr):
    """Review questions in the last handout (every variant), difficulties and adaptations in the last guide."""
    handout = CUR.session("1.4").handout()
    leader = CUR.session("1.4").leader_guide()
    assert sections(handout)[-1][0] == "review-questions"
    assert [sid for sid, _ in sections(leader)][-2:] == ["difficulties", "adaptations"]
    _override(imr, "01-aterhamtning/4.handout.md", handout.split("## Repetitionsfrågor")[0])
    _override(imr, "01-aterhamtning/4.leader.md", leader.replace("{#adaptations}", ""))
    bipolar = CUR.session("2.4").handout("bipolar")
    _override(imr, "02-fakta-om-psykisk-sjukdom/4.handout.bipolar.md", bipolar.replace("{#review-questions}", ""))
    assert sorted(_findings(imr, "curriculum_missing_end_section")) == [
        "curriculum/sv/01-aterhamtning/4.handout.md: avsnittet #review-questions saknas; den sista träffen i modul 1 ska avsluta modulen",
        "curriculum/sv/01-aterhamtning/4.leader.md: avsnittet #adaptations saknas; den sista träffen i modul 1 ska avsluta modulen",
        "curriculum/sv/02-fakta-om-psykisk-sjukdom/4.handout.bipolar.md: avsnittet #review-questions saknas; den sista "
        "träffen i modul 2 ska avsluta modulen",
    ]


def test_review_questions_come_last_and_are_three_to_five(imr):
    head, questions = CUR.session("1.4").handout().split("## Repetitionsfrågor")
    questions = "## Repetitionsfrågor" + questions
    body, takeaway = head.split("## Att ta med sig")
    two = "## Repetitionsfrågor {#review-questions}\n\n- Vad är ett delmål?\n- Vad gör du vid en motgång?\n"
    _override(imr, "01-aterhamtning/4.handout.md", body + questions + "\n## Att ta med sig" + takeaway)
    assert _findings(imr, "curriculum_end_section_order") == [
        "curriculum/sv/01-aterhamtning/4.handout.md: avsnittet #review-questions ska stå efter #takeaway"
    ]
    _override(imr, "01-aterhamtning/4.handout.md", head + two)
    assert _findings(imr, "curriculum_review_questions_count") == [
        "curriculum/sv/01-aterhamtning/4.handout.md: repetitionsfrågorna är 2; skriv 3–5 frågor som en lista"
    ]


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


@pytest.mark.parametrize(
    "kind,expected", [("goals", ["stepp-1", "triggers"]), ("goal", ["goal", "stepp-1", "step-2", "step-3", "triggers"])]
)
def test_fill_keys_that_are_never_filled_fail_check(imr, kind, expected):
    folder = imr.root / "curriculum" / "sv" / "01-aterhamtning"
    folder.mkdir(parents=True)
    text = CUR.session("1.3").handout()
    assert "fill=step-1}" in text and "fill=goal}" in text and "prefill=goals}" in text
    text = text.replace("fill=step-1}", "fill=stepp-1}").replace("prefill=goals}", f"prefill={kind}}}")
    text += "\n::: {.lines n=2 fill=triggers}\n:::\n"  # a relapse-plan key, here after the goal worksheet
    (folder / "3.handout.md").write_text(text, encoding="utf-8")
    where = "curriculum/sv/01-aterhamtning/3.handout.md:"
    lines = [line for line in imr("check").output.strip().splitlines() if line.startswith(where) and "fill=" in line]
    if kind != "goals":
        assert "prefill=goal " in lines.pop(0)
    assert [line.split("fill=")[1].split()[0] for line in lines] == expected


def test_fill_keys_accepted_are_exactly_the_keys_the_renderer_makes():
    from imr.curriculum.prefill import RELAPSE_SECTIONS, goal_key, is_fill_key, step_key

    made = [goal_key(n) for n in range(1, 15)] + [step_key(n, i) for n in range(1, 15) for i in range(1, 15)]
    assert all(is_fill_key("goals", key) for key in made)
    for near_miss in ("goal-1", "goal-1-step-1", "goal-step-1", "step-0", "goal-2-step", "steps-1", "triggers"):
        assert not is_fill_key("goals", near_miss), near_miss
    assert all(is_fill_key("relapse-plan", key) for key in RELAPSE_SECTIONS)
    assert not is_fill_key("relapse-plan", "goal") and not is_fill_key("mood", "goal")


def test_missing_variant_fails_check(imr):
    """A new diagnosis version in the programme without its module 2 handouts is reported."""
    from imr.core import resources

    folder = imr.root / "curriculum" / "sv"
    folder.mkdir(parents=True)
    programme = (resources.builtin_dir("curriculum") / "sv" / "programme.yaml").read_text(encoding="utf-8")
    (folder / "programme.yaml").write_text(programme + "  ptsd: PTSD\n", encoding="utf-8")
    result = imr("check")
    assert result.exit_code == 1
    lines = [line for line in result.output.strip().splitlines() if "ptsd" in line]
    assert len(lines) == 4
    assert all("handout.ptsd.md saknas för träff 2." in line for line in lines)


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
    assert stats["handouts"][0]["lix"] >= stats["handouts"][-1]["lix"]
    assert stats["band"]["handout"]["lix"] == [None, 40.0]


def test_stats_show_sentence_figures_and_flag_what_is_outside_the_band(imr):
    """Per handout and for the selected modules: LIX, LIX of the information sections, sentence length, short share."""
    choppy = (
        "## Om sömn\n\nSömn är viktig. Sov gott. Kroppen vilar på natten och hjärnan sorterar alla dagens intryck.\n\n"
        "## Frågor att prata om {#questions}\n\n- Här står mycket långa frågeformuleringar i en lista.\n"
    )
    _override(imr, "03-stress-sarbarhet/2.handout.md", choppy)
    data = json.loads(imr.ok("curriculum", "stats", "--module", "3", "--json").output)
    row = next(r for r in data["handouts"] if r["session"] == "3.2")
    # Prose: 3 sentences of 3, 2 and 10 words -> 5.0 words per sentence, 2 of 3 short.
    assert (row["sentence_words"], row["short_share"]) == (5.0, 0.667)
    # Prose of the information section: 15 words, 3 sentences, 4 long words -> 5 + 26.7
    assert row["info_lix"] == 31.7
    assert set(row["out_of_band"]) == {"sentence_words", "short_share"}
    assert {r["session"].split(".")[0] for r in data["handouts"]} == {"3"}
    assert data["overall"]["handouts"] == 3
    assert out_of_band(row, "handout") == row["out_of_band"]
    shown = imr.ok("curriculum", "stats", "-m", "3").output
    assert "Alla 3 utdelningsblad" in shown and "67 %" in shown


def test_a_plain_check_sees_a_curriculum_edit_after_its_findings_were_kept(imr):
    """A plain `imr check` keeps the curriculum's findings in the cache; an override written or
    changed afterwards is checked again, in the same process too (as a long-running imr web)."""
    assert imr("check").exit_code == 0  # the findings (none) are kept
    folder = imr.root / "curriculum" / "sv" / "01-aterhamtning"
    folder.mkdir(parents=True)
    handout = folder / "1.handout.md"
    handout.write_text(CUR.session("1.1").handout() + "\nTODO skriv mer.\n", encoding="utf-8")
    result = imr("check")
    assert result.exit_code == 1 and "TODO" in result.output
    handout.write_text(CUR.session("1.1").handout(), encoding="utf-8")
    assert imr("check").exit_code == 0
    handout.write_text(CUR.session("1.1").handout() + "\nTODO igen.\n", encoding="utf-8")
    assert "TODO" in imr("check").output
    assert "TODO" in imr("check", "--full").output
