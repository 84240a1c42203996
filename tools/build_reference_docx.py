"""Build templates/render/reference.docx, the style sheet pandoc uses for every DOCX.

Run from the repository root:  python tools/build_reference_docx.py
The file is committed; tests/test_render_docx.py checks that this script still makes exactly
the committed bytes, so edit the styles here and run the script, never edit the .docx by hand.

Every part is written from scratch (no pandoc default to start from), stored uncompressed
with fixed zip timestamps, so the result is the same on every machine and pandoc version. Pandoc takes
styles, page size, margins, header and footer from it; styles it does not find here it adds
from its own defaults.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from imr.render.docx import field  # one definition of a Word field, shared with the renderer

OUT = Path(__file__).resolve().parent.parent / "templates" / "render" / "reference.docx"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

INK = "1F3A70"
MUTED = "555555"
RULE = "777777"

CONTENT_TYPES = (
    XML
    + """<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>
"""
)

ROOT_RELS = (
    XML
    + f"""<Relationships xmlns="{REL}">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>
"""
)

DOCUMENT_RELS = (
    XML
    + f"""<Relationships xmlns="{REL}">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>
</Relationships>
"""
)

CORE = (
    XML
    + """<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>imr</dc:title>
<dc:language>sv-SE</dc:language>
<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>
</cp:coreProperties>
"""
)

APP = (
    XML
    + """<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>imr</Application>
</Properties>
"""
)

# A4 (210 × 297 mm) in twentieths of a point; margins as in page.typ.
SECTION = (
    '<w:sectPr><w:headerReference w:type="default" r:id="rId3"/>'
    '<w:footerReference w:type="default" r:id="rId4"/>'
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1474" w:right="1984" w:bottom="1247" w:left="1984" w:header="709" w:footer="567" w:gutter="0"/>'
    "</w:sectPr>"
)

DOCUMENT = (
    XML
    + f"""<w:document xmlns:w="{W}" xmlns:r="{R}">
<w:body>
<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>imr</w:t></w:r></w:p>
{SECTION}
</w:body>
</w:document>
"""
)


HEADING_FIELD = field('STYLEREF "heading 1" \\* MERGEFORMAT', "")
HEADER = (
    XML
    + f"""<w:hdr xmlns:w="{W}" xmlns:r="{R}">
<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{HEADING_FIELD}</w:p>
</w:hdr>
"""
)

FOOTER = (
    XML
    + f"""<w:ftr xmlns:w="{W}" xmlns:r="{R}">
<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{field("PAGE", "1")}<w:r><w:t xml:space="preserve"> / </w:t></w:r>{field("NUMPAGES", "1")}</w:p>
</w:ftr>
"""
)

SETTINGS = (
    XML
    + f"""<w:settings xmlns:w="{W}" xmlns:r="{R}">
<w:embedTrueTypeFonts/>
<w:updateFields w:val="true"/>
<w:defaultTabStop w:val="709"/>
<w:characterSpacingControl w:val="doNotCompress"/>
<w:themeFontLang w:val="sv-SE"/>
<w:decimalSymbol w:val=","/>
<w:listSeparator w:val=";"/>
</w:settings>
"""
)


def paragraph_style(
    style_id: str,
    name: str,
    *,
    based_on: str = "Normal",
    ppr: str = "",
    rpr: str = "",
    next_style: str | None = None,
    custom: bool = True,
    extra: str = "",
) -> str:
    custom_attr = ' w:customStyle="1"' if custom else ""
    nxt = f'<w:next w:val="{next_style}"/>' if next_style else ""
    return (
        f'<w:style w:type="paragraph"{custom_attr} w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{based_on}"/>{nxt}<w:qFormat/>{extra}'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def heading(level: int, size_half_points: int, before: int, after: int, italic: bool = False) -> str:
    return paragraph_style(
        f"Heading{level}",
        f"heading {level}",
        based_on="Normal",
        next_style="BodyText",
        custom=False,
        ppr=f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="{after}"/><w:outlineLvl w:val="{level - 1}"/>',
        rpr=f'<w:b/>{"<w:i/>" if italic else ""}<w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/>',
    )


LINE_BORDER = f'w:val="single" w:sz="4" w:space="1" w:color="{RULE}"'

STYLES = (
    XML
    + f"""<w:styles xmlns:w="{W}" xmlns:r="{R}">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="Atkinson Hyperlegible" w:hAnsi="Atkinson Hyperlegible" w:eastAsia="Atkinson Hyperlegible" w:cs="Atkinson Hyperlegible"/>
