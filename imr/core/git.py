"""Every git command imr runs: one environment, one timeout, one way to fail.

imr reads git's English output in places (sync names a refused push, history reads `cat-file`),
so git always runs with `LC_ALL=C`; it must never stop to ask for a password in a terminal the
user cannot see (`GIT_TERMINAL_PROMPT=0`), and a read must not take the index lock a colleague's
`git commit` needs (`GIT_OPTIONAL_LOCKS=0`). When git is missing, hangs past its timeout or
fails, the caller's error key becomes the one sentence the user sees: `missing` takes `path`,
`failed` takes `path` and `detail` (the first 200 characters of git's own message).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from imr.core.errors import ImrError

# Long enough for a push or pull over a slow ward network, short enough that a hung server is
# reported instead of leaving the nurse at a frozen prompt.
TIMEOUT = 300.0


def environment(**extra: str) -> dict[str, str]:
    """The environment every git command runs in (plus `extra`)."""
    return {
        **os.environ,
        "LC_ALL": "C",
        "LANGUAGE": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        **extra,
    }


def run(
    root: Path | None,
    *args: str,
    input: bytes | None = None,
    timeout: float | None = TIMEOUT,
    env: dict[str, str] | None = None,
    missing: str = "git_missing",
) -> subprocess.CompletedProcess[bytes]:
    """`git -C root ARGS` (or `git ARGS` in the current folder when root is None), whatever
    its exit status; raises ImrError(missing, path=root) when git cannot be started or hangs."""
    command = ["git", *args] if root is None else ["git", "-C", str(root), *args]
    try:
        return subprocess.run(
            command, input=input, capture_output=True, env=env or environment(), timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        raise ImrError(missing, path=str(root or Path.cwd())) from None


def output(
    root: Path | None,
    *args: str,
    input: bytes | None = None,
    timeout: float | None = TIMEOUT,
    env: dict[str, str] | None = None,
    missing: str = "git_missing",
    failed: str = "git_failed",
) -> bytes:
    """What `git ARGS` printed; raises ImrError(failed, path=…, detail=…) when it failed."""
    result = run(root, *args, input=input, timeout=timeout, env=env, missing=missing)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()[:200]
        raise ImrError(failed, path=str(root or Path.cwd()), detail=detail)
    return result.stdout


def text(
    root: Path | None,
    *args: str,
    timeout: float | None = TIMEOUT,
    missing: str = "git_missing",
    failed: str = "git_failed",
) -> str:
    """`output` decoded as UTF-8 (bytes that are not UTF-8 are replaced, never refused)."""
    return output(root, *args, timeout=timeout, missing=missing, failed=failed).decode("utf-8", "replace")


def popen(root: Path | None, *args: str, missing: str = "git_missing", bufsize: int = -1) -> subprocess.Popen[bytes]:
    """`git -C root ARGS` started with pipes for stdin, stdout and stderr, for a caller that streams
    (`git cat-file --batch`); raises ImrError(missing, path=root) when git cannot be started. The
    caller reads, waits and turns a failure into its own error."""
    command = ["git", *args] if root is None else ["git", "-C", str(root), *args]
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=bufsize,
            env=environment(),
        )
    except OSError:
        raise ImrError(missing, path=str(root or Path.cwd())) from None
