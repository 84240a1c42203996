"""The privacy guard: what is found, what is not, and that it stays linear on hostile input.

FOUND_CASES and CLEAN_NOTES are the shared table: the CLI tests import them
(`from tests.test_pii import FOUND_CASES, CLEAN_NOTES`) to check refusal on write and the
finding from `imr check` with the same cases.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest
from hostile_text import hostile_note

from imr.records.pii import PiiHit, find_pii, identifier_problem, luhn_ok, normalise, scan_text

REPO = Path(__file__).resolve().parent.parent

# (text, a kind that must be among the hits). Every format and place from issue 13, and more.
FOUND_CASES: list[tuple[str, str]] = [
    # personnummer in every common form
    ("Pnr 19121212-1212", "personnummer"),
    ("121212-1212", "personnummer"),
    ("19121212-1212", "personnummer"),
    ("191212121212", "personnummer"),
    ("1212121212", "personnummer"),
    ("121212+1212", "personnummer"),
    ("121212 1212", "personnummer"),
    ("12 12 12-1212", "personnummer"),
    ("12-12-12-1212", "personnummer"),
    ("121212\u20131212", "personnummer"),  # en dash
    ("121212\u20141212", "personnummer"),  # em dash
    ("121212\u22121212", "personnummer"),  # minus sign
    ("121212 - 1212", "personnummer"),
    ("20121212-1212", "personnummer"),
    ("Deltagaren uppgav 121212-1212 vid inskrivningen.", "personnummer"),
    ("Rum 12 121212-1212", "personnummer"),
    ("\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12", "personnummer"),  # full-width digits
    ("\u0661\u0662\u0661\u0662\u0661\u0662-\u0661\u0662\u0661\u0662", "personnummer"),  # Arabic-Indic digits
    ("1212\u200b12-1212", "personnummer"),  # zero-width space inside
    ("121212\u00ad-1212", "personnummer"),  # soft hyphen inside
    # samordningsnummer (day + 60) and a wrong check digit
    ("121272-1219", "samordningsnummer"),
    ("19121272-1219", "samordningsnummer"),
    ("121212-1213", "personnummer_check"),
    ("19121212-1213", "personnummer_check"),
    ("Nummer 121212 1213 i papperen", "personnummer_check"),
    # phone numbers, including a number in front and odd separators
    ("Rum 12 070-1234567", "phone"),
    ("nr 5 08-123 456 78", "phone"),
    ("kl 14 070 123 45 67", "phone"),
    ("070/1234567", "phone"),
    ("070.123.45.67", "phone"),
    ("(08) 123 456 78", "phone"),
    ("+46 (0)70 123 45 67", "phone"),
    ("070\u2013123 45 67", "phone"),
    ("+47 412 34 567", "phone"),
    ("Ring 070-123 45 67", "phone"),
    ("tel +46 70 123 45 67", "phone"),
    ("08-123 456 78", "phone"),
    ("0701234567", "phone"),
    ("0046 70 123 45 67", "phone"),
    ("031-123 45 67", "phone"),
    ("+44 20 7946 0958", "phone"),
    ("Ring 070 123 45 67 3 gånger i veckan", "phone"),
    ("070\u2011123 45 67", "phone"),  # non-breaking hyphen
    ("070\u00a0123\u00a045\u00a067", "phone"),  # non-breaking spaces
    ("\uff10\uff17\uff10-\uff11\uff12\uff13\uff14\uff15\uff16\uff17", "phone"),
    ("070\u200b1234567", "phone"),
    ("Mammans nummer 070-123 45 67", "phone"),
    # e-mail
    ("skriv till anna.a@example.se", "email"),
    ("kurator@region.example.se svarar", "email"),
    ("a\u200bnna@example.se", "email"),
    ("anna@exa\u00admple.se", "email"),
    ("mejl: eva_l+avd@example.com", "email"),
    ("ANNA@EXAMPLE.SE", "email"),
    # likely names
    ("Träffade Kalle Andersson på gården.", "name"),
    ("Mamma Eva Lindqvist ringde.", "name"),
    ("mamma Eva: ringer mig", "name"),
    ("Pratade med Kalle om veckan.", "name"),
    ("Andersson ringde i dag.", "name"),
    ("Hennes bror Johan hälsade på.", "name"),
    ("Besök av sonen Ahmed.", "name"),
    ("Dr. Lind ordinerade mer sömnmedel.", "name"),
    ("Kuratorn Berit hjälpte till med ansökan.", "name"),
    ("Hon ringde till Maria.", "name"),
    ("Samtal med Eva Persson på socialtjänsten.", "name"),
    ("Läkaren Nilsson var med på ronden.", "name"),
    ("Pojkvännen Mehmet ska komma på besök.", "name"),
    ("Hennes man Åke kom på besök.", "name"),
    ("Grannen, Lisa, hjälper till med katten.", "name"),
    ("Träffade Sven-Erik Holmgren i kiosken.", "name"),
    ("Han pratade om sin syster Linnéa.", "name"),
    ("Deltagaren och Karin Öberg gick till affären.", "name"),
    ("Morfar Gunnar fyller år.", "name"),
    ("Vi ringde Erik Svensson.", "name"),
    ("Kontakt: Eva Lindqvist", "name"),
    # invisible characters
    ("Bra träff\u200b i dag.", "invisible"),
    ("Text med mjukt\u00adbindestreck", "invisible"),
    ("\u202e2121-212121\u202c", "invisible"),  # right-to-left override shows 121212-1212
    ("\ufeffBOM först", "invisible"),
    ("Ord\u2060med ordfog", "invisible"),
    ("\u2066isolerad\u2069 text", "invisible"),
]

# Ordinary notes that must pass: sentences from the curriculum's handouts (vignette names
# replaced by roles) and typical staff notes, many with digits and capitalised words.
CLEAN_NOTES: list[str] = [
    # curriculum/sv handouts
    "Fråga dig själv: Vad betyder det här för mig om ett år?",
    "Vid mycket svår depression eller mani kan ECT hjälpa.",
    "Skriv varje kväll i en vecka hur ditt humör var, från 1 till 10.",
    "Skriv en siffra från 0 till 10 varje gång.",
    "Om något allvarligt har hänt, kan du göra en anmälan till IVO.",
    "Välj en siffra från 0 till 10 för hur viktigt det är att ändra något.",
    "Vi ses en timme i veckan, i ungefär 40 veckor.",
    "Men bara i Sverige lever över hundra tusen personer med dem.",
    "Det finns också grupper där människor stöttar varandra, till exempel AA och NA.",
    "Fråga dig varje kväll: hur stressad var jag i dag, från 0 till 10?",
    "Det börjar ofta när man är ung, oftast mellan 15 och 30 år.",
    "Vid typ 2 har man haft hypomani och depression, men ingen mani.",
    "En myt är något som många tror, men som inte stämmer.",
    "Diagnosen blir ofta tydligare med tiden.",
    "Vad märker andra hos dig när du mår sämre?",
    "Det kan vara stora händelser, som en flytt, en förlust eller en konflikt.",
    "Att känna igen tidiga varningstecken, till exempel att man sover mindre.",
    "Många behöver flera försök innan de slutar.",
    "Man bör fortsätta med läkemedlet en tid efter att man blivit bättre.",
    "Det beror inte heller på att dina föräldrar gjort fel.",
    "Berätta det för personalen eller din läkare.",
    "Du kan få stöd i ditt boende, med jobb eller med studier.",
    "Skriv i en vecka hur ett symtom ändras från dag till dag.",
    "Forskning visar att även den som varit sjuk länge kan bli bättre.",
    "Det är som med allergi eller högt blodtryck.",
    "Skriv upp tiden för sprutan i din kalender.",
    "Har du haft perioder då du var ovanligt pigg?",
    "Skriv ner vad du märker och ta med det till läkaren.",
    "Du behöver inte göra som rösterna säger.",
    "Fråga läkaren om du kan ta allt en gång om dagen.",
    "Rösterna kan vara snälla, men ofta är de elaka eller ger order.",
    "En person med schizofreni har en personlighet, precis som alla andra.",
    "Planera nästa besök eller samtal med arbetsbladet.",
    "Föreningar för något du gillar, som musik, sport, schack eller fiske.",
    "Det som är viktigt för dig visar vägen till dina mål.",
    "Visa din plan för bakslag för din kontaktperson.",
    "Prova lugn andning en gång när du känner dig stressad.",
    'Fyll i bladet "Inför mötet" före nästa möte.',
    "Vilka myter har du hört om psykisk sjukdom?",
    "Läkemedel kan minska symtom och risken för återfall.",
    "Välj en sak du gör varje dag och knyt dosen till den.",
    "Har du druckit mycket länge, eller tagit lugnande tabletter?",
    "Vid mani är man uppvarvad och har mycket energi.",
    "Risken för en ny depression går att minska.",
    "Det bra kommer ofta direkt, det dåliga senare.",
    "Man är trött, och sömn och aptit ändras.",
    "Deltagaren tycker att familjen är viktigast.",  # vignette: the name replaced by a role
    "Deltagaren var inte nöjd med sina dagar.",
    "Hen vill börja jobba igen.",
    "Deltagaren ville gå till gymmet tre gånger i veckan.",
    "Hen sover dåligt.",
    "Hen tänker på fördelar och nackdelar.",
    "Hen ville orka mer.",
    "Använd exemplet i handouten som mall.",
    "Modellera ett telefonsamtal till en förening och låt deltagaren öva i rollspel.",
    'Gruppledaren: "Hej, jag heter kontaktpersonen."',
    # typical staff notes
    "Vi pratade om Stockholm och om att gå till Ica",
    "Hen ska prata med sin kontaktperson",
    "Träff 3.2 den 2026-03-02 kl 14.30.",
    "Träff 3.2 den 2026-11-26 kl 14.30, 45 minuter.",
    "IMRS-skattning 3,3,2,2 i dag.",
    "Klarade 2 av 5 hemuppgifter.",
    "Samtal i rum 12 efter lunch.",
    "Ring 112 vid akut fara eller 1177 för råd.",
    "Sov 7 timmar, 3 promenader, 20 minuter.",
    "IMRS-medel 3.4",
    "rum 1204",
    "Kl 08.30-09.15 träff i grupprummet.",
    "Nästa träff 02.03.2026.",
    "Vi läste om LRV, LPT och SIP på måndag.",
    "Deltagaren har kontakt med Försäkringskassan och Arbetsförmedlingen.",
    "Självmordslinjen finns om det blir svårt på natten.",
    "Region Västra Götaland har en patientnämnd.",
    "Permission till Göteborg i juni gick bra.",
    "Måndag: promenad. Tisdag: gym. Onsdag: vila.",
    "Hon vill fira jul och midsommar hemma.",
    "Tog 2 tabletter à 5 mg i morse.",
    "Tar Sertralin 50 mg och Atarax vid behov.",
    "Väntar på svar från Sahlgrenska Universitetssjukhuset.",
    "Vi såg på Netflix och pratade om Spotify-listor.",
    "Per vecka blir det tre träffar.",
    "Hans mamma hälsade på i går.",
    "Han vill jobba på Coop eller Willys.",
    "Deltagaren berättade om tiden i Norrköping och Lund.",
    "Målet är att ta bussen till Kungsbacka själv.",
    "IMR-gruppen träffas i Stora salen på torsdagar.",
    "Deltagaren åkte till Gamla stan med personalen.",
    "Poäng 12 13 14 15 16 på skattningen.",
    "Vikt 82,5 kg, puls 72, blodtryck 130/85.",
    "Hemuppgift: gå 10 000 steg om dagen.",
    "Ärende 2026-0142 hos kommunen.",
    "Nästa träff v. 11, 2026-03-16.",
    "Kl 7.45 frukost, kl 12 lunch, kl 17 middag.",
    "Telefontid 08.00-09.00 på avdelningen.",
    "Deltagaren fick 0 av 10 på frågan om oro.",
    "Mamma ringde och frågade hur det går.",
    "Min bror hälsar på i helgen.",
    "Pratade med läkaren om biverkningarna.",
    "Kuratorn hjälper till med ansökan om bostad.",
    "Hen vill träffa sin dotter oftare.",
    "Deltagaren har fått en kontaktperson på Arbetsförmedlingen.",
    "Det kan man googla på biblioteket.",
    "Anteckning: Bra träff, hen deltog aktivt.",
    "Hemuppgift: Prova lugn andning två gånger.",
    "Vi pratade om AA-möten och om Systembolaget.",
    "Ingen hemuppgift i dag. Nästa träff på fredag.",
    "Deltagaren vill åka till Skåne i juli med sin familj.",
    "Hen ringde Vårdguiden på 1177 i natt.",
    "Vi gick igenom LRV och vad en permission innebär.",
    "Planen finns i pärmen på rummet ❤️",
    "Skattningen gav 4 av 5 på frågan om mål.",
    "Period 2026-03-02-2026-03-16 med permission varje helg.",
    "Journalen uppdaterad 2026-03-02 1430.",
]

# Fictional people in vignettes and in the recovery voices (first names only, marked as invented).
VIGNETTE_NAMES = {"Sara", "Ali", "Anders", "Daniel", "Jonas", "Karin", "Leila", "Petra", "Robin"}


@pytest.mark.parametrize("text,kind", FOUND_CASES)
def test_found(text, kind):
    kinds = [hit.kind for hit in scan_text(text)]
    assert kind in kinds, (text, kinds)
    assert find_pii(text) is not None


@pytest.mark.parametrize("text", CLEAN_NOTES)
def test_clean_notes_pass(text):
    assert scan_text(text) == [], text


def test_table_is_large_enough():
    assert len(FOUND_CASES) >= 60
    assert len(CLEAN_NOTES) >= 100
    assert len(set(CLEAN_NOTES)) == len(CLEAN_NOTES)


def _handout_sentences():
    """Every sentence of every Swedish handout, Markdown stripped, one list item per line."""
    for path in sorted((REPO / "curriculum" / "sv").rglob("*.handout*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"<!--.*?-->|\{[^}]*\}|[*_`|]+", " ", text, flags=re.S)
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        for line in text.splitlines():
            line = re.sub(r"^\s*(?:[#>]+|[-+]\s*(?:\[.\])?|\d+\.|:::.*)\s*", "", line).strip()
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                if len(sentence) >= 3:
                    yield path.relative_to(REPO), sentence


def test_curriculum_handouts_only_hit_their_vignette_names():
    """The whole curriculum is ordinary Swedish; the only names in it are the fictional people
    in its examples, which are exactly what the guard should catch in a note. The only phone
    numbers are public helplines listed with their source in curriculum/SOURCES.md (issue 28)."""
    public = set(re.findall(r"`(0[\d -]*\d)`", (REPO / "curriculum" / "SOURCES.md").read_text(encoding="utf-8")))
    sentences = 0
    for path, sentence in _handout_sentences():
        sentences += 1
        for hit in scan_text(sentence):
            assert (hit.kind == "name" and set(hit.text.split()) <= VIGNETTE_NAMES) or (
                hit.kind == "phone" and hit.text in public
            ), (str(path), sentence, hit)
    assert sentences > 1000


def test_severity_and_order():
    assert scan_text("121212-1213")[0].severity == "warn"
    assert {hit.severity for hit in scan_text("121212-1212 070-1234567 a@b.se Kalle Andersson\u200b")} == {"refuse"}
    # refuse before warn, whatever the position
    assert find_pii("121212-1213 och sedan 070-123 45 67").kind == "phone"
    assert find_pii("121212-1213").kind == "personnummer_check"
    hits = scan_text("Ring 070-123 45 67 eller skriv till a@example.se, sa Kalle Andersson.")
    assert [hit.kind for hit in hits] == ["phone", "email", "name"]


def test_overlap_keeps_the_stronger_reading():
    # Ten digits that are a mobile number and, read as a date, a personnummer with a wrong
    # check digit: one hit, the phone number.
    assert [hit.kind for hit in scan_text("0701234567")] == ["phone"]
    # A valid personnummer is reported as one, not also as something else.
    assert [hit.kind for hit in scan_text("121212-1212")] == ["personnummer"]
    assert [hit.kind for hit in scan_text("maria.svensson@example.se")] == ["email"]


def test_hit_text_is_normalised_and_masked():
    hit = find_pii("ring 070\u2013123\u00a045 67")
    assert hit.text == "070-123 45 67"
    assert hit.masked() == "07•-••• •• ••"
    assert PiiHit("email", "anna@example.se").masked() == "a…@example.se"
    assert PiiHit("name", "Kalle Andersson").masked() == "K… A…"


def test_labels_and_advice_in_both_languages():
    from imr.core.strings import strings

    for kind in ("personnummer", "samordningsnummer", "personnummer_check", "phone", "email", "name", "invisible"):
        hit = PiiHit(kind, "x")
        for lang in ("sv", "en"):
            assert hit.label(lang) and hit.label(lang) != "x"
            advice = hit.advice(lang)
            assert advice != kind and advice.endswith(".")
            assert kind in strings(lang)["pii"] and kind in strings(lang)["pii_advice"]
            assert f"pii_found_{kind}" in strings(lang)["findings"]
    assert PiiHit("name", "Eva").advice("sv").startswith("Skriv en roll")
    assert "mamma" in PiiHit("name", "Eva").advice("sv")


def test_invisible_hits_name_the_character_once():
    hits = scan_text("a\u200bb\u200bc\u00add")
    assert [hit.text for hit in hits] == ["U+200B zero width space", "U+00AD soft hyphen"]
    # Joiners inside emoji sequences are part of the emoji, not a trick.
    assert scan_text("Bra träff 👨\u200d👩\u200d👧 ❤\ufe0f") == []


# ---- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("070\u20131234567", "070-1234567"),  # en dash
        ("070\u20141234567", "070-1234567"),  # em dash
        ("070\u22121234567", "070-1234567"),  # minus sign
        ("070\u20111234567", "070-1234567"),  # non-breaking hyphen
        ("070\u00a0123", "070 123"),  # no-break space
        ("070\u202f123", "070 123"),  # narrow no-break space
        ("070\u2007123", "070 123"),  # figure space
        (
            "a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg",
            "abcdefg",
        ),  # zero-width, joiners, word joiner, BOM, soft hyphen
        ("\u202eabc\u202c\u2066d\u2069\u200e\u200f", "abcd"),  # bidi controls
        ("\uff10\uff17\uff10", "070"),  # full-width digits (NFKC)
        ("\u0660\u0667\u0660", "070"),  # Arabic-Indic digits
        ("ﬁka", "fika"),  # NFKC ligature
        ("Åsa Öberg", "Åsa Öberg"),
        ("plain ascii 123", "plain ascii 123"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


# ---- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,kind",
    [
        ("121212-1212", "personnummer"),
        ("191212121212", "personnummer"),
        ("1212121212", "personnummer"),
        ("121212-1213", "personnummer_check"),  # date-valid, wrong check digit: still refused
        ("12_12_12_1212", "personnummer"),
        ("p-121212-1212", "personnummer"),
        ("121272-1219", "samordningsnummer"),
        ("070-1234567", "phone"),
        ("0701234567", "phone"),
        ("+46701234567", "phone"),
        ("08-123 456 78", "phone"),
        ("anna@example.se", "email"),
        ("p\u200b07", "invisible"),
        ("KL\u202e", "invisible"),
    ],
)
def test_identifier_refused(value, kind):
    hit = identifier_problem(value)
    assert hit is not None and hit.kind == kind and hit.severity == "refuse", (value, hit)


@pytest.mark.parametrize(
    "value",
    [
        "p-07",
        "demo-03",
        "torsdag",
        "grupp-2026",
        "AB",
        "M.A",
        "Eva L",
        "KL",
        "a-01",
        "p-2026-03-02",
        "grupp-torsdag-2",
        "Avdelning 34",
        "Testavdelning",
        "2026031012",
        "p-1204",
        "",
    ],
)
def test_identifier_passes(value):
    assert identifier_problem(value) is None, value


# ---- allow-list ---------------------------------------------------------------------------


def test_allow_list_words_are_compared_casefolded():
    assert scan_text("Vi åkte till Liseberg i somras.") != []  # -berg: surname-shaped
    assert scan_text("Vi åkte till Liseberg i somras.", frozenset({"liseberg"})) == []
    assert scan_text("Vi åkte till Liseberg i somras.", frozenset({"LISEBERG"})) == []
    # an entry of several words allows each of them
    assert scan_text("Vi gick på Grön Fredagsklubb i går.") != []
    assert scan_text("Vi gick på Grön Fredagsklubb i går.", frozenset({"Grön Fredagsklubb"})) == []


def test_allow_list_does_not_hide_the_rest_of_a_name():
    hits = scan_text("Träffade Kalle Andersson på gården.", frozenset({"kalle"}))
    assert [hit.text for hit in hits] == ["Andersson"]
    assert [h.kind for h in scan_text("Ring 070-123 45 67", frozenset({"070-123"}))] == ["phone"]


# ---- linear time --------------------------------------------------------------------------


def _best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def test_scanning_is_linear_on_a_hostile_4mb_note(tmp_path):
    """The old e-mail pattern was quadratic: 100 KB took 17 s in `imr status`. Linearity is
    measured by operation counts in test_detector_gaps; here only a generous cap on time for
    4 MB (seconds when linear, hours when quadratic), never a ratio of two timings, which a
    shared machine's load makes flaky."""
    large = hostile_note(4_000_000)
    assert scan_text(large[:200_000]) == []  # the hostile note is clean: nothing cuts a scan short
    assert _best_of(1, lambda: scan_text(large)) < 120


