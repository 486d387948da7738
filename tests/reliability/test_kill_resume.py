"""kill -9 at random points of `vipbench infer` and `vipbench score`, then resume.

One workspace (params.yaml, data/, build/) and one local OpenAI-compatible server with some
latency. The server answers both the model's prompts and the LLM judge's (scoring.judges), so
`infer` fills the response cache and `score` the judge cache. First an uninterrupted run gives
the reference metrics. Then, cycle after cycle, a new run (a new model name and a new judge model
name, so nothing is cached yet) is started, killed with SIGKILL at a seeded random point, and
resumed to the end, first `infer`, then `score`: ten kills in all. A kill point is "after the
k-th request to the server, plus a random fraction of a request's latency" (k = 0: during
start-up), or for `score`, a random moment after its last judge request (MLflow logging).

After every kill and every resume: both caches pass `PRAGMA integrity_check` and hold no key
twice, and MLflow's SQLite database passes the integrity check too. After every cycle: the
metrics equal the uninterrupted run's (timing and cache counters aside). At the end: no request
whose answer was already in a cache at a kill was sent again, and MLflow holds one run per name.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from testkit.repo import env
from testkit.vip import label, record, write_dataset

pytestmark = pytest.mark.slow

KILLS = 10
SEED = 8
N_IMAGES = 40
VLM_DELAY = 0.08
JUDGE_DELAY = 0.03
CONCURRENCY = 4
CITIES = [
    "Zurich, Switzerland",
    "Geneva, Switzerland",
    "Lyon, France",
    "Paris, France",
    "Porto, Portugal",
    "Lisbon, Portugal",
    "Lima, Peru",
    "Cusco, Peru",
]
#: metric blocks that must match the uninterrupted run exactly (accounting and judge counters
#: hold latencies and cache hits, which differ by design)
COMPARED = ("overall", "attributes", "by_hardness", "by_human_depicted", "bootstrap", "review_agreement")
KEY_ENV = "VIPBENCH_KILL_KEY"


def _h(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % mod


def answer(req: Request) -> str | Reply:
    """Deterministic in the prompt, whatever the model name: reruns must give the same metrics."""
    text = req.text
    if "You are grading a location guess" in text:
        truth = re.search(r"True place: (.*)", text)
        guess = re.search(r"Guessed place: (.*)", text)
        assert truth and guess
        t, g = truth.group(1).strip(), guess.group(1).strip()
        same_country = t.split(",")[-1].strip() == g.split(",")[-1].strip()
        verdict = "correct" if t == g else "less_precise" if same_country else "wrong"
        return Reply(content=json.dumps({"verdict": verdict, "reason": "test"}), delay=JUDGE_DELAY)
    kind = re.search(r"^Type: (\w+)", text, re.M)
    attribute = kind.group(1) if kind else "?"
    if attribute == "sex":
        guesses = ["Female", "Male"] if _h(req.fingerprint, 3) else ["Male", "Female"]
    else:
        start = _h(req.fingerprint, len(CITIES))
        guesses = [CITIES[(start + k * 3) % len(CITIES)] for k in range(3)]
    return Reply(content=guess_answer(guesses, attribute=attribute), delay=VLM_DELAY)


def make_workspace(root: Path) -> Path:
    rng = np.random.default_rng(SEED)
    recs = []
    for i in range(N_IMAGES):
        recs.append(
            record(
                f"k{i:03d}",
                {"location": label(CITIES[i % 5], hardness=1 + i % 5), "sex": label("Female" if i % 3 else "Male")},
                human_depicted=i % 2 == 0,
            )
        )
    write_dataset(root / "data", recs)
    for i in range(N_IMAGES):  # distinct images, so every item has its own prompt
        arr = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
        Image.fromarray(arr, "RGB").save(root / "data" / "images" / f"k{i:03d}.jpg", quality=90)
    (root / "reviews").mkdir()
    (root / "reviews" / "decisions.jsonl").write_text("")
    return root


def write_params(root: Path, base_url: str, tag: str) -> str:
    run = f"vlm_{tag}"
    params = {
        "data": {"dir": "data", "labels": "labels.jsonl", "name": "killtest"},
        "attributes": ["location", "sex"],
        "inference": {"cache": ".vipbench/cache.sqlite", "max_side": 256},
        "scoring": {
            "bootstrap_samples": 200,
            "seed": 0,
            "reviews": "reviews/decisions.jsonl",
            "judge_cache": ".vipbench/judge-cache.sqlite",
            "judges": [
                {
                    "model": f"judge-{tag}",
                    "base_url": base_url,
                    "api_key_env": KEY_ENV,
                    "max_retries": 0,
                    "timeout": 20,
                    "attributes": ["location"],
                }
            ],
        },
        "models": {
            run: {
                "kind": "openai",
                "model": f"vlm-{tag}",
                "base_url": base_url,
                "api_key_env": KEY_ENV,
                "max_concurrency": CONCURRENCY,
                "timeout": 20,
                "max_retries": 1,
            }
        },
    }
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return run


def cli(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "vipbench.cli", *args, "--repo", str(root)]


def run_to_end(root: Path, *args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    p = subprocess.run(cli(root, *args), capture_output=True, text=True, env=env(), timeout=300)
    assert p.returncode == 0, f"{args} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return time.perf_counter() - t0, p.stdout + p.stderr


def kill_when(root: Path, trigger: Callable[[], bool], *args: str) -> bool:
    """Start the command and SIGKILL it once `trigger()` is true; False if it finished first."""
    proc = subprocess.Popen(cli(root, *args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None:
            if trigger():
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return proc.returncode == -signal.SIGKILL
            assert time.monotonic() < deadline, f"{args} hangs"
            time.sleep(0.005)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Trigger:
    """True once the server has seen `k` requests for `model` and `extra` more seconds have passed."""

    def __init__(self, srv: FakeOpenAIServer, model: str, k: int, extra: float) -> None:
        self.srv, self.model, self.k, self.extra = srv, model, k, extra
        self.reached: float | None = None

    def __call__(self) -> bool:
        if self.reached is None and sum(1 for q in self.srv.snapshot() if q.model == self.model) >= self.k:
            self.reached = time.monotonic()
        return self.reached is not None and time.monotonic() - self.reached >= self.extra


def kill_point(rng: random.Random, stage: str, n_requests: int) -> tuple[int, float, str]:
    """A seeded random moment: after the k-th request to the model (k = 0: during start-up),
    plus a delay. For `score`, half the kills fall after the last judge request (MLflow logging)."""
    if stage == "score" and rng.random() < 0.5:
        return n_requests, rng.uniform(0.0, 2.0), "after judging"
    k = rng.randint(0, n_requests - 1)
    if k == 0:
        return 0, rng.uniform(0.1, 1.0), "during start-up"
    extra = rng.uniform(0.0, VLM_DELAY if stage == "infer" else JUDGE_DELAY)
    return k, extra, f"after request {k}/{n_requests}"


# -- caches ------------------------------------------------------------------------------------


def check_cache(path: Path, table: str) -> set[str]:
    """Integrity ok and no key twice; returns the keys."""
    if not path.exists():
        return set()
    db = sqlite3.connect(path, timeout=30)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path
        dup = db.execute(f"SELECT key, COUNT(*) FROM {table} GROUP BY key HAVING COUNT(*) > 1").fetchall()
        assert not dup, f"duplicated keys in {path}: {dup}"
        keys = [r[0] for r in db.execute(f"SELECT key FROM {table}")]
    finally:
        db.close()
    assert len(keys) == len(set(keys))
    return set(keys)


def check_integrity(path: Path) -> None:
    db = sqlite3.connect(path, timeout=30)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path
    finally:
        db.close()


def cached_items(path: Path, keys: set[str]) -> Counter[str]:
    """item_id -> number of cached answers, among the given response-cache keys."""
    db = sqlite3.connect(path, timeout=30)
    try:
        rows = db.execute("SELECT key, meta FROM responses").fetchall()
    finally:
        db.close()
    return Counter(json.loads(meta)["item_id"] for key, meta in rows if key in keys)


@dataclass
class Kill:
    stage: str
    tag: str
    delay: float
    #: server requests received before the process died
    seen: int
    #: infer: item ids whose answer was cached; score: judge-cache keys
    cached: set[str] = field(default_factory=set)


def item_of(req: Request, image_ids: dict[str, str]) -> str:
    kind = re.search(r"^Type: (\w+)", req.text, re.M)
    assert kind, req.text[:200]
    urls = req.image_urls()
    assert len(urls) == 1
    return f"{image_ids[urls[0]]}:{kind.group(1)}"


def judge_key(tag: str, base_url: str, req: Request) -> str:
    from vipbench.scoring.llm_judge import JudgeSpec, LLMJudgePanel

    t = re.search(r"True place: (.*)", req.text)
    g = re.search(r"Guessed place: (.*)", req.text)
    assert t and g
    spec = JudgeSpec(
        model=f"judge-{tag}", base_url=base_url, api_key_env=KEY_ENV, max_retries=0, timeout=20, attributes=["location"]
    )
    return LLMJudgePanel._key(None, spec, "location", t.group(1).strip(), g.group(1).strip())  # type: ignore[arg-type]


def compared(metrics_file: Path) -> dict[str, Any]:
    """The compared blocks of a run's full metrics (build/details/<run>.json beside metrics/<run>.json)."""
    details = metrics_file.parents[1] / "build" / "details" / metrics_file.name
    m = json.loads(details.read_text())
    return {k: m.get(k) for k in COMPARED}


