"""The names and values of the limits that hold across workers (vipbench.inference.shared_limits)."""

from __future__ import annotations

import asyncio

import pytest

from vipbench.inference import shared_limits
from vipbench.inference.shared_limits import NoSlots, PrefectSlots, SharedLimit, for_endpoint, limit_name


def test_one_endpoint_one_name_whatever_the_spelling() -> None:
    assert limit_name("http://127.0.0.1:8000/v1") == "vipbench-127.0.0.1-8000-v1"
    assert limit_name("HTTPS://api.openai.com/v1/") == limit_name("https://api.openai.com/v1")
    assert limit_name("https://api.openai.com/v1") != limit_name("https://api.openai.com/v2")
    # only what a Prefect name may hold
    assert set(limit_name("https://user@host.example:443/a b/%x")) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def test_runs_on_one_endpoint_share_the_smallest_limits() -> None:
    a = SharedLimit("http://h/v1", 8, 600.0)
    b = SharedLimit("http://h/v1", 2, None)
    c = SharedLimit("http://h/v1", 4, 60.0)
    assert a.merge(b).merge(c) == SharedLimit("http://h/v1", 2, 60.0)


def test_switched_on_only_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(shared_limits.ENV, raising=False)
    assert isinstance(for_endpoint("http://h/v1", None), NoSlots)
    monkeypatch.setenv(shared_limits.ENV, "prefect")
    slots = for_endpoint("http://h/v1", 60.0)
    assert isinstance(slots, PrefectSlots) and slots.rpm == "vipbench-h-v1-rpm"
    assert for_endpoint("http://h/v1", None).rpm is None  # type: ignore[union-attr]


def test_no_slots_is_a_no_op() -> None:
    async def use() -> int:
        async with NoSlots().slot():
            return 1

    assert asyncio.run(use()) == 1
