"""What one OpenAI-compatible model refuses in a request body, and how the body adapts to it.

Reasoning models (OpenAI's o-series and gpt-5) refuse `max_tokens` ("use max_completion_tokens")
and any temperature but their default. They say so in an HTTP 400 whose error body names the
offending field: `{"error": {"code": "unsupported_parameter" | "unsupported_value", "param": ...}}`.
`RequestQuirks` records the adaptations such an answer calls for (send the token limit under the
other name; leave an optional sampling field out) and applies them to every body. Only optional
sampling fields are ever dropped: a refused field the user asked for explicitly (`extra_body`,
`reasoning_effort`, `response_format`) stays a loud error.

For OpenAI's own API and Azure, `preset` starts known reasoning models adapted, so not even the
first request is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: the two names of the output token limit
TOKEN_PARAMS = ("max_tokens", "max_completion_tokens")
#: optional sampling fields that may be left out when a model refuses them
DROPPABLE = frozenset(
    {"temperature", "top_p", "seed", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias"}
)
#: error codes that name a field the model does not take
ADAPTABLE_CODES = frozenset({"unsupported_parameter", "unsupported_value"})
_REASONING = re.compile(r"^(?:openai/)?(?:o\d|gpt-5)(?!.*-chat)", re.IGNORECASE)


@dataclass
class RequestQuirks:
    """The request adaptations of one (endpoint, model)."""

    token_param: str = "max_tokens"
    dropped: set[str] = field(default_factory=set)

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """`body` (built with `max_tokens`) as this model takes it."""
        out = dict(body)
        if self.token_param != "max_tokens" and "max_tokens" in out:
            out[self.token_param] = out.pop("max_tokens")
        return {k: v for k, v in out.items() if k not in self.dropped}

    def adapt(self, code: str | None, param: str | None) -> str | None:
        """Adapt to a refusal of `param`; a description of the change, or None if none applies."""
        if code not in ADAPTABLE_CODES or not param:
            return None
        if param == self.token_param and code == "unsupported_parameter":
            other = TOKEN_PARAMS[1 - TOKEN_PARAMS.index(param)] if param in TOKEN_PARAMS else None
            if other is None or other in self.dropped:
                return None
            self.dropped.add(param)
            self.token_param = other
            return f"sends {other} instead of {param}"
        if param in DROPPABLE and param not in self.dropped:
            self.dropped.add(param)
            return f"leaves {param} out"
        return None

    def to_json(self) -> dict[str, Any]:
        return {"token_param": self.token_param, "dropped": sorted(self.dropped)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestQuirks:
        token = data.get("token_param")
        return cls(
            token_param=token if token in TOKEN_PARAMS else "max_tokens",
            dropped={str(p) for p in data.get("dropped") or [] if p in DROPPABLE or p in TOKEN_PARAMS},
        )


def is_reasoning_model(model: str) -> bool:
    """OpenAI's reasoning models by name: o1, o3, o4-mini, gpt-5, gpt-5-mini (not gpt-5-chat)."""
    return bool(_REASONING.match(model))


def preset(model: str, official: bool, temperature: float | None) -> RequestQuirks:
    """The adaptations known up front: on OpenAI or Azure, a reasoning model takes
    max_completion_tokens and no temperature but its default (1)."""
    q = RequestQuirks()
    if official and is_reasoning_model(model):
        q.token_param = "max_completion_tokens"
        q.dropped.add("max_tokens")
        if temperature is not None and temperature != 1:
            q.dropped.add("temperature")
    return q


def refusal_of(body: Any) -> tuple[str | None, str | None]:
    """(code, param) of an OpenAI-style error body, or (None, None)."""
    inner = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return None, None
    code, param = inner.get("code"), inner.get("param")
    return (str(code) if code else None), (str(param) if param else None)
