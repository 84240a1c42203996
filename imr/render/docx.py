"""The last touches on a DOCX from pandoc: properties, running header and footer.

Pandoc takes styles and page setup from reference.docx but cannot fill in what is specific to
one document: its title and language in the document properties, a header that shows who the
sheet is for on every page, and a footer with the sender and page numbers. Word and
LibreOffice both show plain text and the PAGE and NUMPAGES fields (LibreOffice leaves a
STYLEREF field empty), so the header is written as text. The zip is rewritten with the same
entry order and timestamps, so the same input still gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from imr.core import resources
from imr.render.documents import Document


def escape(text: str) -> str:
    """Text for XML character data, as `xml.sax.saxutils.escape` makes it (that module imports
    urllib.request, http.client and ssl: 19 ms on every render)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MARKER = "imr-output"  # in the keywords: how `-o` recognises a file imr made itself
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def field(instruction: str, shown: str) -> str:
    """A Word field (PAGE, NUMPAGES, STYLEREF) with a placeholder result Word replaces; also used by
    tools/build_reference_docx.py for the reference document's header and footer."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{shown}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _text(value: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(value)}</w:t></w:r>'


def header_xml(document: Document) -> str:
    first = next((p for p in document.parts if not p.plain), None)
    left = first.header_left if first else document.title
    personal = {p.personal_line for p in document.parts if p.personal_line}
    lines = [f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{_text(left or document.title)}</w:p>']
    if len(personal) == 1:
        lines.insert(0, f'<w:p><w:pPr><w:pStyle w:val="HeaderPersonal"/></w:pPr>{_text(personal.pop())}</w:p>')
    return XML + f'<w:hdr xmlns:w="{W}" xmlns:r="{R}">' + "".join(lines) + "</w:hdr>\n"


def footer_xml(document: Document, labels: dict[str, Any]) -> str:
    page = labels.get("page", "{page} / {total}")
    runs = []
    for piece in re.split(r"(\{page\}|\{total\})", page):
        if piece == "{page}":
            runs.append(field("PAGE", "1"))
        elif piece == "{total}":
            runs.append(field("NUMPAGES", "1"))
        elif piece:
            runs.append(_text(piece))
    sender = next((p.sender for p in document.parts if p.sender), "")
    return (
        XML + f'<w:ftr xmlns:w="{W}" xmlns:r="{R}">'
        f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{"".join(runs)}</w:p>'
        f'<w:p><w:pPr><w:pStyle w:val="FooterSender"/></w:pPr>{_text(sender)}</w:p>'
        "</w:ftr>\n"
    )


def core_xml(document: Document) -> str:
    """Title, language, subject and a created date that means something: the print date of
    personalised output, else the edition's date if it is one (else none at all)."""
    day = document.date
    if day is None:
        edition = next((p.sender for p in document.parts if p.sender), "")
        found = _ISO_DAY.search(edition)
        day = found.group(0) if found else None
    dates = ""
    if day:
        dates = (
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{day}T00:00:00Z</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{day}T00:00:00Z</dcterms:modified>'
        )
    language = {"sv": "sv-SE", "en": "en-GB"}.get(document.lang, document.lang)
    return (
        XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(document.title)}</dc:title>"
        f"<dc:subject>{escape(document.subject or '')}</dc:subject>"
        f"<dc:creator>imr</dc:creator><cp:keywords>{MARKER}</cp:keywords>"
        f"<dc:language>{language}</dc:language>{dates}</cp:coreProperties>\n"
    )


# Atkinson Hyperlegible travels inside the DOCX (Word's obfuscated embedded fonts, ECMA-376
# §17.8.1), so the sheet prints in the same type on a computer that does not have it. The
# keys are fixed, so the same input still gives the same bytes.
FONT = "Atkinson Hyperlegible"
EMBEDDED = (
    ("Regular", "embedRegular", "{6F1B2A10-3C4D-4E5F-8A9B-0C1D2E3F4A51}"),
    ("Bold", "embedBold", "{6F1B2A10-3C4D-4E5F-8A9B-0C1D2E3F4A52}"),
    ("Italic", "embedItalic", "{6F1B2A10-3C4D-4E5F-8A9B-0C1D2E3F4A53}"),
    ("BoldItalic", "embedBoldItalic", "{6F1B2A10-3C4D-4E5F-8A9B-0C1D2E3F4A54}"),
)


