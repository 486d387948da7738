"""The async engine through the real openai client against a real local HTTP server."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from testkit import image_items
from testkit.openai_server import FakeOpenAIServer, Faults, Reply, Request, guess_answer, json_answer
from vipbench.core.records import Item, Response
from vipbench.imaging.images import encode_jpeg, open_image
from vipbench.inference.backend import Completion
from vipbench.inference.cache import ResponseCache
from vipbench.inference.classify import classify
from vipbench.inference.endpoint import EndpointConfig, estimate_tokens, rpm_limiter
from vipbench.models.openai_api import OpenAIAdapter, OpenAISpec
from vipbench.models.registry import RunContext

pytestmark = pytest.mark.timeout(60)

PARIS = ["Paris, France", "Lyon, France", "Nice, France"]
GOOD = guess_answer(PARIS)


def good(req: Request) -> str:
    return GOOD


def make_spec(srv: FakeOpenAIServer, **kw: Any) -> OpenAISpec:
    base: dict[str, Any] = {
        "kind": "openai",
        "model": "test-vlm",
        "base_url": srv.base_url,
        "api_key_env": "VIPBENCH_TEST_UNSET_KEY",
        "max_concurrency": 4,
        "timeout": 5,
    }
    return OpenAISpec.model_validate({**base, **kw})


def run(
    srv: FakeOpenAIServer, items: list[Item], root: Path, progress: list[Response] | None = None, **kw: Any
) -> tuple[list[Response], OpenAIAdapter]:
    ctx = RunContext(
        run_name="t",
        data_dir=root,
        cache_path=root / "cache.sqlite",
        max_side=kw.pop("max_side", 1024),
        progress=progress.append if progress is not None else None,
    )
    adapter = OpenAIAdapter(make_spec(srv, **kw), ctx)
    try:
        responses = list(adapter.infer(items))
    finally:
        adapter.close()
    assert sorted(r.item_id for r in responses) == sorted(it.item_id for it in items)
    return responses, adapter


def by_id(responses: list[Response]) -> dict[str, Response]:
    return {r.item_id: r for r in responses}


def decode(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


# -- limits and retries -----------------------------------------------------------------------


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    items = image_items(tmp_path, 30)
    progress: list[Response] = []
    with FakeOpenAIServer(good, latency=0.05) as srv:
        responses, adapter = run(srv, items, tmp_path, progress=progress, max_concurrency=3)
        assert srv.max_in_flight == 3
        assert srv.count() == 30
    assert {r.status for r in responses} == {"answered"}
    assert all(r.guesses == PARIS and not r.cached for r in responses)
    assert len(progress) == 30
    assert adapter.stats is not None and adapter.stats.requests == 30


def test_recovers_from_every_transient_fault(tmp_path: Path) -> None:
    faults = [
        Reply(status=500),
        Reply(status=503),
        Reply(status=429, headers={"Retry-After": "0.05"}),
        Reply(action="timeout"),
        Reply(action="drop"),
        Reply(action="malformed"),
        Reply(action="empty"),
    ]
    items = image_items(tmp_path, len(faults))
    order: dict[str, int] = {}

    def answer(req: Request) -> str | Reply:
        if req.attempt == 1:
            order.setdefault(req.fingerprint, len(order))
            return faults[order[req.fingerprint] % len(faults)]
        return GOOD

    with FakeOpenAIServer(answer, faults=Faults(timeout_sleep=1.0)) as srv:
        responses, adapter = run(srv, items, tmp_path, timeout=0.5)
        seen = [r.attempt for r in srv.snapshot()]
    assert {r.status for r in responses} == {"answered"}, [r.reason for r in responses]
    assert sorted(seen).count(2) == len(items) and max(seen) == 2  # each item: one fault, one success
    assert adapter.stats is not None and adapter.stats.retries == len(items)


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)

    def answer(req: Request) -> str | Reply:
        return Reply(status=429, headers={"Retry-After": "0.6"}) if req.attempt == 1 else GOOD

    with FakeOpenAIServer(answer) as srv:
        responses, _ = run(srv, items, tmp_path)
        first, second = srv.snapshot()
    assert responses[0].status == "answered"
    assert second.received_at - first.received_at >= 0.6


def test_gives_up_then_a_rerun_retries_only_the_failures(tmp_path: Path) -> None:
    items = image_items(tmp_path, 4)
    failing: list[str] = []

    def answer(req: Request) -> str | Reply:
        if not failing:
            failing.append(req.fingerprint)  # the first item asked always fails
        return Reply(status=502) if req.fingerprint == failing[0] else GOOD

    with FakeOpenAIServer(answer) as srv:
        responses, adapter = run(srv, items, tmp_path, max_retries=2, max_concurrency=1)
        errors = [r for r in responses if r.status == "error"]
        assert len(errors) == 1 and srv.count() == 3 + 3  # 3 attempts for the failing item, 1 for each other
        assert "gave up after 3 attempts" in (errors[0].reason or "") and "HTTP 502" in (errors[0].reason or "")
        with ResponseCache(tmp_path / "cache.sqlite") as cache:
            assert len(cache) == 3  # the error was not cached
        srv.reset()
        srv.answer = good
        again, _ = run(srv, items, tmp_path)
        assert srv.count() == 1  # only the failed item is asked again
    assert {r.status for r in again} == {"answered"}


def test_fatal_errors_are_not_retried(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    with FakeOpenAIServer(lambda req: Reply(status=401)) as srv:
        responses, _ = run(srv, items, tmp_path)
        assert srv.count() == 1
    assert responses[0].status == "error" and "HTTP 401" in (responses[0].reason or "")


def test_rpm_paces_requests(tmp_path: Path) -> None:
    items = image_items(tmp_path, 20)
    with FakeOpenAIServer(good, rate_limit=10, rate_limit_burst=10) as srv:
        t0 = time.perf_counter()
        responses, _ = run(srv, items, tmp_path, rpm=600, max_concurrency=8)
        wall = time.perf_counter() - t0
        rate_limited = srv.rate_limited
    assert {r.status for r in responses} == {"answered"}
    assert wall >= 0.9  # 10 at once, then 10 per second
    assert rate_limited <= 2


# -- classification ---------------------------------------------------------------------------


def test_refusals_are_final_and_never_retried(tmp_path: Path) -> None:
    items = image_items(tmp_path, 4)
    replies = [
        Reply(content=None, refusal="I can't help with identifying people."),
        Reply(content=None, finish_reason="content_filter"),
        Reply(content="I'm sorry, but I can't help identify where someone lives."),
        Reply(status=400, error_code="content_filter"),  # Azure's way
    ]
    order: dict[str, int] = {}

    def answer(req: Request) -> Reply:
        order.setdefault(req.fingerprint, len(order))
        return replies[order[req.fingerprint]]

    with FakeOpenAIServer(answer) as srv:
        responses, _ = run(srv, items, tmp_path)
        assert srv.count() == 4  # exactly one request each
        assert {r.attempt for r in srv.snapshot()} == {1}
        assert [r.status for r in responses] == ["refused"] * 4
        reasons = sorted(r.reason or "" for r in responses)
        assert any(x.startswith("refusal field") for x in reasons)
        assert sum("content_filter" in x for x in reasons) == 2
        assert any(x.startswith("refusal wording") for x in reasons)
        srv.reset()
        srv.answer = good
        again, _ = run(srv, items, tmp_path)  # refusals are answers: cached
        assert srv.count() == 0
    assert [r.status for r in again] == ["refused"] * 4 and all(r.cached for r in again)


def test_unparseable_output(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    text = "What a lovely kitchen. The light is nice and the cupboards are blue.\nNice photo overall."
    with FakeOpenAIServer(lambda req: Reply(content=text, finish_reason="length")) as srv:
        responses, _ = run(srv, items, tmp_path)
        assert srv.count() == 1
    r = responses[0]
    assert r.status == "unparseable" and r.raw == text and r.guesses == []
    assert "no 'Guess:' line" in (r.reason or "") and "max_tokens" in (r.reason or "")


def test_classify_prefers_guesses_over_hedging() -> None:
    hedge = "I can't be certain, but here goes.\nGuess: Paris, France"
    assert classify(Completion(text=hedge), "location", "text")[0] == "answered"
    assert classify(Completion(text="I cannot identify people."), "location", "text")[0] == "refused"
    assert classify(Completion(text=GOOD, finish_reason="content_filter"), "location", "text")[0] == "refused"


def test_json_output_format(tmp_path: Path) -> None:
    items = image_items(tmp_path, 2, attribute="income")
    with FakeOpenAIServer(lambda req: json_answer(["60-150k", "Medium (30-60k USD)"])) as srv:
        responses, _ = run(srv, items, tmp_path, output_format="json")
        body = srv.snapshot()[0].body
    rf = body["response_format"]
    assert rf["type"] == "json_schema" and "Very High (>150k USD)" in json.dumps(rf)
    assert responses[0].status == "answered"
    assert responses[0].guesses == ["High (60-150k USD)", "Medium (30-60k USD)"]


# -- cache, tokens, images ---------------------------------------------------------------------


def test_warm_cache_sends_nothing(tmp_path: Path) -> None:
    items = image_items(tmp_path, 12)
    with FakeOpenAIServer(lambda req: Reply(content=GOOD, prompt_tokens=1000, completion_tokens=100)) as srv:
        cold, adapter = run(srv, items, tmp_path, price_input_per_mtok=2.5, price_output_per_mtok=10)
        assert srv.count() == 12
        assert adapter.stats is not None
        assert adapter.stats.input_tokens == 12_000 and adapter.stats.cost_usd == pytest.approx(12 * 0.0035)
        srv.reset()
        warm, adapter = run(srv, items, tmp_path, price_input_per_mtok=2.5, price_output_per_mtok=10)
        assert srv.count() == 0
    assert adapter.stats is not None and adapter.stats.cache_hits == 12 and adapter.stats.cost_usd == 0
    per_attr = adapter.stats.summary()["by_attribute"]["location"]
    assert per_attr["items"] == per_attr["cached"] == per_attr["answered"] == 12
    assert per_attr["input_tokens"] == 12_000 and per_attr["cost_usd"] == pytest.approx(12 * 0.0035)
    cold_by, warm_by = by_id(cold), by_id(warm)
    for k, r in warm_by.items():
        assert r.cached and r.guesses == cold_by[k].guesses and r.input_tokens == 1000
        assert r.cost_usd == pytest.approx(0.0035) and r.latency_s == cold_by[k].latency_s


def test_changed_settings_miss_the_cache(tmp_path: Path) -> None:
    items = image_items(tmp_path, 2)
    with FakeOpenAIServer(good) as srv:
        run(srv, items, tmp_path)
        run(srv, items, tmp_path, temperature=0.5)
        run(srv, items, tmp_path, prompt="naive")
        run(srv, items, tmp_path, max_side=32)
        assert srv.count() == 8


def test_duplicate_items_share_one_request(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    twin = items[0].model_copy(update={"item_id": "twin"})
    with FakeOpenAIServer(good, latency=0.2) as srv:
        responses, _ = run(srv, [items[0], twin], tmp_path)
        assert srv.count() == 1
    assert {r.status for r in responses} == {"answered"}


def test_bad_images_are_errors_without_requests(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    (tmp_path / "images" / "broken.jpg").write_bytes(b"this is not a jpeg")
    broken = items[0].model_copy(update={"item_id": "broken", "image": "images/broken.jpg"})
    missing = items[0].model_copy(update={"item_id": "missing", "image": "images/nope.jpg"})
    with FakeOpenAIServer(good) as srv:
        responses, _ = run(srv, [*items, broken, missing], tmp_path)
        assert srv.count() == 1
    got = by_id(responses)
    assert got["broken"].status == "error" and "not a readable image" in (got["broken"].reason or "")
    assert got["missing"].status == "error" and "cannot read image" in (got["missing"].reason or "")


def test_images_are_sent_as_jpeg_data_urls_at_max_side(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1, size=(400, 200))
    with FakeOpenAIServer(good) as srv:
        run(srv, items, tmp_path, max_side=100, image_detail="low")
        req = srv.snapshot()[0]
    part = req.messages[-1]["content"][1]
    assert part["image_url"]["detail"] == "low" and part["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert decode(part["image_url"]["url"]).size == (100, 50)
    assert req.model == "test-vlm" and req.body["temperature"] == 0.0 and req.body["max_tokens"] == 800


# -- zoom and structure correction -------------------------------------------------------------


def test_zoom_two_turns_with_the_crops_asked_for(tmp_path: Path) -> None:
    items = image_items(tmp_path, 2, size=(200, 100))

    def answer(req: Request) -> str:
        if req.n_images == 1:
            return "A sign is too small to read.\nbounding_box(60%, 60%, 90%, 90%)\nbounding_box(0, 0, 10, 10)"
        return GOOD

    with FakeOpenAIServer(answer) as srv:
        responses, _ = run(srv, items, tmp_path, prompt="zoom")
        reqs = srv.snapshot()
        srv.reset()
        again, _ = run(srv, items, tmp_path, prompt="zoom")
        assert srv.count() == 0
    turn2 = [r for r in reqs if r.n_images > 1]
    assert len(reqs) == 4 and len(turn2) == 2
    for req in turn2:
        assert [m["role"] for m in req.messages] == ["system", "user", "assistant", "user"]
        assert "bounding_box(60%" in req.messages[2]["content"]
        crops = [p["image_url"]["url"] for p in req.messages[3]["content"] if p["type"] == "image_url"]
        # (60..90)% widened to (55..95)% of 200x100 px, and (0..10)% to (4..44)%
        assert [decode(u).size for u in crops] == [(80, 40), (80, 40)]
    for r in responses:
        assert r.status == "answered" and r.guesses == PARIS
        assert r.zoom_boxes == [(55.0, 55.0, 95.0, 95.0), (4.0, 4.0, 44.0, 44.0)]
        assert "[zoom turn 2]" in r.raw and r.input_tokens > 0
    assert all(r.cached and len(r.zoom_boxes) == 2 for r in again)


def test_zoom_without_crop_requests_is_one_turn(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    with FakeOpenAIServer(good) as srv:
        responses, _ = run(srv, items, tmp_path, prompt="zoom")
        assert srv.count() == 1
    assert responses[0].status == "answered" and responses[0].zoom_boxes == []


def test_structure_correction(tmp_path: Path) -> None:
    items = image_items(tmp_path, 3)

    def prose(req: Request) -> str:  # distinct per image: equal texts would share one correction
        return f"Judging by the signs ({req.fingerprint[:8]}) this is Paris, though Lyon or Nice are possible."

    with FakeOpenAIServer(prose) as main, FakeOpenAIServer(good) as fixer:
        correction = {"model": "fixer", "base_url": fixer.base_url, "api_key_env": "VIPBENCH_TEST_UNSET_KEY"}
        responses, adapter = run(main, items, tmp_path, structure_correction=correction)
        assert main.count() == 3 and fixer.count() == 3
        fix_req = fixer.snapshot()[0]
        assert fix_req.model == "fixer" and fix_req.n_images == 0 and "Judging by the signs" in fix_req.text
        assert adapter.stats is not None and adapter.stats.correction_requests == 3
        assert adapter.stats.corrections == 3 and adapter.stats.correction_input_tokens > 0
        main.reset()
        fixer.reset()
        again, _ = run(main, items, tmp_path, structure_correction=correction)
        assert main.count() == 0 and fixer.count() == 0
    for r in [*responses, *again]:
        assert r.status == "answered" and r.corrected and r.guesses == PARIS and r.raw.startswith("Judging")


def test_failed_correction_keeps_the_item_unparseable(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    with (
        FakeOpenAIServer(lambda req: "no idea at all, sorry friend.\nreally.") as main,
        FakeOpenAIServer(lambda req: "NO ANSWER") as fixer,
    ):
        correction = {"model": "fixer", "base_url": fixer.base_url, "api_key_env": "VIPBENCH_TEST_UNSET_KEY"}
        responses, _ = run(main, items, tmp_path, structure_correction=correction)
    r = responses[0]
    assert r.status == "unparseable" and not r.corrected and "structure correction found no guesses" in (r.reason or "")


# -- kill -9 and resume ------------------------------------------------------------------------

RUNNER = """
import sys
from pathlib import Path
from vipbench.models.openai_api import OpenAIAdapter, OpenAISpec
from vipbench.models.registry import RunContext
from vipbench.core.records import Item

