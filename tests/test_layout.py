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

import itertools
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
TOP = 26 * MM  # page.typ's margins
BOTTOM = 297 * MM - 22 * MM
# A realistic relapse plan: three short items in the lists read first, two in the others.
PLAN = {
    "--trigger": ["Sover mindre än sex timmar flera nätter", "Bråk på avdelningen", "Slutar med medicinen"],
    "--warning-sign": ["Pratar fortare än vanligt", "Drar mig undan", "Sover dåligt"],
    "--action": ["Säga till min kontaktperson samma dag", "Ta min vid behovsmedicin", "Gå en promenad"],
    "--calming": ["Musik i hörlurar", "Duscha varmt"],
    "--not-wanted": ["Höja rösten", "Ta min telefon"],
    "--helper": ["Kontaktpersonen: pratar med mig", "Mamma: ringer varje dag", "Läkaren: ser över medicinen"],
    "--emergency": ["Avdelningens personal", "Mottagningen"],
    "--kept-at": ["I lådan vid sängen"],
    "--copy": ["Kontaktpersonen", "Mamma"],
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    from conftest import shared_workspaces

    with shared_workspaces(tmp_path_factory, "layout") as (base, ws):
        ws.ok("init", str(base / "ws"), "--name", "Testavdelning")
        ws.root = base / "ws"
        ws.ok("patient", "add", "p-01", "--variant", "bipolar", "--leader", "AB")
        ws.ok(
            "goal",
            "add",
            "p-01",
            "Att kunna gå till affären själv och handla åt mig varje vecka",
            "--step",
            "Gå till kiosken med min kontaktperson",
            "--step",
            "Köpa en sak själv på lördag",
        )
        plan = [arg for option, items in PLAN.items() for text in items for arg in (option, text)]
        ws.ok("relapse-plan", "p-01", *plan)
        for ref in ("1.1", "1.2", "1.3", "5.2", "5.4", "6.2", "7.4"):
            module, session = ref.split(".")
            ws.ok(
                "session",
                "log",
                "p-01",
                "--module",
                module,
                "--session",
                session,
                "--homework",
                f"Hemuppgift från träff {ref}",
                "--homework-review",
                "none",
            )
        # A group at 2.1 whose members have different diagnosis versions.
        ws.ok("patient", "add", "p-02", "--variant", "schizophrenia", "--leader", "AB")
        ws.ok("patient", "add", "p-03", "--variant", "depression", "--leader", "AB")
        ws.ok("group", "create", "torsdag", "--leader", "AB")
        ws.ok("group", "add", "torsdag", "p-02", "p-03")
        for number in (1, 2, 3, 4):
            ws.ok(
                "session",
                "log",
                "--group",
                "torsdag",
                "--module",
                "1",
                "--session",
                str(number),
                "--date",
                f"2026-02-0{number}",
                "--homework-review",
                "ingen",
                "--by",
                "AB",
            )
        from imr.render.documents import folder_document, group_document, programme_document
        from imr.render.pipeline import render_documents
        from imr.workspace.folder import open_workspace

        workspace = open_workspace(ws.root)
        documents = [
            programme_document(workspace, variants=True),
            folder_document(workspace, "p-01", "2026-03-02"),
            group_document(workspace, "torsdag", next_session=True, date="2026-03-02"),
        ]
        rendered = render_documents(workspace, documents, "pdf")
        # Every personal folder of the demo workspace (the repository itself), read only.
        demo = open_workspace(REPO)
        ids = sorted(path.stem for path in (REPO / "records").glob("*.yaml"))
        folders = render_documents(demo, [folder_document(demo, pid, "2026-12-01") for pid in ids], "pdf")
        yield {
            "master": pymupdf.open(stream=rendered[0].data),
            "folder": pymupdf.open(stream=rendered[1].data),
            "group": pymupdf.open(stream=rendered[2].data),
            **{f"demo:{pid}": pymupdf.open(stream=r.data) for pid, r in zip(ids, folders, strict=False)},
        }


def _is(value, target, tolerance=0.03):
    return value is not None and abs(value - target) <= tolerance


def _drawings(page, width, grey):
    return [
        d
        for d in page.get_drawings()
        if d.get("type") == "s" and _is(d.get("width"), width, 0.05) and d.get("color") and _is(d["color"][0], grey)
    ]


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
        titles = [
            (line["bbox"][1], span["text"])
            for line, span in _spans(page)
            if _is(span["size"], 15, 0.2) and "Bol" in span["font"]
        ]
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
        for upper, lower in itertools.pairwise(rows):
            if lower - upper < 9 * MM - 0.5 and upper > rows[0] + 1:  # the header row may be lower
                problems.append((number, "row", round((lower - upper) / MM, 1)))
    assert problems == []


def _plan_pages(doc):
    return [
        i
        for i, page in enumerate(doc)
        if any(span["text"].strip() == "Min återfallsplan" and _is(span["size"], 18.5, 0.2) for _, span in _spans(page))
    ]


CARD_PARTS = [
    "Gjord den",
    "1. Kan sätta igång",
    "5. Det vill jag inte",
    "9. De har en kopia",
    "Om det blir akut",
    "På permission",
    "Ring avdelningen",
    "Hemma efter utskrivning",
    "Ring 112",
]


def test_relapse_card_is_one_page_blank_and_filled(pdfs):
    """The card lies whole on a page of its own, at 13 pt or more, blank in the binder and filled
    with the realistic plan in the folder; the crisis box sends people on leave to the ward."""
    for name, count in (("master", 1), ("folder", 2)):  # the folder: its plan page and handout 7.4
        doc = pdfs[name]
        starts = _plan_pages(doc)
        assert len(starts) == count, name
        for start in starts:
            page, after = doc[start], doc[start + 1]
            text = " ".join(page.get_text().split())
            assert [part for part in CARD_PARTS if part not in text] == [], name
            assert "Mottagningen: ring" not in text
            rest = " ".join(after.get_text().split())
            assert [part for part in CARD_PARTS if part in rest] == [], f"{name}: card parts on page {start + 2}"
            small = {
                round(span["size"], 1)
                for line, span in _spans(page)
                if TOP < line["bbox"][1] < BOTTOM and span["text"].strip()
            }
            assert min(small) >= 13 - 0.05, f"{name}: type of {min(small)} pt on the card"
            assert max(r.y1 for r in _rules(page)) <= BOTTOM
    card = " ".join(pdfs["folder"][_plan_pages(pdfs["folder"])[0]].get_text().split())
    for items in PLAN.values():
        assert all(item in card for item in items)
    master = pdfs["master"]
    plan = _plan_pages(master)[0]
    closing = [
        i for i, page in enumerate(master) if "Träff 7.4" in page.get_text() and "Repetitionsfrågor" in page.get_text()
    ]
    assert closing and closing[0] > plan, "7.4 closes module 7 with its review questions after the card"


def _rules(page):
    """Writing rows: thin horizontal strokes or fills at least 20 mm long."""
    return [
        d["rect"]
        for d in page.get_drawings()
        if d["rect"].height < 1.5 and d["rect"].width > 20 * MM and not _is(d.get("width"), 0.4, 0.05)
    ]  # not the header's and footer's hairlines


def test_every_card_field_keeps_a_blank_row(pdfs):
    """Under each field of the filled card, at least one rule has no writing above it."""
    doc = pdfs["folder"]
    page = doc[_plan_pages(doc)[0]]
    rules = _rules(page)
    words = page.get_text("words")
    blank = [r for r in rules if not any(r.x0 <= w[0] <= r.x1 and r.y1 - 8 * MM < w[3] < r.y1 for w in words)]
    labels = [line["bbox"] for line, span in _spans(page) if re.match(r"\d\. ", span["text"]) and "Bol" in span["font"]]
    assert len(labels) == 9
    for x0, y0, _x1, y1 in labels:
        below = [r for r in blank if r.x0 - 12 * MM <= x0 <= r.x1 and r.y0 > y1]
        assert below, f"no blank row under the field at {round(y0 / MM)} mm"


def test_a_plan_too_long_for_the_card_is_named_when_it_renders(tmp_path, monkeypatch):
    from conftest import Imr

    ws = Imr(tmp_path, monkeypatch)
    ws.ok("init", str(tmp_path / "ws"), "--name", "Testavdelning")
    ws.root = tmp_path / "ws"
    ws.ok("patient", "add", "p-02", "--by", "AB")
    many = [arg for n in range(6) for arg in ("--warning-sign", f"Ett ganska långt varningstecken nummer {n}")]
    ws.ok("relapse-plan", "p-02", "--by", "AB", "--trigger", "Bråk", *many)
    result = ws.ok("render", "handout", "7.4", "--for", "p-02", "-o", str(tmp_path / "kort.pdf"))
    assert "Fältet ”Mina tidiga varningstecken” får inte plats på återfallskortet" in result.output
    assert "Kan sätta igång" not in result.output.split("Skrev")[0]


def test_the_card_names_the_ward_and_clinic_by_role_from_imr_yaml(tmp_path, monkeypatch):
    from conftest import Imr

    ws = Imr(tmp_path, monkeypatch)
    ws.ok("init", str(tmp_path / "ws"), "--name", "Testavdelning")
    ws.root = tmp_path / "ws"
    blank = ws.ok("render", "handout", "7.4", "-o", "-").output
    assert "Ring avdelningen." in blank and "Ring din mottagning." in blank
    config = ws.root / "imr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "crisis:\n  ward: avdelning Eken\n  clinic: 070-123 45 67\n",
        encoding="utf-8",
    )
    named = ws.ok("render", "handout", "7.4", "-o", "-").output
    assert "Ring avdelning Eken." in named
    assert "070" not in named and "Ring din mottagning." in named  # a number is never printed as a role


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
        for _line, span in _spans(page):
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
    hyphenated = sum(
        line.rstrip().endswith("-") and line.rstrip()[-2:-1].isalpha()
        for page in doc
        for line in page.get_text().splitlines()
    )
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


