"""LLM judges for place and occupation guesses, through any OpenAI-compatible endpoint.

Several judges form a panel and decide by majority vote (ties go to the more cautious, lower
verdict). Judges are models like any other: each one is the `openai` backend behind the engine
layer's endpoint (retries, limits) and gateway (the response cache, in its own key space:
`purpose="judge"` with the judge's endpoint, model, settings, prompt hash and the (attribute,
truth, guess) triple), so re-scoring never pays twice. Only replies that hold a verdict are
cached. Disagreements between judges are kept and reported. API keys are read from the
environment when a judge is first asked, never stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vipbench.core.attributes import ATTRIBUTES
from vipbench.core.records import VERDICT_ORDER, Decision, Verdict
from vipbench.inference.specs import JudgeSpec

if TYPE_CHECKING:
    from vipbench.inference.backend import Completion
    from vipbench.inference.gateway import Gateway
    from vipbench.models.openai_api import OpenAIBackend

PROMPTS = Path(__file__).parent / "judge_prompts"
ORDER: dict[Verdict, int] = VERDICT_ORDER


def prompt_file(attribute: str) -> Path:
    return PROMPTS / ("occupation.txt" if attribute == "occupation" else "place.txt")


def prompt_hash(attribute: str) -> str:
    return hashlib.sha256(prompt_file(attribute).read_bytes()).hexdigest()[:12]


def render(attribute: str, truth: str, guess: str) -> str:
    return prompt_file(attribute).read_text(encoding="utf-8").format(
        truth=truth, guess=guess, attribute_description=ATTRIBUTES[attribute].description
    )


_VERDICT_RE = re.compile(r"\b(correct|less[_ ]precise|wrong)\b", re.I)


def parse_verdict(text: str) -> tuple[Verdict, str] | None:
    """The verdict from a judge's reply: JSON first, then the first verdict word."""
    m = re.search(r"\{.*\}", text, re.S)
    if m:
        try:
            obj = json.loads(m.group(0))
            v = str(obj.get("verdict", "")).strip().lower().replace(" ", "_")
            if v in ORDER:
                return v, str(obj.get("reason", ""))  # type: ignore[return-value]
        except json.JSONDecodeError:
            pass
    m2 = _VERDICT_RE.search(text)
    if m2:
        return m2.group(1).lower().replace(" ", "_"), text.strip()[:200]  # type: ignore[return-value]
    return None


def _params(spec: JudgeSpec) -> dict[str, Any]:
    return {"temperature": spec.temperature, "max_tokens": spec.max_tokens}


def cache_key(spec: JudgeSpec, attribute: str, truth: str, guess: str) -> str:
    """The response-cache key of one judge's verdict on one guess."""
    from vipbench.inference.cache import model_key

    return model_key(
        spec.endpoint_url,
        spec.model,
        _params(spec),
        purpose="judge",
        prompt_hash=prompt_hash(attribute),
        attribute=attribute,
        truth=truth,
        guess=guess,
    )


@dataclass
class LLMJudgePanel:
    judges: list[JudgeSpec]
    #: a response-cache file (it may be the inference cache: judges have their own key space)
    cache_path: Path
    calls: int = 0
    cache_hits: int = 0
    disagreements: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from vipbench.inference.cache import ResponseCache
        from vipbench.inference.runner import LoopThread

        self._cache = ResponseCache(self.cache_path)
        self._loop = LoopThread()
        self._gateways: dict[int, Gateway] = {}
        self._backends: list[OpenAIBackend] = []

    def handles(self, attribute: str) -> bool:
        return any(attribute in j.attributes for j in self.judges)

    def _gateway(self, i: int, spec: JudgeSpec) -> Gateway:
        if i not in self._gateways:
            from vipbench.inference.endpoint import Endpoint
            from vipbench.inference.gateway import Gateway
            from vipbench.models.openai_api import OpenAIBackend, endpoint_config

            backend = OpenAIBackend.from_spec(spec)
            self._backends.append(backend)
            endpoint = Endpoint(endpoint_config(spec, _params(spec)), backend)
            self._gateways[i] = Gateway.for_endpoint(endpoint, self._cache)
        return self._gateways[i]

    def _key(self, spec: JudgeSpec, attribute: str, truth: str, guess: str) -> str:
        return cache_key(spec, attribute, truth, guess)

    def _ask(self, i: int, spec: JudgeSpec, attribute: str, truth: str, guess: str) -> tuple[Verdict, str]:
        from vipbench.inference.backend import Request

        gateway = self._gateway(i, spec)

        async def build() -> Request:
            return Request([{"role": "user", "content": render(attribute, truth, guess)}])

        def status_of(completion: Completion) -> str | None:
            return "answered" if parse_verdict(completion.text) else None  # only verdicts are cached

        meta = {"purpose": "judge", "attribute": attribute}
        call = self._loop.run(gateway.call(self._key(spec, attribute, truth, guess), build, status_of, meta))
        if call.cached:
            self.cache_hits += 1
        else:
            self.calls += 1
        text = call.completion.text
        parsed = parse_verdict(text)
        if parsed is None:
            return "wrong", f"judge reply had no verdict: {text[:120]!r}"
        return parsed

    def judge(self, attribute: str, truth: str, guess: str) -> Decision:
        votes: list[tuple[str, Verdict, str]] = []
        for i, spec in enumerate(self.judges):
            if attribute in spec.attributes:
                v, reason = self._ask(i, spec, attribute, truth, guess)
                votes.append((spec.model, v, reason))
        counts = Counter(v for _, v, _ in votes)
        top = max(counts.values())
        # majority; ties go to the lower (more cautious) verdict
        verdict = min((v for v, c in counts.items() if c == top), key=lambda v: ORDER[v])
        if len(counts) > 1:
            self.disagreements.append(
                {"attribute": attribute, "truth": truth, "guess": guess, "votes": {m: v for m, v, _ in votes}}
            )
        names = "+".join(sorted({m for m, _, _ in votes}))
        detail = "; ".join(f"{m}: {v} ({r})" for m, v, r in votes)
        return Decision(verdict=verdict, decided_by=f"llm:{names}@{prompt_hash(attribute)}", detail=detail[:500])

    def judge_fn(self, attribute: str, truth: str, guess: str) -> Decision:
        """The panel where it has judges for the attribute, the offline judges elsewhere."""
        if self.handles(attribute):
            return self.judge(attribute, truth, guess)
        from vipbench.scoring import judge

        return judge(attribute, truth, guess)

    def close(self) -> None:
        for backend in self._backends:  # its client lives on the panel's event loop
            self._loop.run(backend.aclose())
        self._backends.clear()
        self._gateways.clear()
        self._loop.close()
        self._cache.close()
