"""curriculum/SOURCES.md backs every phone number and age a handout states (issue 28).

A phone number or an age printed on a handout is a promise to a participant: the number must
answer and the age must be the law's. Each one must be listed in SOURCES.md with a public
source, the date it was checked and where it is used, so that the next review knows what to
check again.
"""

import fnmatch
import re
from pathlib import Path

import pytest

from imr.curriculum.model import load_curriculum

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "curriculum" / "SOURCES.md"
SV = ROOT / "curriculum" / "sv"
CUR = load_curriculum("sv")

# A Swedish phone number with an area code (020-84 00 00) or a short number (112, 1177, 90101);
# not a year, not a thousands group (100 000), not a number of years, kronor or milligrams.
PHONE = re.compile(
    r"(?<![\d\-–.,])(?<!\d )(0\d{1,3}-\d{2,3}(?: \d{2}){1,3}|\d{3,6})(?![\d\-–])"
    r"(?!\s\d{3}\b)(?!\s*(?:år|års|kr|kronor|mg|%|procent|veckor|dagar|timmar)\b)"
)
# An age or a span of ages: "19 år", "19 års ålder", "mellan 19 och 29 år", "15–30 år".
AGE = re.compile(r"(?<![\d\-–])(\d{1,3})(?:\s*(?:–|-|och|till)\s*(\d{1,3}))?\s+års?(?!\w)")


def phones(text: str) -> set[str]:
    return {m.group(1) for m in PHONE.finditer(text) if not (len(m.group(1)) == 4 and m.group(1)[:2] in ("19", "20"))}


def ages(text: str) -> set[str]:
    return {f"{n} år" for m in AGE.finditer(text) for n in m.groups() if n}


def rows() -> list[dict]:
    """The table rows of SOURCES.md as dicts keyed by the header cells."""
    out, header = [], None
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = [cell.lower() for cell in cells]
        elif not set("".join(cells)) <= set("-: "):
            out.append(dict(zip(header, cells, strict=False)))
    return out


def listed() -> set[str]:
    return {value for row in rows() for value in re.findall(r"`([^`]+)`", row["numbers"])}


def handout_texts() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(SV)), path.read_text(encoding="utf-8"))
        for session in CUR.sessions()
        for path in session.handout_paths.values()
    ]


def test_the_scanner_finds_phone_numbers_and_ages_and_nothing_else():
    text = (
        "Ring 112 eller 1177, Självmordslinjen 90101 eller 020-84 00 00. Från 19 års ålder, "
        "mellan 19 och 29 år, upp till 66 år. År 2023 och 2026; 100 000 personer; 40 veckor; 3.2; n=3."
    )
    assert phones(text) == {"112", "1177", "90101", "020-84 00 00"}
    assert ages(text) == {"19 år", "29 år", "66 år"}


def test_every_row_names_a_source_a_date_and_files_that_exist():
    assert rows(), "SOURCES.md has tables"
    for row in rows():
        assert (
            re.search(r"https?://", row["source"])
            or "no public source" in row["source"].lower()
            or "not checked" in row["source"]
        ), row["fact"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|—", row["checked"]), row["fact"]
        assert row["status"].startswith(("confirmed", "partly confirmed", "not confirmed")), row["status"]
        patterns = re.findall(r"`([^`]+)`", row["used in"])
        files = [str(p.relative_to(SV)) for p in SV.rglob("*") if p.is_file()]
        for pattern in patterns:
            assert fnmatch.filter(files, pattern), f"{pattern} (in SOURCES.md) matches no file"


def test_every_listed_number_is_used_where_the_row_says():
    files = {str(p.relative_to(SV)): p.read_text(encoding="utf-8") for p in SV.rglob("*") if p.is_file()}
    for row in rows():
        used = [name for pattern in re.findall(r"`([^`]+)`", row["used in"]) for name in fnmatch.filter(files, pattern)]
        for value in re.findall(r"`([^`]+)`", row["numbers"]):
            found = {name for name in used if value in phones(files[name]) | ages(files[name])}
            assert found, f"{value}: not stated in any file the row names"


@pytest.mark.parametrize("name,text", handout_texts(), ids=[name for name, _ in handout_texts()])
def test_every_phone_number_and_age_in_a_handout_is_in_sources(name, text):
    missing = (phones(text) | ages(text)) - listed()
    assert not missing, f"{name} states {sorted(missing)}, which curriculum/SOURCES.md does not list"


def test_an_unlisted_number_in_a_handout_fails(tmp_path):
    """The check above can fail: a new helpline or age that nobody sourced is caught."""
    text = CUR.session("9.3").handout() + "\nRing Jourlinjen på 08-123 45 67, från 18 år.\n"
    assert (phones(text) | ages(text)) - listed() == {"08-123 45 67", "18 år"}


def test_the_sjukersattning_age_is_the_law_as_changed_in_2022():
    text = CUR.session("10.3").handout()
    assert "64 år" not in text and "66 år" in text and "riktåldern" in text
