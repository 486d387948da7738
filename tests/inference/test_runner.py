"""stream_sync: results reach the caller while the run is still going, errors arrive after what
was finished before them, and a caller that stops early cancels the run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from vipbench.inference.runner import stream_sync


def test_each_result_arrives_before_the_run_ends() -> None:
    release = threading.Event()
    finished = threading.Event()

    async def produce(emit: Callable[[int], None]) -> None:
        emit(1)
        while not release.is_set():  # the run goes on until the caller has seen the first result
            await asyncio.sleep(0.01)
        emit(2)
        finished.set()

    got = []
    for x in stream_sync(produce):
        got.append(x)
        if x == 1:
            assert not finished.is_set()
            release.set()
    assert got == [1, 2] and finished.is_set()


def test_an_error_comes_after_what_was_emitted_before_it() -> None:
    async def produce(emit: Callable[[str], None]) -> None:
        emit("a")
        emit("b")
        raise ValueError("endpoint fell over")

    got: list[str] = []
    with pytest.raises(ValueError, match="endpoint fell over"):
        for x in stream_sync(produce):
            got.append(x)
    assert got == ["a", "b"]


def test_a_caller_that_stops_early_cancels_the_run() -> None:
    cancelled = threading.Event()

    async def produce(emit: Callable[[int], None]) -> None:
        try:
            for i in range(10_000):
                emit(i)
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stream = stream_sync(produce)
    assert next(stream) == 0
    stream.close()  # what a `for` loop left by an exception does
    assert cancelled.is_set()
    assert not any(t.name == "vipbench-run" and t.is_alive() for t in threading.enumerate())


def test_nothing_emitted_is_an_empty_stream() -> None:
    async def produce(emit: Callable[[int], None]) -> None:
        return None

    assert list(stream_sync(produce)) == []
