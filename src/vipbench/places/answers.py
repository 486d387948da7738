"""The place phrase inside an answer written as a sentence.

Vision-language models often answer the location field with a sentence: "This looks like Lisbon,
Portugal, judging by the trams.", "Location: Cape Town, South Africa", "My best guess is Buenos
Aires.", "The signs are in Japanese, so somewhere in Japan." A grader reads the place the sentence
names and ignores the words that introduce it or give the reasons for it.
:func:`answer_phrases` returns the phrases that may be that place, the likeliest first; the caller
takes the first one the gazetteer can resolve. Text that is not a sentence is returned unchanged.
"""

from __future__ import annotations

import re

from vipbench.places.aliases import place_aliases

__all__ = ["alternatives", "answer_phrases"]

#: A label before the answer: "Location: Lisbon", "Best guess: Argentina", "Answer - Kenya".
_LABEL = re.compile(
    r"^\s*(?:(?:my|final|best|the)\s+)*(?:answer|location|place|guess|prediction|estimate|region)\s*[:\-–]\s*",
    re.IGNORECASE,
)
#: A conclusion drawn from a reason given first: "The signs are in Japanese, so somewhere in Japan".
_CONCLUSION = re.compile(r"^.*?[,;]\s*(?:so|therefore|thus|hence)\s+", re.IGNORECASE)
#: A reason given after the place: ", judging by the trams", " based on the temple architecture".
_REASON = re.compile(
    r"[\s,;(]+(?:judging|based|given|because|due to|considering|according to|thanks to|as (?:indicated|suggested|"
    r"seen|shown)|from the|which|where|with its|with the)\b.*$",
    re.IGNORECASE,
)
#: A reason given before the place: "Based on the temple architecture, this is Kyoto".
_LEADING_REASON = re.compile(r"^\s*(?:based on|judging (?:by|from)|given|considering)\b[^,]*,\s*", re.IGNORECASE)
#: The end of a sentence (a word of three or more lowercase letters, a full stop and a capital),
#: not the full stop of "St. Louis" or "Washington, D.C.".
_SENTENCE_END = re.compile(r"(?<=[a-z]{3})[.!]\s+(?=[A-Z])")
#: A semicolon between two clauses of a sentence ("... in Vietnam; the traffic suggests Hanoi").
_CLAUSE_END = re.compile(r";\s+")
#: A sentence this long may hold clauses; a shorter text with a semicolon is a list of parts.
_CLAUSE_WORDS = 6
#: Words that lead into the place ("This looks like", "I believe this is in"), and the verbs among
#: them, one of which a lead-in must hold (data/place_aliases.yaml).
_LEAD_WORDS: frozenset[str] = frozenset(place_aliases()["answer_lead_words"])
_LEAD_VERBS: frozenset[str] = frozenset(place_aliases()["answer_lead_verbs"])


def _without_lead(sentence: str) -> str:
    """The sentence without the words that lead into the place, when they hold a verb; "The Hague"
    keeps its article (no verb), "It is the Dominican Republic" keeps the article after the verb."""
    words = sentence.split()
    cut, verb = 0, False
    for i, word in enumerate(words):
        key = word.lower().strip(".,:;!?'\"").removesuffix("'s")
        if key == "the" and not verb:
            continue
        if key not in _LEAD_WORDS:
            break
        verb = verb or key in _LEAD_VERBS
        cut = i + 1
    if not verb or cut >= len(words):
        return sentence
    return " ".join(words[cut:])


def _after_verb(sentence: str) -> str | None:
    """The sentence from the first capitalised word after a lead-in verb, when its first word is
    capitalised as a sentence's is: "The colorful houses suggest this is Valparaíso, Chile" ->
    "Valparaíso, Chile", "I'd say Tbilisi" -> "Tbilisi"; None when there is no such word."""
    words = sentence.split()
    if not words or not words[0][:1].isupper():
        return None
    verb = False
    for i, word in enumerate(words):
        if i > 0 and verb and (word[:1].isupper() or not word[:1].isascii()):
            return " ".join(words[i:])
        key = word.lower().strip(".,:;!?'\"").removesuffix("'s")
        verb = verb or key in _LEAD_VERBS
    return None


def _phrase(sentence: str) -> str:
    sentence = _LEADING_REASON.sub("", sentence, count=1)
    sentence = _REASON.sub("", sentence).strip()
    sentence = _after_verb(sentence) or _without_lead(sentence)
    return sentence.strip().rstrip(".!;:,").strip()


def answer_phrases(text: str) -> list[str]:
    """The phrases of an answer that may name its place, the likeliest first ([text] if it is no
    sentence): the place after a label, after "so"/"therefore", or after a lead-in such as "This
    looks like"; reasons after it dropped; each sentence of a longer answer in turn."""
    body = _LABEL.sub("", text, count=1)
    body = _CONCLUSION.sub("", body, count=1)
    sentences = [s for s in _SENTENCE_END.split(body) if s.strip()]
    sentences = [c for s in sentences for c in (_CLAUSE_END.split(s) if len(s.split()) >= _CLAUSE_WORDS else [s])]
    phrases = [_phrase(s) for s in sentences] if sentences else []
    phrases = [p for p in dict.fromkeys(phrases) if p]
    if not phrases or phrases == [text.strip().rstrip(".!;:,").strip()]:
        return [text]
    return phrases


#: "Tokyo or Yokohama", "either Marseille or Bordeaux, France": a lowercase "or" between candidates
#: (an upper-case "OR" is Oregon's postal code).
_OR = re.compile(r"\s+or\s+")
_EITHER = re.compile(r"^\s*either\s+", re.IGNORECASE)


def alternatives(text: str) -> list[str]:
    """The candidate places of an answer that offers several ("Marseille or Nice, France" ->
    ["Marseille, France", "Nice, France"]); [text] when it offers one. Parts after the last
    candidate's name that the others lack (", France") are shared by all of them."""
    pieces = [p.strip() for p in _OR.split(_EITHER.sub("", text)) if p.strip()]
    if len(pieces) < 2:
        return [text]
    head, _, tail = pieces[-1].partition(",")
    if tail and all("," not in p for p in pieces[:-1]):
        return [f"{p},{tail}" for p in pieces[:-1]] + [pieces[-1]]
    return pieces