# -- breaks: measured on every page of the binder and of every folder ---------------------------


def _lines(page):
    """Text lines as (top, baseline, size, bold, text), top to bottom."""
    out = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(s["text"] for s in line["spans"]).strip()
            if text:
                out.append(
                    (
                        line["bbox"][1],
                        max(s["origin"][1] for s in line["spans"]),
                        max(s["size"] for s in line["spans"]),
                        any("Bol" in s["font"] for s in line["spans"]),
                        text,
                    )
                )
    return sorted(out)


def _part_page(page):
    found = re.search(r"Träff (\d+\.\d+), sida (\d+) av (\d+)", page.get_text())
    return (found.group(1), int(found.group(2)), int(found.group(3))) if found else None


def _break_problems(doc):
    """What the issue counted: headings at a page's foot, lead-ins cut from their list, pages of
    one or two lines, headers too near the paper's edge, footers on more than one line."""
    out = []
    for page in doc:
        number = page.number + 1
        lines = _lines(page)
        head = [line for line in lines if line[1] <= TOP - 2]
        foot = [line for line in lines if line[0] >= BOTTOM + 2]
        body = [line for line in lines if TOP - 2 < line[0] < BOTTOM]
        rows = [r for r in _rules(page) if TOP < r.y0 < BOTTOM]
        if head and min(line[0] for line in head) < 10 * MM:
            out.append((number, "header nearer than 10 mm to the edge"))
        if len({round(line[1]) for line in foot}) > 1:
            out.append((number, "footer on more than one line"))
        where = _part_page(page)
        if where is None:
            continue
        if where[1] < where[2]:  # the part goes on over the page
            for k, line in enumerate(body):
                if line[2] >= 17 and line[3]:
                    under = len({round(x[0]) for x in body[k + 1 :] if x[2] < 17})
                    if under < 3 and not any(r.y0 > line[0] for r in rows):
                        out.append((number, f"heading with {under} lines at the foot: {line[4][:30]}"))
            text = [line for line in body if line[2] < 17]
            below = [r for r in rows if text and r.y0 > text[-1][0]]
            nxt = [line for line in _lines(doc[page.number + 1]) if TOP - 2 < line[0] < BOTTOM]
            if (
                text
                and not below
                and re.search(r"(:|till exempel)$", text[-1][4])
                and nxt
                and re.match(r"[•–]|\d+\.", nxt[0][4])
            ):
                out.append((number, f"lead-in cut from its list: {text[-1][4][-30:]}"))
        if where[1] > 1 and len({round(line[0]) for line in body}) < 4 and not rows:
            out.append((number, f"a page of {len(body)} lines"))
    return out


