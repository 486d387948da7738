"""LLM judges for place and occupation guesses, through any OpenAI-compatible endpoint.

Several judges form a panel and decide by majority vote (ties go to the more cautious, lower
verdict). Verdicts are cached in SQLite, keyed by the judge's endpoint, model, prompt hash and
the (attribute, truth, guess) triple, so re-scoring never pays twice. Disagreements between
judges are kept and reported. API keys are read from the environment at call time only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from vipbench.core.attributes import ATTRIBUTES
from vipbench.core.records import VERDICT_ORDER, Decision, Verdict
from vipbench.inference.specs import EndpointSpec

PROMPTS = Path(__file__).parent / "judge_prompts"
ORDER: dict[Verdict, int] = VERDICT_ORDER
JUDGED = ("location", "placeOfImage", "placeOfBirth", "occupation")


class JudgeSpec(EndpointSpec):
    """One LLM judge: a text model behind an OpenAI-compatible endpoint."""

    max_tokens: int = Field(200, ge=16)
    max_retries: int = Field(4, ge=0)
    attributes: list[Literal["location", "placeOfImage", "placeOfBirth", "occupation"]] = Field(
        default_factory=lambda: list(JUDGED)
    )


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


class JudgeCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT NOT NULL, reason TEXT)"
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Verdict, str] | None:
        with self._lock:
            row = self._db.execute("SELECT verdict, reason FROM verdicts WHERE key=?", (key,)).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, key: str, verdict: Verdict, reason: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)", (key, verdict, reason))

    def close(self) -> None:
        self._db.close()


@dataclass
class LLMJudgePanel:
    judges: list[JudgeSpec]
    cache_path: Path
    calls: int = 0
    cache_hits: int = 0
    disagreements: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._cache = JudgeCache(self.cache_path)
        self._clients: dict[int, object] = {}

    def handles(self, attribute: str) -> bool:
        return any(attribute in j.attributes for j in self.judges)

    def _client(self, i: int, spec: JudgeSpec):  # type: ignore[no-untyped-def]
        if i not in self._clients:
            from openai import OpenAI

            self._clients[i] = OpenAI(
                api_key=os.environ.get(spec.api_key_env) or "EMPTY",
                base_url=spec.base_url,
                timeout=spec.timeout,
                max_retries=spec.max_retries,
            )
        return self._clients[i]

    def _key(self, spec: JudgeSpec, attribute: str, truth: str, guess: str) -> str:
        blob = json.dumps(
            [spec.base_url, spec.model, spec.temperature, prompt_hash(attribute), attribute, truth, guess]
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def _ask(self, i: int, spec: JudgeSpec, attribute: str, truth: str, guess: str) -> tuple[Verdict, str]:
        key = self._key(spec, attribute, truth, guess)
        hit = self._cache.get(key)
        if hit:
            self.cache_hits += 1
            return hit
        resp = self._client(i, spec).chat.completions.create(  # type: ignore[attr-defined]
            model=spec.model,
            messages=[{"role": "user", "content": render(attribute, truth, guess)}],
            temperature=spec.temperature,
            max_tokens=spec.max_tokens,
        )
        self.calls += 1
        text = (resp.choices[0].message.content or "") if resp.choices else ""
        parsed = parse_verdict(text)
        if parsed is None:
            return "wrong", f"judge reply had no verdict: {text[:120]!r}"
        self._cache.put(key, *parsed)  # only successful verdicts are cached
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
        self._cache.close()
