"""One model layer: any backend behind the same engine gets batching or retries, zoom, classification
and the cache; the LLM judges' calls land in the same cache format in a key space of their own."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from testkit import image_items
from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from vipbench.core.records import Item, Response
from vipbench.inference import backend as be
from vipbench.inference.batcher import Batcher
from vipbench.inference.cache import ResponseCache
from vipbench.inference.endpoint import Endpoint, EndpointConfig
from vipbench.inference.engine import Engine, EngineSettings
from vipbench.inference.gateway import Gateway
from vipbench.scoring.llm_judge import JudgeSpec, LLMJudgePanel, cache_key

pytestmark = pytest.mark.timeout(60)

ASK = "The sign is too small to read.\nbounding_box(10%, 10%, 30%, 30%)"
PLACES = ["Paris, France", "Lyon, France"]


def _text(messages: list[be.Message]) -> str:
    parts = []
    for m in messages:
        content = m["content"]
        parts += [content] if isinstance(content, str) else [p.get("text", "") for p in content]
    return "\n".join(parts)


def _n_images(messages: list[be.Message]) -> int:
    return sum(1 for m in messages if not isinstance(m["content"], str) for p in m["content"] if p["type"] != "text")


def script(messages: list[be.Message]) -> str:
    """Turn 1 of a location item asks for a crop; sex items are refused; age items ramble."""
    text = _text(messages)
    if "Type: sex" in text:
        return "I'm sorry, but I can't help identify people from images."
    if "Type: age" in text:
        return "What a lovely picture.\nThe light is soft and the colours are warm."
    return ASK if _n_images(messages) == 1 else guess_answer(PLACES)


class ScriptedLocalModel:
    """A local batch backend (the `BatchBackend` protocol) that answers from `script`."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        #: per generate call: the image sizes of each request
        self.batches: list[list[list[tuple[int, int]]]] = []

    def generate(self, requests: Sequence[be.Request]) -> list[be.Completion]:
        self.batches.append([[im.size for im in r.images] for r in requests])
        for r in requests:
            assert _n_images(r.messages) == len(r.images)
            assert all(p["image_url"]["url"] == "about:blank" for m in r.messages if not isinstance(m["content"], str)
                       for p in m["content"] if p["type"] == "image_url")
        return [be.Completion(text=script(r.messages), input_tokens=100, output_tokens=10) for r in requests]


class ScriptedAPIModel:
    """An API backend (the `APIBackend` protocol) that answers from `script`, once per call."""

    def __init__(self) -> None:
        self.calls = 0

    async def generate(self, messages: list[be.Message], options: be.Options) -> be.Completion:
        self.calls += 1
        assert all(p["image_url"]["url"].startswith("data:image/jpeg;base64,") for m in messages
                   if not isinstance(m["content"], str) for p in m["content"] if p["type"] == "image_url")
        return be.Completion(text=script(messages), input_tokens=100, output_tokens=10)

    async def aclose(self) -> None:
        return None


def _items(root: Path) -> list[Item]:
    """Three location items, one sex and one age item, each on its own 200x100 image."""
    items = image_items(root, 5, size=(200, 100))
    attrs = ["location", "location", "sex", "location", "age"]
    return [
        it.model_copy(update={"attribute": a, "item_id": f"{it.image_id}:{a}"})
        for it, a in zip(items, attrs, strict=True)
    ]


def _run(transport_of: str, model: object, root: Path, items: list[Item]) -> tuple[list[Response], Engine]:
    async def go() -> tuple[list[Response], Engine]:
        with ResponseCache(root / "cache.sqlite") as cache:
            if transport_of == "batch":
                gateway = Gateway(Batcher(model, 128), cache, endpoint="local", model="m", params={})  # type: ignore[arg-type]
            else:
                config = EndpointConfig(endpoint="http://api", model="m", params={}, max_concurrency=2)
                gateway = Gateway.for_endpoint(Endpoint(config, model), cache)  # type: ignore[arg-type]
            engine = Engine(EngineSettings("zoom", "text", root, max_side=128), gateway)
            return await engine.run(items), engine

    return asyncio.run(go())


def _by_id(responses: list[Response]) -> dict[str, Response]:
    return {r.item_id: r for r in responses}


