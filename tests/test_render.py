"""`imr render`: real pandoc, real typst, text read back from the real PDFs with pypdf."""

from __future__ import annotations

import pytest
from render_support import (
    A4,
    ACTION,
    DATE,
    GOAL,
    HOMEWORK,
    STEP_1,
    STEP_2,
    TRIGGER,
    flat,
    out_files,
    pdf_sizes,
    pdf_text,
    ws,  # noqa: F401 (a fixture: pytest finds it by name)
)


def test_handout_is_a4_swedish_and_not_personal(ws):
    result = ws.ok("render", "handout", "1.1")
    assert "out/utdelningsblad-1.1.pdf" in result.output
    data = (ws.root / "out" / "utdelningsblad-1.1.pdf").read_bytes()
    pages = pdf_text(data)
    text = flat(pages)
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in pdf_sizes(data))
    assert "Träff 1.1: Vad återhämtning betyder för mig" in text
    assert "IMR · Modul 1: Strategier för återhämtning" in text  # running header
    assert "Sida 1 av" in pages[0]
    assert "”små steg räknas”" in text  # Swedish quotation marks from the document language
    assert "Det här är viktigt för mig" in text  # worksheet title
    assert "p-01" not in text and "Ledare" not in text and DATE not in text


def test_personalised_handout_has_goal_homework_and_prefilled_worksheets(ws):
    ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE)
    pages = pdf_text((ws.root / "out" / "utdelningsblad-1.2-p-01.pdf").read_bytes())
    text = flat(pages)
    assert "p-01 · 2026-03-02 · Ledare: AB" in pages[0]  # running header of a personalised page
    assert HOMEWORK in text
    assert GOAL in text and STEP_1 in text and STEP_2 in text
    assert "Nästa steg: " + STEP_1 in text
    # the relapse-plan worksheet has no fill keys: its answers stand at its top
    assert TRIGGER in text and ACTION in text
    assert "Det här står redan i din plan" in text


def test_prefill_writes_answers_on_the_lines_that_ask_for_them(ws):
    markdown = ws("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", "-").output
    assert '::: {.imr-answer key="step-1"}' in markdown
    from imr.render.documents import handout_document
    from imr.render.markdown import document_markdown
    from imr.render.pandoc import convert_many_to_typst
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(ws.root)
    body = convert_many_to_typst(
        [document_markdown(workspace, handout_document(workspace, "1.2", "p-01", DATE))],
        lang="sv",
        workspace_root=ws.root,
    )[0]
    goals_sheet = body[body.index('#imr-worksheet(title: "Mitt mål') : body.index("<p1-ab-1-test-mal>")]
    assert "#imr-answers(2)[\n" + GOAL in goals_sheet  # written on the goal's lines …
    assert "#imr-answers(1)[\n" + STEP_1 in goals_sheet  # … and each step on its own
    assert "#imr-prefilled" not in goals_sheet  # every answer found its line
    plan_sheet = body[body.index('#imr-worksheet(title: "Min plan') :]
    assert "#imr-prefilled" in plan_sheet and "#imr-lines(3)" in plan_sheet


def test_same_input_gives_the_same_bytes(ws):
    for fmt in ("pdf", "docx", "html"):
        first = ws.root / f"first.{fmt}"
        second = ws.root / f"second.{fmt}"
        ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", str(first))
        ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", str(second))
        assert first.read_bytes() == second.read_bytes(), fmt


def test_output_goes_to_git_ignored_out_folder(ws):
    ws.commit_all()
    ws.ok("render", "handout", "1.1", "-f", "html")
    assert out_files(ws.root) == ["utdelningsblad-1.1.html"]
    assert ws.git("status", "--porcelain") == ""


def test_dash_writes_markdown_to_stdout_and_no_file(ws):
    result = ws.ok("render", "handout", "1.1", "-o", "-")
    assert result.output.startswith("::: {.imr-part n=1}")
    assert "# Träff 1.1: Vad återhämtning betyder för mig" in result.output
    assert out_files(ws.root) == []


