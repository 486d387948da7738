"""cpu_workers and ordered_map: results in input order, several at once, errors surface."""

from __future__ import annotations

import threading
import time

import pytest

from vipbench.core.parallel import cpu_workers, ordered_map


def test_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIPBENCH_WORKERS", "3")
    assert cpu_workers() == 3
    monkeypatch.setenv("VIPBENCH_WORKERS", "0")
    assert cpu_workers() == 1
    monkeypatch.setenv("VIPBENCH_WORKERS", "two")
    with pytest.raises(ValueError, match="VIPBENCH_WORKERS"):
        cpu_workers()
    monkeypatch.delenv("VIPBENCH_WORKERS")
    assert 1 <= cpu_workers() <= 4


def test_results_keep_the_input_order_while_work_overlaps() -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def work(x: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02 * (5 - x % 5))  # later inputs finish first
        with lock:
            running[0] -= 1
        return x * x

    assert list(ordered_map(work, range(10), workers=2)) == [x * x for x in range(10)]
    assert peak[0] == 2


def test_one_worker_runs_in_the_calling_thread() -> None:
    assert list(ordered_map(lambda _: threading.current_thread().name, range(3), workers=1)) == [
        threading.current_thread().name
    ] * 3


def test_an_error_reaches_the_caller() -> None:
    def work(x: int) -> int:
        if x == 2:
            raise OSError("disk full")
        return x

    got = ordered_map(work, range(5), workers=2)
    assert [next(got), next(got)] == [0, 1]
    with pytest.raises(OSError, match="disk full"):
        next(got)
