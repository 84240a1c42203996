"""DOCX output: Word XML with the text, Swedish language, A4, worksheets with lines."""

from __future__ import annotations

import importlib.util
import re

from render_support import DATE, GOAL, docx_part, ws  # noqa: F401  (ws is a fixture)

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_docx_has_text_swedish_styles_and_a4(ws):
    target = ws.root / "blad.docx"
    ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", str(target))
    data = target.read_bytes()
    document = docx_part(data, "word/document.xml")
    styles = docx_part(data, "word/styles.xml")
    assert "Träff 1.2: Mitt mål och min plan" in document
    assert GOAL in document and "p-01" in document and DATE in document
    assert 'w:lang w:val="sv-SE"' in styles or 'w:val="sv-SE"' in styles
    assert "<dc:language>sv-SE</dc:language>" in docx_part(data, "docProps/core.xml")
    assert re.search(r'<w:pgSz w:h="16838" w:w="11906"\s*/>', document)  # A4 portrait
    # a header LibreOffice shows too (text, not a STYLEREF field), on every page
    header = docx_part(data, "word/header1.xml")
    assert "p-01 · 2026-03-02 · Ledare: AB" in header and "STYLEREF" not in header
    assert "NUMPAGES" in docx_part(data, "word/footer1.xml")
    core = docx_part(data, "docProps/core.xml")
    assert "<dc:title>Träff 1.2: Mitt mål och min plan</dc:title>" in core
    assert f"{DATE}T00:00:00Z</dcterms:created>" in core and "2000-01-01" not in core
    assert 'w:ascii="Atkinson Hyperlegible"' in styles
    # worksheets: a framed one-cell table with the title, ruled writing lines, answers on their lines
    assert document.count('<w:pStyle w:val="ImrWorksheetTitle" />') == 2
    assert document.count("<w:cantSplit/>") >= 3  # personal box and two worksheets never split
    # goal: 2 lines, 1 answered; each step: 1 line answered + 1 kept free to write more; plan: 3
    assert document.count('<w:pStyle w:val="ImrWritingLine" />') == 1 + 1 + 1 + 3
    assert document.count('<w:pStyle w:val="ImrAnswerLine" />') == 3  # goal, step 1, step 2
    assert 'w:styleId="ImrWritingLine"' in styles and "<w:between " in styles


def test_manual_docx_has_a_contents_field(ws):
    target = ws.root / "manual.docx"
    ws.ok("render", "manual", "--module", "1", "-o", str(target))
    document = docx_part(target.read_bytes(), "word/document.xml")
    assert 'TOC \\o "1-2"' in document
    assert "1. Incheckning" in document


def test_reference_docx_is_built_by_the_committed_script():
    spec = importlib.util.spec_from_file_location("build_reference_docx", REPO / "tools" / "build_reference_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (REPO / "templates" / "render" / "reference.docx").read_bytes(), \
        "run: python tools/build_reference_docx.py"


def test_docx_is_set_like_the_pdf(tmp_path, monkeypatch):
    """14 pt Atkinson Hyperlegible embedded in the file, 35 mm side margins (140 mm of text, as
    in the PDF), checkboxes drawn as boxes rather than a ☐ a font may lack, ruled writing rows."""
    import re
    import zipfile

    from imr.render.docx import EMBEDDED, obfuscated_font

    from conftest import Imr

    ws = Imr(tmp_path, monkeypatch)
    ws.ok("init", str(tmp_path / "ws"), "--name", "Testavdelning")  # the real curriculum: 1.1 has checkboxes
    ws.root = tmp_path / "ws"
    target = ws.root / "blad.docx"
    ws.ok("render", "handout", "1.1", "-o", str(target))
    with zipfile.ZipFile(target) as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
        body = docx.read("word/document.xml").decode("utf-8")
        fonts = docx.read("word/fontTable.xml").decode("utf-8")
        settings = docx.read("word/settings.xml").decode("utf-8")
        embedded = docx.read("word/fonts/font1.odttf")
        types = docx.read("[Content_Types].xml").decode("utf-8")
    assert re.search(r'<w:sz w:val="28" ?/>', styles.split("</w:docDefaults>")[0])
    assert 'w:left="1984"' in body and 'w:right="1984"' in body  # pandoc copies the page setup
    assert "embedRegular" in fonts and "embedBold" in fonts and "embedTrueTypeFonts" in settings
    assert 'Extension="odttf"' in types
    from pathlib import Path

    original = (Path(__file__).resolve().parent.parent / "templates" / "render" / "fonts"
                / "AtkinsonHyperlegible-Regular.ttf").read_bytes()
    assert obfuscated_font(embedded, EMBEDDED[0][2]) == original  # XOR twice gives the font back
    assert "☐" not in body and body.count("<w:bdr ") >= 5
    assert "ImrWritingLine" in body
