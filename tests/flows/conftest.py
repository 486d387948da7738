"""Prefect for the flow tests: this process, Prefect's temporary local server, a private home.

pytest loads this file while collecting tests/flows, before any flow module imports Prefect.
It points PREFECT_HOME at a fresh directory for the test session, so the temporary server's
SQLite database is never shared with another session or with ~/.prefect, and unsets
PREFECT_API_URL so no real server is used by accident. The first flow run of the session pays
for creating that database (about 15-25 s; later flow runs take about 1 s). To reuse one home
across sessions (about 10 s faster), set VIPBENCH_TEST_PREFECT_HOME to a directory of your own;
do not run two sessions on it at once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator

import pytest

_fresh_home: str | None = None
if "prefect" not in sys.modules:
    os.environ.pop("PREFECT_API_URL", None)
    if os.environ.get("VIPBENCH_TEST_PREFECT_HOME"):
        # one home per pytest-xdist worker: two processes must not share the server's database
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        os.environ["PREFECT_HOME"] = os.environ["VIPBENCH_TEST_PREFECT_HOME"] + (f"-{worker}" if worker else "")
    else:
        # created by Prefect on first use, so a session that runs no flow test leaves nothing behind
        _fresh_home = os.path.join(
            tempfile.gettempdir(), f"vipbench-prefect-home-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        )
        os.environ["PREFECT_HOME"] = _fresh_home
        atexit.register(shutil.rmtree, _fresh_home, True)  # LIFO: after Prefect's own exit handlers

import flows  # noqa: E402,F401  (quiet, offline Prefect defaults)


@pytest.fixture(scope="session", autouse=True)
def _temporary_prefect_server() -> Iterator[None]:
    """Stop the temporary server while pytest still owns the output streams, then drop the home."""
    yield
    if "prefect.server.api.server" in sys.modules:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker
        from prefect.server.api.server import SubprocessASGIServer

        # send what is still queued while the server is up
        APILogWorker.drain_all(timeout=5)
        EventsWorker.drain_all(timeout=5)

        if None in SubprocessASGIServer._instances:
            SubprocessASGIServer().stop()
    if _fresh_home:
        shutil.rmtree(_fresh_home, ignore_errors=True)