def test_email_search_is_linear_on_its_worst_case():
    """One long word, then '@' with no domain: the old pattern retried from every letter and
    read to the '@' each time (100 KB took seconds, 400 KB would take minutes)."""

    def worst(size):
        return "a" * size + "@" + "@x." * (size // 30)

    assert _best_of(1, lambda: scan_text(worst(400_000))) < 20
    assert scan_text(worst(1000)) == []


# ---- the old API ----------------------------------------------------------------------------


def test_luhn():
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_pii_in_record_reported_by_check(enrolled):
    path = enrolled.record("p-01")
    before = path.read_text()
    path.write_text(
        before + "- kind: session\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n"
        "  module: 1\n  session: 1\n  date: '2026-03-01'\n  note: Mammans nummer 070-123 45 67\n"
    )
    result = enrolled("check")
    assert result.exit_code == 1
    entry_line = before.count("\n") + 1
    assert result.output.startswith(f"records/p-01.yaml:{entry_line}:")
    assert "telefonnummer" in result.output


# ---- the editor keeps what was typed (imr/workspace/editor.py) ---------------------------------------

import os
import stat
import subprocess
import sys

from imr.core.errors import ImrError
from imr.workspace.editor import HELP_MARK, keep_refused_text, note_from_editor

TEMPLATE = "# Anteckning för träff 1.2 (p-07).\n# Skriv under strecket.\n#\n# ----------\n"


def _editor(tmp_path, body: str, name: str = "edit") -> str:
    """A real editor process: a small Python program that rewrites the file it is given and
    keeps a copy of what it was shown."""
    script = tmp_path / f"{name}.py"
    seen = tmp_path / f"{name}.seen"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
        f"open({str(seen)!r}, 'w', encoding='utf-8').write(text)\n"
        + body
        + "open(path, 'w', encoding='utf-8', newline='').write(text)\n",
        encoding="utf-8",
    )
    return f'"{sys.executable}" "{script}"'


