"""HTML output: one self-contained file with a print stylesheet, in the workspace's language."""

from __future__ import annotations

import re

from render_support import DATE, GOAL, ws  # noqa: F401  (ws is a fixture)


def test_html_is_self_contained_and_printable(ws):
    target = ws.root / "blad.html"
    ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", str(target))
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv-SE">' in html
    references = re.findall(r'\b(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', html, re.I)
    assert all(ref.startswith("#") for ref in references), references
    assert "<link" not in html and "<script" not in html and "@import" not in html
    # the only url() is the shipped font, inlined
    assert re.findall(r"url\(([a-z:/]{0,20})", html) == ["data:font/ttf"] * 2
    assert 'font-family: "Atkinson Hyperlegible"' in html
    assert "<title>Träff 1.2: Mitt mål och min plan</title>" in html  # one line
    assert "@top-left" in html and "p-01 · 2026-03-02 · Ledare: AB" in html
    assert "@page" in html and "size: A4" in html and "@media print" in html
    assert GOAL in html and "Ledare:</strong> AB" in html
    assert html.count('class="worksheet"') == 2
    assert '<div class="line filled">' in html
    assert "”små steg räknas”" not in html  # that sentence is in 1.1; here: quotes follow Swedish style
    assert "“" not in html


def test_internal_links_point_at_the_copy_in_their_own_part(ws):
    target = ws.root / "modul.html"
    ws.ok("render", "bundle", "--module", "1", "-o", str(target))
    html = target.read_text(encoding="utf-8")
    # 1.1 links to its own worksheet and to one in 1.2: both exist, with part prefixes
    assert 'href="#p1-ab-1-test-viktigt"' in html and 'id="p1-ab-1-test-viktigt"' in html
    assert 'href="#p2-ab-1-test-mal"' in html and 'id="p2-ab-1-test-mal"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('class="imr-part-start"') == 1


def test_a_link_to_a_worksheet_outside_the_document_keeps_only_its_text(ws):
    markdown_target = ws.root / "blad.html"
    ws.ok("render", "handout", "1.1", "-o", str(markdown_target))
    html = markdown_target.read_text(encoding="utf-8")
    assert 'href="#p1-ab-1-test-viktigt"' in html
    assert "ab-1-test-mal" not in html
    assert "om målen i nästa blad" in re.sub(r"\s+", " ", html)
