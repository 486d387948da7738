"""Shared fixtures: small VIP datasets written on the fly, and quiet offline settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from testkit.vip import write_dataset
from vipbench.ops.quiet import quiet_defaults

quiet_defaults()

REPO = Path(__file__).resolve().parents[1]



@pytest.fixture(autouse=True)
def _no_leaked_tracking_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlflow.set_tracking_uri` in one test exports MLFLOW_TRACKING_URI; start each test without it."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    def make(records: list[dict[str, Any] | str], images: bool = True, name: str = "ds") -> Path:
        return write_dataset(tmp_path / name, records, images)

    return make