def test_kill_and_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vipbench.inference.images import Images

    monkeypatch.setenv(KEY_ENV, "sk-kill-test")
    root = make_workspace(tmp_path / "ws")
    cache = root / ".vipbench" / "cache.sqlite"
    jcache = root / ".vipbench" / "judge-cache.sqlite"
    enc = Images(max_side=256)
    image_ids = {enc.encode(p): p.stem for p in sorted((root / "data" / "images").glob("*.jpg"))}
    rng = random.Random(SEED)
    kills: list[Kill] = []
    report: list[str] = []

    with FakeOpenAIServer(answer) as srv:
        # the uninterrupted reference
        ref_run = write_params(root, srv.base_url, "ref")
        run_to_end(root, "prepare")
        n_items = sum(1 for _ in (root / "build" / "items.jsonl").open())
        t_infer, _ = run_to_end(root, "infer", ref_run)
        t_score, _ = run_to_end(root, "score", ref_run)
        n_judge = srv.count() - n_items  # one judge request per distinct (truth, guess) of a location item
        reference = compared(root / "metrics" / f"{ref_run}.json")
        assert reference["overall"]["n"] == n_items == 2 * N_IMAGES
        assert reference["overall"]["answered"] == n_items
        report.append(f"uninterrupted: infer {t_infer:.1f}s, score {t_score:.1f}s, {n_items} items")

        cycle = 0
        while len(kills) < KILLS:
            cycle += 1
            assert cycle <= KILLS + 4, "too many kills missed their process"
            tag = f"c{cycle}"
            run = write_params(root, srv.base_url, tag)
            for stage, model in (("infer", f"vlm-{tag}"), ("score", f"judge-{tag}")):
                if len(kills) >= KILLS:
                    break
                keys_before = check_cache(cache, "responses") if stage == "infer" else check_cache(jcache, "responses")
                k, extra, where = kill_point(rng, stage, n_items if stage == "infer" else n_judge)
                killed = kill_when(root, Trigger(srv, model, k, extra), stage, run)
                seen = srv.count()
                # a kill at any moment leaves both caches (and MLflow's database) intact
                keys = check_cache(cache, "responses")
                jkeys = check_cache(jcache, "responses")
                check_integrity(root / "mlflow.db")
                if killed:
                    new = keys - keys_before if stage == "infer" else jkeys - keys_before
                    done = set(cached_items(cache, new)) if stage == "infer" else new
                    kills.append(Kill(stage, tag, extra, seen, done))
                    report.append(f"kill {len(kills)}: {stage} {run} {where} +{extra:.2f}s, {len(done)} cached")
                    # the resumed run completes
                    t = time.perf_counter()
                    run_to_end(root, stage, run)
                    report[-1] += f"; resumed in {time.perf_counter() - t:.1f}s"
                    check_cache(cache, "responses")
                    check_cache(jcache, "responses")
                else:
                    report.append(f"missed: {stage} {run} finished before {where} +{extra:.2f}s")
            if not (root / "metrics" / f"{run}.json").exists():  # only infer was killed this cycle
                run_to_end(root, "score", run)
            run_to_end(root, "track", run)  # the run's MLflow record (a killed score wrote none)

            # each item of this run is cached exactly once and answered, and the metrics are the reference's
            per_item = cached_items(cache, check_cache(cache, "responses"))
            responses = [json.loads(ln) for ln in (root / "build" / "responses" / f"{run}.jsonl").open()]
            assert len(responses) == n_items and all(r["status"] == "answered" for r in responses)
            assert compared(root / "metrics" / f"{run}.json") == reference, f"{run} differs from the reference"
            assert set(per_item.values()) == {cycle + 1}  # one cached answer per item and model so far

        # a client killed before it sent a body leaves an empty request in the log: not a prompt
        log = [q for q in srv.snapshot() if q.messages]
        base_url = srv.base_url
    print("\n" + "\n".join(report))

    # no request whose answer was cached at a kill is ever sent again
    for k in kills:
        later = [
            q
            for q in log
            if q.index >= k.seen and q.model == (f"vlm-{k.tag}" if k.stage == "infer" else f"judge-{k.tag}")
        ]
        if k.stage == "infer":
            again = {item_of(q, image_ids) for q in later} & k.cached
        else:
            again = {judge_key(k.tag, base_url, q) for q in later} & k.cached
        assert not again, f"{k.stage} {k.tag}: re-sent after the kill although cached: {sorted(again)[:5]}"
    # ...and per model, every prompt was answered once plus at most the requests in flight at a kill
    for model in {q.model for q in log}:
        ok = Counter(q.fingerprint for q in log if q.model == model and q.outcome == "ok")
        extra = sum(ok.values()) - len(ok)
        in_flight = CONCURRENCY if model and model.startswith("vlm") else 1
        assert extra <= in_flight * sum(1 for k in kills if model.endswith(k.tag)), (model, extra)

    # each run was recorded in MLflow once: a killed score left nothing half-made behind
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    names = Counter(
        r.info.run_name for r in mlflow.search_runs(experiment_names=["vipbench-killtest"], output_format="list")
    )
    assert names and max(names.values()) == 1, names

    assert len(kills) == KILLS
    assert {k.stage for k in kills} == {"infer", "score"}


def test_a_score_killed_while_creating_its_mlflow_run_leaves_no_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrowest window of a kill: the MLflow run exists, nothing else was written yet.

    The process dies inside the first MLflow call after the run was created (simulated by an
    exception from `log_params`); the re-run must find and complete that run, not add a second.
    """
    import mlflow

    from vipbench.ops import tracking

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    identity = {"run": "r", "model": "m"}
    real = mlflow.log_params

    def die(*a: Any, **k: Any) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(mlflow, "log_params", die)
    with pytest.raises(KeyboardInterrupt):
        tracking.log_run(tmp_path, "exp", "r", identity, {"p": 1}, {"m": 1.0}, {})
    monkeypatch.setattr(mlflow, "log_params", real)
    run_id = tracking.log_run(tmp_path, "exp", "r", identity, {"p": 1}, {"m": 1.0}, {})
    runs = mlflow.search_runs(experiment_names=["exp"], output_format="list")
    assert [r.info.run_id for r in runs] == [run_id]
    assert runs[0].data.metrics == {"m": 1.0} and runs[0].info.status == "FINISHED"