<w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="288" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>
{paragraph_style("BodyText", "Body Text", custom=False, ppr='<w:spacing w:before="60" w:after="120"/>')}
{paragraph_style("FirstParagraph", "First Paragraph", based_on="BodyText", next_style="BodyText")}
{paragraph_style("Compact", "Compact", based_on="BodyText", ppr='<w:spacing w:before="20" w:after="40"/>')}
{paragraph_style("Title", "Title", custom=False, next_style="BodyText", ppr='<w:spacing w:before="2400" w:after="240"/>', rpr='<w:b/><w:sz w:val="56"/><w:szCs w:val="56"/>')}
{paragraph_style("Subtitle", "Subtitle", custom=False, next_style="BodyText", ppr='<w:spacing w:after="240"/>', rpr='<w:sz w:val="32"/><w:szCs w:val="32"/>')}
{heading(1, 48, 360, 200)}
{heading(2, 38, 400, 140)}
{heading(3, 37, 300, 100)}
{heading(4, 37, 240, 80, italic=True)}
{paragraph_style("Header", "header", custom=False, ppr=f'<w:pBdr><w:bottom {LINE_BORDER}/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="7937"/></w:tabs><w:spacing w:after="0"/>', rpr=f'<w:color w:val="{MUTED}"/><w:sz w:val="18"/><w:szCs w:val="18"/>')}
{paragraph_style("Footer", "footer", custom=False, ppr='<w:jc w:val="center"/><w:spacing w:after="0"/>', rpr=f'<w:color w:val="{MUTED}"/><w:sz w:val="18"/><w:szCs w:val="18"/>')}
{paragraph_style("HeaderPersonal", "Header Personal", based_on="Header", rpr='<w:b/><w:color w:val="000000"/>')}
{paragraph_style("FooterSender", "Footer Sender", based_on="Footer", rpr=f'<w:color w:val="{MUTED}"/><w:sz w:val="16"/><w:szCs w:val="16"/>')}
{paragraph_style("ImrCheck", "Imr Check", ppr='<w:spacing w:before="40" w:after="80"/><w:ind w:left="0"/>')}
{paragraph_style("ImrTableHead", "Imr Table Head", ppr='<w:spacing w:before="0" w:after="0"/>', rpr='<w:b/><w:sz w:val="22"/><w:szCs w:val="22"/>')}
{paragraph_style("ImrCrisis", "Imr Crisis")}
{paragraph_style("ImrCrisisTitle", "Imr Crisis Title", ppr="<w:keepNext/>", rpr='<w:b/><w:sz w:val="28"/><w:szCs w:val="28"/>')}
{paragraph_style("ImrVoice", "Imr Voice", rpr=f'<w:color w:val="{INK}"/>')}
{paragraph_style("ImrVoiceTitle", "Imr Voice Title", ppr="<w:keepNext/>", rpr=f'<w:b/><w:caps/><w:color w:val="{INK}"/><w:sz w:val="20"/><w:szCs w:val="20"/>')}
{paragraph_style("ImrCompact", "Imr Compact", rpr='<w:sz w:val="21"/><w:szCs w:val="21"/>')}
<w:style w:type="character" w:customStyle="1" w:styleId="ImrCheckbox"><w:name w:val="Imr Checkbox"/><w:rPr><w:rFonts w:ascii="Segoe UI Symbol" w:hAnsi="Segoe UI Symbol" w:cs="Segoe UI Symbol"/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>
{paragraph_style("TOCHeading", "TOC Heading", based_on="Heading1", custom=False, ppr='<w:outlineLvl w:val="9"/>')}
{paragraph_style("ImrKicker", "Imr Kicker", ppr='<w:spacing w:before="0" w:after="0"/>', rpr=f'<w:color w:val="{MUTED}"/><w:sz w:val="18"/><w:szCs w:val="18"/>')}
{paragraph_style("ImrPersonal", "Imr Personal", ppr='<w:shd w:val="clear" w:color="auto" w:fill="F0F0F0"/><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/><w:ind w:left="113" w:right="113"/>')}
{paragraph_style("ImrPrefilled", "Imr Prefilled", ppr='<w:shd w:val="clear" w:color="auto" w:fill="EEF2F8"/><w:spacing w:before="0" w:after="0"/>', rpr=f'<w:i/><w:color w:val="{INK}"/>')}
{paragraph_style("ImrNote", "Imr Note", ppr='<w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="999999"/></w:pBdr><w:ind w:left="227"/>')}
{paragraph_style("ImrCover", "Imr Cover", ppr='<w:spacing w:before="240" w:after="240"/>', rpr='<w:sz w:val="32"/><w:szCs w:val="32"/>')}
{paragraph_style("ImrWorksheetTitle", "Imr Worksheet Title", ppr='<w:keepNext/><w:spacing w:before="60" w:after="160"/>', rpr='<w:b/><w:sz w:val="26"/><w:szCs w:val="26"/>')}
{paragraph_style("ImrCardLabel", "Imr Card Label", ppr='<w:spacing w:before="60" w:after="0" w:line="240" w:lineRule="auto"/>', rpr='<w:b/><w:sz w:val="26"/><w:szCs w:val="26"/>')}
{paragraph_style("ImrName", "Imr Name", ppr='<w:spacing w:after="240"/>', rpr="<w:b/>")}
{paragraph_style("ImrPicture", "Imr Picture", ppr='<w:keepLines/><w:jc w:val="center"/><w:spacing w:before="120" w:after="240"/>')}
{paragraph_style("ImrWritingLine", "Imr Writing Line", ppr=f'<w:keepNext/><w:keepLines/><w:pBdr><w:bottom {LINE_BORDER}/><w:between {LINE_BORDER}/></w:pBdr><w:spacing w:before="0" w:after="0" w:line="522" w:lineRule="exact"/>')}
{paragraph_style("ImrAnswerLine", "Imr Answer Line", based_on="ImrWritingLine", rpr=f'<w:i/><w:color w:val="{INK}"/>')}
{paragraph_style("ImrCardTitle", "Imr Card Title", ppr='<w:tabs><w:tab w:val="left" w:pos="3300"/></w:tabs><w:spacing w:before="0" w:after="0"/>', rpr='<w:sz w:val="26"/><w:szCs w:val="26"/>')}
{paragraph_style("ImrCardCrisis", "Imr Card Crisis", ppr='<w:spacing w:before="0" w:after="20" w:line="240" w:lineRule="auto"/>', rpr='<w:sz w:val="26"/><w:szCs w:val="26"/>')}
{paragraph_style("ImrCardLine", "Imr Card Line", based_on="ImrWritingLine", ppr='<w:keepNext w:val="0"/><w:spacing w:before="0" w:after="0" w:line="454" w:lineRule="exact"/>', rpr='<w:sz w:val="26"/><w:szCs w:val="26"/>')}
{paragraph_style("ImrCardAnswer", "Imr Card Answer", based_on="ImrCardLine", rpr=f'<w:i/><w:color w:val="{INK}"/>')}
<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:color w:val="{INK}"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="Table"><w:name w:val="Table"/><w:basedOn w:val="TableNormal"/><w:qFormat/>
<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="444444"/><w:left w:val="single" w:sz="8" w:space="0" w:color="444444"/><w:bottom w:val="single" w:sz="8" w:space="0" w:color="444444"/><w:right w:val="single" w:sz="8" w:space="0" w:color="444444"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="AAAAAA"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="AAAAAA"/></w:tblBorders>
<w:tblCellMar><w:top w:w="113" w:type="dxa"/><w:left w:w="170" w:type="dxa"/><w:bottom w:w="170" w:type="dxa"/><w:right w:w="170" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>
"""
)

# Atkinson Hyperlegible (shipped with imr for the PDFs) by name; where it is not installed, Word
# and LibreOffice fall back to the named alternative or another sans-serif ("swiss").
FONT_TABLE = (
    XML
    + f"""<w:fonts xmlns:w="{W}" xmlns:r="{R}">
<w:font w:name="Atkinson Hyperlegible"><w:altName w:val="Verdana"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="Segoe UI Symbol"><w:altName w:val="DejaVu Sans"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>
</w:fonts>
"""
)

PARTS = [
    ("[Content_Types].xml", CONTENT_TYPES),
    ("_rels/.rels", ROOT_RELS),
    ("docProps/core.xml", CORE),
    ("docProps/app.xml", APP),
    ("word/document.xml", DOCUMENT),
    ("word/_rels/document.xml.rels", DOCUMENT_RELS),
    ("word/styles.xml", STYLES),
    ("word/settings.xml", SETTINGS),
    ("word/fontTable.xml", FONT_TABLE),
    ("word/header1.xml", HEADER),
    ("word/footer1.xml", FOOTER),
]


def build() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in PARTS:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED  # compressed bytes differ between zlib builds
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def main() -> int:
    data = build()
    if OUT.exists() and OUT.read_bytes() == data:
        print(f"{OUT} is up to date")
        return 0
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
