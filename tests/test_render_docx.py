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
    assert module.build() == (REPO / "templates" / "render" / "reference.docx").read_bytes(), (
        "run: python tools/build_reference_docx.py"
    )


def test_docx_is_set_like_the_pdf(tmp_path, monkeypatch):
    """14 pt Atkinson Hyperlegible embedded in the file, 35 mm side margins (140 mm of text, as
    in the PDF), checkboxes drawn as boxes rather than a ☐ a font may lack, ruled writing rows."""
    import re
    import zipfile

    from conftest import Imr

    from imr.render.docx import EMBEDDED, obfuscated_font

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

    original = (
        Path(__file__).resolve().parent.parent / "templates" / "render" / "fonts" / "AtkinsonHyperlegible-Regular.ttf"
    ).read_bytes()
    assert obfuscated_font(embedded, EMBEDDED[0][2]) == original  # XOR twice gives the font back
    assert "☐" not in body and body.count("<w:bdr ") >= 5
    assert "ImrWritingLine" in body


def test_docx_relapse_card_is_one_page_like_the_pdf(tmp_path, monkeypatch):
    """The relapse card in Word: one table 170 mm wide (into the side margins, as the PDF's card),
    the fields two by two on 8 mm rows at 13 pt, the crisis box as its last row, no page break
    inside and none that leaves a blank page after it; and, for the realistic plan, a height
    that fits the page (rows, labels and the crisis box added up from the XML, wrapped as the
    card's own measure wraps them). LibreOffice showed it on one page; this checks the parts."""
    import re
    import zipfile
    from xml.etree import ElementTree

    from conftest import Imr
    from test_layout import PLAN

    from imr.render.card import column_width_mm, wrapped_lines

    ws = Imr(tmp_path, monkeypatch)
    ws.ok("init", str(tmp_path / "ws"), "--name", "Testavdelning")
    ws.root = tmp_path / "ws"
    ws.ok("patient", "add", "p-01", "--by", "AB")
    ws.ok(
        "relapse-plan",
        "p-01",
        "--by",
        "AB",
        *[arg for option, items in PLAN.items() for text in items for arg in (option, text)],
    )
    target = ws.root / "kort.docx"
    ws.ok("render", "handout", "7.4", "--for", "p-01", "--format", "docx", "-o", str(target))
    with zipfile.ZipFile(target) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        styles = docx.read("word/styles.xml").decode("utf-8")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = ElementTree.fromstring(body)
    blocks = list(root.find(f"{w}body"))
    cards = [
        i
        for i, b in enumerate(blocks)
        if b.tag == f"{w}tbl"
        and (b.find(f"{w}tblPr/{w}tblInd") is not None and b.find(f"{w}tblPr/{w}tblInd").get(f"{w}w") == "-850")
    ]
    assert len(cards) == 1
    card = blocks[cards[0]]
    assert [c.get(f"{w}w") for c in card.findall(f"{w}tblGrid/{w}gridCol")] == ["4819", "4819"]
    page_break = f".//{w}br[@{w}type='page']"
    assert card.find(page_break) is None
    assert blocks[cards[0] - 1].find(page_break) is not None and blocks[cards[0] + 1].find(page_break) is not None
    after = blocks[cards[0] + 1].find(f"{w}pPr/{w}spacing")
    assert after.get(f"{w}line") == "20" and after.get(f"{w}lineRule") == "exact"  # under a full card, not a blank page

    def style(name: str) -> str:
        return styles.split(f'w:styleId="{name}"')[1].split("</w:style>")[0]

    assert 'w:line="454"' in style("ImrCardLine") and 'w:lineRule="exact"' in style("ImrCardLine")
    for name in ("ImrCardLine", "ImrCardLabel", "ImrCardCrisis"):
        assert re.search(r'<w:sz w:val="26" ?/>', style(name))  # 13 pt, as the PDF's card

    def paragraphs(cell, *names):
        for p in cell.iter(f"{w}p"):
            s = p.find(f"{w}pPr/{w}pStyle")
            if s is not None and s.get(f"{w}val") in names:
                yield "".join(t.text or "" for t in p.iter(f"{w}t"))

    twips = 0.0
    line = 13 * 20 * 1.2  # a 13 pt line, single spacing
    rows = card.findall(f"{w}tr")
    for row in rows:
        cells = row.findall(f"{w}tc")
        height = row.find(f"{w}trPr/{w}trHeight")
        if height is not None:
            twips += int(height.get(f"{w}val"))
            continue
        width = column_width_mm(len(cells) == 1)
        best = 0.0
        for cell in cells:
            label = len(list(paragraphs(cell, "ImrCardLabel"))) * (line + 60)
            rules = (
                sum(
                    wrapped_lines(text, width) if text.strip() else 1
                    for text in paragraphs(cell, "ImrCardLine", "ImrCardAnswer")
                )
                * 454
            )
            crisis = sum(wrapped_lines(text, width / 2) for text in paragraphs(cell, "ImrCardCrisis")) * line
            best = max(best, label + rules + crisis)
        twips += best or 18.5 * 20 * 1.25  # the title row
    assert len(rows) == 1 + 5 + 2  # title, the five rows of fields, air, the crisis box
    body_height = 16838 - 1474 - 1247
    assert twips <= body_height - 600, twips
    text = "".join(t.text or "" for t in card.iter(f"{w}t"))
    assert "Om det blir akut" in text and "På permission" in text and "Sover mindre än sex timmar" in text

    # In the personal folder the card stands between two parts: no blank page before or after it
    # (LibreOffice showed one on each side while two page breaks followed each other).
    from imr.render.docx import _DOUBLE_BREAK

    folder = ws.root / "pärm.docx"
    ws.ok("render", "bundle", "--for", "p-01", "--format", "docx", "-o", str(folder))
    with zipfile.ZipFile(folder) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert 'w:tblInd w:w="-850"' in body and body.count('<w:br w:type="page"/>') >= 2
    assert not _DOUBLE_BREAK.search(body)