def test_editor_keeps_the_users_hash_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("VISUAL", _editor(tmp_path, "text += '#1 prioritet: sömnen\\nSov bättre.\\n# egen rad\\n'\n"))
    note = note_from_editor(TEMPLATE, "Förifylld rad")
    assert note == "Förifylld rad\n#1 prioritet: sömnen\nSov bättre.\n# egen rad"
    shown = (tmp_path / "edit.seen").read_text(encoding="utf-8")
    assert shown.splitlines()[:4] == [
        f"{HELP_MARK} Anteckning för träff 1.2 (p-07).",
        f"{HELP_MARK} Skriv under strecket.",
        HELP_MARK,
        f"{HELP_MARK} ----------",
    ]


def test_editor_empty_note_aborts_and_failure_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("VISUAL", _editor(tmp_path, "pass\n"))
    with pytest.raises(ImrError) as aborted:
        note_from_editor(TEMPLATE)
    assert aborted.value.code == "editor_aborted"
    monkeypatch.setenv("VISUAL", _editor(tmp_path, "sys.exit(3)\n", "fail"))
    with pytest.raises(ImrError) as failed:
        note_from_editor(TEMPLATE)
    assert failed.value.code == "editor_failed"


def test_editor_reads_back_crlf_and_a_byte_order_mark(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "VISUAL", _editor(tmp_path, "text = '\\ufeff' + (text + 'Rad ett\\nRad två\\n').replace('\\n', '\\r\\n')\n")
    )
    assert note_from_editor(TEMPLATE) == "Rad ett\nRad två"


