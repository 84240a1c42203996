"""Workspace templates cannot run code, and printouts never land on records."""

from __future__ import annotations

import os

import pytest
from render_support import out_files, ws  # noqa: F401  (ws is a fixture)

EXPLOIT = '{{ cycler.__init__.__globals__.os.popen("id > pwned.txt").read() }}\n'


@pytest.mark.parametrize(
    "payload",
    [
        EXPLOIT,
        "{{ t.__globals__ }}\n",
        '{{ "".__class__.__mro__[1].__subclasses__() }}\n',
    ],
)
def test_a_workspace_template_cannot_run_code(ws, payload):
    own = ws.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "handout.md.j2").write_text("# {{ title }}\n" + payload, encoding="utf-8")
    os.chdir(ws.root)
    result = ws("render", "handout", "1.1")
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Fel: Mallen")
    assert not (ws.root / "pwned.txt").exists() and not (ws.root.parent / "pwned.txt").exists()
    assert out_files(ws.root) == []


def test_an_overridden_template_still_renders_in_the_sandbox(ws):
    from imr.render.templating import override_findings

    own = ws.root / "templates" / "render"
    own.mkdir(parents=True)
    (own / "module.md.j2").write_text("# {{ title }}\n\nVår egen modulsida.\n", encoding="utf-8")
    markdown = ws.ok("render", "manual", "--module", "1", "-o", "-").stdout
    assert "Vår egen modulsida." in markdown
    assert [(f.path, f.code) for f in override_findings(ws.root)] == [
        ("templates/render/module.md.j2", "template_override")
    ]


@pytest.mark.parametrize(
    "target",
    [
        "records/p-01.yaml",
        "records/ny.pdf",
        "groups/x.pdf",
        ".git/x.pdf",
        "imr.yaml",
        "out/../records/blad.pdf",
        "länk/blad.pdf",
    ],
)
def test_output_never_lands_on_records(ws, target):
    (ws.root / "groups").mkdir(exist_ok=True)
    (ws.root / ".git").mkdir(exist_ok=True)
    (ws.root / "out").mkdir(exist_ok=True)
    (ws.root / "länk").symlink_to(ws.root / "records")
    before = ws.snapshot()
    yaml_before = (ws.root / "imr.yaml").read_bytes()
    result = ws("render", "handout", "1.1", "-o", str(ws.root / target), "--force")
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "skriver aldrig utskrifter i" in result.output
    assert ws.snapshot() == before and (ws.root / "imr.yaml").read_bytes() == yaml_before
    assert not (ws.root / "records" / "ny.pdf").exists() and not (ws.root / "groups" / "x.pdf").exists()


def test_an_existing_file_imr_did_not_make_is_kept_unless_forced(ws):
    mine = ws.root / "anteckningar.pdf"
    mine.write_bytes(b"%PDF-1.4 a ward's own scanned form")
    result = ws("render", "handout", "1.1", "-o", str(mine))
    assert result.exit_code == 1 and "finns redan och är inte gjord av imr" in result.output
    assert mine.read_bytes() == b"%PDF-1.4 a ward's own scanned form"
    ws.ok("render", "handout", "1.1", "-o", str(mine), "--force")
    assert mine.read_bytes().startswith(b"%PDF-1.7")
    for fmt in ("pdf", "docx", "html", "md"):  # imr's own output is replaced without asking
        path = ws.root / f"blad.{fmt}"
        ws.ok("render", "handout", "1.1", "-o", str(path))
        ws.ok("render", "handout", "1.1", "-o", str(path))