def test_format_follows_the_output_suffix(ws):
    ws.ok("render", "handout", "1.1", "-o", str(ws.root / "blad.docx"))
    assert (ws.root / "blad.docx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "args",
    [
        ["render", "handout", "9.9"],
        ["render", "handout", "1.1", "--for", "p-99"],
        ["render", "handout", "1.1", "--for", "p-01", "--date", "2026-02-30"],
        ["render", "handout", "1.1", "-f", "odt"],
        ["render", "handout", "1.1", "-o", "/no/such/folder/blad.pdf"],
        ["render", "handout", "1.1", "-o", "/proc/imr-blad.pdf"],
        ["render", "handout", "1.1", "-o", "records"],
        ["render", "bundle"],
        ["render", "bundle", "--all", "--module", "1"],
        ["render", "bundle", "--module", "1", "--next"],
        ["render", "bundle", "--for", "p-99"],
        ["render", "manual", "--module", "42"],
    ],
)
def test_errors_exit_1_with_one_message_and_write_nothing(ws, args):
    before = ws.snapshot()
    result = ws(*args)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Fel: ")
    assert ws.snapshot() == before
    assert out_files(ws.root) == []
    assert not (ws.root / "records" / "imr-blad.pdf").exists()


def test_template_error_is_one_message_and_no_file(ws):
    own = ws.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n{{ no_such_value }}\n", encoding="utf-8")
    result = ws("render", "handout", "1.1", "-o", str(ws.root / "blad.pdf"))
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Fel: Mallen handout.md.j2 har ett fel på rad 2: 'no_such_value' is undefined. "
        "Rätta mallen i templates/render/."
    )
    assert not (ws.root / "blad.pdf").exists()
    assert [p.name for p in ws.root.iterdir() if p.name.startswith(".blad")] == []


def test_missing_font_is_an_error(ws):
    from imr.core.errors import ImrError
    from imr.render.typst_pdf import compile_pdf

    with pytest.raises(ImrError) as caught:
        compile_pdf('#set text(font: "No Such Font")\nHej', {}, ws.root)
    assert caught.value.args[0] == "render_font_missing" or "font" in str(caught.value)


def test_workspace_layout_files_are_ignored_and_listed(ws):
    """A workspace's page.typ or Lua filter could run code: imr uses its own, and says so."""
    from imr.render.templating import override_findings

    own = ws.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "page.typ").write_text('#set text(font: "No Such Font")\n#read("/etc/passwd")\n', encoding="utf-8")
    (own / "imr.lua").write_text('os.execute("touch pwned.txt")\n', encoding="utf-8")
    ws.ok("render", "handout", "1.1")
    ws.ok("render", "handout", "1.1", "-f", "html", "-o", str(ws.root / "out" / "h.html"))
    assert b"AtkinsonHyperlegible" in (ws.root / "out" / "utdelningsblad-1.1.pdf").read_bytes()
    assert not (ws.root / "pwned.txt").exists()
    codes = {(f.path, f.code) for f in override_findings(ws.root)}
    assert codes == {
        ("templates/render/page.typ", "template_override_ignored"),
        ("templates/render/imr.lua", "template_override_ignored"),
    }


def test_module_bundle_one_part_per_session_with_own_page_numbers(ws):
    ws.ok("render", "bundle", "--module", "1")
    pages = pdf_text((ws.root / "out" / "modul-1.pdf").read_bytes())
    starts = [i for i, page in enumerate(pages) if ", sida 1 av" in page]
    assert len(starts) == 2  # two handouts, each counting its own pages …
    assert "Träff 1.1" in pages[starts[0]] and "Träff 1.2" in pages[starts[1]]
    assert all(f"Sida {i + 1} av {len(pages)}" in page for i, page in enumerate(pages) if page.strip())
    assert starts[1] % 2 == 0  # … and, printed double-sided, each starts on a front page


