"""Response classification: answered, refused or unparseable, with a reason.

The one rule for every backend. Refused: a provider content filter (finish_reason
"content_filter"), a `refusal` field, or an answer with no usable guess that is worded as a
refusal. An answer whose guesses parse is answered even if it hedges ("I can't be sure, but ...").
Everything else is unparseable; the reason says when the token limit cut the answer short.
(Requests that fail outright never reach this point: the engine turns them into status "error".)
"""

from __future__ import annotations

from vipbench.core.records import Status
from vipbench.inference.backend import Completion
from vipbench.inference.parsing import ParsedAnswer, detect_refusal, parse_answer

Classified = tuple[str, ParsedAnswer, str | None]


def classify(
    completion: Completion, attribute: str, output_format: str, token_limit: str = "max_tokens"
) -> Classified:
    """(status, parsed answer, reason) of a completion; memoised on the completion.

    `token_limit` names the setting that cut the answer off, for the reason of an unparseable
    answer whose finish_reason is "length".
    """
    memo = completion.memo.get((attribute, output_format))
    if memo is None:
        memo = completion.memo[(attribute, output_format)] = _classify(
            completion, attribute, output_format, token_limit
        )
    return memo


def _classify(completion: Completion, attribute: str, output_format: str, token_limit: str) -> Classified:
    if completion.finish_reason == "content_filter":
        return "refused", ParsedAnswer(), "provider content filter (finish_reason=content_filter)"
    if completion.refusal:
        return "refused", ParsedAnswer(), f"refusal field: {' '.join(completion.refusal.split())[:200]}"
    parsed = parse_answer(completion.text, attribute, output_format)
    if parsed.ok:
        return "answered", parsed, None
    refusal = detect_refusal(completion.text)
    if refusal:
        return "refused", parsed, refusal
    reason = parsed.reason or "unparseable"
    if completion.finish_reason == "length":
        reason += f" (the output hit {token_limit})"
    return "unparseable", parsed, reason


def classify_text(text: str, attribute: str, output_format: str) -> tuple[Status, list[str], str, str | None]:
    """(status, guesses, inference, reason) of a bare answer text, by the same rule."""
    status, parsed, reason = classify(Completion(text=text), attribute, output_format)
    guesses = parsed.guesses if status == "answered" else []
    return status, guesses, parsed.inference, reason  # type: ignore[return-value]
