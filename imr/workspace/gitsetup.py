"""Setting up a workspace's git repository so several staff can write and supervisors review.

Three gates keep the append-only records honest between clones:
- `.gitattributes` names the `imr` merge driver for records and group files, and the local
  git config says how to run it (`imr.merge_driver`, with this installation's absolute
  interpreter, so git GUIs and shells without the virtual environment find it). Git does
  not clone config, so `imr init .` in a fresh clone registers the driver again.
- A pre-commit and a pre-merge-commit hook run `imr check --staged`: what is about to be
  committed (the staged blobs, not the working tree) must be valid, free of personal data
  and only added to; a merge is held against both parents and every incoming commit. A hook someone already has is chained (run first), never dropped.
- CI files for the common forges run `imr check --since` over the pushed range, with imr
  installed from a source the ward names (`IMR_PACKAGE`), never by a bare package name.
Every step only adds what is missing and never replaces a file someone wrote; files that
imr itself wrote earlier are renewed when their text changed.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from imr.core import git
from imr.core.errors import ImrError
from imr.core.files import is_regular, read_regular, replace_atomically
from imr.core.strings import label
from imr.workspace.folder import open_workspace, replace_file, write_new

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
HOOKS = ("pre-commit", "pre-merge-commit")
CHAINED_SUFFIX = ".pre-imr"
HOOK_MARK = "# imr-hook: staged check"
_OLD_HOOK_MARK = "# Written by `imr init`; delete this file to stop checking before each commit."
ZERO_REV = "0" * 40

# Warnings are (strings key, params) pairs; `imr init` prints them in the workspace's language.
SetupWarning = tuple[str, dict]
Undo = Callable[[], None]

_CI_INSTALL = """\
case "$IMR_PACKAGE" in
  "") echo {no_package} >&2; exit 1 ;;
  *.whl) ;;
  git+*) case "${{IMR_PACKAGE##*/}}" in *@?*) ;; *) echo {bad_package} >&2; exit 1 ;; esac ;;
  *) echo {bad_package} >&2; exit 1 ;;
esac
python -m pip install --quiet "$IMR_PACKAGE"
"""

_GITLAB_TEXT = """\
# imr: every push and merge request runs `imr check` on the records and on the pushed range of
# history (`--since`), so broken or rewritten records and records with personal data are
# refused before they spread. Written by `imr init`.
imr-check:
  image: python:$PYTHON  # has git, which `imr check --since` needs
  parallel:
    matrix:
      - PYTHON: ["3.10", "3.12"]  # the oldest Python imr supports and a current one
  variables:
    GIT_DEPTH: "0"  # the whole history, so the pushed range can be checked
    # Where imr is installed from; the ward sets it (Settings > CI/CD > Variables, or here):
    # a git URL with a tag, e.g. "git+https://git.example.se/ward/imr.git@v0.2.0", or a wheel
    # kept in this repository, e.g. "vendor/imr_ward-0.2.0-py3-none-any.whl". Never a bare
    # package name: a name on the public index can be someone else's code.
    IMR_PACKAGE: ""
  script:
    - |
{install}
    - imr check --since "$CI_COMMIT_BEFORE_SHA"  # all zeros (a new branch): the whole history
"""

_GITHUB_TEXT = """\
# imr: every push and pull request runs `imr check` on the records and on the pushed range of
# history (`--since`), so broken or rewritten records and records with personal data are
# refused before they spread. Written by `imr init`.
name: imr check
on: [push, pull_request]
jobs:
  imr-check:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.10", "3.12"]  # the oldest Python imr supports and a current one
    env:
      # Where imr is installed from; the ward sets it as a repository variable IMR_PACKAGE
      # (Settings > Secrets and variables > Actions > Variables) or here: a git URL with a tag,
      # e.g. "git+https://git.example.se/ward/imr.git@v0.2.0", or a wheel kept in this
      # repository, e.g. "vendor/imr_ward-0.2.0-py3-none-any.whl". Never a bare package name:
      # a name on the public index can be someone else's code.
      IMR_PACKAGE: ${{{{ vars.IMR_PACKAGE }}}}
      # The commit before the push; for a pull request, its base. Empty or all zeros (a new
      # branch): the whole history is checked.
      IMR_BEFORE: ${{{{ github.event.pull_request.base.sha || github.event.before }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the whole history, so the pushed range can be checked
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python-version }}}}
      - name: Install imr from the ward's own source
        run: |
{install}
      - name: imr check
        run: imr check --since "$IMR_BEFORE"