def test_personal_folder_has_goals_plan_and_handouts_so_far(ws):
    ws.ok("render", "bundle", "--for", "p-01", "--date", DATE)
    pages = pdf_text((ws.root / "out" / "pärm-p-01.pdf").read_bytes())
    cover = flat(pages[:1])
    assert "Min pärm" in cover and "För: p-01" in cover and "Utskrivet 2026-03-02" in cover
    first = flat(pages[2:3])
    assert "p-01 · 2026-03-02 · Ledare: AB" in first
    assert GOAL in first and STEP_1 in first
    assert "Träff 1.1: Vad återhämtning betyder för mig" in first  # held so far
    assert any(TRIGGER in flat([page]) and "Min återfallsplan" in page for page in pages)  # the whole plan
    assert any("Det här är viktigt för mig" in page for page in pages[1:])  # handout 1.1 itself
    assert not any("Träff 1.2" in page for page in pages)  # not held yet


def test_manual_shifts_guide_sections_under_the_session(ws):
    markdown = ws.ok("render", "manual", "--module", "1", "-o", "-").output
    assert "## Träff 1.1: Vad återhämtning betyder för mig" in markdown
    ws.ok("render", "manual", "--module", "1")
    data = (ws.root / "out" / "ledarmanual-modul-1.pdf").read_bytes()
    text = "\n".join(pdf_text(data))
    assert "Behandlarmanual" in text and "1. Incheckning" in text and "Om det går trögt" in text
    from imr.render.documents import manual_document
    from imr.render.markdown import document_markdown
    from imr.render.pandoc import convert_many_to_typst
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(ws.root)
    body = convert_many_to_typst(
        [document_markdown(workspace, manual_document(workspace, 1))], lang="sv", workspace_root=ws.root
    )[0]
    assert "\n=== 1. Incheckning" in body and "\n==== Om det går trögt" in body
    assert "#imr-toc()" in body


def test_whole_programme_in_one_pdf_with_contents(ws):
    ws.ok("render", "bundle", "--all")
    pages = pdf_text((ws.root / "out" / "programmet.pdf").read_bytes())
    assert "Alla utdelningsblad" in pages[0]
    assert "Innehåll" in "\n".join(pages[:3])
    from imr.workspace.folder import open_workspace

    sessions = open_workspace(ws.root).curriculum.sessions()
    assert sum(", sida 1 av" in page for page in pages) == len(sessions)


def test_session_next_renders_todays_handout(ws):
    result = ws.ok("session", "next", "p-01", "--render", "pdf")
    assert "out/utdelningsblad-1.2-p-01.pdf" in result.output
    text = "\n".join(pdf_text((ws.root / "out" / "utdelningsblad-1.2-p-01.pdf").read_bytes()))
    assert "Träff 1.2: Mitt mål och min plan" in text and "Ledare: AB" in text


def test_session_next_json_keeps_stdout_clean(ws):
    import json

    result = ws.ok("session", "next", "p-01", "--json", "--render", "md")
    assert json.loads(result.stdout)["session"] == "1.2"
    plan, handout = out_files(ws.root)
    assert plan.startswith("ledarplan-1.2-p-01-") and handout == "utdelningsblad-1.2-p-01.md"
    text = (ws.root / "out" / plan).read_text(encoding="utf-8")
    assert "Ledarens plan" not in (ws.root / "out" / handout).read_text(encoding="utf-8")
    assert "imr render" not in text and "Plan för träff 1.2" in text  # no command line on paper


def test_session_next_bad_render_format_fails_before_output(ws):
    result = ws("session", "next", "p-01", "--render", "odt")
    assert result.exit_code == 1 and result.output.startswith("Fel: Formatet ”odt” finns inte")


