"""The report's PDF body is Typst written by imr (no pandoc): record text stays text, and headings
keep with the first lines under them as imr.lua keeps them in every other document."""

from __future__ import annotations

import re

from imr.reports import report_typst as rt

NASTY = [
    '#read("/etc/passwd") #let x = 1 $x^2$ @ref <label> `code` *bold* _under_ [link](x) \\ ~ // /* c */',
    "1. not a list",
    "- not an item",
    "= not a heading",
    "+ not an enum / nor a term: x",
    "--notes and -? stay hyphens... ",
    'She said "yes" and it\'s fine',
]


def _pdf_text(blocks: list, lang: str = "sv") -> str:
    import pymupdf

    from imr.render import typst_pdf
    from imr.render.documents import Document, Part

    document = Document(name="t", title="T", lang=lang, parts=[Part("", "T", "t", {}, sender="s")])
    source = typst_pdf.typst_source(rt.document(blocks, lang), None)
    pdf, _ = typst_pdf.compile_pdf(source, typst_pdf.document_inputs(document, {}), None)
    return re.sub(r"\s+", " ", " ".join(page.get_text() for page in pymupdf.open(stream=pdf)))


def test_record_text_prints_as_typed_in_every_place_it_can_stand():
    table = rt.Table(
        header=[rt.plain(NASTY[0])],
        rows=[[rt.plain(line)] for line in NASTY[1:]],
        align=["left"],
        widths=[10],
        relative=True,
    )
    blocks = [
        rt.Heading(2, NASTY[3]),
        *[rt.Para(rt.plain(line)) for line in NASTY],
        rt.BulletList([rt.Item(rt.bold(line, ": " + line)) for line in NASTY]),
        rt.Compact([table]),
    ]
    text = _pdf_text(blocks, "en")
    for line in NASTY:
        typed = re.sub(r'"([^"]*)"', "“\\1”", " ".join(line.split())).replace("it's", "it’s").replace("...", "…")
        assert text.count(typed) >= 3 if line != NASTY[3] else text.count(typed) >= 4, typed
    assert "root:" not in text  # nothing was read


def test_swedish_quotes_and_line_breaks():
    text = _pdf_text([rt.BulletList([rt.Item(rt.plain('Hon sa "ja"\n\n  och gick\nhem'))])])
    assert "Hon sa ”ja” och gick hem" in text
    assert rt.text('a\n\n b\nc "d"', "sv", "  ") == "a \\\n  b \\\n  c ”d”"


def test_a_heading_keeps_the_first_lines_under_it_and_a_long_list_goes_on_after_it():
    items = rt.BulletList([rt.Item(rt.plain(f"rad {n}")) for n in range(10)])
    out = rt.keep_with_heading([rt.Heading(2, "Rubrik"), items, rt.Heading(2, "Nästa"), rt.Raw("#x")])
    kept, rest = out[2], out[5]
    assert out[0] == rt.Raw("#block(breakable: false, width: 100%, below: 0.8em)[") and out[1].text == "Rubrik"
    assert [i.inlines[0].text for i in kept.items] == ["rad 0", "rad 1", "rad 2"] and out[3] == rt.Raw("]")
    assert out[4] == rt.Raw("#block(above: 0.8em, width: 100%)[") and len(rest.items) == 7
    assert out[7] == rt.Heading(2, "Nästa")  # a heading before a chart stays alone (sticky in page.typ)
    # a short paragraph joins its heading; a lead-in paragraph takes two items of its list
    lead = rt.Para(rt.plain("Så här:"))
    out = rt.keep_with_heading([rt.Heading(2, "R"), rt.Para(rt.plain("kort")), lead, items])
    assert out[1:4] == [rt.Heading(2, "R"), rt.Para(rt.plain("kort")), lead]
    assert len(out[4].items) == 2 and len(out[7].items) == 8
