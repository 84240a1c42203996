"""Workspace discovery and `imr init` on real folders with real git."""

import os
import subprocess
from pathlib import Path

import pytest
from conftest import Imr

from imr.workspace.folder import find_workspace


def test_init_creates_workspace_and_git(imr):
    root = imr.root
    for name in ("imr.yaml", "records", "groups", ".gitignore", ".git"):
        assert (root / name).exists(), name
    assert "Testavdelning" in (root / "imr.yaml").read_text(encoding="utf-8")
    assert "/out\n" in (root / ".gitignore").read_text()


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
    from imr.gates.check import check_records

    assert check_records(ws, ws.curriculum) == []


# --- init into an existing repository, and after a failed init --------------------------------


def ignored(root: Path, *paths: str) -> set[str]:
    result = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "--no-index", *paths], capture_output=True, text=True
    )
    return set(result.stdout.split())


def test_init_in_an_existing_repository_appends_the_missing_ignore_lines(tmp_path: Path, monkeypatch):
    root = tmp_path / "ward"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("*.pdf\n.imr-cache/", encoding="utf-8")  # an old imr line, no final newline
    Imr(tmp_path, monkeypatch).ok("init", str(root))
    text = (root / ".gitignore").read_text(encoding="utf-8")
    assert text.startswith("*.pdf\n.imr-cache/\n# imr:")
    # Files and links of these names are ignored too, not only folders.
    (root / ".imr-cache").rmdir() if (root / ".imr-cache").is_dir() and not any(
        (root / ".imr-cache").iterdir()
    ) else None
    for name in ("out", ".imr-cache"):
        target = root / name
        if target.is_dir():
            import shutil

            shutil.rmtree(target)
        os.symlink(tmp_path, target)
    (root / ".imr.lock").write_text("", encoding="utf-8")
    assert ignored(root, "out", ".imr-cache", ".imr.lock", "records/.p-01.yaml.tmp-12") == {
        "out",
        ".imr-cache",
        ".imr.lock",
        "records/.p-01.yaml.tmp-12",
    }
    assert ignored(root, "records/p-01.yaml", "groups/tisdag.yaml") == set()
    before = (root / ".gitignore").read_bytes()
    refused = Imr(tmp_path, monkeypatch)("init", str(root))  # a linked out/ is refused (issue 26)
    assert refused.exit_code == 1 and "out" in refused.output
    for name in ("out", ".imr-cache"):
        (root / name).unlink()
    Imr(tmp_path, monkeypatch).ok("init", str(root))
    assert (root / ".gitignore").read_bytes() == before


def test_init_warns_when_the_existing_gitignore_hides_records(tmp_path: Path, monkeypatch):
    root = tmp_path / "ward"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("*.yaml\n", encoding="utf-8")
    result = Imr(tmp_path, monkeypatch).ok("init", str(root))
    assert "ignorerar journaler" in result.output


def test_a_failed_init_removes_what_it_made_and_the_next_run_completes(tmp_path: Path, monkeypatch):
    root = tmp_path / "ward"
    root.mkdir()
    (root / ".github").write_text("not a folder\n", encoding="utf-8")  # the CI step cannot make .github/workflows
    runner = Imr(tmp_path, monkeypatch)
    result = runner.refused("init", str(root))
    assert "har tagits bort" in result.output and ".github" in result.output
    assert sorted(p.name for p in root.iterdir()) == [".github"]  # imr.yaml, records/, .git/ ... all gone
    (root / ".github").unlink()
    runner.ok("init", str(root))
    for name in (
        "imr.yaml",
        "records/.gitkeep",
        "groups/.gitkeep",
        ".gitignore",
        ".gitattributes",
        ".github/workflows/imr-check.yml",
        ".git/hooks/pre-commit",
    ):
        assert (root / name).exists(), name
    assert "inget ändrades" in runner.ok("init", str(root)).output


def test_a_failed_init_in_an_existing_repository_leaves_it_as_it_was(tmp_path: Path, monkeypatch):
    root = tmp_path / "ward"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("*.pdf\n", encoding="utf-8")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (root / ".git" / "hooks" / "pre-merge-commit.pre-imr").mkdir()  # saving the merge hook cannot work
    (root / ".git" / "hooks" / "pre-merge-commit").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (root / ".gitlab-ci.yml").mkdir()  # reading it as a file fails
    config = (root / ".git" / "config").read_bytes()
    Imr(tmp_path, monkeypatch).refused("init", str(root))
    assert (root / ".gitignore").read_text(encoding="utf-8") == "*.pdf\n"
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    assert not (root / ".git" / "hooks" / "pre-commit.pre-imr").exists()
    assert (root / ".git" / "config").read_bytes() == config
    assert sorted(p.name for p in root.iterdir()) == [".git", ".gitignore", ".gitlab-ci.yml"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a file size limit needs POSIX")
def test_init_on_a_full_disk_leaves_no_half_made_workspace(tmp_path: Path):
    """A file size limit stands in for a full disk: writes past it fail with EFBIG."""
    import sys

    root = tmp_path / "ward"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (150, 150))\n"
        "from imr.cli.app import main\nsys.argv = ['imr', 'init', sys.argv[1]]\nmain()\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not root.exists() or list(root.iterdir()) == []
    done = subprocess.run([sys.executable, "-m", "imr", "init", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (root / "imr.yaml").read_text(encoding="utf-8").endswith("variant: general\n")
