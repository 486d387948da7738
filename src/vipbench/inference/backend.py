"""What a model backend is: the request it gets, the completion it returns, the errors it raises.

A backend answers requests and nothing else. Caching, retries, limits, classification, the chain
of zoom and accounting belong to the engine layer on top (see `inference.engine`). Two shapes:

- `APIBackend`: one request at a time, `async generate(messages, options) -> Completion`, for
  remote endpoints. It maps transport failures to `RetryableError` (try again) or
  `FatalRequestError` (another attempt will not help).
- `BatchBackend`: `generate(requests) -> list[Completion]` for local models that answer a whole
  batch at once. The engine groups requests into batches of `batch_size` and hands over the
  pixels of each request's images (`Request.images`); any exception fails the batch.

This module imports nothing heavy, so backends can import it at module level.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PIL import Image

    from vipbench.inference.parsing import ParsedAnswer

Message = dict[str, Any]


@dataclass
class Completion:
    """One answer of a model, reduced to what the engine needs."""

    text: str
    refusal: str | None = None
    #: "stop", "length" (the token limit cut the answer), "content_filter", or None if unknown
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    #: seconds spent on this answer when the backend knows better than a wall clock around the
    #: call (a batch backend shares one batch's time among its rows); None: the engine measures
    latency_s: float | None = None
    #: classification results by (attribute, output format), so a completion is parsed once
    memo: dict[tuple[str, str], tuple[str, ParsedAnswer, str | None]] = field(
        default_factory=dict, repr=False, compare=False
    )


@dataclass
class Options:
    """Per-request settings of an API request besides the messages."""

    #: an OpenAI `response_format` (JSON schema of structured output), or None for free text
    response_format: dict[str, Any] | None = None


@dataclass(frozen=True)
class ImageRef:
    """An image a request shows: a file, or a crop of it (a box in percent of the image)."""

    path: Path
    box: tuple[float, float, float, float] | None = None


@dataclass
class Request:
    """One request to a model: OpenAI-style messages, their options, and for local backends the pixels.

    For an API backend the image parts of `messages` hold data URLs. For a batch backend they hold
    placeholders and `image_refs` names the images in the order of those parts; the engine decodes
    them into `images` just before the batch runs and empties `images` afterwards.
    """

    messages: list[Message]
    options: Options = field(default_factory=Options)
    image_refs: list[ImageRef] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)


#: how a transport gets a request when it needs one (built lazily: images are read only then)
Build = Callable[[], Awaitable[Request]]


class RetryableError(Exception):
    """A transient failure (429, 5xx, timeout, connection, malformed body): try again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalRequestError(Exception):
    """A failure that another attempt will not fix (bad request, authentication, unknown model),
    or a transient one after the engine gave up retrying it."""


class APIBackend(Protocol):
    """A remote model answering one request at a time."""

    async def generate(self, messages: list[Message], options: Options) -> Completion: ...

    async def aclose(self) -> None: ...


class BatchBackend(Protocol):
    """A local model answering a batch of requests in one call."""

    #: the most requests the engine puts in one `generate` call
    batch_size: int

    def generate(self, requests: Sequence[Request]) -> list[Completion]:
        """One completion per request, in order. Raising fails the whole batch."""
        ...