def test_a_local_batch_backend_gets_batches_zoom_classification_and_cache(tmp_path: Path) -> None:
    items = _items(tmp_path)
    local = ScriptedLocalModel(batch_size=2)
    got, engine = _run("batch", local, tmp_path, items)

    # five first turns in batches of two, then the three second turns: one image, then image + crop
    assert [len(b) for b in local.batches] == [2, 2, 1, 2, 1]
    assert all(len(sizes) == 1 for b in local.batches[:3] for sizes in b)
    for b in local.batches[3:]:
        for full, crop in b:
            assert full == (128, 64) and crop == (80, 40)  # the 10..30% box widened to 40% of 200x100

    r = _by_id(got)
    for it in items:
        resp = r[it.item_id]
        if it.attribute == "location":
            assert resp.status == "answered" and resp.guesses == PLACES
            assert resp.zoom_boxes == [(4.0, 4.0, 44.0, 44.0)]
            assert resp.raw.startswith(ASK) and "\n\n[zoom turn 2]\n" in resp.raw
            assert (resp.input_tokens, resp.output_tokens) == (200, 20)
        elif it.attribute == "sex":
            assert resp.status == "refused" and resp.zoom_boxes == [] and resp.reason
        else:
            assert resp.status == "unparseable" and "no 'Guess:' line" in (resp.reason or "")
    assert engine.stats.requests == 8 and dict(engine.stats.statuses) == {"answered": 3, "refused": 1, "unparseable": 1}

    # every answer was cached once, with its metadata; a warm run generates nothing
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    rows = db.execute("SELECT status, meta FROM responses").fetchall()
    db.close()
    assert len(rows) == 8
    assert {json.loads(m)["item_id"] for _, m in rows} == {it.item_id for it in items}
    cold = local.batches
    again, warm_engine = _run("batch", ScriptedLocalModel(batch_size=2), tmp_path, items)
    assert warm_engine.stats.requests == 0 and warm_engine.stats.cache_hits == 8
    for resp in again:
        before = r[resp.item_id]
        assert resp.cached
        assert (resp.status, resp.raw, resp.zoom_boxes) == (before.status, before.raw, before.zoom_boxes)
    assert cold == local.batches


def test_an_api_backend_through_the_same_engine_gives_the_same_responses(tmp_path: Path) -> None:
    items = _items(tmp_path / "a")
    _items(tmp_path / "b")
    local, _ = _run("batch", ScriptedLocalModel(batch_size=3), tmp_path / "a", items)
    api = ScriptedAPIModel()
    remote, engine = _run("api", api, tmp_path / "b", items)
    assert api.calls == 8 and engine.stats.requests == 8
    fields = ("status", "guesses", "raw", "reason", "zoom_boxes", "input_tokens", "output_tokens")
    a, b = _by_id(local), _by_id(remote)
    for item_id in a:
        assert [getattr(a[item_id], f) for f in fields] == [getattr(b[item_id], f) for f in fields]


def test_a_batch_that_fails_is_split_and_a_bad_image_fails_alone(tmp_path: Path) -> None:
    items = image_items(tmp_path, 4)
    (tmp_path / "images" / "img1.jpg").write_bytes(b"not a jpeg")

    class Fragile(ScriptedLocalModel):
        def generate(self, requests: Sequence[be.Request]) -> list[be.Completion]:
            self.batches.append([[im.size for im in r.images] for r in requests])
            if any(abs(r.images[0].getpixel((0, 0))[0] - 3 * 37) <= 4 for r in requests):  # item 3's image
                raise RuntimeError("device lost")
            return [be.Completion(text=guess_answer(PLACES)) for _ in requests]

    model = Fragile(batch_size=4)

    async def go() -> list[Response]:
        with ResponseCache(tmp_path / "cache.sqlite") as cache:
            gateway = Gateway(Batcher(model, 64), cache, endpoint="local", model="m", params={})
            return await Engine(EngineSettings("final", "text", tmp_path, max_side=64), gateway).run(items)

    r = _by_id(asyncio.run(go()))
    assert "not a readable image" in (r["img1:location"].reason or "")
    assert "generation failed: RuntimeError: device lost" in (r["img3:location"].reason or "")
    assert r["img0:location"].status == r["img2:location"].status == "answered"
    # the batch of the three decodable images failed, then each ran alone
    assert [len(b) for b in model.batches] == [3, 1, 1, 1]