def test_pages_break_well_in_the_binder_and_every_folder(pdfs):
    problems = {name: _break_problems(doc) for name, doc in pdfs.items()}
    assert {name: found for name, found in problems.items() if found} == {}
    assert len(pdfs) >= 4  # the binder, the test folder and the demo folders


def test_headings_are_at_least_1_3_times_the_body(pdfs):
    sizes = Counter(
        round(span["size"], 1)
        for page in pdfs["master"]
        for _, span in _spans(page)
        if "Bol" in span["font"] and len(span["text"]) > 3
    )
    heading_sizes = [size for size in sizes if size > 15]
    assert heading_sizes and min(heading_sizes) >= 1.3 * 14 - 0.1


def test_blank_sheets_have_a_name_line_and_the_module_line_once(pdfs):
    doc = pdfs["master"]
    firsts = [page for page in doc if re.search(r"Träff \d+\.\d+, sida 1 av", page.get_text())]
    assert firsts and all("Namn:" in page.get_text() for page in firsts)
    for page in firsts:
        assert page.get_text().count("Modul ") == 1, page.number + 1
    folder = pdfs["folder"]
    assert not any("Namn:" in page.get_text() for page in folder)


def test_rating_choices_are_at_least_8_mm_apart(pdfs):
    doc = pdfs["master"]
    page = next(p for p in doc if "Mina områden i livet" in p.get_text() and "Boende" in p.get_text())
    words = [w for w in page.get_text("words") if re.fullmatch(r"[1-5]", w[4]) and TOP < w[1] < BOTTOM]
    boende = next(w for w in page.get_text("words") if w[4] == "Boende")
    row = sorted((w for w in words if abs(w[1] - boende[1]) < 3), key=lambda w: w[0])
    assert len(row) == 5
    gaps = [(b[0] + b[2]) / 2 - (a[0] + a[2]) / 2 for a, b in itertools.pairwise(row)]
    assert min(gaps) >= 8 * MM


