"""Crisis boxes give four routes, and the clinical corrections of issue 28 stay in the texts.

A participant on leave who reads only "ring din mottagning" calls a clinic that does not know
them tonight; one at home after discharge who reads only "säg till personalen" has no staff to
tell. Every `::: crisis` box therefore names the ward staff, the ward (on leave), the clinic
(at home) and 112, and `imr check` (the plain one: safety, not wording) reports a box that
lacks one. The routes are declared in `programme.yaml` (`crisis_routes`), so a ward with
another routine changes them there.
"""

import pytest

from imr.curriculum.check import check_curriculum, crisis_boxes
from imr.curriculum.model import load_curriculum

CUR = load_curriculum("sv")
VARIANTS = ["general", "schizophrenia", "schizoaffective", "bipolar", "depression"]
FOUR_ROUTES = """::: crisis
**Om det blir akut**

- På avdelningen: säg till personalen direkt.
- På permission: ring avdelningen direkt.
- Hemma efter utskrivningen: ring mottagningen samma dag.
- Vid akut fara: ring 112.
:::
"""


def _override(imr, relative: str, text: str):
    path = imr.root / "curriculum" / "sv" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _crisis_findings(imr) -> list[str]:
    cur = load_curriculum("sv", imr.root, use_cache=False)
    return [
        f.message()
        for f in check_curriculum(cur, imr.root)
        if f.code == "curriculum_crisis_route_missing" and (imr.root / f.path).is_file()
    ]


def _handout_with_box(box: str) -> str:
    text = CUR.session("9.3").handout()
    start = text.index("::: crisis")
    end = text.index(":::\n", start + 4) + 4
    return text[:start] + box + text[end:]


def test_the_built_in_curriculum_has_no_crisis_box_without_a_route():
    assert [f.message() for f in check_curriculum(CUR) if f.code == "curriculum_crisis_route_missing"] == []


def test_every_crisis_box_of_the_review_is_there():
    """The boxes issue 28 names, in every diagnosis version; each has all four routes."""
    sessions = {
        "2.2": VARIANTS,
        "2.4": ["depression"],
        "5.2": ["general"],
        "6.4": ["general"],
        "7.2": ["general"],
        "7.3": ["general"],
        "7.4": ["general"],
        "9.2": ["general"],
        "9.3": ["general"],
        "9.5": ["general"],
    }
    for sid, variants in sessions.items():
        for variant in variants:
            boxes = crisis_boxes(CUR.session(sid).handout(variant))
            assert boxes, f"{sid} {variant} has a crisis box"
            for _line, box in boxes:
                lowered = box.lower()
                assert "personalen" in lowered and "ring avdelningen" in lowered, (sid, variant)
                assert "mottagning" in lowered and "112" in box, (sid, variant)


def test_a_box_that_sends_people_on_leave_to_the_clinic_is_reported(imr):
    """The wording before issue 28: "Hemma eller på permission" without the ward."""
    old = FOUR_ROUTES.replace("- På permission: ring avdelningen direkt.\n", "").replace(
        "Hemma efter utskrivningen", "Hemma eller på permission"
    )
    _override(imr, "09-problem-och-symtom/3.handout.md", _handout_with_box(old))
    found = _crisis_findings(imr)
    assert len(found) == 1
    assert found[0].startswith("curriculum/sv/09-problem-och-symtom/3.handout.md:")
    assert "”på permission: ring avdelningen”" in found[0]
    result = imr("check")
    assert result.exit_code == 1 and "krisrutan saknar vägen" in result.output, "safety: the plain check reports it"


@pytest.mark.parametrize(
    "line,route",
    [
        ("- På avdelningen: säg till personalen direkt.\n", "på avdelningen: säg till personalen"),
        ("- Hemma efter utskrivningen: ring mottagningen samma dag.\n", "hemma efter utskrivningen: ring mottagningen"),
        ("- Vid akut fara: ring 112.\n", "vid akut fara: ring 112"),
    ],
)
def test_each_missing_route_is_named(imr, line, route):
    _override(imr, "09-problem-och-symtom/3.handout.md", _handout_with_box(FOUR_ROUTES.replace(line, "")))
    assert [m.split(": ", 1)[1] for m in _crisis_findings(imr)] == [
        f"krisrutan saknar vägen ”{route}”; varje krisruta ger alla fyra vägarna (crisis_routes i programme.yaml)"
    ]


def test_a_complete_box_with_a_title_and_columns_passes(imr):
    box = """::::: {.crisis title="Om det blir akut"}
:::: {.columns}
::: cell
**På avdelningen**

- Säg till personalen.
:::
::: cell
**På permission**

- Ring avdelningen.
- Mottagningen hemma, 112 vid fara.
:::
::::
:::::
"""
    _override(imr, "09-problem-och-symtom/3.handout.md", _handout_with_box(box))
    assert _crisis_findings(imr) == []
    assert [line for line, _ in crisis_boxes(box)] == [1]


