"""Text from records can never act as HTML, LaTeX, Typst or Markdown in a printed document."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from render_support import DATE, docx_part, flat, pdf_text, ws  # noqa: F401  (ws is a fixture)

from imr.render.escape import Trusted, escape_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '```{=typst}\n#read("/etc/passwd")\n```',
    '`#panic("x")`{=typst} och `<b>`{=html}',
    "\\input{/etc/passwd} $x^2$ \\(y\\)",
    "<!-- dold --> &lt;b&gt; &amp;",
    "[länk](file:///etc/passwd) ![bild](/etc/passwd) <http://example.com>",
    "# Rubrik\n- lista\n1. numrerad\n> citat\n::: {.worksheet}\n:::",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "*fet* _kursiv_ ~~struken~~ ^upp^ ~ned~ @citat [@ref]",
    "    indragen kod\n\n\n\nny rad",
    '#set page(paper: "a5") #include "x.typ" #image("/etc/hostname")',
]


def pandoc_inlines(markdown: str) -> str:
    """What pandoc reads: the document as plain text (no smart typography, to compare exactly)."""
    from imr.render.pandoc import READER, pandoc_path

    reader = READER + "-smart"
    done = subprocess.run(
        [pandoc_path(), "-f", reader, "-t", "json"], input=markdown.encode(), capture_output=True, check=True
    )
    blocks = json.loads(done.stdout)["blocks"]
    assert len(blocks) <= 1 and all(b["t"] == "Para" for b in blocks), blocks  # one paragraph, nothing else
    out = []

    def walk(node):
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                out.append(node["c"])
                return
            if kind in ("Space", "SoftBreak"):
                out.append(" ")
                return
            if kind == "LineBreak":
                out.append("\n")
                return
            assert kind in ("Para",), f"record text became {kind}"
            walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "".join(out)


def normalised(text: str) -> str:
    lines = [re.sub(r"[ \t]+", " ", line.strip()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


@pytest.mark.parametrize("text", ATTACKS)
def test_escaped_text_reads_back_as_exactly_that_text(text):
    assert pandoc_inlines(escape_markdown(text)) == normalised(text)


MARKDOWN_HEAVY = st.sampled_from(list("abcåäö 1234567890.,;:!?-_*#<>[](){}`$\\|~^@&%=+/\"'\t"))
ANY_CHARACTER = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet=MARKDOWN_HEAVY, max_size=25) | st.text(alphabet=ANY_CHARACTER, max_size=25),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_reads_back_as_itself(lines):
    text = "\n".join(lines)
    if not normalised(text):
        return
    assert pandoc_inlines(escape_markdown(text)) == normalised(text)


def test_escape_keeps_plain_sentences_readable():
    assert (
        escape_markdown("Träff 1.3: Att sätta ett mål (små steg), 50 %!")
        == "Träff 1.3: Att sätta ett mål (små steg), 50 %!"
    )
    assert escape_markdown("1. först") == "1\\. först"
    assert escape_markdown(None) == ""
    assert escape_markdown(Trusted("*x*")) == "\\*x\\*"  # escaping is not skipped by accident


def test_attacks_in_records_print_as_plain_text(ws):
    goal, homework, step = ATTACKS[0] + " " + ATTACKS[10], ATTACKS[1], ATTACKS[2]
    ws.ok("goal", "add", "p-01", goal, "--step", step)
    ws.ok("session", "log", "p-01", "--homework", homework)
    ws.ok("relapse-plan", "p-01", "--trigger", ATTACKS[3], "--action", ATTACKS[5])

    html = _render(ws, "html").decode("utf-8")
    body = html[html.index("<body>") :]
    assert "<script" not in body and "<img" not in body and "<b>" not in body and "<!--" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    plain = body.replace("”", '"')
    assert '#read("/etc/passwd")' in plain and "\\input{/etc/passwd}" in plain
    assert 'href="file:' not in body and 'href="/etc' not in body

    from imr.render.documents import handout_document
    from imr.render.markdown import document_markdown
    from imr.render.pandoc import convert_many_to_typst
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(ws.root)
    typst_body = convert_many_to_typst(
        [document_markdown(workspace, handout_document(workspace, "1.2", "p-01", DATE))],
        lang="sv",
        workspace_root=ws.root,
    )[0]
    for code in ("#read(", "#panic(", "#set page(paper", "#include", "#image("):
        assert not re.search(r"(?<!\\)" + re.escape(code), typst_body), code  # only as \#read(…): text
    assert "\\#read(" in typst_body

    pages = pdf_text(_render(ws, "pdf"))
    assert len(pages) >= 2
    text = flat(pages).replace("”", '"')
    assert "<script>alert(1)</script>" in text
    assert '#set page(paper: "a5") #include "x.typ" #image("/etc/hostname")' in text
    assert '```{=typst} #read("/etc/passwd") ```' in text
    assert "\\input{/etc/passwd} $x^2$ \\(y\\)" in text

    document = docx_part(_render(ws, "docx"), "word/document.xml")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "<w:instrText" not in document  # no field code smuggled in


def _render(ws, fmt: str) -> bytes:
    target = ws.root / f"attack.{fmt}"
    ws.ok("render", "handout", "1.2", "--for", "p-01", "--date", DATE, "-o", str(target))
    return target.read_bytes()


@pytest.mark.parametrize("text", ["imr render handout 3.2 --for demo-02", "a -- b --- c", "--again"])
def test_hyphen_runs_survive_the_real_reader(text):
    """With the reader imr really uses (smart typography on), `--` must not become a dash: a
    printed command or a note must show what was typed."""
    from imr.render.pandoc import READER, pandoc_path

    done = subprocess.run(
        [pandoc_path(), "-f", READER, "-t", "plain"],
        input=escape_markdown(text).encode(),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode().strip() == text
