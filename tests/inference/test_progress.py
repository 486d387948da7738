"""Progress: counts per status and an ETA from a moving rate."""

from __future__ import annotations

from vipbench.core.records import Response
from vipbench.inference.progress import RunProgress


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def resp(status: str = "answered") -> Response:
    return Response(item_id="i", image_id="m", attribute="sex", status=status)  # type: ignore[arg-type]


def test_eta_ignores_a_slow_first_item_and_follows_the_recent_rate() -> None:
    clock = Clock()
    p = RunProgress(total=100, label="t", log_every_s=1e9, window_s=10.0, clock=clock)
    clock.t = 30.0  # the first item took 30 s (a model loading)
    p.update(resp())
    assert p.eta_s() is None  # one item gives no rate yet
    for _ in range(9):  # then one item per second
        clock.t += 1.0
        p.update(resp())
    # 90 left at 1 item/s: 90 s (an average over the whole run would say 90 * 39/10 = 351 s)
    assert p.eta_s() == 90.0
    for _ in range(30):  # the rate doubles; after the window the ETA follows it
        clock.t += 0.5
        p.update(resp())
    assert p.eta_s() == 60 / 2.0


def test_abstained_is_its_own_count() -> None:
    p = RunProgress(total=3, label="t", log_every_s=1e9)
    for s in ("answered", "abstained", "unparseable"):
        p.update(resp(s))
    assert "abstained 1" in p.stats() and "unparseable 1" in p.stats()