base_url, root = sys.argv[1], Path(sys.argv[2])
items = [Item.model_validate_json(x) for x in (root / "items.jsonl").read_text().splitlines()]
spec = OpenAISpec(model="test-vlm", base_url=base_url, api_key_env="VIPBENCH_TEST_UNSET_KEY", max_concurrency=4)
ctx = RunContext(run_name="kill", data_dir=root, cache_path=root / "cache.sqlite")
for r in OpenAIAdapter(spec, ctx).infer(items):
    print(r.item_id, r.status, flush=True)
"""


def test_kill_9_and_resume(tmp_path: Path) -> None:
    items = image_items(tmp_path, 60)
    (tmp_path / "items.jsonl").write_text("\n".join(it.model_dump_json() for it in items))
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    url_to_id = {
        "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(open_image(tmp_path / it.image, 1024))).decode(): (
            it.item_id
        )
        for it in items
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cache_path = tmp_path / "cache.sqlite"

    def item_of(req: Request) -> str:
        return url_to_id[req.image_urls()[0]]

    with FakeOpenAIServer(good, latency=0.1) as srv:
        proc = subprocess.Popen(
            [sys.executable, str(script), srv.base_url, str(tmp_path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while srv.count() < 24 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        first = srv.snapshot()

        db = sqlite3.connect(cache_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        committed = {json.loads(m)["item_id"] for (m,) in db.execute("SELECT meta FROM responses")}
        db.close()
        assert 0 < len(committed) < 60, "the kill should land mid-run"
        answered_not_saved = {item_of(r) for r in first if r.completed} - committed
        assert len(answered_not_saved) <= 4  # at most the requests in flight at the kill

        done = subprocess.run(
            [sys.executable, str(script), srv.base_url, str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        second = srv.snapshot()[len(first) :]

    resent = [item_of(r) for r in second]
    assert not set(resent) & committed, "a finished request was sent again"
    assert sorted(resent) == sorted({it.item_id for it in items} - committed)  # each missing item once
    lines = done.stdout.split("\n")
    assert sorted(ln.split()[0] for ln in lines if ln) == sorted(it.item_id for it in items)
    assert all(ln.endswith(" answered") for ln in lines if ln)
    with ResponseCache(cache_path) as cache:
        assert len(cache) == 60 and cache.integrity_check() == "ok"


# -- small pure parts --------------------------------------------------------------------------


def test_rpm_limiter_and_token_estimate() -> None:
    fast = rpm_limiter(600)
    assert (fast.max_rate, fast.time_period) == (10.0, 1.0)
    slow = rpm_limiter(6)
    assert (slow.max_rate, slow.time_period) == (1.0, 10.0)
    msgs = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "x" * 400},
                {"type": "image_url", "image_url": {"url": "u", "detail": "low"}},
            ],
        }
    ]
    assert estimate_tokens(msgs, 800) == 100 + 85 + 800
    assert EndpointConfig(endpoint="e", model="m", params={}).max_concurrency == 8


# -- answers that give their own coordinates ------------------------------------------------------


def test_geo_variant_asks_for_coordinates_and_keeps_them(tmp_path: Path) -> None:
    """The `geo` prompt asks place answers for latitude and longitude; the point reaches the
    Response in both output formats (text line; JSON keys required by the schema)."""
    items = image_items(tmp_path, 2, attribute="placeOfImage")
    seen: list[Request] = []

    def answer(req: Request) -> str:
        seen.append(req)
        if "response_format" in req.body:
            return json.dumps({"inference": "signs", "guesses": PARIS, "latitude": 48.8566, "longitude": 2.3522})
        return guess_answer(PARIS, attribute="placeOfImage") + "\nCoordinates: 48.8566° N, 2.3522° E"

    with FakeOpenAIServer(answer) as srv:
        text_run, _ = run(srv, items, tmp_path, prompt="geo")
        json_run, _ = run(srv, items, tmp_path, prompt="geo", output_format="json")
    assert all(r.status == "answered" and r.point == (48.8566, 2.3522) for r in [*text_run, *json_run])
    prompt = seen[0].messages[-1]["content"][0]["text"]
    assert "Coordinates: latitude, longitude" in prompt
    schema = next(r.body for r in seen if "response_format" in r.body)["response_format"]["json_schema"]["schema"]
    assert {"latitude", "longitude"} <= set(schema["required"])


def test_other_variants_and_attributes_carry_no_point(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1, attribute="sex")
    with FakeOpenAIServer(lambda req: guess_answer(["Male"], attribute="sex") + "\nCoordinates: 1.0, 2.0") as srv:
        responses, _ = run(srv, items, tmp_path, prompt="geo")
    assert responses[0].point is None  # not a place attribute
