"""The `hf` kind end to end on tiny random VLMs built from configs: loading, batching, caching, errors."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

importlib.import_module("torch")
importlib.import_module("transformers")

from testkit.tiny_vlm import (  # noqa: E402
    build_tiny_gemma3,
    build_tiny_idefics2,
    build_tiny_idefics3,
    build_tiny_llava,
    build_tiny_llava_next,
)
from vipbench.core.records import Item, Response  # noqa: E402
from vipbench.inference.classify import classify_text  # noqa: E402
from vipbench.models.hf import (  # noqa: E402
    HFAdapter,
    HFSpec,
    _Output,
    fold_system,
    to_processor_messages,
)
from vipbench.models.kinds import create_adapter, spec_class  # noqa: E402
from vipbench.models.registry import RunContext  # noqa: E402

VALID = {"answered", "refused", "unparseable", "error"}
#: attributes whose prompts differ in length, so a batch of them needs padding
ATTRIBUTES = ["location", "sex", "age", "income", "occupation", "maritalStatus"]
#: fixtures of the tiny model families that the batching and zoom tests run on
FAMILIES = ["tiny_llava", "tiny_idefics3", "tiny_llava_next", "tiny_gemma3", "tiny_idefics2"]


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llava(tmp_path_factory.mktemp("models") / "llava")


@pytest.fixture(scope="session")
def tiny_llava_next(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llava_next(tmp_path_factory.mktemp("models") / "llava_next")


@pytest.fixture(scope="session")
def tiny_idefics3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_idefics3(tmp_path_factory.mktemp("models") / "idefics3")


@pytest.fixture(scope="session")
def tiny_gemma3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gemma3(tmp_path_factory.mktemp("models") / "gemma3")


@pytest.fixture(scope="session")
def tiny_idefics2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_idefics2(tmp_path_factory.mktemp("models") / "idefics2")


def _item(i: int, attribute: str, image: str) -> Item:
    return Item(
        item_id=f"item-{i}",
        image_id=f"img-{i}",
        attribute=attribute,
        truth="x",
        hardness=2,
        certainty=4,
        image=image,
    )


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, list[Item]]:
    """Six small images of different sizes and modes, one item each."""
    root = tmp_path / "data"
    (root / "images").mkdir(parents=True)
    items = []
    for i, attribute in enumerate(ATTRIBUTES):
        size = (40 + 17 * i, 30 + 11 * i)
        if i % 3 == 0:
            Image.new("RGB", size, (i * 40, 90, 160)).save(root / "images" / f"img-{i}.jpg")
            name = f"img-{i}.jpg"
        elif i % 3 == 1:
            Image.new("RGBA", size, (200, i * 30, 10, 128)).save(root / "images" / f"img-{i}.png")
            name = f"img-{i}.png"
        else:
            Image.new("L", size, i * 30).save(root / "images" / f"img-{i}.png")
            name = f"img-{i}.png"
        items.append(_item(i, attribute, f"images/{name}"))
    return root, items


def _ctx(
    root: Path, progress: Callable[[Response], None] | None = None, cache: str = "cache.sqlite"
) -> RunContext:
    return RunContext(run_name="tiny", data_dir=root, cache_path=root.parent / cache, progress=progress)


def _run(model: Path, root: Path, items: list[Item], batch_size: int, **kw: object) -> dict[str, Response]:
    spec = HFSpec(kind="hf", model=str(model), batch_size=batch_size, max_new_tokens=12)
    adapter = create_adapter(spec, _ctx(root, cache=f"cache-b{batch_size}.sqlite", **kw))  # type: ignore[arg-type]
    try:
        return {r.item_id: r for r in adapter.infer(items)}
    finally:
        adapter.close()


# ----------------------------------------------------------------------------- spec and helpers


def test_spec_is_registered_with_defaults() -> None:
    cls = spec_class("hf")
    assert cls is HFSpec
    spec = cls.model_validate({"kind": "hf", "model": "some/model"})
    assert isinstance(spec, HFSpec)
    assert (spec.dtype, spec.device_map, spec.batch_size, spec.max_new_tokens) == ("auto", None, 4, 256)
    assert (spec.do_sample, spec.seed, spec.revision, spec.trust_remote_code) == (False, 0, None, False)
    with pytest.raises(ValueError):
        cls.model_validate({"kind": "hf", "model": "m", "temprature": 0.2})
    with pytest.raises(ValueError):
        cls.model_validate({"kind": "hf", "model": "m", "dtype": "int8"})
    with pytest.raises(ValueError):
        cls.model_validate({"kind": "hf", "model": "m", "batch_size": 0})


def test_messages_become_processor_form() -> None:
    messages = [
        {"role": "system", "content": "Be careful."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}},
            ],
        },
    ]
    converted, n_images = to_processor_messages(messages)
    assert n_images == 1
    assert converted == [
        {"role": "system", "content": [{"type": "text", "text": "Be careful."}]},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image"}]},
    ]
    folded = fold_system(converted)
    assert [m["role"] for m in folded] == ["user"]
    assert folded[0]["content"][0]["text"].startswith("Be careful.")
    assert folded[0]["content"][-1] == {"type": "image"}
    with pytest.raises(ValueError, match="audio"):
        to_processor_messages([{"role": "user", "content": [{"type": "input_audio"}]}])


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Type: sex\nInference: a beard and a suit.\nGuess: Male; Female; Male", "answered"),
        ("I'm sorry, but I can't help identify people from images.", "refused"),
        (
            "The weather is nice.\nThe sky is blue, and the street is quiet today.\nNothing else.",
            "unparseable",
        ),
        ("", "unparseable"),
    ],
)
def test_classify_text(text: str, status: str) -> None:
    got, guesses, _, reason = classify_text(text, "sex", "text")
    assert got == status
    assert bool(guesses) == (status == "answered")
    assert (reason is None) == (status == "answered")


def test_module_imports_without_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        import vipbench.models.hf
        from vipbench.models.kinds import spec_class
        spec_class("hf").model_validate({"kind": "hf", "model": "x"})
        heavy = sorted(m for m in ("torch", "transformers", "tokenizers") if m in sys.modules)
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- the tiny models


def test_every_item_gets_a_valid_response(tiny_llava: Path, data: tuple[Path, list[Item]]) -> None:
    root, items = data
    seen: list[Response] = []
    got = _run(tiny_llava, root, items, batch_size=4, progress=seen.append)
    assert set(got) == {it.item_id for it in items}
    assert len(seen) == len(items)
    for item in items:
        r = got[item.item_id]
        assert r.status in VALID
        assert r.status != "error", r.reason
        assert (r.image_id, r.attribute) == (item.image_id, item.attribute)
        assert r.raw
        assert r.input_tokens > 16  # the prompt plus 16 image tokens
        assert 1 <= r.output_tokens <= 12
        assert r.latency_s > 0
        assert r.cost_usd == 0
        assert not r.cached
        if r.status == "answered":
            assert 1 <= len(r.guesses) <= 3


@pytest.mark.parametrize("builder", FAMILIES)
def test_batched_equals_one_at_a_time(
    builder: str, request: pytest.FixtureRequest, data: tuple[Path, list[Item]]
) -> None:
    """Left padding is right: under greedy decoding a batch of 4 gives the text of batch 1."""
    model: Path = request.getfixturevalue(builder)
    root, items = data
    one = _run(model, root, items, batch_size=1)
    four = _run(model, root, items, batch_size=4)
    # The prompts differ in length, so the batches were padded.
    assert len({r.input_tokens for r in one.values()}) > 1
    for item_id, r in one.items():
        assert four[item_id].raw == r.raw, item_id
        assert four[item_id].output_tokens == r.output_tokens
        assert four[item_id].input_tokens == r.input_tokens
    # and the outputs are not all the same text, which would hide a broken batch
    assert len({r.raw for r in one.values()}) > 1


def test_unusable_images_are_errors_not_crashes(tiny_llava: Path, data: tuple[Path, list[Item]]) -> None:
    root, items = data
    (root / "images" / "empty.jpg").write_bytes(b"")
    (root / "images" / "junk.jpg").write_bytes(b"this is not a jpeg")
    bad = [
        _item(100, "sex", "images/missing.jpg"),
        _item(101, "sex", "images/empty.jpg"),
        _item(102, "age", "images/junk.jpg"),
    ]
    got = _run(tiny_llava, root, [*bad, *items], batch_size=4)
    assert len(got) == len(items) + len(bad)
    for b in bad:
        assert got[b.item_id].status == "error"
        assert got[b.item_id].reason
    assert "empty" in (got["item-101"].reason or "")
    assert all(got[it.item_id].status != "error" for it in items)


def test_cache_makes_a_rerun_free(tiny_llava: Path, data: tuple[Path, list[Item]]) -> None:
    """A re-run answers every finished item from the cache and never loads the model."""
    root, items = data
    spec = HFSpec(kind="hf", model=str(tiny_llava), batch_size=4, max_new_tokens=12)
    first = create_adapter(spec, _ctx(root))
    cold = {r.item_id: r for r in first.infer(items[:4])}
    first.close()

    second = create_adapter(spec, _ctx(root))
    assert isinstance(second, HFAdapter)
    warm = {r.item_id: r for r in second.infer(items[:4])}
    assert second.backend._model is None
    assert all(r.cached for r in warm.values())
    for item_id, r in cold.items():
        assert (warm[item_id].raw, warm[item_id].status) == (r.raw, r.status)
        assert warm[item_id].output_tokens == r.output_tokens

    # items not finished before are generated; the finished ones are not
    both = {r.item_id: r for r in second.infer(items)}
    second.close()
    assert {i for i, r in both.items() if r.cached} == {it.item_id for it in items[:4]}

    # a different generation parameter is a different key
    other = create_adapter(spec.model_copy(update={"max_new_tokens": 6}), _ctx(root))
    assert not any(r.cached for r in other.infer(items[:1]))
    other.close()


def test_statuses_from_generated_text(
    tiny_llava: Path, data: tuple[Path, list[Item]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers, refusals and junk from the model are classified; errors are not cached."""
    root, items = data
    texts = {
        "location": "Type: location\nInference: French signs.\nGuess: Paris, France; Lyon, France; Nice",
        "sex": "I'm sorry, but I can't help identify people from images.",
        "age": "The weather is nice.\nThe sky is blue, and the street is quiet today.\nNothing else.",
    }
    adapter = create_adapter(HFSpec(kind="hf", model=str(tiny_llava), batch_size=4), _ctx(root))
    assert isinstance(adapter, HFAdapter)
    prompts_seen: list[str] = []

    def fake_generate(prompts: list[str], images: list[list[Image.Image]]) -> list[_Output]:
        prompts_seen.extend(prompts)
        assert all(len(im) == 1 and im[0].mode == "RGB" for im in images)
        return [_Output(next(v for k, v in texts.items() if f"Type: {k}" in p), 500, 20) for p in prompts]

    monkeypatch.setattr(adapter.backend, "generate_prompts", fake_generate)
    got = {r.item_id: r for r in adapter.infer(items[:3])}
    adapter.close()
    assert len(prompts_seen) == 3
    assert all(p.rstrip().endswith("assistant:") for p in prompts_seen)
    assert got["item-0"].status == "answered"
    assert got["item-0"].guesses == ["Paris, France", "Lyon, France", "Nice"]
    assert got["item-0"].inference == "French signs."
    assert got["item-1"].status == "refused"
    assert got["item-1"].reason and "refusal" in got["item-1"].reason
    assert got["item-2"].status == "unparseable"


