"""Responses written by `infer` hold results only; latencies and cache hits go to a local file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from testkit.vip import label, record, write_dataset
from vipbench.core.records import Response
from vipbench.pipeline.accounting import MEASURED_FIELDS, accounting, measurements
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.readers import read_measurements as scored_measurements
from vipbench.workspace import Workspace


def resp(i: int, attribute: str, latency: float, cached: bool) -> Response:
    return Response(
        item_id=f"i{i}:{attribute}", image_id=f"i{i}", attribute=attribute, status="answered",
        input_tokens=10, output_tokens=5, cost_usd=0.001, latency_s=latency, cached=cached,
    )


def test_accounting_repeats_and_measurements_do_not() -> None:
    first = [resp(0, "sex", 1.5, False), resp(1, "sex", 2.5, False), resp(2, "age", 0.7, False)]
    again = [r.model_copy(update={"latency_s": 0.0, "cached": True}) for r in first]
    assert accounting(first) == accounting(again)
    assert accounting(first)["overall"] == {
        "requests": 3, "input_tokens": 30, "output_tokens": 15, "cost_usd": 0.003,
        "corrected": 0, "unparseable": 0, "abstained": 0, "errors": 0,
    }
    m = measurements(first, wall_s=4.0)
    assert m["overall"]["cached"] == 0 and m["overall"]["latency_p50_s"] == 1.5 and m["wall_s"] == 4.0
    assert measurements(again)["overall"] == {
        "cached": 3, "latency_p50_s": None, "latency_p90_s": None, "latency_p99_s": None
    }
    assert {"latency_s", "cached"} == MEASURED_FIELDS


def test_infer_writes_results_and_keeps_measurements_aside(tmp_path: Path) -> None:
    write_dataset(tmp_path / "data", [record(f"i{i}", {"sex": label("Female")}) for i in range(3)])
    params = {"attributes": ["sex"], "models": {"exif": {"kind": "exif"}}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    infer(ws, "exif")
    first = ws.responses_file("exif").read_bytes()
    rows = [json.loads(line) for line in first.decode().splitlines()]
    assert rows and not any(MEASURED_FIELDS & set(r) for r in rows)
    run = ws.run("exif")
    assert json.loads(run.measurements_file.read_text())["overall"]["cached"] == 0
    assert scored_measurements(run)["overall"]["cached"] == 0

    infer(ws, "exif")  # again: other timings, the same responses
    assert ws.responses_file("exif").read_bytes() == first
    assert scored_measurements(run)["wall_s"] >= 0
    # measurements that do not belong to the responses being scored are not used
    ws.responses_file("exif").write_bytes(first + b"\n")
    assert scored_measurements(run) == {}
