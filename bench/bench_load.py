"""Load: 10,000 items through the `openai` adapter against a fast local server, with memory bounded.

    python bench/bench_load.py [--n 10000] [--checkpoint 2000] [--concurrency 32]

Every item has its own image (distinct JPEGs on disk), so an engine that kept images (the files,
the decoded pixels, or the base64 data URLs it sends) would grow by tens of kB per item. The
server (tests/support/openai_server.py, latency 0) runs in its own process.

Each measurement runs in a fresh child process with a fresh cache, so `ru_maxrss` is the peak of
that run alone: one run of `--checkpoint` items and one of `--n` items. The larger run also
samples its resident set every 500 finished items, which shows the growth as it happens. Memory
is bounded when the extra items of the larger run cost a few kB each: what the adapter must keep
per item (its Response, returned to the caller), far below the size of one image.

Results are printed as a table and written to bench/results/load.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.openai_server import ServerProcess  # noqa: E402

#: the growth per extra item above which memory counts as unbounded: about a third of one image
#: as sent (its JPEG data URL), and far above what a Response costs
MAX_GROWTH_PER_ITEM_KB = 8.0
SIDE = (384, 288)


def rss_mb() -> float:
    """The current resident set of this process, from /proc (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def make_images(data: Path, n: int) -> None:
    """`n` distinct photo-like JPEGs: a gradient with grain, and the index drawn in as 16 bit squares."""
    import numpy as np
    from PIL import Image

    (data / "images").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    w, h = SIDE
    base = np.add.outer(np.linspace(0, 120, h), np.linspace(0, 120, w))[..., None] + np.array([20, 60, 100])
    tiles = [np.clip(base + rng.normal(0, 14, (h, w, 3)), 0, 255).astype(np.uint8) for _ in range(8)]
    for i in range(n):
        path = data / "images" / f"L{i:05d}.jpg"
        if path.exists():
            continue
        arr = tiles[i % len(tiles)].copy()
        for bit in range(16):  # makes every image's bytes unique, so no two items share a cache key
            x = 8 + bit * 12
            arr[8:18, x : x + 10] = 255 if (i >> bit) & 1 else 0
        Image.fromarray(arr, "RGB").save(path, quality=85)


def items_for(n: int) -> list[Any]:
    from vipbench.core.records import Item

    return [
        Item(
            item_id=f"L{i:05d}:location",
            image_id=f"L{i:05d}",
            attribute="location",
            truth="Zurich, Switzerland",
            hardness=2,
            certainty=4,
            image=f"images/L{i:05d}.jpg",
        )
        for i in range(n)
    ]


# -- the child: one measured run --------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    from vipbench.core.records import Response
    from vipbench.models.openai_api import OpenAISpec
    from vipbench.models.registry import RunContext, create_adapter

    items = items_for(args.n)
    samples: list[tuple[int, float]] = []
    done = [0]

    def progress(r: Response) -> None:
        done[0] += 1
        if done[0] % 500 == 0:
            samples.append((done[0], round(rss_mb(), 1)))

    spec = OpenAISpec(
        model="load-vlm",
        base_url=args.base_url,
        api_key_env="VIPBENCH_LOAD_KEY",
        max_concurrency=args.concurrency,
        timeout=30,
        max_retries=3,
    )
    ctx = RunContext(
        run_name="load",
        data_dir=Path(args.data),
        cache_path=Path(args.cache),
        max_side=1024,
        progress=progress,
    )
    before = rss_mb()
    adapter = create_adapter(spec, ctx)
    if args.trace:  # warm up outside the trace: imports, client, thread pool, cache connection
        list(adapter.infer(items[:50]))
        items = items[50:]
        gc.collect()
        tracemalloc.start(10)
        start = tracemalloc.take_snapshot()
    t0 = time.perf_counter()
    kept: list[Response] = []
    for r in adapter.infer(items):
        kept.append(r)  # what any caller of the adapter (the infer stage) holds until it writes them
    wall = time.perf_counter() - t0
    adapter.close()
    statuses: dict[str, int] = {}
    for r in kept:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    n_responses = len(kept)
    retained: list[dict[str, Any]] = []
    if args.trace:
        gc.collect()
        traced = tracemalloc.take_snapshot().compare_to(start, "traceback")
        for st in traced[:6]:
            ours = [f for f in st.traceback if "/vipbench/" in f.filename] or list(st.traceback)
            where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"
            retained.append({"site": where, "kb": round(st.size_diff / 1024, 1), "blocks": st.count_diff})
        retained.insert(0, {"site": "total", "kb": round(sum(st.size_diff for st in traced) / 1024, 1)})
        tracemalloc.stop()
    out = {
        "n": args.n,
        "responses": n_responses,
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "items_per_s": round(args.n / wall, 1),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_samples_mb": samples,
        "retained_python_heap": retained,
    }
    print(json.dumps(out))


# -- the parent: data, server, runs, verdict ----------------------------------------------------------


def measure(base_url: str, data: Path, tmp: Path, n: int, concurrency: int, trace: bool = False) -> dict[str, Any]:
    cache = tmp / f"cache-{n}{'-trace' if trace else ''}.sqlite"
    cmd = [sys.executable, __file__, "--child", "--n", str(n), "--base-url", base_url]
    cmd += ["--data", str(data), "--cache", str(cache), "--concurrency", str(concurrency)]
    cmd += ["--trace"] if trace else []
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if p.returncode != 0:
        raise SystemExit(f"child run of {n} items failed:\n{p.stderr}")
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--checkpoint", type=int, default=2_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--data", default=None, help="image directory to reuse (made if missing)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "load.json"))
    ap.add_argument("--max-growth-kb", type=float, default=MAX_GROWTH_PER_ITEM_KB, help="limit per extra item")
    ap.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run (where memory is held)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--base-url", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--cache", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("VIPBENCH_LOAD_KEY", "EMPTY")
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        data = Path(args.data) if args.data else tmp / "data"
        t0 = time.perf_counter()
        make_images(data, args.n)
        make_s = time.perf_counter() - t0
        image_bytes = sum(p.stat().st_size for p in (data / "images").glob("*.jpg"))
        srv = ServerProcess()
        try:
            small = measure(srv.base_url, data, tmp, args.checkpoint, args.concurrency)
            large = measure(srv.base_url, data, tmp, args.n, args.concurrency)
            # where the retained memory is, by allocation site (tracemalloc; slower, so not timed)
            traced = (
                None if args.no_trace else measure(srv.base_url, data, tmp, args.checkpoint, args.concurrency, True)
            )
            served = srv.stats()
        finally:
            srv.close()

    extra = args.n - args.checkpoint
    growth = large["peak_rss_mb"] - small["peak_rss_mb"]
    per_item_kb = growth * 1024 / extra if extra else 0.0
    mean_image_kb = image_bytes / args.n / 1024
    bounded = per_item_kb < args.max_growth_kb
    result = {
        "bench": "load",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "concurrency": args.concurrency,
        "server_latency_s": 0.0,
        "distinct_images": args.n,
        "mean_image_kb": round(mean_image_kb, 1),
        "mean_data_url_kb": round(mean_image_kb * 4 / 3, 1),
        "images_made_s": round(make_s, 1),
        "runs": {str(args.checkpoint): small, str(args.n): large},
        "server_requests": served.get("requests"),
        "retained_python_heap_after_run": traced
        and {
            "items": traced["responses"],
            "kb_per_item": round(traced["retained_python_heap"][0]["kb"] / max(1, traced["responses"]), 2),
            "top_sites": traced["retained_python_heap"][1:],
        },
        "peak_rss_growth_mb": round(growth, 1),
        "growth_per_extra_item_kb": round(per_item_kb, 2),
        "max_growth_per_item_kb": args.max_growth_kb,
        "bounded": bounded,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    print(f"{'items':>8} {'wall s':>8} {'items/s':>8} {'RSS before MB':>14} {'peak RSS MB':>12}  statuses")
    for r in (small, large):
        print(
            f"{r['n']:>8} {r['wall_s']:>8} {r['items_per_s']:>8} {r['rss_before_mb']:>14} "
            f"{r['peak_rss_mb']:>12}  {r['statuses']}"
        )
    print(
        "RSS while running the larger run (items done: MB):", ", ".join(f"{n}: {m}" for n, m in large["rss_samples_mb"])
    )
    print(
        f"peak RSS growth {growth:.1f} MB over {extra} extra items = {per_item_kb:.2f} kB per item "
        f"(one image here: {mean_image_kb:.1f} kB on disk, {mean_image_kb * 4 / 3:.1f} kB as a data URL); "
        f"{'bounded' if bounded else 'NOT bounded'} (limit {args.max_growth_kb} kB per item)"
    )
    heap = result["retained_python_heap_after_run"]
    if heap:
        print(
            f"Python heap still held after a run of {heap['items']} items: {heap['kb_per_item']} kB per item, "
            "by site: " + ", ".join(f"{t['site']} {t['kb']:.0f} kB" for t in heap["top_sites"][:4])
        )
    print(f"wrote {args.out}")
    if not bounded:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
