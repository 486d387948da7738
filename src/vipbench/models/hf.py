"""The `hf` kind: local transformers vision-language models (LLaVA, Idefics3/SmolVLM, Qwen2-VL, ...).

The model loads through `AutoProcessor` and `AutoModelForImageTextToText` and is prompted with the
processor's own chat template. Items are answered in batches with left padding, so every row's
prompt ends right where generation starts; under greedy decoding a batch gives the same text as
one item at a time, only faster.

torch and transformers are imported only when a model is actually loaded: this module is safe to
import (and `vipbench --help` stays fast) without them installed. A warm re-run answers from the
response cache and never loads the model at all.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from vipbench.core.records import Item, Response, Status
from vipbench.imaging.images import ImageError, file_sha256, open_image
from vipbench.imaging.zoom import Box, crop, parse_boxes, widen_box
from vipbench.models.registry import ModelSpec, RunContext, register

if TYPE_CHECKING:
    from PIL import Image

Message = dict[str, Any]

#: OpenAI-style content part types that stand for one image.
_IMAGE_PARTS = ("image_url", "image", "input_image")
#: what the prompt renderer gets as the image URL: the pixels go to the processor, not into the text
_IMAGE_URL = "about:blank"


class HFSpec(ModelSpec):
    """A local transformers VLM. `model` is a directory written by `save_pretrained` or a hub id."""

    kind: Literal["hf"] = "hf"
    model: str
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    #: None loads on the CPU; "auto" spreads over available accelerators (needs `accelerate`)
    device_map: str | None = None
    batch_size: int = Field(default=4, ge=1)
    max_new_tokens: int = Field(default=256, ge=1)
    do_sample: bool = False
    #: seeds sampling; with do_sample the text also depends on which items share a batch
    seed: int = 0
    revision: str | None = None
    trust_remote_code: bool = False


def to_processor_messages(messages: Sequence[Message]) -> tuple[list[Message], int]:
    """OpenAI-style messages -> the processor chat-template form, and the number of images they hold.

    Text parts keep their text; every image part becomes a bare `{"type": "image"}` placeholder
    (the pixels go to the processor separately, in the same order). String content becomes one
    text part, because many VLM templates iterate over the parts of every message.
    """
    out: list[Message] = []
    n_images = 0
    for message in messages:
        content = message["content"]
        parts: list[Message] = []
        if isinstance(content, str):
            parts.append({"type": "text", "text": content})
        else:
            for part in content:
                kind = part.get("type")
                if kind == "text":
                    parts.append({"type": "text", "text": part["text"]})
                elif kind in _IMAGE_PARTS:
                    parts.append({"type": "image"})
                    n_images += 1
                else:
                    raise ValueError(f"unsupported message content part {kind!r}")
        out.append({"role": message["role"], "content": parts})
    return out, n_images


def fold_system(messages: Sequence[Message]) -> list[Message]:
    """Merge system messages into the first user message, for chat templates without a system role."""
    system_text = [
        p["text"] for m in messages if m["role"] == "system" for p in m["content"] if p.get("type") == "text"
    ]
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system_text:
        return rest
    for m in rest:
        if m["role"] == "user":
            m["content"] = [{"type": "text", "text": "\n\n".join(system_text) + "\n\n"}, *m["content"]]
            break
    return rest


def model_fingerprint(model: str) -> str:
    """Cheap identity of a local model directory: its config plus the names and sizes of its files.

    A hub id (no such directory) is identified by its name and revision alone.
    """
    root = Path(model).expanduser()
    if not root.is_dir():
        return ""
    h = hashlib.sha256()
    config = root / "config.json"
    if config.is_file():
        h.update(config.read_bytes())
    for f in sorted(root.iterdir()):
        if f.is_file():
            h.update(f"{f.name}:{f.stat().st_size}\n".encode())
    return h.hexdigest()[:16]


@dataclass
class _Job:
    """One request about an item on its way through the model: a single-turn request or a zoom turn."""

    item: Item
    image_hash: str
    #: 0 for a single-turn variant, 1 or 2 for the chain of zoom's turns
    turn: int
    key: str = ""
    #: the OpenAI-style messages (kept for zoom turn 2, which continues turn 1's conversation)
    messages: list[Message] = field(default_factory=list)
    prompt: str = ""
    n_images: int = 0
    #: zoom turn 2: the widened crops, and turn 1's output
    boxes: list[Box] = field(default_factory=list)
    first: _Output | None = None
    images: list[Image.Image] = field(default_factory=list)


@dataclass
class _Output:
    text: str
    input_tokens: int
    output_tokens: int
    latency_s: float = 0.0
    #: generation stopped at max_new_tokens rather than at an end token
    truncated: bool = False
    cached: bool = False


@register("hf", HFSpec)
class HFAdapter:
    def __init__(self, spec: HFSpec, ctx: RunContext) -> None:
        from vipbench.prompts.render import VARIANTS

        if spec.prompt not in VARIANTS:
            raise ValueError(f"unknown prompt variant {spec.prompt!r}; known: {', '.join(VARIANTS)}")
        self.spec = spec
        self.ctx = ctx
        self._model: Any = None
        self._processor: Any = None
        self._tokenizer: Any = None
        self._cache: Any = None
        self._fingerprint = model_fingerprint(spec.model)
        self._system_folded = False

    # ----------------------------------------------------------------- loading

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        spec = self.spec
        common: dict[str, Any] = {"revision": spec.revision, "trust_remote_code": spec.trust_remote_code}
        processor = AutoProcessor.from_pretrained(spec.model, **common)
        tokenizer = getattr(processor, "tokenizer", None)
        if tokenizer is None:
            raise ValueError(f"{spec.model}: the processor has no tokenizer; is it a vision-language model?")
        # Left padding: every row's prompt ends at the same column, where generation begins.
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        dtype: Any = "auto" if spec.dtype == "auto" else getattr(torch, spec.dtype)
        load: dict[str, Any] = {"dtype": dtype, **common}
        if spec.device_map is not None:
            load["device_map"] = spec.device_map
        model = AutoModelForImageTextToText.from_pretrained(spec.model, **load)
        model.eval()
        self._processor, self._tokenizer, self._model = processor, tokenizer, model

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._cache = None
        if self._model is None:
            return
        self._model = self._processor = self._tokenizer = None
        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    # ----------------------------------------------------------------- prompts

    def _render(self, messages: list[Message]) -> str:
        """The prompt text from the processor's chat template, ending with the assistant's turn."""
        if self._system_folded:
            messages = fold_system(messages)
        try:
            text = self._processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            return str(text)
        except Exception:
            if self._system_folded or not any(m["role"] == "system" for m in messages):
                raise
        # Some templates (Gemma-style, older LLaVA) reject a system role: fold it into the user turn.
        self._system_folded = True
        return self._render(messages)

    # ----------------------------------------------------------------- generation

    def generate(self, prompts: Sequence[str], images: Sequence[Sequence[Image.Image]]) -> list[_Output]:
        """Generate for a batch of rendered prompts, each with its own list of images (in prompt order)."""
        import torch

        self._load()
        model = self._model
        start = time.perf_counter()
        inputs = self._processor(
            text=list(prompts),
            images=[list(im) for im in images] if any(images) else None,
            padding=True,
            return_tensors="pt",
        )
        inputs = inputs.to(model.device, dtype=model.dtype)
        attention = inputs["attention_mask"]
        width = inputs["input_ids"].shape[1]
        pad_id = self._tokenizer.pad_token_id
        torch.manual_seed(self.spec.seed)
        with torch.inference_mode():
            out = model.generate(
                **inputs,
                max_new_tokens=self.spec.max_new_tokens,
                do_sample=self.spec.do_sample,
                pad_token_id=pad_id,
            )
        new = out[:, width:].cpu()
        eos = model.generation_config.eos_token_id
        stops = {eos} if isinstance(eos, int) else set(eos or [])
        stops |= {t for t in (pad_id, self._tokenizer.eos_token_id) if t is not None}
        texts = self._tokenizer.batch_decode(new, skip_special_tokens=True)
        latency = (time.perf_counter() - start) / len(texts)
        outputs: list[_Output] = []
        for row, text in enumerate(texts):
            ids = new[row].tolist()
            end = next((i + 1 for i, t in enumerate(ids) if t in stops), None)
            n_out = end if end is not None else len(ids)
            outputs.append(_Output(text.strip(), int(attention[row].sum()), n_out, latency, end is None))
        return outputs

    # ----------------------------------------------------------------- caching

    def _cache_params(self) -> dict[str, Any]:
        s = self.spec
        return {
            "dtype": s.dtype,
            "max_new_tokens": s.max_new_tokens,
            "do_sample": s.do_sample,
            "seed": s.seed,
            "revision": s.revision,
            "fingerprint": self._fingerprint,
            "max_side": self.ctx.max_side,
        }

    def _open_cache(self) -> Any:
        if self._cache is None:
            from vipbench.inference.cache import ResponseCache

            self._cache = ResponseCache(self.ctx.cache_path)
        return self._cache

    def _key(self, job: _Job) -> str:
        from vipbench.inference.cache import ResponseCache
        from vipbench.prompts.render import template_hash

        s = self.spec
        extra: dict[str, Any] = {}
        if job.turn:
            extra["turn"] = job.turn
        if job.turn == 2:
            assert job.first is not None
            extra["turn1_sha"] = hashlib.sha256(job.first.text.encode("utf-8")).hexdigest()
            extra["boxes"] = job.boxes
        return ResponseCache.key(
            endpoint="hf",
            model=s.model,
            params=self._cache_params(),
            template_hash=template_hash(s.prompt, s.output_format),
            attribute=job.item.attribute,
            image_hash=job.image_hash,
            variant=s.prompt,
            output_format=s.output_format,
            **extra,
        )

    def _cached(self, job: _Job) -> _Output | None:
        hit = self._open_cache().get(job.key)
        if hit is None:
            return None
        truncated = hit.finish_reason == "length"
        return _Output(hit.raw, hit.input_tokens, hit.output_tokens, hit.latency_s, truncated, cached=True)

    def _store(self, job: _Job, out: _Output) -> None:
        status = self._status_text(job.item, out)[0]
        if job.turn == 1 and status == "unparseable" and _boxes(out.text):
            status = "answered"  # a turn 1 that asks for crops is a finished request
        self._open_cache().put(
            job.key,
            status=status,
            raw=out.text,
            input_tokens=out.input_tokens,
            output_tokens=out.output_tokens,
            latency_s=out.latency_s,
            finish_reason="length" if out.truncated else "stop",
            meta={"item_id": job.item.item_id, "image": job.item.image, "attribute": job.item.attribute},
        )

    # ----------------------------------------------------------------- the run

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Cached answers first, then the rest in batches; for zoom all first turns, then all second turns."""
        turn = 1 if self.spec.prompt == "zoom" else 0
        todo: list[_Job] = []
        for item in items:
            try:
                image_hash = file_sha256(self.ctx.data_dir / item.image)
            except OSError as e:
                yield self._emit(_error(item, f"cannot read image {item.image}: {e.strerror or e}"))
                continue
            job = _Job(item, image_hash, turn)
            job.key = self._key(job)
            hit = self._cached(job)
            if hit is None:
                todo.append(job)
            else:
                yield from self._done(job, hit, todo)
        # Zoom turn 2 jobs join `todo` while turn 1 finishes; each round takes what is queued.
        while todo:
            jobs, todo = todo, []
            for job, result in self._run(jobs):
                if isinstance(result, str):
                    yield self._emit(_error(job.item, result))
                else:
                    self._store(job, result)
                    yield from self._done(job, result, todo)

    def _done(self, job: _Job, out: _Output, todo: list[_Job]) -> Iterator[Response]:
        """The response to a finished request, or for a zoom turn 1 asking for crops, turn 2 (queued)."""
        if job.turn == 2:
            assert job.first is not None
            yield self._emit(self._zoom_response(job, job.first, out))
            return
        if job.turn == 1 and self._status_text(job.item, out)[0] != "refused":
            boxes = _boxes(out.text)
            if boxes:
                second = _Job(job.item, job.image_hash, 2, boxes=boxes, first=out, messages=job.messages)
                second.key = self._key(second)
                hit = self._cached(second)
                if hit is None:
                    todo.append(second)
                else:
                    yield self._emit(self._zoom_response(second, out, hit))
                return
        yield self._emit(self._response(job.item, out))

    def _run(self, jobs: list[_Job]) -> Iterator[tuple[_Job, _Output | str]]:
        """Generate for jobs in batches of similar length: (job, output) or (job, error reason)."""
        self._load()
        for job in jobs:
            self._prepare(job)
        jobs.sort(key=lambda j: len(j.prompt))
        for start in range(0, len(jobs), self.spec.batch_size):
            ready: list[_Job] = []
            for job in jobs[start : start + self.spec.batch_size]:
                try:
                    job.images = self._images(job)
                except (ImageError, OSError) as e:
                    yield job, f"unusable image {job.item.image}: {e}"
                    continue
                ready.append(job)
            yield from self._generate_jobs(ready)
            for job in ready:
                job.images = []  # free the pixels

    def _generate_jobs(self, batch: list[_Job]) -> Iterator[tuple[_Job, _Output | str]]:
        """One generate call; if the batch fails as a whole, each job alone (so one bad item stays alone)."""
        if not batch:
            return
        try:
            outputs = self.generate([j.prompt for j in batch], [j.images for j in batch])
        except Exception as e:
            if len(batch) == 1:
                yield batch[0], f"generation failed: {type(e).__name__}: {e}"
                return
            for job in batch:
                yield from self._generate_jobs([job])
            return
        yield from zip(batch, outputs, strict=True)

    def _prepare(self, job: _Job) -> None:
        from vipbench.prompts.render import build_messages, build_zoom_turn2

        s = self.spec
        if job.turn == 2:
            assert job.first is not None
            if not job.messages:
                job.messages = build_messages(job.item, s.prompt, s.output_format, _IMAGE_URL)
            crops = [_IMAGE_URL] * len(job.boxes)
            messages = build_zoom_turn2(job.item, s.output_format, job.messages, job.first.text, crops)
        else:
            job.messages = messages = build_messages(job.item, s.prompt, s.output_format, _IMAGE_URL)
        converted, job.n_images = to_processor_messages(messages)
        job.prompt = self._render(converted)

    def _images(self, job: _Job) -> list[Image.Image]:
        """The pixels for a job's image placeholders: the image, then for zoom turn 2 its crops."""
        path = self.ctx.data_dir / job.item.image
        image = open_image(path, self.ctx.max_side)
        images = [image]
        if job.boxes:
            # Crops come from the full-resolution image, each shrunk to the maximum side.
            full = open_image(path, None)
            images += [crop(full, box, self.ctx.max_side) for box in job.boxes]
        if len(images) != job.n_images:
            raise ImageError(f"the prompt has {job.n_images} image slots for {len(images)} images")
        return images

    # ----------------------------------------------------------------- responses

    def _status_text(self, item: Item, out: _Output) -> tuple[Status, list[str], str, str | None]:
        status, guesses, inference, reason = classify_text(out.text, item.attribute, self.spec.output_format)
        if status == "unparseable" and out.truncated:
            reason = f"{reason} (the output hit max_new_tokens={self.spec.max_new_tokens})"
        return status, guesses, inference, reason

    def _response(self, item: Item, out: _Output) -> Response:
        status, guesses, inference, reason = self._status_text(item, out)
        return Response(
            item_id=item.item_id,
            image_id=item.image_id,
            attribute=item.attribute,
            status=status,
            guesses=guesses,
            inference=inference,
            raw=out.text,
            reason=reason,
            input_tokens=out.input_tokens,
            output_tokens=out.output_tokens,
            latency_s=round(out.latency_s, 4),
            cost_usd=0.0,
            cached=out.cached,
        )

    def _zoom_response(self, job: _Job, first: _Output, second: _Output) -> Response:
        """Turn 2's answer, with the whole exchange as raw text and both turns' tokens and time."""
        response = self._response(job.item, second)
        return response.model_copy(
            update={
                "raw": f"{first.text}\n\n[zoom turn 2]\n{second.text}",
                "input_tokens": first.input_tokens + second.input_tokens,
                "output_tokens": first.output_tokens + second.output_tokens,
                "latency_s": round(first.latency_s + second.latency_s, 4),
                "cached": first.cached and second.cached,
                "zoom_boxes": job.boxes,
            }
        )

    def _emit(self, response: Response) -> Response:
        if self.ctx.progress:
            self.ctx.progress(response)
        return response


def classify_text(text: str, attribute: str, output_format: str) -> tuple[Status, list[str], str, str | None]:
    """(status, guesses, inference, reason) of a generated answer, as the API engine classifies.

    Usable guesses make it answered, even after hedging; otherwise refusal wording makes it refused,
    and anything else is unparseable.
    """
    from vipbench.inference.parsing import detect_refusal, parse_answer

    parsed = parse_answer(text, attribute, output_format)
    if parsed.ok:
        return "answered", parsed.guesses, parsed.inference, None
    refusal = detect_refusal(text)
    if refusal is not None:
        return "refused", [], parsed.inference, refusal
    return "unparseable", [], parsed.inference, parsed.reason or "unparseable"


def _boxes(text: str) -> list[Box]:
    """The widened crops a zoom turn 1 asks for."""
    return [widen_box(b) for b in parse_boxes(text)]


def _error(item: Item, reason: str) -> Response:
    return Response(
        item_id=item.item_id, image_id=item.image_id, attribute=item.attribute, status="error", reason=reason
    )
