"""Limits that hold across processes and machines: Prefect global concurrency limits per endpoint.

An `Endpoint` paces its own requests with a semaphore and leaky buckets, which bound one
process. When an evaluation fans out to several workers, two of them can call the same endpoint
at once, and each would use the whole `max_concurrency` and `rpm` of the spec. So the fan-out
(flows/fanout.py) creates two global concurrency limits on the Prefect server for every endpoint
its runs call, and sets `VIPBENCH_SHARED_LIMITS=prefect` for the stages it runs. Each request
then also takes:

- one slot of `<name>`, whose limit is the endpoint's `max_concurrency`, held until the answer
  arrives (retries take a new one);
- one slot of `<name>-rpm`, whose limit is 1 slot that decays at `rpm / 60` per second, which
  is Prefect's rate limit: at most `rpm` requests a minute across every worker.

`<name>` is `vipbench-` and the endpoint's URL with every character a Prefect name cannot hold
replaced, so the same endpoint gets the same limit on every worker. The server keeps the slots,
with leases, so a killed worker's slots come back within `LEASE_S` seconds. Prefect is imported only
when the limits are switched on.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

#: set to "prefect" (by the fan-out's child flow runs) to take the endpoint's shared limits
ENV = "VIPBENCH_SHARED_LIMITS"
PREFIX = "vipbench-"
#: how long the server keeps a slot whose holder stopped renewing it (a killed worker)
LEASE_S = 60.0  # the server accepts no shorter lease


def limit_name(endpoint: str) -> str:
    """The global concurrency limit of an endpoint (its rate limit adds `-rpm`)."""
    url = re.sub(r"^[a-z]+://", "", endpoint.strip().rstrip("/").lower())
    return PREFIX + re.sub(r"[^a-z0-9._-]+", "-", url).strip("-")


def rpm_name(endpoint: str) -> str:
    return limit_name(endpoint) + "-rpm"


@dataclass(frozen=True)
class SharedLimit:
    """What the fan-out declares for one endpoint: the smallest limits of the runs that call it."""

    endpoint: str
    max_concurrency: int
    rpm: float | None = None

    @property
    def name(self) -> str:
        return limit_name(self.endpoint)

    def merge(self, other: SharedLimit) -> SharedLimit:
        rpms = [r for r in (self.rpm, other.rpm) if r]
        return SharedLimit(self.endpoint, min(self.max_concurrency, other.max_concurrency), min(rpms) if rpms else None)


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() == "prefect"


class PrefectSlots:
    """One endpoint's slots on the Prefect server, taken around each request attempt."""

    def __init__(self, endpoint: str, paced: bool) -> None:
        self.name = limit_name(endpoint)
        self.rpm = rpm_name(endpoint) if paced else None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        from prefect.concurrency.asyncio import concurrency, rate_limit

        if self.rpm is not None:
            await rate_limit(self.rpm, strict=True)
        async with concurrency(self.name, occupy=1, lease_duration=LEASE_S, strict=True):
            yield


class NoSlots:
    """No shared limits: the endpoint's own semaphore and buckets are the only bound."""

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        yield


def for_endpoint(endpoint: str, rpm: float | None) -> PrefectSlots | NoSlots:
    """The shared slots of `endpoint` when `VIPBENCH_SHARED_LIMITS=prefect`, else none."""
    return PrefectSlots(endpoint, paced=bool(rpm)) if enabled() else NoSlots()


def declare(limits: list[SharedLimit], update: bool = True) -> list[str]:
    """Create the limits on the Prefect server (PREFECT_API_URL); their names.

    `update` also sets existing ones to these values (the fan-out's parent, which knows every
    run); without it, existing limits are left as they are (a child that checks its own).
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    wanted: list[tuple[str, int, float | None]] = []
    for lim in limits:
        wanted.append((lim.name, lim.max_concurrency, None))
        if lim.rpm:
            wanted.append((rpm_name(lim.endpoint), 1, lim.rpm / 60.0))
    with get_client(sync_client=True) as client:
        for name, limit, decay in wanted:
            if not update:
                try:
                    client.read_global_concurrency_limit_by_name(name)
                    continue
                except ObjectNotFound:
                    pass
            client.upsert_global_concurrency_limit_by_name(name, limit, slot_decay_per_second=decay)
    return [name for name, _, _ in wanted]