def test_group_next_gives_every_member_a_personal_handout(ws):
    pytest.importorskip("imr.programme.groups")
    ws.ok("patient", "add", "p-02")
    ws.ok("group", "create", "grupp-a", "--leader", "CD")
    ws.ok("group", "add", "grupp-a", "p-01", "p-02")
    ws.ok("render", "bundle", "--group", "grupp-a", "--next", "--date", DATE)
    [name] = out_files(ws.root)
    pages = pdf_text((ws.root / "out" / name).read_bytes())
    firsts = [page for page in pages if ", sida 1 av" in page]
    assert len(firsts) == 2
    assert "p-01 · 2026-03-02 · Ledare: CD" in firsts[0] and GOAL in firsts[0]
    assert "p-02 · 2026-03-02 · Ledare: CD" in firsts[1] and GOAL not in firsts[1]


def test_several_documents_share_one_pandoc_run_and_compile_in_parallel(ws):
    from imr.render.documents import handout_document
    from imr.render.pipeline import render_documents
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(ws.root)
    documents = [handout_document(workspace, "1.1"), handout_document(workspace, "1.2", "p-01", DATE)]
    steps = []
    together = render_documents(workspace, documents, "pdf", lambda *step: steps.append(step))
    alone = [render_documents(workspace, [d], "pdf")[0] for d in documents]
    assert [r.data for r in together] == [r.data for r in alone]
    assert ("pandoc", 1, 1) in steps and ("typst", 2, 2) in steps and ("markdown", 2, 2) in steps


def test_group_without_next_prints_every_members_folder(ws):
    pytest.importorskip("imr.programme.groups")
    ws.ok("patient", "add", "p-02")
    ws.ok("group", "create", "grupp-a")
    ws.ok("group", "add", "grupp-a", "p-01", "p-02")
    markdown = ws.ok("render", "bundle", "--group", "grupp-a", "--date", DATE, "-o", "-").stdout
    assert markdown.count("**Min pärm**") == 2
    assert "För: p-01" in markdown and "För: p-02" in markdown


def test_session_next_for_a_group_renders_todays_handouts(ws):
    pytest.importorskip("imr.programme.group_planning")
    ws.ok("patient", "add", "p-02")
    ws.ok("group", "create", "grupp-a")
    ws.ok("group", "add", "grupp-a", "p-01", "p-02")
    ws.ok("session", "next", "--group", "grupp-a", "--render", "html")
    [name] = [name for name in out_files(ws.root) if name.startswith("grupp-grupp-a-")]
    [plan] = [name for name in out_files(ws.root) if name.startswith("ledarplan-")]
    assert "Plan för träff 1.1" in (ws.root / "out" / plan).read_text(encoding="utf-8")
    html = (ws.root / "out" / name).read_text(encoding="utf-8")
    assert "Plan för träff" not in html
    assert "<strong>För:</strong> p-01" in html and "<strong>För:</strong> p-02" in html


def test_english_workspace_labels_and_text_language(tmp_path, monkeypatch):
    from conftest import Imr

    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    runner = Imr(tmp_path, monkeypatch)
    runner.ok("init", str(tmp_path / "en"), "--lang", "en")
    runner.root = tmp_path / "en"
    runner.ok("patient", "add", "p-01", "--leader", "AB")
    runner.ok("render", "handout", "1.1", "--for", "p-01", "--date", DATE)
    pages = pdf_text((runner.root / "out" / "handout-1.1-p-01.pdf").read_bytes())  # English names
    assert "p-01 · 2026-03-02 · Leader: AB" in pages[0] and "Page 1 of" in pages[0]
    from imr.render.documents import handout_document
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(runner.root)
    assert handout_document(workspace, "1.1").lang == workspace.curriculum.lang  # the text's language


def test_progress_bar_reports_each_step(ws):
    import io

    from rich.console import Console

    from imr.cli import common
    from imr.cli.render_run import with_progress
    from imr.render.documents import module_document
    from imr.workspace.folder import open_workspace

    common._state.update({"lang": "sv"})
    workspace = open_workspace(ws.root)
    screen = io.StringIO()
    rendered = with_progress(
        workspace, module_document(workspace, 1), "pdf", Console(file=screen, force_terminal=True, width=100)
    )
    assert rendered.data.startswith(b"%PDF")
    assert "Fyller i mallar" in screen.getvalue() and "typst" in screen.getvalue()