"""

_HOOK_TEXT = """\
#!/bin/sh
# imr: refuse a {hook} whose staged records or group files are broken, carry personal data
# or change earlier lines (`imr check --staged` checks what is committed, not the working
# tree). Written by `imr init`; `imr init .` renews it. Delete it to stop the check.
{mark}
{chain}if [ -x {python} ]; then
    exec {python} -c {run} check --staged{extra}
fi
if command -v imr >/dev/null 2>&1; then
    exec imr check --staged{extra}
fi
echo {message} >&2
exit 1
"""

_CHAIN_TEXT = """\
# The hook this repository had before imr, kept beside this one and run first:
if [ -x "$(dirname "$0")/{saved}" ]; then
    "$(dirname "$0")/{saved}" "$@" || exit $?
fi
"""

# What earlier versions of `imr init` wrote; such files are renewed, any other is left alone.
_OLD_GITLAB_START = "# imr: every push and merge request runs `imr check`, so broken records or records with\n"
_OLD_GITHUB_START = "# imr: every push and pull request runs `imr check`, so broken records or records with\n"


def install(
    directory: Path, lang: str | None = None, warnings: list[SetupWarning] | None = None, undo: list[Undo] | None = None
) -> list[str]:
    """Add what is missing of the git setup; returns what was written or registered.

    `warnings` collects what a person must do by hand (a hook kept elsewhere, an old CI
    file); `undo` collects how to take back each step, for a failed `imr init`.
    """
    directory = Path(directory).resolve()
    lang = lang or _workspace_lang(directory)
    warnings = warnings if warnings is not None else []
    undo = undo if undo is not None else []
    created: list[str] = []
    if _ensure_attributes(directory / ".gitattributes", undo):
        created.append(".gitattributes")
    for relative, text, old_start in (
        (GITLAB_CI, gitlab_ci_text(lang), _OLD_GITLAB_START),
        (GITHUB_WORKFLOW, github_workflow_text(lang), _OLD_GITHUB_START),
    ):
        path = directory / relative
        if not os.path.lexists(path):  # a link is no missing file: read_regular refuses it below
            _mkdirs(path.parent, undo)
            write_new(path, text)
            undo.append(_remover(path))
            created.append(relative)
            continue
        current = read_regular(path).decode("utf-8", errors="replace")
        if current == text:
            continue
        if current.startswith(old_start) and 'IMR_PACKAGE: "imr==' in current:
            _renew(path, text, undo)  # an unedited file from an earlier imr: it installs a stranger's `imr`
            created.append(relative)
        elif "imr check --since" not in current:
            warnings.append(("gitsetup_ci_kept", {"path": relative}))
    hooks_dir = _hooks_dir(directory)
    if hooks_dir is None:
        warnings.append(
            ("gitsetup_hooks_elsewhere", {"path": _git(directory, "config", "core.hooksPath", check=False).strip()})
        )
    else:
        for name in HOOKS:
            done = _ensure_hook(hooks_dir, name, lang, warnings, undo)
            if done:
                created.append(done)
    if _register_driver(directory, undo):
        created.append("git config merge.imr")
    return created


def driver_command() -> str:
    """How git starts the merge driver: this installation's interpreter, by absolute path.

    Git GUIs and editors often run with a PATH that lacks a virtual environment's `bin/`, so
    the interpreter is named in full. The driver file is run with `-S` (no site import):
    git starts one process per merged file, and that start-up is most of a merge's time;
    the driver adds site-packages itself when a merge needs PyYAML.
    """
    script = Path(__file__).resolve().parents[1] / "merge_driver.py"  # the entry point beside imr/__main__.py
    return f"{shlex.quote(sys.executable)} -S {shlex.quote(str(script))} %O %A %B %L %P"


def gitlab_ci_text(lang: str = "sv") -> str:
    return _GITLAB_TEXT.format(install=_indent(_install_script(lang), 6))


def github_workflow_text(lang: str = "sv") -> str:
    return _GITHUB_TEXT.format(install=_indent(_install_script(lang), 10))


# How a hook starts this installation's imr. Git runs hooks in the workspace folder, and
# `python -m imr` would put that folder first on the import path: an `imr/` folder in a pulled
# commit would then run as imr. The folder itself and relative entries (`.` in PYTHONPATH) are
# dropped before imr is imported, on every Python this project supports (`-P` needs 3.11).
_HOOK_RUN = (
    "import os, sys; here = os.path.realpath(os.getcwd()); "
    "sys.path[:] = [p for p in sys.path if p and os.path.isabs(p) and os.path.realpath(p) != here]; "
    'sys.argv[0] = "imr"; from imr.cli.app import main; main()'
)


def hook_text(name: str, lang: str = "sv", chained: str | None = None) -> str:

    chain = _CHAIN_TEXT.format(saved=chained) if chained else ""
    message = label("supervision", "hook_no_imr", lang)
    # Before a merge commit git has not yet written MERGE_HEAD; `--merge-commit` finds the other
    # side from GIT_REFLOG_ACTION / FETCH_HEAD and holds the index against both parents.
    extra = " --merge-commit" if name == "pre-merge-commit" else ""
    return _HOOK_TEXT.format(
        hook="commit" if name == "pre-commit" else "merge commit",
        mark=HOOK_MARK,
        extra=extra,
        chain=chain,
        python=shlex.quote(sys.executable),
        run=shlex.quote(_HOOK_RUN),
        message=shlex.quote(message),
    )


def _install_script(lang: str) -> str:

    return _CI_INSTALL.format(
        no_package=shlex.quote(label("gates", "ci_no_package", lang)),
        bad_package=shlex.quote(label("gates", "ci_bad_package", lang)),
    )


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(keepends=True)).rstrip(
        "\n"
    )


def _workspace_lang(directory: Path) -> str:
    try:
        return open_workspace(directory).lang
    except (ImrError, OSError):
        return "sv"


def _mkdirs(folder: Path, undo: list[Undo]) -> None:
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        parent.mkdir()
        undo.append(_folder_remover(parent))


def _remover(path: Path) -> Undo:
    return lambda: path.unlink(missing_ok=True)


def _folder_remover(folder: Path) -> Undo:
    def remove() -> None:
        with contextlib.suppress(OSError):
            folder.rmdir()

    return remove


def _renew(path: Path, text: str, undo: list[Undo]) -> None:
    old = read_regular(path)
    replace_file(path, text)
    undo.append(lambda: replace_file(path, old))


def _ensure_attributes(path: Path, undo: list[Undo]) -> bool:
    """Add the merge-driver lines to `.gitattributes`, keeping whatever else it says."""
    if not os.path.lexists(path):
        write_new(path, ATTRIBUTES_HEADER + "\n".join(ATTRIBUTE_LINES) + "\n")
        undo.append(lambda: path.unlink(missing_ok=True))
        return True
    return append_missing_lines(path, ATTRIBUTE_LINES, ATTRIBUTES_HEADER, undo)


def append_missing_lines(path: Path, lines: list[str], header: str, undo: list[Undo]) -> bool:
    """Append the lines a file lacks (with a comment saying why), keeping its bytes before them.

    Read without following a link and written anew beside it (never appended through a link):
    a `.gitignore` linked to a file outside the workspace is refused, not changed (issue 26)."""
    data = read_regular(path)
    present = {line.strip() for line in data.decode("utf-8", errors="replace").splitlines()}
    missing = [line for line in lines if line not in present]
    if not missing:
        return False
    newline = "\r\n" if b"\r\n" in data else "\n"
    addition = ("" if not data or data.endswith(b"\n") else newline) + header + "\n".join(missing) + "\n"
    addition = addition.replace("\n", newline) if newline != "\n" else addition
    mode = os.lstat(path).st_mode & 0o777
    replace_atomically(path, data + addition.encode("utf-8"), mode=mode)
    undo.append(lambda: replace_atomically(path, data, mode=mode))
    return True


def _hooks_dir(directory: Path) -> Path | None:
    """Where git looks for this repository's hooks (worktrees included).

    A `core.hooksPath` outside the repository (hooks shared by every repository of the user
    or the organisation) is left alone: the workspace must not change other repositories.
    """
    out = _git(directory, "rev-parse", "--git-path", "hooks")
    path = Path(out.strip())
    path = (path if path.is_absolute() else directory / path).resolve()
    common = Path(_git(directory, "rev-parse", "--git-common-dir").strip())
    common = (common if common.is_absolute() else directory / common).resolve()
    return path if path.is_relative_to(common) else None


def _ensure_hook(hooks_dir: Path, name: str, lang: str, warnings: list[SetupWarning], undo: list[Undo]) -> str | None:
    """Write imr's hook, renew an older imr hook, or chain a foreign one; what was done, or None."""
    hook = hooks_dir / name
    saved = hooks_dir / (name + CHAINED_SUFFIX)
    chained = saved.name if os.path.lexists(saved) else None
    wanted = hook_text(name, lang, chained)
    shown = f".git/hooks/{name}"
    if not os.path.lexists(hook):
        _mkdirs(hooks_dir, undo)
        write_new(hook, wanted, mode=0o755)
        undo.append(lambda: hook.unlink(missing_ok=True))
        return shown
    current = read_regular(hook).decode("utf-8", errors="replace") if is_regular(hook) else ""  # never a link's target
    if HOOK_MARK in current or _OLD_HOOK_MARK in current:
        if current == wanted:
            return None
        old = read_regular(hook)
        replace_file(hook, wanted, mode=0o755)
        undo.append(lambda: replace_file(hook, old, mode=0o755))
        return shown
    if chained is not None or hook.is_symlink() or not hook.is_file():
        # Another hook already sits beside ours, or this one is a link: never drop either.
        warnings.append(("gitsetup_hook_kept", {"path": str(hook)}))
        return None
    # The repository's own hook: kept beside ours under another name, and run first.
    os.replace(hook, saved)
    undo.append(lambda: os.replace(saved, hook))
    write_new(hook, hook_text(name, lang, saved.name), mode=0o755)
    undo.append(lambda: hook.unlink(missing_ok=True))
    warnings.append(("gitsetup_hook_chained", {"path": str(hook), "saved": saved.name}))
    return f"{shown} (+ {saved.name})"


def _register_driver(directory: Path, undo: list[Undo]) -> bool:
    wanted = {
        f"merge.{DRIVER}.name": "imr: keep the entries both sides appended to a record",
        f"merge.{DRIVER}.driver": driver_command(),
    }
    changed = False
    for key, value in wanted.items():
        current = _git(directory, "config", "--local", "--get", key, check=False).rstrip("\n")
        if current != value:
            _git(directory, "config", "--local", key, value)
            undo.append(_config_restorer(directory, key, current))
            changed = True
    return changed


def _config_restorer(directory: Path, key: str, previous: str) -> Undo:
    def restore() -> None:
        if previous:
            _git(directory, "config", "--local", key, previous, check=False)
        else:
            _git(directory, "config", "--local", "--unset", key, check=False)

    return restore


def _git(directory: Path, *args: str, check: bool = True) -> str:
    result = git.run(directory, *args, missing="git_setup_failed")
    if check and result.returncode != 0:
        raise ImrError("git_setup_failed", path=str(directory))
    return result.stdout.decode("utf-8", "replace")