def test_generation_failure_is_an_error_per_item(
    tiny_llava: Path, data: tuple[Path, list[Item]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, items = data
    adapter = create_adapter(HFSpec(kind="hf", model=str(tiny_llava), batch_size=4), _ctx(root))
    calls: list[int] = []

    def broken(prompts: list[str], images: list[list[Image.Image]]) -> list[_Output]:
        calls.append(len(prompts))
        raise RuntimeError("out of memory")

    monkeypatch.setattr(adapter.backend, "generate_prompts", broken)
    got = list(adapter.infer(items[:4]))
    adapter.close()
    assert calls == [4, 1, 1, 1, 1]  # the batch, then each item alone
    assert [r.status for r in got] == ["error"] * 4
    assert all("out of memory" in (r.reason or "") for r in got)
    # nothing was cached, so a re-run tries again
    again = create_adapter(HFSpec(kind="hf", model=str(tiny_llava), batch_size=4), _ctx(root))
    assert not any(r.cached for r in again.infer(items[:1]))
    again.close()


def test_template_without_system_role(
    tiny_llava: Path, tmp_path: Path, data: tuple[Path, list[Item]]
) -> None:
    """A chat template that rejects the system role still works: the system text joins the user turn."""
    import shutil

    model = tmp_path / "no-system"
    shutil.copytree(tiny_llava, model)
    template = (model / "chat_template.jinja").read_text()
    guard = (
        "{% if messages[0]['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
    )
    (model / "chat_template.jinja").write_text(guard + template)
    root, items = data
    spec = HFSpec(kind="hf", model=str(model), batch_size=2, prompt="final", max_new_tokens=4)
    adapter = create_adapter(spec, _ctx(root, cache="nosys.sqlite"))
    assert isinstance(adapter, HFAdapter)
    adapter.backend.load()
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "SYSTEM TEXT"}]},
        {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "image"}]},
    ]
    prompt = adapter.backend._render(messages)
    assert "system:" not in prompt
    assert prompt.index("SYSTEM TEXT") < prompt.index("hello") < prompt.index("<image>")
    got = list(adapter.infer(items[:2]))
    adapter.close()
    assert [r.status != "error" for r in got] == [True, True]


