"""What runs would cost, before anything is sent: `vipbench estimate`.

For each run (and each defended run) an API model's items go through the real engine with a
transport that records instead of sending (`inference.dryrun`): answers already in the response
cache are counted as cached, every other distinct request is counted with its input tokens (text
by the offline tokenizer, images by the provider's rule at the size `max_side` produces; see
`inference.tokens`). Output tokens are not known before the answer: the estimate assumes the
mean output of the run's earlier answers (its responses file, if it has one), else
`EXPECTED_OUTPUT` tokens per answer, capped by `max_tokens`; the worst case column charges every
request its full `max_tokens`. For `prompt: zoom`, each first turn is assumed to ask for
two crops: a second request with the first turn, its answer and two more images of at most the
full image's tokens. Local and offline kinds cost nothing here and are listed as such.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vipbench.core.errors import ConfigError
from vipbench.inference.backend import Request
from vipbench.inference.pricing import Pricing, pricing_for
from vipbench.models.kinds import create_adapter
from vipbench.models.registry import RunContext
from vipbench.readers import ItemsFile
from vipbench.workspace import Workspace

#: assumed output tokens of one answer: a reasoning paragraph and three guesses
EXPECTED_OUTPUT = 250
#: crops assumed per zoom item
ZOOM_CROPS = 2


@dataclass
class RunEstimate:
    run: str
    kind: str
    model: str = ""
    items: int = 0
    cached: int = 0
    requests: int = 0
    text_tokens: int = 0
    image_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    worst_usd: float = 0.0
    batch_usd: float | None = None
    image_rule: str = ""
    price_source: str = ""
    #: output tokens assumed per answer
    expected_output: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def input_tokens(self) -> int:
        return self.text_tokens + self.image_tokens

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["input_tokens"] = self.input_tokens
        return d


class _Tally:
    """Counts the requests a dry run records, priced standard and batch."""

    def __init__(
        self, est: RunEstimate, pricing: Pricing, batch: Pricing | None, max_tokens: int, zoom: bool, expected: int
    ):
        self.est, self.pricing, self.batch = est, pricing, batch
        self.max_tokens = max_tokens
        self.expected = min(expected, max_tokens)
        self.zoom = zoom

    def __call__(self, key: str, request: Request) -> None:
        t = self.pricing.tokens(request.messages)
        self._add(t.text, t.image)
        if self.zoom and t.images == 1:  # a first turn: its second turn shows crops
            self._add(t.text + self.expected, t.image * (1 + ZOOM_CROPS))

    def _add(self, text: int, image: int) -> None:
        e = self.est
        e.requests += 1
        e.text_tokens += text
        e.image_tokens += image
        e.output_tokens += self.expected
        e.cost_usd += self.pricing.cost(text + image, self.expected)
        e.worst_usd += self.pricing.cost(text + image, self.max_tokens)
        if self.batch is not None:
            e.batch_usd = (e.batch_usd or 0.0) + self.batch.cost(text + image, self.expected)


def estimate(ws: Workspace, runs: Sequence[str] | None = None) -> list[RunEstimate]:
    """One estimate per run (default: every run the pipeline produces), sending nothing."""
    if not ws.items_file.is_file():
        raise ConfigError(f"{ws.items_file} is missing: run `vipbench prepare` (or `dvc repro prepare`) first")
    return [estimate_run(ws, r) for r in (runs or ws.run_names())]


def estimate_run(ws: Workspace, name: str) -> RunEstimate:
    this = ws.run(name)
    spec = this.spec
    items_file, images_dir = this.items_file, this.images_dir
    est = RunEstimate(run=name, kind=spec.kind, model=str(getattr(spec, "model", "") or ""))
    if this.defended and not (items_file.is_file() and images_dir.is_dir()):
        items_file, images_dir = ws.items_file, ws.data_dir
        est.notes.append("defended images not built yet: counted on the undefended images")
    items = ItemsFile(items_file)
    est.items = len(items)
    if spec.kind != "openai":
        est.notes.append("local or offline model: no API cost")
        return est
    from vipbench.models.openai_api import OpenAISpec

    assert isinstance(spec, OpenAISpec)
    pricing = pricing_for(spec)
    batch = pricing_for(spec, batch=True) if spec.batch else None
    est.image_rule = pricing.image_rule.kind
    est.price_source = pricing.source
    if not pricing.priced:
        est.notes.append("no price known: set price_input_per_mtok / price_output_per_mtok")
    if spec.structure_correction is not None:
        est.notes.append("structure-correction calls not counted")
    expected = earlier_output(this.responses_file)
    if expected is not None:
        est.notes.append(f"output: {expected} tokens an answer, the mean of its earlier answers")
    est.expected_output = min(expected or EXPECTED_OUTPUT, spec.max_tokens)
    tally = _Tally(est, pricing, batch, spec.max_tokens, spec.prompt == "zoom", est.expected_output)
    from vipbench.inference.dryrun import Recorder

    ctx = RunContext(
        run_name=name,
        data_dir=images_dir,
        cache_path=ws.cache_path,
        max_side=ws.params.inference.max_side,
        transport=lambda endpoint: Recorder(tally),
    )
    adapter = create_adapter(spec, ctx)
    try:
        for r in adapter.infer(items):
            est.cached += r.cached
    finally:
        adapter.close()
    return est


def earlier_output(responses_file: Path) -> int | None:
    """The mean output tokens of a run's answered responses, if it has a responses file with some."""
    if not responses_file.is_file():
        return None
    tokens = []
    with responses_file.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("status") == "answered" and r.get("output_tokens"):
                tokens.append(int(r["output_tokens"]))
    return round(sum(tokens) / len(tokens)) if tokens else None


