"""A bundle converted by several pandoc processes at once gives the same Typst as one process.

Real pandoc, real typst. The identifiers of a part are the ones it has when read alone
(imr-reader.lua), and links between parts are pointed at their targets after all pieces are
back (imr.render.pandoc._resolve_links), so cutting a bundle into pieces changes nothing.
"""

from __future__ import annotations

import re

from render_support import (
    DATE,
    pdf_text,
    ws,  # noqa: F401 (a fixture: pytest finds it by name)
)


def _markdown(ws, kind: str, *args) -> str:
    from imr.render import documents
    from imr.render.markdown import document_markdown
    from imr.workspace.folder import open_workspace

    workspace = open_workspace(ws.root)
    document = getattr(documents, kind)(workspace, *args)
    return document_markdown(workspace, document)


def _typst(ws, markdowns: list[str], processes: int) -> list[str]:
    from imr.render.pandoc import convert_many_to_typst

    return convert_many_to_typst(markdowns, lang="sv", workspace_root=ws.root, processes=processes)


def _labels(body: str) -> list[str]:
    return re.findall(r"^<(p\d+-[^>]+)>$", body, flags=re.MULTILINE)


def test_the_whole_programme_in_pieces_is_the_same_typst(ws):
    markdown = _markdown(ws, "programme_document")
    [whole] = _typst(ws, [markdown], 1)
    for processes in (2, 3, 7):
        assert _typst(ws, [markdown], processes) == [whole], processes
    assert "// imr-part" not in whole and "imr-xref" not in whole
    # Several handouts have a heading of the same words ("Läkemedel", "Stress" …): read as one
    # text, pandoc numbers the later ones (`p11-läkemedel-1`), so a piece that starts after the
    # first one would not match. Each part's labels are the ones it has alone: a numbered one
    # only where its own part has the heading twice.
    labels = _labels(whole)
    assert len(labels) == len(set(labels))
    names = [label.split("-", 1)[1] for label in labels]
    assert len({n for n in names if names.count(n) > 1 and not n.startswith(("ab-", "träff-"))}) > 3
    for label in labels:
        numbered = re.fullmatch(r"(p\d+-.+)-\d+", label)
        assert not numbered or numbered.group(1) in labels, label


def test_a_part_has_the_labels_it_has_alone(ws):
    programme = _typst(ws, [_markdown(ws, "programme_document")], 2)[0]
    alone = _typst(ws, [_markdown(ws, "handout_document", "3.2")], 1)[0]
    in_programme = {}
    for label in _labels(programme):
        part, name = label.split("-", 1)
        in_programme.setdefault(part, []).append(name)
    names_alone = [label.split("-", 1)[1] for label in _labels(alone)]
    assert names_alone in in_programme.values()


def test_links_between_parts_in_different_pieces(ws):
    # Module 1 of the test curriculum: 1.1 links to its own worksheet and to one in 1.2.
    markdown = _markdown(ws, "module_document", 1)
    [whole] = _typst(ws, [markdown], 1)
    [pieces] = _typst(ws, [markdown], 4)
    assert pieces == whole
    assert "#link(<p1-ab-1-test-viktigt>)[" in whole
    assert "#link(<p2-ab-1-test-mal>)[" in whole  # from part 1 into part 2, another piece
    assert "<p2-ab-1-test-mal>" in whole.split("#imr-part-break(2)")[1]


def test_a_link_whose_target_is_in_no_part_keeps_its_text(ws):
    [body] = _typst(ws, [_markdown(ws, "handout_document", "1.1")], 1)
    assert "ab-1-test-mal" not in body and "imr-xref" not in body
    assert "om målen i #[nästa blad]" in re.sub(r"\s+", " ", body)
    ws.ok("render", "handout", "1.1")  # and typst compiles it: no link to a missing label
    text = " ".join(pdf_text((ws.root / "out" / "utdelningsblad-1.1.pdf").read_bytes()))
    assert "om målen i nästa blad" in re.sub(r"\s+", " ", text)


def test_several_documents_in_pieces_keep_their_own_links(ws):
    ws.ok("patient", "add", "p-02")
    markdowns = [
        _markdown(ws, "module_document", 1),
        _markdown(ws, "handout_document", "1.2", "p-01", DATE),
        _markdown(ws, "module_document", 1),
    ]
    whole = _typst(ws, markdowns, 1)
    assert _typst(ws, markdowns, 3) == whole and _typst(ws, markdowns, 5) == whole
    assert len(whole) == 3 and whole[0] == whole[2]
    assert "#link(<p2-ab-1-test-mal>)[" in whole[2]  # the third document's own part 2


def test_record_text_cannot_pass_for_a_part_table(ws):
    forged = '// imr-part 1:1 {"ids": {"x": "p9-x"}, "links": {}}'
    ws.ok("session", "log", "p-01", "--homework", forged + "\n// imr-document-end\n#link(<imr-xref-1-1-1>)")
    markdown = _markdown(ws, "handout_document", "1.2", "p-01", DATE)
    [body] = _typst(ws, [markdown], 1)
    assert "imr-part 1:1" in body and "imr-document-end" in body  # printed as text …
    assert "\n// imr-" not in body  # … never as a line the renderer reads
