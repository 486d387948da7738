"""Inference engine performance against an OpenAI-compatible server on 127.0.0.1.

    python bench/bench_inference.py [--quick]

Every measurement goes through the real adapter (`kind: openai`): prompt rendering, image
loading and JPEG encoding, the real `openai` client over HTTP, parsing and cache writes. The
server (testkit/openai_server.py) runs in its own process so it does not share the GIL.

(a) throughput: N=640 requests with a fixed server latency L=100 ms at concurrency C=32.
    efficiency = (N*L/C) / wall, the median of 3 runs each with a fresh cache; target >= 0.85.
    Also the speed-up over a plain sequential loop (the synchronous openai client, one request
    after another) on a smaller N.
(b) rate limit: a server that answers 429 with Retry-After above R requests/s (a token bucket
    with a one-second burst). The spec's rpm = 60*R lets the engine pace itself. Reported: the
    steady rate after the burst divided by R (target >= 0.9) and items lost (target 0). The same
    without rpm, relying on Retry-After alone, is shown for comparison.
(c) warm cache: the same 1000 items again; requests sent (target 0) and wall time against the
    cold run (target < 5%).

Results are printed and written to bench/results/inference.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkit import image_items  # noqa: E402
from testkit.openai_server import ServerProcess as Server  # noqa: E402
from vipbench.core.records import Item, Response  # noqa: E402
from vipbench.models.openai_api import OpenAIAdapter, OpenAISpec  # noqa: E402
from vipbench.models.registry import RunContext  # noqa: E402


def run_engine(
    base_url: str, items: list[Item], root: Path, cache: Path, **spec: Any
) -> tuple[float, list[Response], OpenAIAdapter]:
    s = OpenAISpec(model="bench-vlm", base_url=base_url, api_key_env="VIPBENCH_BENCH_KEY", **spec)
    adapter = OpenAIAdapter(s, RunContext(run_name="bench", data_dir=root, cache_path=cache))
    t0 = time.perf_counter()
    responses = list(adapter.infer(items))
    wall = time.perf_counter() - t0
    adapter.close()
    return wall, responses, adapter


def sequential_loop(base_url: str, items: list[Item], root: Path) -> float:
    """The naive baseline: the synchronous client, one request at a time, same prompt and image."""
    import base64

    import openai

    from vipbench.imaging.images import encode_jpeg, open_image
    from vipbench.prompts.render import build_messages

    client = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0)
    t0 = time.perf_counter()
    for it in items:
        url = "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(open_image(root / it.image, 1024))).decode()
        client.chat.completions.create(
            model="bench-vlm",
            messages=build_messages(it, "final", "text", url),
            max_tokens=800,  # type: ignore[arg-type]
        )
    wall = time.perf_counter() - t0
    client.close()
    return wall


def bench_throughput(tmp: Path, n: int, n_seq: int, latency: float, conc: int, repeats: int) -> dict[str, Any]:
    items = image_items(tmp / "tp", n)
    walls: list[float] = []
    with Server(latency) as srv:
        run_engine(srv.base_url, items[:conc], tmp / "tp", tmp / "warmup.sqlite", max_concurrency=conc)
        for i in range(repeats):  # a fresh cache each time: every repeat sends all n requests
            wall, responses, adapter = run_engine(
                srv.base_url, items, tmp / "tp", tmp / f"tp{i}.sqlite", max_concurrency=conc
            )
            walls.append(wall)
        seq_wall = sequential_loop(srv.base_url, items[:n_seq], tmp / "tp")
        served = srv.stats()["served_s"]
    wall = statistics.median(walls)
    ideal = n * latency / conc
    assert adapter.stats is not None
    return {
        "n": n,
        "latency_s": latency,
        "concurrency": conc,
        "repeats": repeats,
        "wall_s": round(wall, 3),
        "wall_s_all": [round(w, 3) for w in walls],
        "ideal_s": round(ideal, 3),
        "efficiency": round(ideal / wall, 3),
        "efficiency_all": [round(ideal / w, 3) for w in walls],
        "answered": sum(r.status == "answered" for r in responses),
        "sequential_n": n_seq,
        "sequential_wall_s": round(seq_wall, 3),
        "sequential_items_per_s": round(n_seq / seq_wall, 2),
        "engine_items_per_s": round(n / wall, 2),
        "speedup_vs_sequential": round((n / wall) / (n_seq / seq_wall), 2),
        "client_latency_p50_s": round(adapter.stats.latency_percentiles()["p50"], 4),
        "server_time_p50_p99_s": [round(served["p50"], 4), round(served["p99"], 4)],
    }


def bench_rate_limit(tmp: Path, n: int, rate: float, use_rpm: bool) -> dict[str, Any]:
    items = image_items(tmp / "rl", n)
    name = "rpm" if use_rpm else "no_rpm"
    with Server(0.02, rate_limit=rate) as srv:
        spec: dict[str, Any] = {"max_concurrency": 16, "max_retries": 20}
        if use_rpm:
            spec["rpm"] = 60 * rate
        wall, responses, adapter = run_engine(srv.base_url, items, tmp / "rl", tmp / f"rl-{name}.sqlite", **spec)
        stats = srv.stats()
    answered = sum(r.status == "answered" for r in responses)
    burst = rate  # the server's bucket starts full with one second's worth
    steady = (answered - burst) / wall
    assert adapter.stats is not None
    return {
        "n": n,
        "server_limit_rps": rate,
        "rpm": spec.get("rpm"),
        "wall_s": round(wall, 3),
        "achieved_rps": round(answered / wall, 2),
        "steady_rps_after_burst": round(steady, 2),
        "ratio": round(steady / rate, 3),
        "lost": n - answered,
        "server_429s": stats["rate_limited"],
        "engine_retries": adapter.stats.retries,
    }


def bench_warm_cache(tmp: Path, n: int, latency: float, conc: int) -> dict[str, Any]:
    items = image_items(tmp / "wc", n)
    cache = tmp / "wc.sqlite"
    with Server(latency) as srv:
        cold, _, _ = run_engine(srv.base_url, items, tmp / "wc", cache, max_concurrency=conc)
        before = srv.stats()["requests"]
        warm, responses, _ = run_engine(srv.base_url, items, tmp / "wc", cache, max_concurrency=conc)
        sent = srv.stats()["requests"] - before
    return {
        "n": n,
        "cold_wall_s": round(cold, 3),
        "warm_wall_s": round(warm, 3),
        "warm_over_cold": round(warm / cold, 4),
        "warm_requests": sent,
        "warm_all_cached": all(r.cached for r in responses),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    args = ap.parse_args()
    q = args.quick
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        results = {
            "bench": "inference_engine",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cpus",
            "throughput": bench_throughput(tmp, 160 if q else 640, 16 if q else 64, 0.1, 32, 1 if q else 3),
            "rate_limit": bench_rate_limit(tmp, 100 if q else 300, 50.0, use_rpm=True),
            "rate_limit_without_rpm": bench_rate_limit(tmp, 100 if q else 300, 50.0, use_rpm=False),
            "warm_cache": bench_warm_cache(tmp, 200 if q else 1000, 0.1, 32),
        }
    tp, rl, nr, wc = (results[k] for k in ("throughput", "rate_limit", "rate_limit_without_rpm", "warm_cache"))
    rows = [
        ("throughput efficiency (N*L/C)/wall, median", f"{tp['efficiency']:.3f}", ">= 0.85", tp["efficiency"] >= 0.85),
        ("  each repeat", " ".join(f"{e:.3f}" for e in tp["efficiency_all"]), "", None),
        ("  wall / ideal (s)", f"{tp['wall_s']:.2f} / {tp['ideal_s']:.2f}", "", None),
        ("  speed-up vs sequential loop", f"{tp['speedup_vs_sequential']:.1f}x", "", None),
        ("rate limit: steady rate / R (rpm set)", f"{rl['ratio']:.3f}", ">= 0.9", rl["ratio"] >= 0.9),
        ("  items lost / server 429s", f"{rl['lost']} / {rl['server_429s']}", "0 lost", rl["lost"] == 0),
        ("rate limit without rpm (Retry-After only)", f"{nr['ratio']:.3f}", "info", None),
        ("  items lost / server 429s", f"{nr['lost']} / {nr['server_429s']}", "0 lost", nr["lost"] == 0),
        ("warm cache: requests", str(wc["warm_requests"]), "0", wc["warm_requests"] == 0),
        ("  warm / cold wall", f"{wc['warm_over_cold']:.2%}", "< 5%", wc["warm_over_cold"] < 0.05),
    ]
    print(f"{'measure':45} {'value':>16} {'target':>8}  ok")
    for name, value, target, ok in rows:
        print(f"{name:45} {value:>16} {target:>8}  {'' if ok is None else ('yes' if ok else 'NO')}")
    out = ROOT / "bench" / "results" / "inference.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