def test_real_goal_and_relapse_plan_worksheets_are_filled_on_their_lines(imr):
    """The real handouts 1.3 and 7.4: every answer is on the lines meant for it, none in a box."""
    imr.ok("patient", "add", "p-01", "--leader", "AB")
    imr.ok("goal", "add", "p-01", GOAL, "--step", STEP_1, "--step", STEP_2)
    imr.ok(
        "relapse-plan",
        "p-01",
        "--trigger",
        TRIGGER,
        "--warning-sign",
        "Jag sover dåligt",
        "--action",
        ACTION,
        "--helper",
        "Min kontaktperson",
        "--emergency",
        "Avdelningen via personalen",
        "--kept-at",
        "I pärmen på rummet",
        "--copy",
        "kontaktperson",
    )
    for ref, answers in (
        ("1.3", [GOAL, STEP_1, STEP_2]),
        (
            "7.4",
            [
                TRIGGER,
                "Jag sover dåligt",
                ACTION,
                "Min kontaktperson",
                "Avdelningen via personalen",
                "I pärmen på rummet",
            ],
        ),
    ):
        ws_out = imr.root / f"handout-{ref}.pdf"
        imr.ok("render", "handout", ref, "--for", "p-01", "--date", DATE, "-o", str(ws_out))
        text = flat(pdf_text(ws_out.read_bytes()))
        for answer in answers:
            assert answer in text, (ref, answer)
        assert "Det här står redan i din plan" not in text, ref  # nothing left over for the box


def test_pictures_in_every_format_with_their_alt_text(ws):
    """The drawings are imr's own files, each pointed at from a handout or template, and show in
    PDF, HTML (inline SVG with its alt text) and DOCX (embedded, the alt text as description)."""
    import re
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pictures = sorted(p.stem for p in (root / "templates" / "render" / "pictures").glob("*.svg"))
    used = "".join(p.read_text(encoding="utf-8") for p in (root / "curriculum").rglob("*.md"))
    used += "".join(p.read_text(encoding="utf-8") for p in (root / "templates" / "render").glob("*.j2"))
    drawings = [name for name in pictures if not name.startswith("card-")]
    assert len(drawings) + 1 >= 10  # nine drawings and the card's icons
    assert all(f"name={name}}}" in used for name in drawings)
    ws.ok("render", "handout", "3.1", "-o", str(ws.root / "b.pdf"))
    assert "när det rinner över" in "".join(pdf_text((ws.root / "b.pdf").read_bytes()))
    ws.ok("render", "handout", "3.1", "-o", str(ws.root / "b.html"))
    html = (ws.root / "b.html").read_text(encoding="utf-8")
    assert re.search(r'<figure class="picture" role="img" aria-label="Bägaren: stress rinner', html)
    ws.ok("render", "handout", "3.1", "-o", str(ws.root / "b.docx"))
    with zipfile.ZipFile(ws.root / "b.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        assert any(name.endswith(".svg") for name in docx.namelist())
    assert 'descr="Bägaren: stress rinner' in body


def test_quotes_in_record_text_print_the_swedish_way(ws):
    ws.ok("patient", "add", "p-02")
    ws.ok(
        "session",
        "log",
        "p-02",
        "--homework",
        'Läs "Vägen" och säg “hej” till Sara\'s kontakt',
        "--homework-review",
        "none",
    )
    ws.ok("render", "handout", "1.2", "--for", "p-02", "-o", str(ws.root / "q.pdf"))
    text = flat(pdf_text((ws.root / "q.pdf").read_bytes()))
    assert "”Vägen”" in text and "”hej”" in text and "Sara’s" in text
    assert '"' not in text and "“" not in text