def test_a_ward_declares_its_own_routes(imr):
    """A ward whose patients on leave call a central number says so in its programme.yaml."""
    from imr.core import resources

    programme = (resources.builtin_dir("curriculum") / "sv" / "programme.yaml").read_text(encoding="utf-8")
    _override(
        imr,
        "programme.yaml",
        programme.replace(
            "match: [ring avdelningen, ringer avdelningen, ring till avdelningen]", "match: [vakthavande]"
        ),
    )
    _override(imr, "09-problem-och-symtom/3.handout.md", _handout_with_box(FOUR_ROUTES))
    assert len(_crisis_findings(imr)) == 1
    _override(
        imr,
        "09-problem-och-symtom/3.handout.md",
        _handout_with_box(FOUR_ROUTES.replace("ring avdelningen direkt", "ring vakthavande")),
    )
    assert _crisis_findings(imr) == []


def test_crisis_boxes_ignore_other_fenced_divs():
    text = "::: voice\nRing 112.\n:::\n\n::: crisis\nA\n::: cell\nB\n:::\nC\n:::\n"
    assert crisis_boxes(text) == [(5, "A\n::: cell\nB\n:::\nC")]


# --- The clinical corrections themselves (issue 28), so that a later edit cannot drop them ---


def test_clozapine_seizures_blood_counts_and_tardive_dyskinesia_in_5_2():
    handout, leader = CUR.session("5.2").handout(), CUR.session("5.2").leader_guide()
    assert "krampanfall" in handout and "slutar röka" in handout and "kramper" in handout
    assert "varje vecka" in handout and "en gång i månaden" in handout and "blodprov samma dag" in handout
    assert "tardiv dyskinesi" in handout and "det finns åtgärder" in handout and "regelbundet" in handout
    assert "18 veckorna" in leader and "Tardiv dyskinesi" in leader
    assert "vid nästa träff får du veta varför och hur ofta" in CUR.session("5.1").handout()
    assert "I förra träffen lovade vi" in handout


def test_the_group_rule_and_its_exception_for_participants_in_1_1():
    text = CUR.session("1.1").handout()
    assert "stannar i gruppen" in text and "måste vi i personalen berätta det för vårdteamet" in text


def test_what_counts_for_leave_is_told_to_participants():
    for sid in ("6.4", "10.2"):
        text = CUR.session(sid).handout()
        assert "journalen" in text and "permission" in text and ("drogtest" in text.lower()), sid


def test_forensic_practice_in_the_leader_guides_and_voices():
    intro = (CUR.roots[-1] / "leader-intro.md").read_text(encoding="utf-8")
    assert "När gruppledaren också är kontaktperson" in intro and "Träffar med tolk" in intro
    for sid in ("5.3", "6.4", "10.2"):
        assert "::: voice" in CUR.session(sid).handout(), sid
    assert (
        "inte jurist" in CUR.session("10.2").handout()
        and "be patientnämnden om en annan" in CUR.session("10.2").handout()
    )
    assert "020-84 00 00" in CUR.session("11.2").handout()


def test_mind_and_the_psychiatric_emergency_department_are_named():
    text = CUR.session("9.3").handout()
    assert "Mind" in text and "dygnet runt" in text and "till exempel på kvällen" not in text
    assert (
        "psykiatrisk akutmottagning" in text.lower() and "Psykiatrisk akutmottagning" in CUR.session("10.1").handout()
    )


def test_the_swedish_interface_uses_the_glossary_words():
    """Point 7: the interface says utdelningsblad, as the glossary does (not "handouten").

    Command names (`imr render handout`), record field names (`handout: true`) and format
    placeholders (`{handout}`) are what a user types or the code fills in, so they stay; every
    other value is held to the `avoid` words of the glossary's utdelningsbladet.
    """
    import re

    from imr.core import resources
    from imr.core.yamlio import load_file
    from imr.curriculum.check import avoid_pattern

    glossary = load_file(CUR.roots[-1] / "glossary.yaml")
    patterns = [
        (avoid_pattern(str(word)), entry["term"])
        for entry in glossary
        for word in entry.get("avoid") or []
        if entry["term"] == "utdelningsbladet"
    ]
    assert patterns

    def values(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from values(value)
        elif isinstance(node, list):
            for value in node:
                yield from values(value)
        elif isinstance(node, str):
            yield node

    found = []
    for path in sorted((resources.builtin_dir("templates") / "strings" / "sv").glob("*.yaml")):
        for value in values(load_file(path)):
            text = re.sub(r"imr render handout|\(handout: true/false\)|\{handout\}", "", value)
            found += [
                f"{path.name}: {m.group(0)} ({term})" for pattern, term in patterns for m in pattern.finditer(text)
            ]
    assert found == []
