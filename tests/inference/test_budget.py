"""The budget's arithmetic: reservations, settling, a sticky stop."""

from __future__ import annotations

import pytest

from vipbench.inference.budget import Budget, BudgetExceeded


def test_requests_in_flight_hold_their_worst_case() -> None:
    b = Budget(1.0)
    b.charge(0.2)  # an answer from the cache
    b.reserve(0.3)
    b.reserve(0.3)
    with pytest.raises(BudgetExceeded):
        b.reserve(0.3)  # 0.2 + 0.6 + 0.3 > 1
    assert b.stopped is not None
    b.settle(0.3, 0.1)
    b.release(0.3)
    assert b.spent == pytest.approx(0.3) and b.reserved == pytest.approx(0.0)
    with pytest.raises(BudgetExceeded):  # once stopped, the run stays stopped
        b.reserve(0.01)


def test_no_limit_never_stops() -> None:
    b = Budget(None)
    b.reserve(1e9)
    assert b.stopped is None
