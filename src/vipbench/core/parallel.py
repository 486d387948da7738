"""How many CPU-bound jobs (OCR, image defenses) run at once, and an ordered parallel map.

These jobs spend their time in native code that releases the GIL (onnxruntime, OpenCV, Pillow),
so threads use every core without a process pool's start-up and pickling. `VIPBENCH_WORKERS`
overrides the count (1 turns parallelism off).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

#: at most this many workers by default: beyond it, memory grows faster than speed
MAX_DEFAULT_WORKERS = 4


def cpu_workers() -> int:
    """VIPBENCH_WORKERS if set, else the usable cores (at most MAX_DEFAULT_WORKERS)."""
    env = os.environ.get("VIPBENCH_WORKERS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"VIPBENCH_WORKERS must be a whole number, not {env!r}") from None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def ordered_map(fn: Callable[[A], B], args: Iterable[A], workers: int | None = None) -> Iterator[B]:
    """`map(fn, args)` on `workers` threads, results in the order of `args`.

    With one worker it is the plain `map` (no thread). Work not yet started is cancelled when the
    caller stops early.
    """
    n = workers or cpu_workers()
    if n <= 1:
        yield from map(fn, args)
        return
    pool = ThreadPoolExecutor(n, thread_name_prefix="vipbench-cpu")
    try:
        futures = [pool.submit(fn, a) for a in args]
        for f in futures:
            yield f.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
