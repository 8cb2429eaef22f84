"""Citation markers: neutralize look-alikes in passages, parse and check [n] in answers, find supporting spans."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from qa.sentences import content_words, sentence_spans
from qa.types import Citation, Passage

MARKER = re.compile(r"\[(\d{1,3})\]")
_GROUPED = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})+)\]")  # "[1, 2]" -> "[1][2]"

Embed = Callable[[Sequence[str]], np.ndarray]


_MARKER_WITH_SPACE = re.compile(r"\s*" + MARKER.pattern)


def strip_markers(text: str) -> str:
    """The text without its [n] markers and the space before each (an earlier answer read as history).

    >>> strip_markers("Rates rose [1][2], then fell [3].")
    'Rates rose, then fell.'
    """
    return _MARKER_WITH_SPACE.sub("", text)


def neutralize(text: str) -> str:
    """Make "[7]" inside article text unlike a citation, so neither the model nor the parser takes it for one.

    >>> neutralize("see note [7] here")
    'see note (7) here'
    """
    return MARKER.sub(r"(\1)", text)


def ungroup(text: str) -> str:
    """Write grouped markers one by one: "[1, 2]" -> "[1][2]"."""
    return _GROUPED.sub(lambda m: "".join(f"[{n.strip()}]" for n in m.group(1).split(",")), text)


def check_markers(answer: str, n_passages: int) -> tuple[str, int]:
    """Drop markers that name no given passage; return the cleaned text and how many were removed.

    >>> check_markers("Rates rose [1][9].", 3)
    ('Rates rose [1].', 1)
    """
    answer = ungroup(answer)
    removed = 0

    def keep_or_drop(match: re.Match[str]) -> str:
        nonlocal removed
        if 1 <= int(match.group(1)) <= n_passages:
            return match.group(0)
        removed += 1
        return ""

    cleaned = MARKER.sub(keep_or_drop, answer)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip()
    return cleaned, removed


def cited_numbers(answer: str) -> list[int]:
    """Passage numbers in order of first citation."""
    seen: list[int] = []
    for match in MARKER.finditer(answer):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def claims(answer: str) -> list[tuple[str, list[int]]]:
    """Each answer sentence (markers stripped) with the passage numbers it cites."""
    out = []
    for start, end in sentence_spans(answer):
        sentence = answer[start:end]
        numbers = [int(n) for n in MARKER.findall(sentence)]
        if numbers:
            out.append((re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", sentence)).strip(), numbers))
    return out


def resolve(answer: str, passages: Sequence[Passage], embed: Embed | None = None) -> list[Citation]:
    """One Citation per cited passage, highlighting the passage sentence(s) closest to the claims citing it."""
    claims_by_passage: dict[int, list[str]] = {}
    for claim, numbers in claims(answer):
        for number in numbers:
            claims_by_passage.setdefault(number, []).append(claim)
    citations = []
    for number in cited_numbers(answer):
        passage = passages[number - 1]
        highlight = support_span(" ".join(claims_by_passage.get(number, [])), passage.text, embed)
        citations.append(Citation(number, passage, highlight))
    return citations


def support_span(claim: str, passage_text: str, embed: Embed | None = None) -> tuple[int, int]:
    """Span of the passage sentence that best supports `claim`: word overlap, plus embedding similarity if given."""
    spans = sentence_spans(passage_text) or [(0, len(passage_text))]
    if not claim.strip():
        return spans[0]
    claim_words = content_words(claim)
    overlap = np.array(
        [len(claim_words & content_words(passage_text[s:e])) / (len(claim_words) or 1) for s, e in spans]
    )
    score = overlap
    if embed is not None and len(spans) > 1 and overlap.max() < 1.0:  # a quoted sentence needs no model
        vectors = embed([claim, *[passage_text[s:e] for s, e in spans]])
        score = overlap + vectors[1:] @ vectors[0]
    return spans[int(np.argmax(score))]


def cite_uncited(answer: str, passages: Sequence[Passage], min_overlap: float = 0.6) -> str:
    """Give an uncited sentence the passage that plainly supports it (most of its words); leave it bare otherwise.

    >>> p = Passage("a-000", "a", "Rift Valley Stars won the cup on penalties.", "Cup final")
    >>> cite_uncited("Rift Valley Stars won the cup.", [p])
    'Rift Valley Stars won the cup. [1]'
    """
    pieces, cursor = [], 0
    for start, end in sentence_spans(answer):
        sentence = answer[start:end]
        pieces.append(answer[cursor:end])
        cursor = end
        words = content_words(sentence)
        if MARKER.search(sentence) or not words:
            continue
        overlaps = [len(words & content_words(p.text)) / len(words) for p in passages]
        if overlaps and max(overlaps) >= min_overlap:
            pieces.append(f" [{int(np.argmax(overlaps)) + 1}]")
    pieces.append(answer[cursor:])
    return "".join(pieces)
