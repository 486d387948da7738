"""Endpoint fields, declared once for every spec that talks to an OpenAI-compatible API.

`Connection` says where an API lives and how to authenticate; `EndpointSpec` adds the model and
how to use it (limits, retries, generation settings, prices). The model runs (`openai` kind),
the structure-correction model, the LLM judges and the release watcher's providers all build on
these, so a field means the same thing, with the same validation, everywhere.

The API key is never a field: `api_key_env` names the environment variable that holds it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_env_name(v: str) -> str:
    """api_key_env must name a variable; a pasted key would end up in logs, so refuse it."""
    if not _ENV_NAME.fullmatch(v):
        raise ValueError(
            "must be the name of an environment variable (letters, digits, '_'), not a key; "
            "put the key itself in that variable"
        )
    return v


class Connection(BaseModel):
    """Where an OpenAI-compatible API lives, and which environment variable holds its key."""

    model_config = ConfigDict(extra="forbid")

    #: the API base URL, e.g. http://gpu-host:8000/v1; None means OpenAI itself
    base_url: str | None = None
    #: the *name* of the environment variable holding the key (never the key itself)
    api_key_env: str = "OPENAI_API_KEY"
    #: seconds to wait for one answer
    timeout: float = Field(60.0, gt=0)

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, v: str) -> str:
        return check_env_name(v)


class EndpointSpec(Connection):
    """One model behind a connection: limits, retries, generation settings and prices."""

    model: str
    max_concurrency: int = Field(8, ge=1, le=1024)
    #: requests and (estimated) tokens per minute; None means no limit
    rpm: float | None = Field(None, gt=0)
    tpm: float | None = Field(None, gt=0)
    max_retries: int = Field(5, ge=0)
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(800, ge=1)
    price_input_per_mtok: float | None = Field(None, ge=0)
    price_output_per_mtok: float | None = Field(None, ge=0)
