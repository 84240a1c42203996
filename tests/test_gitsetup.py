"""`imr init` sets up git for several writers: merge driver, CI files, pre-commit hook."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import Imr
from imr.yamlio import parse_text

CREATED = (".gitattributes", ".gitlab-ci.yml", ".github/workflows/imr-check.yml", ".git/hooks/pre-commit")


def config(root: Path, key: str) -> str:
    return subprocess.run(["git", "-C", str(root), "config", "--local", "--get", key],
                          capture_output=True, text=True).stdout.strip()


def test_init_writes_attributes_ci_and_hook_and_registers_the_driver(imr: Imr):
    attributes = (imr.root / ".gitattributes").read_text(encoding="utf-8")
    assert "records/*.yaml merge=imr" in attributes and "groups/*.yaml merge=imr" in attributes
    for pathspec in ("records/p-01.yaml", "groups/tisdag.yaml"):
        assert imr.git("check-attr", "merge", pathspec).strip() == f"{pathspec}: merge: imr"
    assert imr.git("check-attr", "merge", "imr.yaml").strip().endswith("unspecified")
    driver = config(imr.root, "merge.imr.driver")
    assert driver.endswith("merge-driver %O %A %B %P")
    assert driver.startswith("imr ") or " -m imr " in driver
    assert config(imr.root, "merge.imr.name")


def test_ci_files_install_imr_and_run_check(imr: Imr):
    gitlab = parse_text((imr.root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["imr-check"]
    assert job["script"][-1] == "imr check"
    assert any("pip install" in line for line in job["script"])
    assert job["variables"]["IMR_PACKAGE"].startswith("imr==")
    github = parse_text((imr.root / ".github/workflows/imr-check.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["imr-check"]["steps"]
    assert steps[-1] == {"run": "imr check"}
    assert any("pip install" in str(step.get("run", "")) for step in steps)


def test_hook_is_executable_and_refuses_a_commit_with_personal_data(imr: Imr, monkeypatch: pytest.MonkeyPatch):
    hook = imr.root / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert "imr check" in hook.read_text(encoding="utf-8")
    imr.ok("patient", "add", "p-01")
    imr.commit_all("clean records pass the hook")
    assert imr.git("log", "--oneline").count("\n") == 1

    with open(imr.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write("- kind: contact\n  at: '2026-01-08T10:00:00+01:00'\n  by: KL\n  date: '2026-01-08'\n"
                     "  who: mamma\n  note: ring henne på 070-123 45 67\n")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        imr.commit_all("this one carries a phone number")
    assert "telefonnummer" in refused.value.stdout + refused.value.stderr
    assert imr.git("log", "--oneline").count("\n") == 1


def test_second_init_changes_nothing(imr: Imr):
    before = {name: (imr.root / name).read_bytes() for name in CREATED}
    result = imr.ok("init", str(imr.root))
    assert "inget ändrades" in result.output
    assert {name: (imr.root / name).read_bytes() for name in CREATED} == before


def test_existing_files_are_kept_and_attributes_only_extended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "ward"
    (root / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitattributes").write_text("*.pdf binary", encoding="utf-8")  # no final newline
    (root / ".gitlab-ci.yml").write_text("own: job\n", encoding="utf-8")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    runner = Imr(tmp_path, monkeypatch)
    runner.ok("init", str(root))
    assert (root / ".gitattributes").read_text(encoding="utf-8").startswith("*.pdf binary\n# imr:")
    assert "records/*.yaml merge=imr" in (root / ".gitattributes").read_text(encoding="utf-8")
    assert (root / ".gitlab-ci.yml").read_text(encoding="utf-8") == "own: job\n"
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    assert (root / ".github/workflows/imr-check.yml").is_file()


def test_a_fresh_clone_registers_the_driver_again(imr: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    imr.commit_all("workspace")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(imr.root), str(clone)], check=True)
    assert config(clone, "merge.imr.driver") == ""  # git does not clone config
    assert not (clone / ".git" / "hooks" / "pre-commit").exists()
    runner = Imr(clone, monkeypatch)
    result = runner.ok("init", ".")
    assert "merge.imr" in result.output and "pre-commit" in result.output
    assert config(clone, "merge.imr.driver").endswith("merge-driver %O %A %B %P")
    assert subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], capture_output=True,
                          text=True).stdout == ""  # nothing tracked was touched
    assert "inget ändrades" in runner.ok("init", ".").output


def test_readme_tells_to_run_init_in_a_new_clone():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "imr init ." in readme


def test_shared_hooks_outside_the_repository_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "ward"
    shared = tmp_path / "organisation-hooks"
    shared.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "core.hooksPath", str(shared)], check=True)
    result = Imr(tmp_path, monkeypatch).ok("init", str(root))
    assert "pre-commit" not in result.output
    assert list(shared.iterdir()) == []
    assert config(root, "merge.imr.driver").endswith("%P")
