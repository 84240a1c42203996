"""Setting up a workspace's git repository so several staff can write and supervisors review.

Three things make git carry the append-only records safely between clones:
- `.gitattributes` names the `imr` merge driver for records and group files, and the local
  git config says how to run it (`imr merge-driver`, see `imr.merge`). Git does not clone
  config, so `imr init .` in a fresh clone registers the driver again.
- CI files for the common forges and a pre-commit hook run `imr check`, so a broken or
  personal-data-bearing record is refused before it spreads to other clones.
Every step only adds what is missing; a file someone already has is never replaced.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from imr import __version__
from imr.errors import ImrError
from imr.workspace import _write_new

DRIVER = "imr"
ATTRIBUTE_LINES = [
    "records/*.yaml merge=imr",
    "groups/*.yaml merge=imr",
]
ATTRIBUTES_HEADER = (
    "# imr: records and group files are append-only logs. The imr merge driver keeps the entries\n"
    "# both sides appended; run `imr init .` once in every new clone to register it.\n"
)
GITLAB_CI = ".gitlab-ci.yml"
GITHUB_WORKFLOW = ".github/workflows/imr-check.yml"

_GITLAB_TEXT = """\
# imr: every push and merge request runs `imr check`, so broken records or records with
# personal data are refused before they spread. Written by `imr init`.
imr-check:
  image: python:3.12-slim
  variables:
    # The imr this workspace was made with. Point it at where your organisation installs imr
    # from (a package index or a git URL) and raise the version when you upgrade.
    IMR_PACKAGE: "imr=={version}"
  script:
    - pip install --quiet "$IMR_PACKAGE"
    - imr check
"""

_GITHUB_TEXT = """\
# imr: every push and pull request runs `imr check`, so broken records or records with
# personal data are refused before they spread. Written by `imr init`.
name: imr check
on: [push, pull_request]
jobs:
  imr-check:
    runs-on: ubuntu-latest
    env:
      # The imr this workspace was made with. Point it at where your organisation installs imr
      # from (a package index or a git URL) and raise the version when you upgrade.
      IMR_PACKAGE: "imr=={version}"
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install --quiet "$IMR_PACKAGE"
      - run: imr check
"""

_HOOK_TEXT = """\
#!/bin/sh
# imr: refuse a commit while a record is broken or carries personal data (`imr check`).
# Written by `imr init`; delete this file to stop checking before each commit.
if command -v imr >/dev/null 2>&1; then
    exec imr check
fi
if [ -x {python} ]; then
    exec {python} -m imr check
fi
echo {message} >&2
exit 1
"""


def install(directory: Path, lang: str | None = None) -> list[str]:
    """Add what is missing of the git setup; returns what was written or registered."""
    directory = Path(directory).resolve()
    lang = lang or _workspace_lang(directory)
    created: list[str] = []
    if _ensure_attributes(directory / ".gitattributes"):
        created.append(".gitattributes")
    for relative, template in ((GITLAB_CI, _GITLAB_TEXT), (GITHUB_WORKFLOW, _GITHUB_TEXT)):
        path = directory / relative
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_new(path, template.format(version=__version__))
            created.append(relative)
    hook = _hook_path(directory)
    if hook is not None and not hook.exists():
        from imr.strings import label

        hook.parent.mkdir(parents=True, exist_ok=True)
        message = label("supervision", "hook_no_imr", lang)
        _write_new(hook, _HOOK_TEXT.format(python=shlex.quote(sys.executable), message=shlex.quote(message)))
        hook.chmod(0o755)
        created.append(".git/hooks/pre-commit")
    if _register_driver(directory):
        created.append("git config merge.imr")
    return created


def driver_command() -> str:
    """How git should start the driver: `imr` when it is on PATH, else this very installation.

    Git GUIs and editors often run with a PATH that lacks a virtual environment's `bin/`;
    the absolute interpreter keeps merges working there. `imr init .` refreshes it.
    """
    program = "imr" if shutil.which("imr") else f"{shlex.quote(sys.executable)} -m imr"
    return f"{program} merge-driver %O %A %B %P"


def _workspace_lang(directory: Path) -> str:
    from imr.workspace import open_workspace

    try:
        return open_workspace(directory).lang
    except (ImrError, OSError):
        return "sv"


def _ensure_attributes(path: Path) -> bool:
    """Add the merge-driver lines to `.gitattributes`, keeping whatever else it says."""
    if not path.exists():
        _write_new(path, ATTRIBUTES_HEADER + "\n".join(ATTRIBUTE_LINES) + "\n")
        return True
    text = path.read_text(encoding="utf-8", errors="replace")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in ATTRIBUTE_LINES if line not in present]
    if not missing:
        return False
    with open(path, "a", encoding="utf-8") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write(ATTRIBUTES_HEADER + "\n".join(missing) + "\n")
    return True


def _hook_path(directory: Path) -> Path | None:
    """Where git looks for this repository's pre-commit hook (worktrees included).

    A `core.hooksPath` outside the repository (hooks shared by every repository of the user
    or the organisation) is left alone: the workspace must not change other repositories.
    """
    out = _git(directory, "rev-parse", "--git-path", "hooks/pre-commit")
    path = Path(out.strip())
    path = (path if path.is_absolute() else directory / path).resolve()
    common = Path(_git(directory, "rev-parse", "--git-common-dir").strip())
    common = (common if common.is_absolute() else directory / common).resolve()
    return path if path.is_relative_to(common) else None


def _register_driver(directory: Path) -> bool:
    wanted = {
        f"merge.{DRIVER}.name": "imr: keep the entries both sides appended to a record",
        f"merge.{DRIVER}.driver": driver_command(),
    }
    changed = False
    for key, value in wanted.items():
        current = _git(directory, "config", "--local", "--get", key, check=False).rstrip("\n")
        if current != value:
            _git(directory, "config", "--local", key, value)
            changed = True
    return changed


def _git(directory: Path, *args: str, check: bool = True) -> str:
    try:
        result = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True,
                                env={**os.environ, "LC_ALL": "C"})
    except OSError:
        raise ImrError("git_setup_failed", path=str(directory)) from None
    if check and result.returncode != 0:
        raise ImrError("git_setup_failed", path=str(directory))
    return result.stdout
