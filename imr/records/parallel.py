"""Reading many record files at once: one worker process per core, when it pays.

Parsing YAML into Python objects is pure Python and keeps one core busy, so after a fresh clone
or a deleted cache, reading a region's thousand records is several seconds on one core. The
commands that read every record (`status`, `check`, `fidelity`) hand their stale files to
`map_paths`, which forks workers on Linux and otherwise (or for a few files) works in this
process. Workers only read and compute; every cache and record write stays in the parent.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 64

# What a forked worker calls; set in the parent just before the workers start, so they inherit
# the function and its shared arguments (a curriculum, say) instead of receiving them pickled.
_JOB: tuple[Callable[..., Any], tuple] | None = None
# True in a worker: work that is already spread over the cores is not spread again inside it
# (a region's report gives each ward a worker, and that ward's records are read right there).
_IN_WORKER = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while many small objects are made at once.

    Parsing thousands of records makes millions of dicts and lists, none of them garbage, and
    the collector would walk them all again and again (about half of a bulk parse on a
    region's workspace). Reference counting still frees everything as usual; the collector
    runs again as soon as the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def map_paths(func: Callable[..., Any], paths: Sequence[Any], *shared: Any, from_count: int | None = None) -> list[Any]:
    """`[func(path, *shared) for path in paths]`, in worker processes when there are many.

    "Many" is PARALLEL_FROM files, or `from_count` items when each item is large work (a ward).
    """
    workers = worker_count(len(paths), PARALLEL_FROM if from_count is None else from_count)
    with paused_gc():
        if workers < 2:
            return [func(path, *shared) for path in paths]
        return _in_workers(func, paths, shared, workers)


def _in_workers(func: Callable[..., Any], paths: Sequence[Any], shared: tuple, workers: int) -> list[Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _JOB
    _JOB = (func, shared)
    # Frozen objects are left alone by a collection, so a worker never touches (and copies)
    # the pages it shares with this process.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
            # Small enough that no worker is left idle long at the end (a chunk is a fraction of
            # a second at a region's 10,000 records), large enough that handing them out is cheap.
            chunk = max(1, min(len(paths) // (workers * 8), 128))
            return list(pool.map(_call, paths, chunksize=chunk))
    except OSError:  # no processes to be had (a locked-down host): do it here instead
        return [func(path, *shared) for path in paths]
    finally:
        gc.unfreeze()
        _JOB = None


def worker_count(files: int, from_count: int | None = None) -> int:
    # Forking is only safe and cheap on Linux; elsewhere the files are read in this process.
    if (
        _IN_WORKER
        or files < (PARALLEL_FROM if from_count is None else from_count)
        or not sys.platform.startswith("linux")
    ):
        return 1
    return min(usable_cores(), 8)


def usable_cores() -> int:
    """The cores this process may use (its affinity on Linux; every core elsewhere)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True
    gc.disable()


def _call(path: Path) -> Any:
    func, shared = _JOB  # type: ignore[misc]
    return func(path, *shared)
