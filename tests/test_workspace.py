"""Workspace discovery and `imr init` on real folders with real git."""

from pathlib import Path

from imr.workspace import find_workspace


def test_init_creates_workspace_and_git(imr):
    root = imr.root
    for name in ("imr.yaml", "records", "groups", ".gitignore", ".git"):
        assert (root / name).exists(), name
    assert "Testavdelning" in (root / "imr.yaml").read_text(encoding="utf-8")
    assert "/out/" in (root / ".gitignore").read_text()


def test_init_again_never_overwrites(imr):
    config = imr.root / "imr.yaml"
    config.write_text(config.read_text() + "# my own comment\n")
    before = config.read_bytes()
    result = imr.ok("init", str(imr.root), "--name", "Annat namn")
    assert config.read_bytes() == before
    assert "inget ändrades" in result.output, result.output


def test_init_adds_what_is_missing(imr):
    (imr.root / "groups" / ".gitkeep").unlink()
    (imr.root / "groups").rmdir()
    imr.ok("init", str(imr.root))
    assert (imr.root / "groups").is_dir()


def test_walks_up_from_subfolder(imr):
    sub = imr.root / "records"
    assert find_workspace(cwd=sub).root == imr.root.resolve()


def test_outside_workspace_one_clear_sentence(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from imr.cli import common
    from imr.cli.app import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMR_WORKSPACE", raising=False)
    common._state.clear()
    common._state.update({"workspace": None, "lang": "sv"})
    result = CliRunner().invoke(app, ["patient", "list"])
    assert result.exit_code == 1
    assert "imr init" in result.output
    assert "Traceback" not in result.output


def test_workspace_option_and_env(imr, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere"
    other.mkdir()
    imr.root, saved = other, imr.root
    result = imr("--workspace", str(saved), "patient", "list")
    assert result.exit_code == 0
    result = imr("patient", "list", env={"IMR_WORKSPACE": str(saved)})
    assert result.exit_code == 0
    result = imr("patient", "list", env={"IMR_WORKSPACE": str(other)})
    assert result.exit_code == 1


def test_demo_workspace_is_valid():
    repo = Path(__file__).resolve().parent.parent
    ws = find_workspace(repo)
    from imr.check import check_records

    assert check_records(ws, ws.curriculum) == []
