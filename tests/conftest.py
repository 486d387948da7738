"""Shared fixtures: small VIP datasets written on the fly, and quiet offline settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.vip import write_dataset
from vipbench.ops.quiet import quiet_defaults
from vipbench.workspace import OCR_CACHE_ENV

quiet_defaults()

REPO = Path(__file__).resolve().parents[1]

#: The longest test files, longest first (seconds on 2 pytest-xdist workers of a 2-core machine
#: when measured; `scripts/test` now runs 3 there,
#: each file's setup and calls added up, from the per-file table `scripts/test` prints at the end).
#: `scripts/test` hands out whole files (`--dist loadfile`) in collection order, so these start
#: first and the many quick files fill in around them; a long file that started last would keep
#: one worker busy alone at the end. Files not listed keep their order, after these.
#: test_ocr_osv starts about when test_scaleout ends (run beside it, both took ~1.6x longer), and
#: test_osv_distance well after test_ocr_osv: both read the same 71 photos, and the second finds the
#: first's readings in the session's OCR cache (`_one_ocr_cache`) if it starts later.
LONGEST_FIRST = (
    "tests/flows/test_scaleout.py",  # 379 (two evaluations on real servers and workers)
    "tests/pipeline/test_dvc_reproducible.py",  # 111
    "tests/flows/test_dotted_run_names.py",  # 97
    "tests/pipeline/test_defenses_pipeline.py",  # 81
    "tests/pipeline/test_pipeline.py",  # 66
    "tests/reliability/test_kill_resume.py",  # 75
    "tests/models/adversaries/test_ocr_osv.py",  # 86 alone (OCR of the 71 OSV photos, three versions)
    "tests/pipeline/test_dvc_code_deps.py",  # 66
    "tests/pipeline/test_models_pipeline.py",  # 46
    "tests/flows/test_evaluate_cost.py",  # 62
    "tests/pipeline/test_osv_distance.py",  # 54 with the OSV photos' readings cached (104 without)
    "tests/reliability/test_bad_input.py",  # 56
    "tests/pipeline/test_dvc_outside_data.py",  # 55
    "tests/flows/test_batch_deployment.py",  # 52
    "tests/pipeline/test_failed_runs.py",  # 50
    "tests/flows/test_watch_releases.py",  # 49
    "tests/models/test_hf.py",  # 43
    "tests/flows/test_prefect_server.py",  # 42
    "tests/defenses/test_defenses.py",  # 41
    "tests/flows/test_evaluate.py",  # 38
    "tests/pipeline/test_mlflow_ui.py",  # 38
    "tests/models/test_transformers_serve.py",  # 27
    "tests/reliability/test_secrets.py",  # 26
    "tests/reliability/test_load.py",  # 22
    "tests/pipeline/test_one_country.py",  # 22
    "tests/flows/test_flow_secrets.py",  # 18
    "tests/flows/test_fanout_local.py",  # 15
    "tests/flows/test_version_dataset.py",  # 7
    "tests/pipeline/test_estimate.py",  # 5
)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist would otherwise hand out the files with the most tests first (each of the long
    # files above holds one to four tests, so they would start last); keep the order set below
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each file's setup, call and teardown time (in the xdist controller, every worker's)."""
    name = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[name] = _FILE_SECONDS.get(name, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The files that took longest: the order LONGEST_FIRST should follow."""
    if not _FILE_SECONDS:
        return
    terminalreporter.write_sep("=", "slowest test files (seconds, setup + calls + teardown)")
    for name, seconds in sorted(_FILE_SECONDS.items(), key=lambda kv: -kv[1])[:30]:
        terminalreporter.write_line(f"{seconds:8.1f}  {name}")
    terminalreporter.write_line(f"{sum(_FILE_SECONDS.values()):8.1f}  all {len(_FILE_SECONDS)} files")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (LONGEST_FIRST); a stable sort keeps each file's tests in their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(autouse=True)
def _no_leaked_tracking_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlflow.set_tracking_uri` in one test exports MLFLOW_TRACKING_URI; start each test without it."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _one_ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One OCR cache for every test repository of the session, as `VIPBENCH_OCR_CACHE` allows.

    The bundled photos (and the OSV sample) are read once per session, not once per `dvc repro`:
    a reading depends only on the pixels and the engine, so no output changes. Both xdist workers
    share the file (the session's base folder is their parent). Tests that count engine calls
    give their workspace its own file (`monkeypatch.delenv(OCR_CACHE_ENV)`).
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / "ocr-cache.sqlite"
    before = os.environ.get(OCR_CACHE_ENV)
    os.environ[OCR_CACHE_ENV] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop(OCR_CACHE_ENV, None)
        else:
            os.environ[OCR_CACHE_ENV] = before


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    def make(records: list[dict[str, Any] | str], images: bool = True, name: str = "ds") -> Path:
        return write_dataset(tmp_path / name, records, images)

    return make