def test_swedish_quotation_marks(pdfs):
    text = "".join(page.get_text() for page in pdfs["master"])
    assert "”" in text and "“" not in text and '"' not in text


def test_a_wrapped_contents_entry_has_its_page_number_on_its_last_line(pdfs):
    doc = pdfs["master"]
    contents = [line for page in doc[1:4] for line in _lines(page) if TOP < line[0] < BOTTOM]
    numbers = [line for line in contents if re.fullmatch(r"\d+", line[4])]
    for number in numbers:  # the number stands on the baseline of its entry's last line
        same = [line for line in contents if line is not number and abs(line[1] - number[1]) < 1]
        assert same, f"page number {number[4]} on a line of its own"
        above = [
            line
            for line in contents
            if 0 < same[0][0] - line[0] < 7 * MM and line[2] == same[0][2] and not re.fullmatch(r"\d+", line[4])
        ]
        assert all(not re.search(r"\d$", line[4]) for line in above)


def test_the_personal_goal_sheet_fits_one_page(pdfs):
    """1.3's worksheet, filled in with a participant's goal and steps, is never split."""
    for name, doc in pdfs.items():
        if name == "master":
            continue
        assert not any("Mitt mål och mina delmål – fortsättning" in page.get_text() for page in doc), name


DIAGNOSES = ("schizofreni", "bipolär", "depression", "psykos")