def test_without_visual_or_editor_nano_is_used_or_the_error_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ImrError) as missing:
        note_from_editor(TEMPLATE)
    assert missing.value.code == "editor_missing"
    assert "VISUAL" in missing.value.message("sv") and "--note" in missing.value.message("sv")
    if os.name == "nt":
        return
    nano = empty / "nano"  # a real program called nano, found through PATH
    nano.write_text(
        f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'a', encoding='utf-8').write('Skrivet i nano.\\n')\n"
    )
    nano.chmod(0o755)
    assert note_from_editor(TEMPLATE) == "Skrivet i nano."


def test_refused_text_is_kept_privately_and_never_staged(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("", encoding="utf-8")  # an existing repository without imr's ignore lines
    text = "Träffade Kalle Andersson, ring 070-123 45 67.\n#1 prioritet"
    path = keep_refused_text(text, root)
    assert path.read_text(encoding="utf-8") == text + "\n"
    assert path.parent == root / ".imr-cache" / "refused"
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    staged = subprocess.run(
        ["git", "-C", str(root), "diff", "--cached", "--name-only"], check=True, capture_output=True, text=True
    ).stdout
    assert staged.split() == [".gitignore"]
    second = keep_refused_text("igen", root)
    assert second != path and path.exists()


def test_refused_text_without_workspace_goes_to_the_temp_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = keep_refused_text("Mamma Eva ringde.", None)
    assert path.parent == tmp_path and path.name.startswith("imr-refused-")
    assert path.read_text(encoding="utf-8") == "Mamma Eva ringde.\n"


def test_old_refused_texts_are_removed(tmp_path):
    first = keep_refused_text("gammal", tmp_path)
    old = first.stat().st_mtime - 8 * 86400
    os.utime(first, (old, old))
    keep_refused_text("ny", tmp_path)
    assert not first.exists()


def test_session_log_edit_keeps_a_hash_line(enrolled, tmp_path):
    visual = _editor(tmp_path, "text += '#1 prioritet är sömnen.\\nVi pratade om kvällsrutiner.\\n'\n")
    enrolled.ok("session", "log", "p-01", "--edit", env={"VISUAL": visual})
    saved = enrolled.record("p-01").read_text(encoding="utf-8")
    assert "#1 prioritet är sömnen." in saved and "Vi pratade om kvällsrutiner." in saved


# --------------------------------------------------------------------------------------------
# The quick paths find exactly what the long ones do (issue 18: first runs at scale)

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.records import pii as _pii

# Letters, digits, separators and the characters the scanner treats specially: Latin-1 and
# other accented letters, combining marks, compatibility forms, invisible and bidi characters,
# dashes, odd spaces, other scripts' digits.
_ALPHABET = st.sampled_from(
    list(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-+@()'’\n\t"
        "åäöÅÄÖéÉüÜæøÆØßÞþðÐ×÷ÀÿĀŁłɏ"
        "\u0301\u0308\u00a0\u00ad\u00aa\u00b2\u2009\u200b\u200d\u202e\u2013\u2212\ufe0f\uff21\uff11\u0661\u2028ﬁ❤"
    )
)
_TEXTS = st.text(alphabet=_ALPHABET, max_size=60)
# What `_CAP_WORD` was before the look-behind moved after the capital.
_CAP_WORD_BEFORE = re.compile(r"(?<![^\W\d_])[A-ZÀ-ÖØ-ÞĀ-ɏ][^\W\d_]*(?:['’-][^\W\d_]+)*")


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_quick_normalise_equals_the_long_way(text):
    assert _pii._normalise(text) == _pii._normalise_chars(text)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_capitalised_words_are_found_as_before(text):
    assert [m.span() for m in _pii._CAP_WORD.finditer(text)] == [m.span() for m in _CAP_WORD_BEFORE.finditer(text)]


def test_latin1_letters_need_no_normalising_alone_or_in_pairs():
    """The quick path's premise, checked against this Python's Unicode data."""
    chars = [chr(c) for c in range(0x80)] + [chr(c) for c in range(0xC0, 0x100)]
    assert all(_pii._LATIN1_LETTERS.fullmatch(c) for c in chars)
    assert not _pii._LATIN1_LETTERS.fullmatch("\u00a0") and not _pii._LATIN1_LETTERS.fullmatch("\u00bf")
    for char in chars[0x80:]:
        assert _pii._char_action(char) is None and not _pii._is_invisible(char)
    for first in chars:
        for second in chars:
            assert unicodedata.is_normalized("NFKC", first + second)


@pytest.mark.skipif(os.name == "nt", reason="writes a POSIX script called nano")
def test_a_nano_in_the_workspace_folder_is_never_run(tmp_path, monkeypatch):
    """Windows looks in the current folder first, and so does a PATH with `.`; a program a
    colleague pushed into the workspace must not become the editor."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    marker = tmp_path / "ran"
    nano = tmp_path / "nano"
    nano.write_text(f"#!{sys.executable}\nopen({str(marker)!r}, 'w').close()\n")
    nano.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", ".")
    with pytest.raises(ImrError) as missing:
        note_from_editor(TEMPLATE)
    assert missing.value.code == "editor_missing" and not marker.exists()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("tel0701234567", "personnummer_check"),
        ("pnr198112189876", "personnummer"),
        ("x0701234567y", "personnummer_check"),
    ],
)
def test_lower_case_letters_and_many_digits_are_still_scanned(text, kind):
    """Lower-case letters and digits alone skip the scan only when too few digits make a number."""
    hit = find_pii(text)
    assert hit is not None and hit.kind == kind


def test_entry_ids_and_short_words_find_nothing():
    for text in ("tbpgn001", "1mkr7pgy", "done", "ab12345", "session"):
        assert scan_text(text) == []


def test_days_and_times_skip_the_scan_only_where_it_finds_nothing():
    """The quick answer for a day or a time as the writer writes them (an entry's `date` and
    `at`) is the long scan's: every year the pattern takes, every two-digit month and day, and
    times with and without seconds, in every zone form. Close shapes are still scanned."""
    from imr.records.pii import _NOTHING_TO_FIND, _scan

    rng = random.Random(7)
    texts = [f"{year}-03-02" for year in range(1900, 2100)]
    texts += [f"2026-{month:02d}-{day:02d}" for month in range(100) for day in range(100)]
    for _ in range(3000):
        day = f"{rng.randint(1900, 2099)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
        seconds = rng.choice(["", f":{rng.randint(0, 99):02d}"])
        zone = rng.choice(["", "Z", f"+{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d}", "-05:00"])
        texts.append(f"{day}T{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d}{seconds}{zone}")
    for text in texts:
        assert _NOTHING_TO_FIND.fullmatch(text), text
        assert _scan(text, frozenset()) == [], text
    for text in ("2026-03-02T14:05:00.123456+01:00", "1985-01-01 1234", "2026-03-02 070-123 45 67", "1899-01-01"):
        assert not _NOTHING_TO_FIND.fullmatch(text), text
    assert find_pii("2026-03-02 070-123 45 67") is not None
