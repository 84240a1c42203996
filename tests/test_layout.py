"""Print layout, checked from the geometry of real PDFs (PyMuPDF reads the vector drawings).

One render call makes two documents (one pandoc run, parallel typst): the master binder with
every handout in every diagnosis version (blank), and a personal folder whose participant has
goals, a long relapse plan and the sessions whose worksheets are prefilled. Every check below
reads those two PDFs:

* a worksheet box that fits on a page is never split: every frame on a page starts with its
  title (a frame without one is the continuation of a split box), except the few worksheets
  taller than a page, whose next page says "fortsättning";
* no writing line or table row is cut: rows are at least 9 mm apart, and none sits in the
  first 9 mm of a page's text area (the sliver a broken row leaves);
* the relapse-plan worksheet (7.4) lies whole on one page, blank and personalised (the
  review questions after it may follow on the next page);
* the contents list the page numbers that are printed on the pages;
* body text is 13-14 pt with at most about 70 characters a line (74 allowed), no hyphenation,
  and checkboxes of 5 mm or more.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

pymupdf = pytest.importorskip("pymupdf")

MM = 72 / 25.4
TOP = 26 * MM  # page.typ's margins
BOTTOM = 297 * MM - 22 * MM
PLAN = ["Sover mindre än sex timmar flera nätter", "Bråk på avdelningen"]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    from conftest import shared_workspaces

    with shared_workspaces(tmp_path_factory, "layout") as (base, ws):
        ws.ok("init", str(base / "ws"), "--name", "Testavdelning")
        ws.root = base / "ws"
        ws.ok("patient", "add", "p-01", "--variant", "bipolar", "--leader", "AB")
        ws.ok("goal", "add", "p-01", "Att kunna gå till affären själv och handla åt mig varje vecka",
              "--step", "Gå till kiosken med min kontaktperson", "--step", "Köpa en sak själv på lördag")
        plan = []
        for text in PLAN:
            plan += ["--trigger", text, "--warning-sign", text]
        plan += ["--action", "Säga till min kontaktperson samma dag"]
        ws.ok("relapse-plan", "p-01", *plan)
        for ref in ("1.1", "1.2", "1.3", "5.2", "5.4", "6.2", "7.4"):
            module, session = ref.split(".")
            ws.ok("session", "log", "p-01", "--module", module, "--session", session,
                  "--homework", f"Hemuppgift från träff {ref}", "--homework-review", "none")
        from imr.render.documents import folder_document, programme_document
        from imr.render.pipeline import render_documents
        from imr.workspace.folder import open_workspace

        workspace = open_workspace(ws.root)
        documents = [programme_document(workspace, variants=True), folder_document(workspace, "p-01", "2026-03-02")]
        rendered = render_documents(workspace, documents, "pdf")
        yield {"master": pymupdf.open(stream=rendered[0].data), "folder": pymupdf.open(stream=rendered[1].data)}


def _is(value, target, tolerance=0.03):
    return value is not None and abs(value - target) <= tolerance


def _drawings(page, width, grey):
    return [d for d in page.get_drawings()
            if d.get("type") == "s" and _is(d.get("width"), width, 0.05)
            and d.get("color") and _is(d["color"][0], grey)]


def _spans(page):
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                yield line, span


def _continued(page) -> bool:
    return "fortsättning från förra sidan" in page.get_text()


@pytest.mark.parametrize("name", ["master", "folder"])
def test_worksheet_boxes_are_whole_unless_taller_than_a_page(pdfs, name):
    split = []
    for number, page in enumerate(pdfs[name], start=1):
        frames = _drawings(page, 1.2, 0.2)
        titles = [(line["bbox"][1], span["text"]) for line, span in _spans(page)
                  if _is(span["size"], 15, 0.2) and "Bol" in span["font"]]
        for frame in frames:
            top = frame["rect"].y0
            if not any(top < y < top + 12 * MM for y, _ in titles) and not _continued(page):
                split.append(number)
    assert split == [], f"{name}: a worksheet box continues on page(s) {split}"


@pytest.mark.parametrize("name", ["master", "folder"])
def test_no_writing_line_or_table_row_is_cut(pdfs, name):
    problems = []
    for number, page in enumerate(pdfs[name], start=1):
        rules = sorted({round(d["rect"].y1, 1) for d in _drawings(page, 0.6, 0.43) if d["rect"].width > 20 * MM})
        for y in rules:
            if y < TOP + 9 * MM - 1 or y > BOTTOM + 1:
                problems.append((number, "line", round(y / MM)))
        rows = sorted({round(d["rect"].y0, 1) for d in _drawings(page, 0.7, 0.35) if d["rect"].height < 1})
        for upper, lower in zip(rows, rows[1:]):
            if lower - upper < 9 * MM - 0.5 and upper > rows[0] + 1:  # the header row may be lower
                problems.append((number, "row", round((lower - upper) / MM, 1)))
    assert problems == []


def _plan_pages(doc):
    return [i for i, page in enumerate(doc) if any(span["text"].strip() == "Min återfallsplan" and
                                                   _is(span["size"], 15, 0.2) for _, span in _spans(page))]


PLAN_PARTS = ["Gjord den", "1. Det här kan sätta igång", "5. Det här vill jag inte", "9. De här har en kopia",
              "Om det blir akut", "90101"]


def _plan_box(page):
    """The frame of the relapse-plan worksheet: the box whose top holds the title."""
    title = next(line["bbox"][1] for line, span in _spans(page)
                 if span["text"].strip() == "Min återfallsplan" and _is(span["size"], 15, 0.2))
    boxes = [d["rect"] for d in _drawings(page, 1.2, 0.2) if d["rect"].y0 < title < d["rect"].y0 + 12 * MM]
    assert len(boxes) == 1, "one framed plan box"
    return boxes[0]


def test_relapse_plan_is_one_page_blank_and_in_the_folder(pdfs):
    """The plan worksheet lies whole on one page; what follows it in 7.4 (the review questions) may not."""
    for name, count in (("master", 1), ("folder", 2)):  # the folder: its plan page and handout 7.4
        doc = pdfs[name]
        starts = _plan_pages(doc)
        assert len(starts) == count, name
        for start in starts:
            page, after = doc[start], doc[start + 1]
            box = _plan_box(page)
            assert TOP - 1 <= box.y0 and box.y1 <= BOTTOM + 1, f"{name}: the plan box leaves page {start + 1}"
            inside = " ".join(page.get_text(clip=box).split())
            assert [part for part in PLAN_PARTS if part not in inside] == [], name
            assert not _continued(after), f"{name}: the plan on page {start + 1} runs onto a second page"
            rest = " ".join(after.get_text().split())
            assert [part for part in PLAN_PARTS[:4] if part in rest] == [], f"{name}: plan parts on page {start + 2}"
    assert "Sover mindre än sex" in pdfs["folder"][_plan_pages(pdfs["folder"])[0]].get_text()
    master = pdfs["master"]
    plan = _plan_pages(master)[0]
    closing = [i for i, page in enumerate(master) if "Träff 7.4" in page.get_text() and
               "Repetitionsfrågor" in page.get_text()]
    assert closing and closing[0] >= plan, "7.4 closes module 7 with its review questions after the plan"


def test_contents_show_the_printed_page_numbers(pdfs):
    doc = pdfs["master"]
    for page in doc:
        found = re.search(r"Sida (\d+) av (\d+)", page.get_text())
        if found:
            assert int(found.group(1)) == page.number + 1 and int(found.group(2)) == len(doc)
    listed = []
    first_part = next(page.number for page in doc if "Träff 1.1, sida 1 av" in page.get_text())
    for page in doc[1:first_part]:  # the contents: every line that ends in a page number
        for line in page.get_text().splitlines():
            entry = re.search(r"(\d+)$", line.strip())
            if entry and not line.startswith("Sida "):
                listed.append(int(entry.group(1)))
    starts = [page.number + 1 for page in doc if re.search(r"Träff \d+\.\d+, sida 1 av", page.get_text())]
    assert len(starts) >= 40 and listed == starts


def test_body_type_size_line_length_and_checkboxes(pdfs):
    doc = pdfs["master"]
    sizes: Counter = Counter()
    for page in doc:
        for line, span in _spans(page):
            sizes[round(span["size"], 1)] += len(span["text"])
    body_size = sizes.most_common(1)[0][0]
    longest = 0
    for page in doc:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                spans = line["spans"]
                if spans and all(_is(s["size"], body_size, 0.2) for s in spans):
                    text = re.sub(r"( ?\.){3,}.*$", "", "".join(s["text"] for s in spans))  # contents leaders
                    longest = max(longest, len(text))
    assert 13 <= body_size <= 14
    assert longest <= 74, f"a body line of {longest} characters"
    boxes = [d["rect"] for page in doc for d in _drawings(page, 1.1, 0.16)]
    assert boxes and all(r.width >= 5 * MM and r.height >= 5 * MM for r in boxes)
    hyphenated = sum(line.rstrip().endswith("-") and line.rstrip()[-2:-1].isalpha()
                     for page in doc for line in page.get_text().splitlines())
    assert hyphenated <= 2  # a word written with a hyphen may end a line; typst never adds one


def test_every_handout_starts_on_a_front_page(pdfs):
    for name in ("master", "folder"):
        starts = [i for i, page in enumerate(pdfs[name]) if re.search(r"Träff \d+\.\d+, sida 1 av", page.get_text())]
        assert starts and all(i % 2 == 0 for i in starts), name


def test_group_sheets_never_show_the_diagnosis_next_to_an_id(pdfs):
    folder = "\n".join(page.get_text() for page in pdfs["folder"])
    assert "Version: Bipolär" not in folder and "p-01" in folder
    master = "\n".join(page.get_text() for page in pdfs["master"])
    assert "Version: Bipolär sjukdom" in master  # the blank master binder has every version
