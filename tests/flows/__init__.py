"""Tests of the Prefect flows (settings and the session's Prefect home: see conftest.py)."""

from __future__ import annotations

from testkit.repo import flow_repo

__all__ = ["flow_repo"]