def obfuscated_font(data: bytes, key: str) -> bytes:
    """A TrueType font as Word embeds it: the first 32 bytes XORed with the key's GUID bytes,
    read backwards."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def _font_parts() -> dict[str, bytes]:
    folder = resources.builtin_dir("templates") / "render" / "fonts"
    parts: dict[str, bytes] = {}
    embeds, rels = [], []
    for number, (face, element, key) in enumerate(EMBEDDED, start=1):
        path = folder / f"AtkinsonHyperlegible-{face}.ttf"
        if not path.is_file():
            continue
        parts[f"word/fonts/font{number}.odttf"] = obfuscated_font(path.read_bytes(), key)
        embeds.append(f'<w:{element} r:id="rIdFont{number}" w:fontKey="{key}"/>')
        rels.append(
            f'<Relationship Id="rIdFont{number}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/font" Target="fonts/font{number}.odttf"/>'
        )
    parts["word/fontTable.xml"] = (
        XML + f'<w:fonts xmlns:w="{W}" xmlns:r="{R}"><w:font w:name="{FONT}"><w:altName w:val="Verdana"/>'
        f'<w:charset w:val="00"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>{"".join(embeds)}</w:font>'
        "</w:fonts>\n"
    ).encode("utf-8")
    parts["word/_rels/fontTable.xml.rels"] = (
        XML
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>\n"
    ).encode("utf-8")
    return parts


# A paragraph that holds only a page break (imr.lua's part breaks, the relapse card's breaks).
_BREAK = (
    r"<w:p>(?:<w:pPr>(?:(?!</w:p>).)*?</w:pPr>)?<w:r>(?:<w:rPr>(?:(?!</w:p>).)*?</w:rPr>)?"
    r'<w:br w:type="page"/></w:r></w:p>'
)
_DOUBLE_BREAK = re.compile(rf"({_BREAK})((?:\s|<w:bookmark(?:Start|End)[^>]*/>)*){_BREAK}", re.S)


def single_page_breaks(body: str) -> str:
    """Two page breaks in a row make a blank page (a part that ends with the relapse card, a card
    that starts a part): keep the first of each run, and the bookmarks between them."""
    while True:
        body, count = _DOUBLE_BREAK.subn(r"\1\2", body)
        if not count:
            return body


def finish_docx(data: bytes, document: Document, labels: dict[str, Any]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    replaced: dict[str, str | bytes] = {"docProps/core.xml": core_xml(document)}
    if "word/document.xml" in names:
        xml = source.read("word/document.xml").decode("utf-8")
        if xml.count('<w:br w:type="page"/>') > 1:
            replaced["word/document.xml"] = single_page_breaks(xml)
    fonts = _font_parts()
    added = {name: body for name, body in fonts.items() if name not in names}
    replaced.update({name: body for name, body in fonts.items() if name in names})
    if "[Content_Types].xml" in names and added:
        types = source.read("[Content_Types].xml").decode("utf-8")
        if 'Extension="odttf"' not in types:
            types = types.replace(
                "<Default ",
                '<Default Extension="odttf" ContentType="application/'
                'vnd.openxmlformats-officedocument.obfuscatedFont"/><Default ',
                1,
            )
        replaced["[Content_Types].xml"] = types
    if "word/settings.xml" in names:
        settings = source.read("word/settings.xml").decode("utf-8")
        if "embedTrueTypeFonts" not in settings:
            settings = re.sub(r"(<w:settings[^>]*>)", r"\1<w:embedTrueTypeFonts/>", settings, count=1)
        replaced["word/settings.xml"] = settings
    rels = (
        source.read("word/_rels/document.xml.rels").decode("utf-8") if "word/_rels/document.xml.rels" in names else ""
    )
    for target, text in (("header", header_xml(document)), ("footer", footer_xml(document, labels))):
        match = re.search(rf'Target="({target}\d*\.xml)"', rels)
        if match:
            replaced[f"word/{match.group(1)}"] = text
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        last = None
        for info in source.infolist():
            new = replaced.get(info.filename)
            body = (new.encode("utf-8") if isinstance(new, str) else new) if new is not None else source.read(info)
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            archive.writestr(copy, body)
            last = info
        for name, body in sorted(added.items()):
            copy = zipfile.ZipInfo(name, date_time=last.date_time if last else (1980, 1, 1, 0, 0, 0))
            copy.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(copy, body)
    return out.getvalue()