def _money(x: float | None) -> str:
    return "" if x is None else f"${x:,.4f}"


def format_table(rows: Sequence[RunEstimate]) -> str:
    """A plain-text table of the estimates, with totals and the notes below it."""
    head = ["run", "model", "items", "cached", "requests", "text tok", "image tok", "output tok", "USD", "worst USD"]
    head.append("batch USD")
    body = [
        [
            r.run,
            r.model or r.kind,
            str(r.items),
            str(r.cached),
            str(r.requests),
            f"{r.text_tokens:,}",
            f"{r.image_tokens:,}",
            f"{r.output_tokens:,}",
            _money(r.cost_usd),
            _money(r.worst_usd),
            _money(r.batch_usd),
        ]
        for r in rows
    ]
    total_batch = [r.batch_usd if r.batch_usd is not None else r.cost_usd for r in rows]
    body.append(
        [
            "total",
            "",
            str(sum(r.items for r in rows)),
            str(sum(r.cached for r in rows)),
            str(sum(r.requests for r in rows)),
            f"{sum(r.text_tokens for r in rows):,}",
            f"{sum(r.image_tokens for r in rows):,}",
            f"{sum(r.output_tokens for r in rows):,}",
            _money(sum(r.cost_usd for r in rows)),
            _money(sum(r.worst_usd for r in rows)),
            _money(sum(total_batch)) if any(r.batch_usd is not None for r in rows) else "",
        ]
    )
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]

    def fmt(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(cells)).rstrip()

    lines = [fmt(head), "  ".join("-" * w for w in widths), *map(fmt, body)]
    from vipbench.inference.tokens import tokenizer_name

    lines.append("")
    lines.append(
        f"text tokens: {tokenizer_name()}; output: {EXPECTED_OUTPUT} tokens an answer unless noted "
        "(worst: max_tokens); "
        "batch USD: at batch prices for runs with batch: true"
    )
    for r in rows:
        extra = [f"image rule {r.image_rule}"] if r.image_rule else []
        extra += [f"prices {r.price_source}"] if r.price_source and r.price_source != "none" else []
        if extra or r.notes:
            lines.append(f"{r.run}: " + "; ".join(extra + r.notes))
    return "\n".join(lines)
