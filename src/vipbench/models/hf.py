"""The `hf` kind: local transformers vision-language models (LLaVA, Idefics3/SmolVLM, Qwen2-VL, ...).

`HFBackend` is a batch backend: it renders each request with the processor's own chat template
and generates for a whole batch with left padding, so every row's prompt ends right where
generation starts; under greedy decoding a batch gives the same text as one request at a time,
only faster. `HFAdapter` runs items through the engine with it, which batches, caches, runs the
chain of zoom and classifies, as for every other backend.

torch and transformers are imported only when a model is actually loaded: this module is safe to
import (and `vipbench --help` stays fast) without them installed. A warm re-run answers from the
response cache and never loads the model at all.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vipbench.core.records import Item, Response
from vipbench.inference.backend import Completion, Message, Request
from vipbench.models.registry import RunContext, register
from vipbench.models.specs import HFSpec

if TYPE_CHECKING:
    from PIL import Image

    from vipbench.inference.accounting import EngineStats

#: OpenAI-style content part types that stand for one image.
_IMAGE_PARTS = ("image_url", "image", "input_image")


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
class _Output:
    """What the model generated for one row of a batch."""

    text: str
    input_tokens: int
    output_tokens: int
    #: this row's share of the batch's time
    latency_s: float = 0.0
    #: generation stopped at max_new_tokens rather than at an end token
    truncated: bool = False


class HFBackend:
    """A local transformers VLM answering batches of requests."""

    def __init__(self, spec: HFSpec) -> None:
        self.spec = spec
        self.batch_size = spec.batch_size
        self._model: Any = None
        self._processor: Any = None
        self._tokenizer: Any = None
        self._system_folded = False

    # ----------------------------------------------------------------- loading

    def load(self) -> None:
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

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        """One completion per request: chat template, then one left-padded batch."""
        self.load()
        prompts: list[str] = []
        for r in requests:
            converted, n_images = to_processor_messages(r.messages)
            if n_images != len(r.images):
                raise ValueError(f"the prompt has {n_images} image slots for {len(r.images)} images")
            prompts.append(self._render(converted))
        outputs = self.generate_prompts(prompts, [r.images for r in requests])
        return [
            Completion(
                text=o.text,
                finish_reason="length" if o.truncated else "stop",
                input_tokens=o.input_tokens,
                output_tokens=o.output_tokens,
                latency_s=o.latency_s,
            )
            for o in outputs
        ]

    def generate_prompts(self, prompts: Sequence[str], images: Sequence[Sequence[Image.Image]]) -> list[_Output]:
        """Generate for a batch of rendered prompts, each with its own list of images (in prompt order)."""
        import torch

        self.load()
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


@register("hf", HFSpec)
class HFAdapter:
    """Runs items through the engine with an `HFBackend`; the model loads at the first batch."""

    def __init__(self, spec: HFSpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.backend = HFBackend(spec)
        self._fingerprint = model_fingerprint(spec.model)
        self.stats: EngineStats | None = None

    def cache_params(self) -> dict[str, Any]:
        """What changes answers besides the request: part of every cache key."""
        s = self.spec
        return {
            "dtype": s.dtype,
            "max_new_tokens": s.max_new_tokens,
            "do_sample": s.do_sample,
            "seed": s.seed,
            "revision": s.revision,
            "fingerprint": self._fingerprint,
        }  # the max side the images are sent at is in each image's content hash (the engine's)

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Cached answers first, the rest in batches; for zoom all first turns, then all second turns."""
        from vipbench.inference.runner import stream_sync

        yield from stream_sync(lambda emit: self._run(items, emit))

    async def _run(self, items: Sequence[Item], emit: Callable[[Response], None]) -> None:
        from vipbench.inference.batcher import Batcher
        from vipbench.inference.cache import ResponseCache
        from vipbench.inference.engine import Engine, EngineSettings
        from vipbench.inference.gateway import Gateway

        s, ctx = self.spec, self.ctx
        cache = ResponseCache(ctx.cache_path)
        try:
            transport = Batcher(self.backend, ctx.max_side)
            model = Gateway(transport, cache, endpoint="hf", model=s.model, params=self.cache_params())
            settings = EngineSettings(
                variant=s.prompt,
                output_format=s.output_format,
                data_dir=ctx.data_dir,
                max_side=ctx.max_side,
                token_limit=f"max_new_tokens={s.max_new_tokens}",
            )
            engine = Engine(settings, model, progress=ctx.progress)
            try:
                await engine.run(items, emit)
            finally:
                self.stats = engine.stats
        finally:
            cache.close()

    def close(self) -> None:
        self.backend.close()