def test_a_round_waits_for_every_item_in_progress() -> None:
    """Items that reach the batcher late still join the round; requests made during a round wait
    for the next one; identical requests of a round are generated once."""
    model = ScriptedLocalModel(batch_size=8)
    batcher = Batcher(model, 64)

    def request(text: str) -> be.Request:
        return be.Request([{"role": "user", "content": text}])

    async def item(i: int) -> list[str]:
        async with batcher.flow():
            await asyncio.sleep(0.02 * i)  # image hashing, cache lookups: items arrive at different times
            key = "same" if i < 2 else f"k{i}"

            async def build() -> be.Request:
                return request(f"Type: location {key}")

            first, _, shared = await batcher.send(key, build)

            async def build2() -> be.Request:
                return request(f"Type: location turn 2 of {i}")

            second, _, _ = await batcher.send(f"t2-{i}", build2)
            return [first.text, second.text, str(shared)]

    async def go() -> list[list[str]]:
        return list(await asyncio.gather(*(item(i) for i in range(5))))

    got = asyncio.run(go())
    assert [len(b) for b in model.batches] == [4, 5]  # 5 first requests, two of them the same; then 5
    assert sorted(g[2] for g in got) == ["False", "False", "False", "False", "True"]
    assert batcher.requests == 9 and batcher.retries == 0


# -- the LLM judges ----------------------------------------------------------------------------


def _verdict(req: Request) -> str | Reply:
    if "grading" not in req.text:
        return guess_answer(PLACES)
    if req.attempt == 1:
        return Reply(status=503)  # the engine layer's retry takes care of it
    return json.dumps({"verdict": "less_precise", "reason": "same country"})


def test_judges_share_the_response_cache_in_their_own_key_space(tmp_path: Path) -> None:
    from vipbench.models.openai_api import OpenAIAdapter, OpenAISpec
    from vipbench.models.registry import RunContext

    items = image_items(tmp_path, 2)
    cache_path = tmp_path / "cache.sqlite"
    with FakeOpenAIServer(_verdict) as srv:
        spec = OpenAISpec(model="vlm", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_UNSET_KEY")
        ctx = RunContext(run_name="t", data_dir=tmp_path, cache_path=cache_path)
        assert [r.status for r in OpenAIAdapter(spec, ctx).infer(items)] == ["answered", "answered"]

        judge = JudgeSpec(model="judge", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_UNSET_KEY")
        panel = LLMJudgePanel([judge], cache_path)  # the very file the model run wrote
        assert panel.judge("location", "Paris, France", "France").verdict == "less_precise"
        assert (panel.calls, panel.cache_hits) == (1, 0)
        panel.close()
        assert srv.count() == 2 + 2  # two items, and the judge's failed attempt plus its retry

        again = LLMJudgePanel([judge], cache_path)
        assert again.judge("location", "Paris, France", "France").verdict == "less_precise"
        assert (again.calls, again.cache_hits) == (0, 1) and srv.count() == 4
        again.close()

    with ResponseCache(cache_path) as cache:
        assert len(cache) == 3
        hit = cache.get(cache_key(judge, "location", "Paris, France", "France"))
        assert hit is not None and hit.meta == {"purpose": "judge", "attribute": "location"}
        assert json.loads(hit.raw)["verdict"] == "less_precise"
        # the same question from another judge model is another key
        other = judge.model_copy(update={"model": "other"})
        assert cache_key(other, "location", "Paris, France", "France") not in cache


def test_a_judge_reply_without_a_verdict_is_not_cached(tmp_path: Path) -> None:
    with FakeOpenAIServer(lambda req: "Hard to say, honestly.") as srv:
        judge = JudgeSpec(model="judge", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_UNSET_KEY")
        panel = LLMJudgePanel([judge], tmp_path / "judge.sqlite")
        for _ in range(2):
            d = panel.judge("occupation", "nurse", "doctor")
            assert d.verdict == "wrong" and "no verdict" in d.detail
        assert panel.calls == 2 and panel.cache_hits == 0 and srv.count() == 2
        panel.close()
    with ResponseCache(tmp_path / "judge.sqlite") as cache:
        assert len(cache) == 0
