"""Shared pieces for the render tests: a workspace with a fixed small curriculum and a record.

The workspace's own `curriculum/` (copied from tests/testdata/render/curriculum) replaces
module 1 of the built-in curriculum file by file, so snapshots and text checks do not change
when the real handouts are edited.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

TESTDATA = Path(__file__).resolve().parent / "testdata" / "render"
FIXTURE_CURRICULUM = TESTDATA / "curriculum"
DATE = "2026-03-02"
GOAL = "Att kunna gå till affären själv och handla åt mig"
STEP_1 = "Gå till kiosken med min kontaktperson"
STEP_2 = "Köpa en sak själv på lördag"
HOMEWORK = "Skriv ned tre saker som är viktiga för dig, gärna på bladet"
TRIGGER = "Sömnbrist efter bråk på avdelningen"
ACTION = "Säga till min kontaktperson samma dag"
A4 = (595.28, 841.89)


@pytest.fixture
def ws(imr):
    """p-01 (leader AB) with a goal and two steps, a relapse plan, and session 1.1 held."""
    shutil.copytree(FIXTURE_CURRICULUM, imr.root / "curriculum")
    imr.ok("patient", "add", "p-01", "--leader", "AB")
    imr.ok("goal", "add", "p-01", GOAL, "--step", STEP_1, "--step", STEP_2)
    imr.ok("relapse-plan", "p-01", "--trigger", TRIGGER, "--action", ACTION)
    imr.ok("session", "log", "p-01", "--homework", HOMEWORK, "--homework-review", "none")
    return imr


def pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(pages: list[str]) -> str:
    """Page texts as one line: words typst hyphenated at a line end joined again."""
    import re

    text = re.sub(r"(\w)-[ \t]*\n[ \t]*(\w)", r"\1\2", "\n".join(pages))
    return re.sub(r"\s+", " ", text)


def pdf_sizes(data: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    return [
        (round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def docx_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def out_files(root: Path) -> list[str]:
    folder = root / "out"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