def test_group_sheets_carry_the_general_text(pdfs):
    """At 2.1 every member gets the general sheet: no diagnosis word in a title, a heading or
    the box with the id, and no "Version:" line."""
    doc = pdfs["group"]
    text = "".join(page.get_text() for page in doc)
    assert "För: p-02" in text.replace("\n", " ") or "p-02" in text
    assert "Version:" not in text
    for page in doc:
        for line in _lines(page):
            if line[2] >= 17 or "För:" in line[4] or "p-0" in line[4]:
                assert not any(word in line[4].lower() for word in DIAGNOSES), (page.number + 1, line[4])


def test_imrs_chart_labels_inside_the_frame_and_no_gridline_through_text(pdfs):
    checked = 0
    for name, doc in pdfs.items():
        for page in doc:
            labels = [
                line
                for line, span in _spans(page)
                if _is(span["size"], 9.5, 0.1)
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", span["text"].strip())
                and TOP < line["bbox"][1] < BOTTOM
            ]
            if not labels:
                continue
            grid = [d["rect"] for d in page.get_drawings() if d["rect"].height < 1 and d["rect"].width > 30 * MM]
            for line in labels:
                x0, y0, x1, y1 = line["bbox"]
                assert x0 >= 35 * MM - 0.5 and x1 <= 175 * MM + 0.5, (name, page.number + 1)
                assert not any(r.x0 < x1 and r.x1 > x0 and y0 < r.y0 < y1 for r in grid), (name, page.number + 1)
                checked += 1
    assert checked >= 2  # the demo folders have assessments


def test_matplotlib_imrs_chart_keeps_its_legend_off_the_plot():
    from imr.render.imrs_chart import trend_chart

    rows = [
        {"date": "2026-01-10", "rater": "client", "mean": 2.0},
        {"date": "2026-04-10", "rater": "client", "mean": 3.5},
        {"date": "2026-01-10", "rater": "clinician", "mean": 1.0},
        {"date": "2026-04-10", "rater": "clinician", "mean": 1.2},
    ]
    svg = trend_chart(rows, "svg", labels={"client": "Din egen", "clinician": "Behandlaren"}).decode("utf-8")
    assert svg.count('id="legend_1"') == 1
    # the legend group is drawn after the axes and to the right of the plot area
    axes = re.search(r'<g id="patch_2">\s*<path d="M ([\d.]+) ([\d.]+)\s+L ([\d.]+)', svg)
    legend = re.search(r'<g id="legend_1">\s*<g id="line2d_\d+">\s*<path d="M ([\d.]+)', svg)
    assert axes and legend and float(legend.group(1)) > float(axes.group(3))


def test_report_pdf_has_the_charts_and_the_html_week_grid_wraps(tmp_path, monkeypatch):
    """The PDF report draws the same SVG charts as the HTML page; the HTML week grid comes in
    quarters (no scrollbar), so it prints whole from a browser."""
    from conftest import Imr

    demo = Imr(REPO, monkeypatch)
    demo.ok(
        "report", "--since", "2026-06-01", "--until", "2026-12-06", "--format", "pdf", "-o", str(tmp_path / "r.pdf")
    )
    demo.ok(
        "report", "--since", "2026-06-01", "--until", "2026-12-06", "--format", "html", "-o", str(tmp_path / "r.html")
    )
    doc = pymupdf.open(tmp_path / "r.pdf")
    text = " ".join(page.get_text() for page in doc)
    assert "v. 23" in text and "v. 48" in text  # the regularity chart's week labels, drawn
    assert sum(len(page.get_drawings()) for page in doc) > 100
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    grids = re.findall(r'<svg [^>]*data-chart="regularity"[^>]*width="(\d+)"', html)
    assert len(grids) >= 2 and all(int(width) <= 150 + 44 * 13 + 10 for width in grids)
    assert "overflow-x" not in html
