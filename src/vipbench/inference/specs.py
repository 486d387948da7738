"""Endpoint fields, declared once for every spec that talks to an OpenAI-compatible API.

`Connection` says where an API lives and how to authenticate; `EndpointSpec` adds the model and
how to use it (limits, retries, generation settings, prices). The model runs (`openai` kind),
the structure-correction model, the LLM judges and the release watcher's providers all build on
these, so a field means the same thing, with the same validation, everywhere.

The API key is never a field: `api_key_env` names the environment variable that holds it.
Extra headers are configuration, not secrets, but a header whose name looks like a credential
(auth, key, token, secret, cookie) is redacted wherever a spec is logged (`redact`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: names of headers (and extra_body keys) whose values are never logged
_SECRET_NAME = re.compile(r"auth|key|token|secret|cookie|password", re.IGNORECASE)
REDACTED = "<redacted>"
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"


def check_env_name(v: str) -> str:
    """api_key_env must name a variable; a pasted key would end up in logs, so refuse it."""
    if not _ENV_NAME.fullmatch(v):
        raise ValueError(
            "must be the name of an environment variable (letters, digits, '_'), not a key; "
            "put the key itself in that variable"
        )
    return v


def redact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the value of every credential-like name replaced by a marker."""
    return {k: (REDACTED if _SECRET_NAME.search(k) else v) for k, v in values.items()}


class AzureSpec(BaseModel):
    """An Azure OpenAI deployment, reached with the openai package's Azure client."""

    model_config = ConfigDict(extra="forbid")

    #: the resource endpoint, e.g. https://my-resource.openai.azure.com
    endpoint: str
    #: the deployment name (Azure routes by deployment, not by model name)
    deployment: str
    #: the API version, e.g. 2024-10-21
    api_version: str


class Connection(BaseModel):
    """Where an OpenAI-compatible API lives, and which environment variable holds its key."""

    model_config = ConfigDict(extra="forbid")

    #: the API base URL, e.g. http://gpu-host:8000/v1; None means OpenAI itself
    base_url: str | None = None
    #: the *name* of the environment variable holding the key (never the key itself)
    api_key_env: str = "OPENAI_API_KEY"
    #: seconds to wait for one answer
    timeout: float = Field(60.0, gt=0)
    #: Azure OpenAI instead of base_url: endpoint, deployment and API version
    azure: AzureSpec | None = None
    #: extra HTTP headers on every request (e.g. OpenRouter's HTTP-Referer and X-Title)
    extra_headers: dict[str, str] | None = None

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, v: str) -> str:
        return check_env_name(v)

    @model_validator(mode="after")
    def _one_address(self) -> Connection:
        if self.azure is not None and self.base_url is not None:
            raise ValueError("give either base_url or azure, not both")
        return self

    @property
    def endpoint_url(self) -> str:
        """The address that identifies this API (in cache keys): base URL or Azure deployment URL."""
        if self.azure is not None:
            return f"{self.azure.endpoint.rstrip('/')}/openai/deployments/{self.azure.deployment}"
        return self.base_url or OPENAI_DEFAULT_BASE_URL

    @property
    def official(self) -> bool:
        """Whether this is OpenAI's own API or Azure OpenAI (whose model names are OpenAI's)."""
        return self.base_url is None


class EndpointSpec(Connection):
    """One model behind a connection: limits, retries, generation settings and prices."""

    model: str
    max_concurrency: int = Field(8, ge=1, le=1024)
    #: requests and (estimated) tokens per minute; None means no limit
    rpm: float | None = Field(None, gt=0)
    tpm: float | None = Field(None, gt=0)
    max_retries: int = Field(5, ge=0)
    #: sampling temperature; None never sends one (the model's default applies)
    temperature: float | None = Field(0.0, ge=0, le=2)
    #: the output token limit, sent as max_tokens or max_completion_tokens as the model requires
    max_tokens: int = Field(800, ge=1)
    #: reasoning effort of a reasoning model (e.g. minimal, low, medium, high); sent only when set
    reasoning_effort: str | None = Field(None, pattern=r"^[a-z]+$")
    #: extra top-level fields of the request body (e.g. vLLM's guided decoding); part of cache keys
    extra_body: dict[str, Any] | None = None
    price_input_per_mtok: float | None = Field(None, ge=0)
    price_output_per_mtok: float | None = Field(None, ge=0)


#: the attributes an LLM judge may decide (the free-text ones)
JUDGED = ("location", "placeOfImage", "placeOfBirth", "occupation")


class JudgeSpec(EndpointSpec):
    """One LLM judge: a text model behind an OpenAI-compatible endpoint."""

    max_tokens: int = Field(200, ge=16)
    max_retries: int = Field(4, ge=0)
    attributes: list[Literal["location", "placeOfImage", "placeOfBirth", "occupation"]] = Field(
        default_factory=lambda: list(JUDGED)
    )
