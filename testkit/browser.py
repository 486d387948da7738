"""Headless Chromium (Debian's `chromium` package) for tests that must see a page render."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

#: flags that keep Chromium off the network and quiet on a machine with no internet
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)


def chromium() -> str:
    """The browser binary; a test fails where CI promised one (VIPBENCH_REQUIRE_BROWSER=1), else skips."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if os.environ.get("VIPBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is not installed (apt-get install chromium), and VIPBENCH_REQUIRE_BROWSER=1")
    pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def dump_dom(url: str, budget_ms: int = 10000, timeout: float = 120) -> str:
    """The page's DOM after scripts ran for up to `budget_ms` of virtual time."""
    p = _run([f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout)
    return p.stdout


#: a console message in Chromium's log: [pid:tid:date:INFO:CONSOLE:line] "message", source: ...
_CONSOLE = re.compile(r':CONSOLE(?:\(\d+\))?:?\d*\] "(.*)", source:')


def render(url: str, budget_ms: int = 10000, timeout: float = 120) -> tuple[str, list[str]]:
    """The page's DOM, as `dump_dom` gives it, and the messages its scripts wrote to the console."""
    p = _run(["--enable-logging=stderr", "--v=0", f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout)
    return p.stdout, _CONSOLE.findall(p.stderr)


def screenshot(url: str, out: Path, size: str = "1400,1000", budget_ms: int = 10000, timeout: float = 120) -> Path:
    """Save a PNG of the page after `budget_ms` of virtual time."""
    _run([f"--virtual-time-budget={budget_ms}", f"--window-size={size}", f"--screenshot={out}", url], timeout)
    if not out.is_file():
        raise AssertionError(f"chromium wrote no screenshot for {url}")
    return out