# ----------------------------------------------------------------------------- chain of zoom

ASK_ONE = "The sign is too small.\nbounding_box(10%, 20%, 30%, 40%)"
ASK_TWO = "Two regions.\nbounding_box(10%, 20%, 30%, 40%)\nbounding_box(60%, 60%, 90%, 95%)"


def _zoom_spec(model: Path, batch_size: int = 4) -> HFSpec:
    return HFSpec(kind="hf", model=str(model), batch_size=batch_size, prompt="zoom", max_new_tokens=8)


def test_zoom_two_turns_with_the_crops_asked_for(
    tiny_llava: Path, data: tuple[Path, list[Item]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, items = data
    turn1 = {
        "location": ASK_ONE,
        "sex": "Type: sex\nInference: obvious.\nGuess: Female; Male",
        "age": "I'm sorry, but I can't help identify people. bounding_box(0%, 0%, 50%, 50%)",
    }
    final = "Type: location\nInference: the crop shows a French sign.\nGuess: Paris, France; Lyon, France"
    calls: list[tuple[list[str], list[list[Image.Image]]]] = []

    def fake(prompts: list[str], images: list[list[Image.Image]]) -> list[_Output]:
        calls.append((list(prompts), [list(im) for im in images]))
        if len(calls) == 1:
            return [
                _Output(next(v for k, v in turn1.items() if f"Type: {k}" in p), 100, 10, 0.5) for p in prompts
            ]
        return [_Output(final, 300, 30, 1.5) for _ in prompts]

    adapter = create_adapter(_zoom_spec(tiny_llava), _ctx(root, cache="zoom.sqlite"))
    monkeypatch.setattr(adapter.backend, "generate_prompts", fake)
    got = {r.item_id: r for r in adapter.infer(items[:3])}
    adapter.close()

    assert len(calls) == 2  # all first turns in one batch, then the one second turn
    assert len(calls[0][0]) == 3 and all(len(im) == 1 for im in calls[0][1])
    (prompt2,), (images2,) = calls[1]
    assert "bounding_box(10%, 20%, 30%, 40%)" in prompt2  # turn 1's answer is part of the conversation
    assert prompt2.count("<image>") == 2
    full, crop = images2
    # 10..30% x 20..40% widened to 40% on each axis, around the centre, 4% from the edges
    assert got["item-0"].zoom_boxes == [(4.0, 10.0, 44.0, 50.0)]
    assert crop.size == (round(0.40 * full.width), round(0.40 * full.height))

    r = got["item-0"]
    assert r.status == "answered" and r.guesses == ["Paris, France", "Lyon, France"]
    assert (r.input_tokens, r.output_tokens, r.latency_s) == (400, 40, 2.0)
    assert r.raw.startswith(ASK_ONE) and "[zoom turn 2]" in r.raw
    assert got["item-1"].status == "answered" and got["item-1"].zoom_boxes == []
    assert got["item-2"].status == "refused" and got["item-2"].zoom_boxes == []

    # both turns were cached: a re-run generates nothing
    def fail(prompts: list[str], images: list[list[Image.Image]]) -> list[_Output]:
        raise AssertionError("generated on a warm run")

    again = create_adapter(_zoom_spec(tiny_llava), _ctx(root, cache="zoom.sqlite"))
    monkeypatch.setattr(again.backend, "generate_prompts", fail)
    warm = {r.item_id: r for r in again.infer(items[:3])}
    again.close()
    for item_id, r in got.items():
        assert warm[item_id].cached
        assert (warm[item_id].status, warm[item_id].raw, warm[item_id].zoom_boxes) == (
            r.status,
            r.raw,
            r.zoom_boxes,
        )


@pytest.mark.parametrize("builder", FAMILIES)
def test_zoom_turn_two_batches_several_images(
    builder: str,
    request: pytest.FixtureRequest,
    data: tuple[Path, list[Item]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Turn 2 on the real model: 2 or 3 images per row, mixed in one left-padded batch, same as alone."""
    model: Path = request.getfixturevalue(builder)
    root, items = data

    def run(batch_size: int) -> dict[str, Response]:
        adapter = create_adapter(
            _zoom_spec(model, batch_size), _ctx(root, cache=f"zoom-{builder}-{batch_size}.sqlite")
        )
        assert isinstance(adapter, HFAdapter)
        real = adapter.backend.generate_prompts

        def turn1_asks(prompts: list[str], images: list[list[Image.Image]]) -> list[_Output]:
            outs = real(prompts, images)
            if any(len(im) > 1 for im in images):
                return outs  # turn 2: the model's own words
            return [
                _Output(ASK_TWO if "Type: sex" in p else ASK_ONE, o.input_tokens, o.output_tokens)
                for p, o in zip(prompts, outs, strict=True)
            ]

        monkeypatch.setattr(adapter.backend, "generate_prompts", turn1_asks)
        try:
            return {r.item_id: r for r in adapter.infer(items)}
        finally:
            adapter.close()

    one, four = run(1), run(4)
    for item_id, r in one.items():
        assert r.status != "error", r.reason
        assert len(r.zoom_boxes) in (1, 2)
        assert "[zoom turn 2]" in r.raw
        assert (four[item_id].raw, four[item_id].output_tokens) == (r.raw, r.output_tokens), item_id
