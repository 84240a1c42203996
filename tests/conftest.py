"""Shared fixtures: real workspaces in tmp_path, real git, the CLI called in-process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr.cli.app import app

REPO = Path(__file__).resolve().parent.parent

# Tests that need POSIX signals (SIGKILL) or symbolic links a normal Windows account cannot make.
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals or symbolic links")
ENROLLED_ON = "2026-01-01"


def pytest_addoption(parser):
    parser.addoption(
        "--update-testdata",
        action="store_true",
        default=False,
        help="Rewrite the reference files in tests/testdata/ instead of comparing with them.",
    )


@pytest.fixture
def update_testdata(request) -> bool:
    return request.config.getoption("--update-testdata")


class Imr:
    """Run `imr` in-process against one workspace, like a user in that folder would."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.runner = CliRunner()
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        from imr.cli import common

        common._state.clear()
        common._state.update({"workspace": None, "lang": "sv"})
        self.monkeypatch.chdir(self.root)
        args = tuple(str(a) for a in args)
        if args[:2] == ("patient", "add") and "--date" not in args:
            # Test participants are enrolled at the start of the year, so the sessions tests log
            # with earlier dates than today are within the programme's clock.
            args = (*args, "--date", ENROLLED_ON)
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    def ok(self, *args: str, **kwargs):
        result = self(*args, **kwargs)
        assert result.exit_code == 0, f"imr {' '.join(map(str, args))} -> {result.exit_code}\n{result.output}"
        return result

    def refused(self, *args: str, **kwargs):
        """A user error: exit 1, one sentence, no internal error, and no file under records/ or groups/ changed."""
        before = self.snapshot()
        result = self(*args, **kwargs)
        assert result.exit_code == 1, result.output
        assert "Internt fel" not in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert self.snapshot() == before
        return result

    def record(self, pid: str) -> Path:
        return self.root / "records" / f"{pid}.yaml"

    def snapshot(self) -> dict[str, bytes]:
        """Bytes of every file under records/ and groups/ (for 'nothing was written' checks)."""
        out = {}
        for sub in ("records", "groups"):
            folder = self.root / sub
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        out[str(path.relative_to(self.root))] = path.read_bytes()
        return out

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True).stdout

    def commit_all(self, message: str = "snapshot") -> None:
        self.git("add", "-A")
        self.git(
            "-c", "user.name=Test", "-c", "user.email=test@invalid", "commit", "-q", "-m", message, "--allow-empty"
        )


@pytest.fixture
def imr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Imr:
    """A fresh workspace made by `imr init`, with a signature set in the environment."""
    monkeypatch.setenv("IMR_SIGNATURE", "KL")
    monkeypatch.delenv("IMR_WORKSPACE", raising=False)
    root = tmp_path / "ws"
    runner = Imr(tmp_path, monkeypatch)
    runner.ok("init", str(root), "--name", "Testavdelning")
    runner.root = root
    return runner


def clone_through_bare(first: Imr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Imr, Path]:
    """`first` committed and pushed to a bare shared copy it tracks, and a second clone of it:
    two staff clones of one ward, with a fixed author for every commit."""
    for key, value in {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@invalid",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@invalid",
    }.items():
        monkeypatch.setenv(key, value)
    first.commit_all("start")
    bare = tmp_path / "shared.git"

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(first.root), *args], capture_output=True, text=True, check=True).stdout

    subprocess.run(["git", "clone", "-q", "--bare", str(first.root), str(bare)], check=True)
    git("remote", "add", "origin", str(bare))
    git("fetch", "-q", "origin")
    git("branch", "-q", "-u", f"origin/{git('rev-parse', '--abbrev-ref', 'HEAD').strip()}")
    clone = tmp_path / "b"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    return Imr(clone, monkeypatch), bare


def log_last_entry_twice(imr: Imr, pid: str, day: str) -> None:
    """The record's last entry (dated `day`) again under a new id, as a second clone's double
    log would arrive after a merge; the change goes into the index, past the hook."""
    import re

    record = imr.record(pid)
    text = record.read_text(encoding="utf-8")
    last = text[text.rindex("- id:") :]
    assert f"date: '{day}'" in last
    record.write_text(text + re.sub(r"- id: \w+", "- id: dup12345", last, count=1), encoding="utf-8")
    imr.git("add", "-A")


def commit_past_the_hook(imr: Imr, message: str) -> None:
    """A commit the pre-commit hook never saw, as a hand edit pushed from elsewhere would be."""
    imr.git("-c", "user.name=Test", "-c", "user.email=test@invalid", "commit", "-q", "--no-verify", "-m", message)


@contextmanager
def shared_workspaces(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, Imr]]:
    """For a module-scoped fixture: a folder to make workspaces in and a runner that signs as KL.

    Building a workspace month once per test module keeps the suite quick; the environment is
    set only while the fixture builds (module fixtures cannot use the `monkeypatch` fixture).
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IMR_SIGNATURE", "KL")
        mp.delenv("IMR_WORKSPACE", raising=False)
        base = tmp_path_factory.mktemp(name)
        yield base, Imr(base, mp)


@pytest.fixture
def enrolled(imr: Imr) -> Imr:
    """A workspace with one participant, p-01, enrolled (schizophrenia, individual)."""
    imr.ok("patient", "add", "p-01", "--variant", "schizophrenia")
    return imr
