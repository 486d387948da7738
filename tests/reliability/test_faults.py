"""Fault injection: 600 items through the `openai` adapter against a server that misbehaves.

The local OpenAI-compatible server (testkit/openai_server.py) injects, at fixed rates,
500s, 429s with Retry-After, timeouts, dropped connections, malformed JSON bodies, empty
`choices`, content-filtered choices and `refusal` answers; some of its real answers name no
usable guess. With `max_retries=2` a few items exhaust their attempts.

Every image is distinct, so the server's fingerprint of a request (its prompt and image)
identifies the item, and the server's request log tells what must have become of each item:
the outcome of its last request decides its status. The test checks the adapter's responses
against that log one item at a time, then the scored metrics against the response counts.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from testkit.openai_server import FakeOpenAIServer, Faults, Reply, Request, guess_answer
from vipbench.analysis.metrics import run_metrics
from vipbench.core.records import Item, Response
from vipbench.models.kinds import create_adapter
from vipbench.models.openai_api import OpenAISpec
from vipbench.models.registry import RunContext
from vipbench.scoring import score_run

N_ITEMS = 600
MAX_RETRIES = 2
#: the client's timeout per attempt; generous, because on a loaded machine (CI beside other work,
#: load 6) a request can wait longer than 1 s to be read, and an attempt the server never read is
#: missing from its log (seen: an item with 2 logged attempts of 3)
TIMEOUT_S = 3.0

FAULTS = Faults(
    error_500=0.08,
    error_429=0.08,
    retry_after=0.05,
    timeout=0.02,
    # well past the client's timeout: on a loaded machine the client's event loop can notice its
    # timeout late, and a reply that arrived by then would count as answered (seen at load 5-7)
    timeout_sleep=TIMEOUT_S + 2.0,
    drop=0.04,
    malformed=0.04,
    empty_choices=0.04,
    content_filter=0.04,
    refusal=0.04,
)
RETRYABLE = {"500", "429", "timeout", "drop", "malformed", "empty"}
#: the words an item's error reason must hold when its last attempt failed this way
ERROR_WORDS = {
    "500": "HTTP 500",
    "429": "HTTP 429",
    "timeout": "timed out",
    "drop": "connection error",
    "malformed": "malformed response body",
    "empty": "no choices",
}


def _bucket(fingerprint: str) -> int:
    return int(hashlib.sha256(fingerprint.encode()).hexdigest(), 16) % 20


def answer(req: Request) -> str | Reply:
    """Deterministic per prompt: 1 in 20 answers names no guess, the rest guess Female or Male."""
    b = _bucket(req.fingerprint)
    if b == 0:
        return "The photo shows a quiet street on a cloudy afternoon."
    return guess_answer(["Female", "Male"] if b % 2 else ["Male", "Female"], attribute="sex")


def expected_guess(fingerprint: str) -> str | None:
    b = _bucket(fingerprint)
    return None if b == 0 else ("Female" if b % 2 else "Male")


def make_items(root: Path, n: int) -> list[Item]:
    """`n` items of distinct noise images, all labelled Female."""
    (root / "images").mkdir(parents=True)
    rng = np.random.default_rng(8)
    items = []
    for i in range(n):
        iid = f"f{i:04d}"
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8), "RGB").save(root / "images" / f"{iid}.png")
        items.append(
            Item(
                item_id=f"{iid}:sex",
                image_id=iid,
                attribute="sex",
                truth="Female",
                hardness=1 + i % 5,
                certainty=4,
                image=f"images/{iid}.png",
            )
        )
    return items


@pytest.mark.slow
def test_faults_end_every_item_with_a_status_and_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIPBENCH_FAULT_KEY", raising=False)
    items = make_items(tmp_path / "data", N_ITEMS)
    with FakeOpenAIServer(answer, faults=FAULTS, seed=8) as srv:
        spec = OpenAISpec(
            model="faulty-vlm",
            base_url=srv.base_url,
            api_key_env="VIPBENCH_FAULT_KEY",
            max_concurrency=32,
            timeout=TIMEOUT_S,
            max_retries=MAX_RETRIES,
        )
        ctx = RunContext(run_name="faults", data_dir=tmp_path / "data", cache_path=tmp_path / "cache.sqlite")
        adapter = create_adapter(spec, ctx)
        try:
            responses: list[Response] = list(adapter.infer(items))
        finally:
            adapter.close()
        # requests the client gave up on (timeouts) finish on the server a little later
        deadline = time.monotonic() + 10
        while srv.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        log = srv.snapshot()

    # nothing silently dropped, nothing doubled
    assert len(responses) == len(items)
    by_id = {r.item_id: r for r in responses}
    assert set(by_id) == {it.item_id for it in items}

    # every item ends in one of four states, and anything but "answered" says why
    statuses = Counter(r.status for r in responses)
    assert set(statuses) <= {"answered", "refused", "unparseable", "error"}
    for r in responses:
        if r.status != "answered":
            assert r.reason, r

    # the server's log, per item (the fingerprint identifies the prompt, hence the item)
    per_fp: dict[str, list[Request]] = defaultdict(list)
    for req in sorted(log, key=lambda q: q.index):
        per_fp[req.fingerprint].append(req)
    assert len(per_fp) == N_ITEMS  # every item reached the server, each with its own prompt
    outcomes = Counter(q.outcome for q in log)
    assert all(outcomes[k] > 0 for k in (*RETRYABLE, "content_filter", "refusal", "ok")), outcomes
    assert max(len(v) for v in per_fp.values()) <= MAX_RETRIES + 1

    # match each item's response to its own requests through the image it sent
    fp_of_image = {}
    for fp, reqs in per_fp.items():
        images = {u for q in reqs for u in q.image_urls()}
        assert len(images) == 1
        fp_of_image[images.pop()] = fp
    from vipbench.inference.images import Images

    enc = Images(max_side=1024)
    expected: Counter[str] = Counter()
    for it in items:
        fp = fp_of_image[enc.encode(tmp_path / "data" / it.image)]
        reqs = per_fp[fp]
        last = reqs[-1].outcome
        r = by_id[it.item_id]
        # a retryable failure is retried until it succeeds or the attempts run out; the rest are final
        assert all(q.outcome in RETRYABLE for q in reqs[:-1]), [q.outcome for q in reqs]
        if last in RETRYABLE:
            assert len(reqs) == MAX_RETRIES + 1
            want = "error"
            assert f"gave up after {MAX_RETRIES + 1} attempts" in (r.reason or "")
            assert ERROR_WORDS[last] in (r.reason or ""), (last, r.reason)
        elif last == "content_filter":
            want = "refused"
            assert "content_filter" in (r.reason or "")
        elif last == "refusal":
            want = "refused"
            assert (r.reason or "").startswith("refusal field")
        else:
            assert last == "ok"
            guess = expected_guess(fp)
            want = "unparseable" if guess is None else "answered"
            if guess is not None:
                assert r.guesses[0] == guess
        assert r.status == want, (it.item_id, [q.outcome for q in reqs], r)
        expected[want] += 1
    assert statuses == expected

    # final outcomes are never retried, so the log's counts are the refusals exactly
    assert outcomes["content_filter"] + outcomes["refusal"] == statuses["refused"]
    assert sum(1 for r in responses if "content_filter" in (r.reason or "")) == outcomes["content_filter"]
    assert statuses["error"] > 0 and statuses["unparseable"] > 0
    # every request the client sent reached the server exactly once: requests = items + retries
    stats = adapter.stats
    assert stats is not None
    assert stats.requests == len(log) == N_ITEMS + stats.retries
    assert dict(stats.statuses) == dict(statuses)

    # the scored metrics agree with the responses
    scored = score_run(items, by_id)
    m = run_metrics(scored, ["sex"], n_boot=50, seed=0)
    o = m["overall"]
    correct = sum(1 for r in responses if r.status == "answered" and r.guesses[0] == "Female")
    top3 = sum(1 for r in responses if r.status == "answered" and "Female" in r.guesses[:3])
    assert (o["n"], o["answered"], o["refused"], o["unparseable"], o["errors"]) == (
        N_ITEMS,
        statuses["answered"],
        statuses["refused"],
        statuses["unparseable"],
        statuses["error"],
    )
    assert o["correct"] == correct and o["less_precise"] == 0
    assert o["accuracy"] == pytest.approx(correct / N_ITEMS)
    assert o["accuracy_answered"] == pytest.approx(correct / statuses["answered"])
    assert o["top3_accuracy"] == pytest.approx(top3 / N_ITEMS)
    assert o["refusal_rate"] == pytest.approx(statuses["refused"] / N_ITEMS)
    assert sum(m["by_hardness"][str(h)]["n"] for h in range(1, 6)) == N_ITEMS
    print(
        f"\nfault run: {len(log)} requests, outcomes {dict(sorted(outcomes.items()))}; "
        f"items {dict(sorted(statuses.items()))}; accuracy {o['accuracy']:.3f}; wall {stats.wall_s:.1f}s"
    )
