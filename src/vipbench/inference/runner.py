"""Running the async engine layer from synchronous code.

`stream_sync` runs a whole inference run in a background thread and hands its results to the
caller one by one as they finish, so the caller can write each to disk instead of holding them
all. `LoopThread` keeps one event loop alive in a background thread for many small calls (the
LLM judges, asked once per guess), so clients, limiters and connections live across calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


def stream_sync(produce: Callable[[Callable[[T], None]], Coroutine[Any, Any, Any]]) -> Iterator[T]:
    """Yield what `produce(emit)` emits, as it emits it.

    `produce` runs on its own event loop in a helper thread; each `emit(x)` hands `x` to the
    caller's thread through a queue. The queue is unbounded so that the event loop never waits on
    the caller; callers only write each result to disk, far faster than results arrive. An error
    in `produce` is raised in the caller after everything emitted before it. If the caller stops
    early (an exception, Ctrl-C), the run is cancelled and its thread joined before this returns.
    """
    results: queue.Queue[Any] = queue.Queue()
    state: dict[str, Any] = {}
    started = threading.Event()

    async def main() -> None:
        state["loop"], state["task"] = asyncio.get_running_loop(), asyncio.current_task()
        started.set()
        await produce(results.put)

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as e:  # handed to the caller's thread
            state["error"] = e
        finally:
            started.set()
            results.put(_DONE)

    thread = threading.Thread(target=target, name="vipbench-run", daemon=True)
    thread.start()
    try:
        while (got := results.get()) is not _DONE:
            yield got
    finally:
        if thread.is_alive():  # the caller left early: stop the run, keep what it cached
            started.wait()
            loop, task = state.get("loop"), state.get("task")
            if loop is not None and task is not None and not loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop closed in between
                    loop.call_soon_threadsafe(task.cancel)
        thread.join()
    error = state.get("error")
    if error is not None and not isinstance(error, asyncio.CancelledError):
        raise error


class LoopThread:
    """One event loop in a daemon thread; `run` blocks the caller until a coroutine finishes there."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="vipbench-loop", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._start()).result()

    def close(self) -> None:
        """Stop the loop and its thread (a no-op if it never started)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
