"""`imr init` sets up git for several writers: merge driver, CI files, pre-commit hook."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Imr

from imr.core.yamlio import parse_text

CREATED = (
    ".gitattributes",
    ".gitlab-ci.yml",
    ".github/workflows/imr-check.yml",
    ".git/hooks/pre-commit",
    ".git/hooks/pre-merge-commit",
)


def config(root: Path, key: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "config", "--local", "--get", key], capture_output=True, text=True
    ).stdout.strip()


def test_init_writes_attributes_ci_and_hook_and_registers_the_driver(imr: Imr):
    attributes = (imr.root / ".gitattributes").read_text(encoding="utf-8")
    assert "records/*.yaml merge=imr" in attributes and "groups/*.yaml merge=imr" in attributes
    for pathspec in ("records/p-01.yaml", "groups/tisdag.yaml"):
        assert imr.git("check-attr", "merge", pathspec).strip() == f"{pathspec}: merge: imr"
    assert imr.git("check-attr", "merge", "imr.yaml").strip().endswith("unspecified")
    driver = shlex.split(config(imr.root, "merge.imr.driver"))
    # This installation's interpreter by absolute path, the quick entry point, git's placeholders.
    assert driver[0] == sys.executable and driver[1] == "-S"
    assert Path(driver[2]).is_absolute() and Path(driver[2]).name == "merge_driver.py"
    assert driver[3:] == ["%O", "%A", "%B", "%L", "%P"]
    assert config(imr.root, "merge.imr.name")


def test_ci_files_install_from_the_wards_source_and_check_the_pushed_range(imr: Imr):
    gitlab = parse_text((imr.root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["imr-check"]
    assert job["script"][-1] == 'imr check --since "$CI_COMMIT_BEFORE_SHA"'
    assert 'pip install --quiet "$IMR_PACKAGE"' in job["script"][0]
    assert job["variables"]["IMR_PACKAGE"] == ""  # the ward names it; never a bare name by default
    assert job["variables"]["GIT_DEPTH"] == "0"
    github = parse_text((imr.root / ".github/workflows/imr-check.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["imr-check"]["steps"]
    assert steps[-1] == {"name": "imr check", "run": 'imr check --since "$IMR_BEFORE"'}
    assert steps[0]["with"]["fetch-depth"] == 0
    assert any('pip install --quiet "$IMR_PACKAGE"' in str(step.get("run", "")) for step in steps)
    assert "imr==" not in (imr.root / ".gitlab-ci.yml").read_text(encoding="utf-8")


def test_ci_files_check_on_the_oldest_supported_python_and_a_current_one(imr: Imr):
    """The package claims Python 3.10 (`requires-python`); the ward's CI tests it, and 3.12."""
    gitlab = parse_text((imr.root / ".gitlab-ci.yml").read_text(encoding="utf-8"))["imr-check"]
    assert gitlab["parallel"]["matrix"] == [{"PYTHON": ["3.10", "3.12"]}]
    assert gitlab["image"] == "python:$PYTHON"
    github = parse_text((imr.root / ".github/workflows/imr-check.yml").read_text(encoding="utf-8"))
    job = github["jobs"]["imr-check"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.12"]
    setup = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert 'requires-python = ">=3.10"' in pyproject.read_text(encoding="utf-8")


def test_hook_is_executable_and_refuses_a_commit_with_personal_data(imr: Imr, monkeypatch: pytest.MonkeyPatch):
    hook = imr.root / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert "from imr.cli.app import main; main()' check --staged\n" in hook.read_text(encoding="utf-8")
    merge_hook = imr.root / ".git" / "hooks" / "pre-merge-commit"
    assert os.access(merge_hook, os.X_OK) and "check --staged --merge-commit" in merge_hook.read_text(encoding="utf-8")
    imr.ok("patient", "add", "p-01")
    imr.commit_all("clean records pass the hook")
    assert imr.git("log", "--oneline").count("\n") == 1

    with open(imr.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write(
            "- kind: contact\n  at: '2026-01-08T10:00:00+01:00'\n  by: KL\n  date: '2026-01-08'\n"
            "  who: mamma\n  note: ring henne på 070-123 45 67\n"
        )
    with pytest.raises(subprocess.CalledProcessError) as refused:
        imr.commit_all("this one carries a phone number")
    assert "telefonnummer" in refused.value.stdout + refused.value.stderr
    assert imr.git("log", "--oneline").count("\n") == 1


def test_second_init_changes_nothing(imr: Imr):
    before = {name: (imr.root / name).read_bytes() for name in CREATED}
    result = imr.ok("init", str(imr.root))
    assert "inget ändrades" in result.output
    assert {name: (imr.root / name).read_bytes() for name in CREATED} == before


def test_existing_files_are_kept_attributes_extended_and_a_hook_chained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    root = tmp_path / "ward"
    (root / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitattributes").write_text("*.pdf binary", encoding="utf-8")  # no final newline
    (root / ".gitlab-ci.yml").write_text("own: job\n", encoding="utf-8")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho own hook ran >&2\nexit 0\n", encoding="utf-8")
    hook.chmod(0o755)
    runner = Imr(tmp_path, monkeypatch)
    result = runner.ok("init", str(root))
    assert (root / ".gitattributes").read_text(encoding="utf-8").startswith("*.pdf binary\n# imr:")
    assert "records/*.yaml merge=imr" in (root / ".gitattributes").read_text(encoding="utf-8")
    assert (root / ".gitlab-ci.yml").read_text(encoding="utf-8") == "own: job\n"
    assert "imr check --since" in result.output  # a word about the CI file it left alone
    assert (root / ".github/workflows/imr-check.yml").is_file()
    # The ward's own hook is kept beside imr's and runs first; then imr checks what is staged.
    saved = root / ".git" / "hooks" / "pre-commit.pre-imr"
    assert saved.read_text(encoding="utf-8") == "#!/bin/sh\necho own hook ran >&2\nexit 0\n"
    assert "pre-commit.pre-imr" in hook.read_text(encoding="utf-8") and "pre-commit.pre-imr" in result.output
    ward = Imr(root, monkeypatch)
    ward.ok("patient", "add", "p-01")
    with open(ward.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write(
            "- kind: contact\n  at: '2026-01-08T10:00:00+01:00'\n  by: KL\n  date: '2026-01-08'\n"
            "  who: mamma\n  note: ring 070-123 45 67\n"
        )
    with pytest.raises(subprocess.CalledProcessError) as refused:
        ward.commit_all("own hook passes, imr refuses")
    assert "own hook ran" in refused.value.stderr and "telefonnummer" in refused.value.stdout + refused.value.stderr
    # A failing own hook stops the commit before imr runs.
    saved.write_text("#!/bin/sh\necho own hook refused >&2\nexit 3\n", encoding="utf-8")
    with pytest.raises(subprocess.CalledProcessError) as stopped:
        ward.commit_all("own hook refuses")
    assert "own hook refused" in stopped.value.stderr and "telefonnummer" not in stopped.value.stderr
    # Running init again changes nothing and chains nothing twice.
    before = hook.read_bytes()
    assert "inget ändrades" in runner.ok("init", str(root)).output
    assert hook.read_bytes() == before


def test_a_hook_written_by_an_earlier_imr_is_renewed(imr: Imr):
    hook = imr.root / ".git" / "hooks" / "pre-commit"
    old = (
        "#!/bin/sh\n# imr: refuse a commit while a record is broken or carries personal data (`imr check`).\n"
        "# Written by `imr init`; delete this file to stop checking before each commit.\n"
        "if command -v imr >/dev/null 2>&1; then\n    exec imr check\nfi\n"
    )
    hook.write_text(old, encoding="utf-8")
    gitlab = imr.root / ".gitlab-ci.yml"
    gitlab.write_text(
        "# imr: every push and merge request runs `imr check`, so broken records or records with\n"
        "# personal data are refused before they spread. Written by `imr init`.\n"
        'imr-check:\n  variables:\n    IMR_PACKAGE: "imr==0.1.0"\n',
        encoding="utf-8",
    )
    result = imr.ok("init", str(imr.root))
    assert "check --staged" in hook.read_text(encoding="utf-8")
    assert not (imr.root / ".git" / "hooks" / "pre-commit.pre-imr").exists()
    assert "imr==" not in gitlab.read_text(encoding="utf-8") and ".gitlab-ci.yml" in result.output


def test_a_fresh_clone_registers_the_driver_again(imr: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    imr.commit_all("workspace")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(imr.root), str(clone)], check=True)
    assert config(clone, "merge.imr.driver") == ""  # git does not clone config
    assert not (clone / ".git" / "hooks" / "pre-commit").exists()
    runner = Imr(clone, monkeypatch)
    result = runner.ok("init", ".")
    assert "merge.imr" in result.output and "pre-commit" in result.output
    assert config(clone, "merge.imr.driver").endswith("merge_driver.py %O %A %B %L %P")
    assert (
        subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    )  # nothing tracked was touched
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
    assert ".git/hooks/pre-commit" not in result.output
    assert "core.hooksPath" in result.output and "imr check --staged" in result.output  # said, not silent
    assert list(shared.iterdir()) == []
    assert config(root, "merge.imr.driver").endswith("%P")


def test_the_distribution_has_a_name_of_its_own_and_the_command_stays_imr():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "imr-ward"  # `imr` on the public index is someone else's project
    assert project["project"]["scripts"]["imr"] == "imr.cli.app:main"


def test_an_imr_folder_in_the_workspace_never_runs_as_imr(imr: Imr):
    """Git runs hooks in the workspace folder; a pulled commit with an `imr/` package there (or a
    relative entry on PYTHONPATH) must not be what the hook imports."""
    imr.ok("patient", "add", "p-01")
    imr.commit_all("clean records pass the hook")
    marker = imr.root.parent / "ran-from-the-workspace"
    package = imr.root / "imr"
    package.mkdir()
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    (package / "__main__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    (package / "cli").mkdir()
    (package / "cli" / "__init__.py").write_text("", encoding="utf-8")
    (package / "cli" / "app.py").write_text(f"def main():\n    open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    imr.commit_all("a colleague's commit adds a package named imr")
    with open(imr.record("p-01"), "a", encoding="utf-8") as handle:
        handle.write(
            "- kind: contact\n  at: '2026-01-08T10:00:00+01:00'\n  by: KL\n  date: '2026-01-08'\n"
            "  who: mamma\n  note: ring henne på 070-123 45 67\n"
        )
    env = {**os.environ, "PYTHONPATH": "."}
    refused = subprocess.run(
        ["git", "-C", str(imr.root), "commit", "-qam", "a phone number"], env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "telefonnummer" in refused.stdout + refused.stderr  # the real imr checked it
    assert not marker.exists()
