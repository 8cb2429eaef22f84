"""Rank the sentences of retrieved passages against a question: the extractive answer and the LLM's short context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.embedder import Embedder
from qa.sentences import content_words, entities, sentence_spans
from qa.types import Passage

MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True)
class Sentence:
    """A sentence of passage `number` (1-based), its span in the passage text, and its score for the question."""

    number: int
    start: int
    end: int
    text: str
    score: float


def rank_sentences(
    question: str, passages: Sequence[Passage], embedder: Embedder, shortlist: int = 24
) -> list[Sentence]:
    """Score = embedding similarity + word overlap + shared names/numbers + a small retrieval-rank prior.

    >>> rank_sentences("Who won the Savanna Cup?", passages, embedder)[0].text
    'Rift Valley Stars won the Savanna Cup on penalties.'
    """
    candidates = [
        (number, s, e, passage.text[s:e].strip())
        for number, passage in enumerate(passages, start=1)
        for s, e in sentence_spans(passage.text)
        if e - s >= MIN_SENTENCE_CHARS
    ]
    if not candidates:
        return []
    question_words, question_entities = content_words(question), entities(question)
    # Embedding every sentence is the cost: keep the lexically closest few (plus each passage's best) first.
    candidates = _shortlist(candidates, question_words, shortlist)
    vectors = embedder.embed([question, *[c[3] for c in candidates]])
    scored = []
    for (number, start, end, text), similarity in zip(candidates, vectors[1:] @ vectors[0], strict=True):
        overlap = len(question_words & content_words(text)) / (len(question_words) or 1)
        named = len(question_entities & entities(text)) / (len(question_entities) or 1)
        rank_prior = 0.05 / number  # retrieval order breaks near-ties
        score = float(similarity) + 0.3 * overlap + 0.2 * named + rank_prior
        scored.append(Sentence(number, start, end, text, score))
    return sorted(scored, key=lambda s: s.score, reverse=True)


def budgeted(
    ranked: Sequence[Sentence], per_passage: int, budget_chars: int, max_passages: int
) -> dict[int, list[Sentence]]:
    """The best sentences overall, at most `per_passage` from a passage and `max_passages` passages, until about
    `budget_chars` are taken; passage number -> its chosen sentences in reading order.

    The local model reads ~100 prompt tokens a second on two cores, so the context is the few sentences most
    likely to hold the answer, not whole chunks.
    """
    chosen: dict[int, list[Sentence]] = {}
    used = 0
    for sentence in ranked:
        picked = chosen.get(sentence.number, [])
        full = len(picked) == per_passage if picked else len(chosen) == max_passages
        if full:
            continue
        if used and used + len(sentence.text) > budget_chars:
            continue
        chosen.setdefault(sentence.number, []).append(sentence)
        used += len(sentence.text)
    return {number: sorted(picked, key=lambda s: s.start) for number, picked in sorted(chosen.items())}


def _shortlist(
    candidates: list[tuple[int, int, int, str]], question_words: set[str], size: int
) -> list[tuple[int, int, int, str]]:
    """The `size` sentences sharing most words with the question, plus the best one of every passage."""
    ranked = sorted(candidates, key=lambda c: len(question_words & content_words(c[3])), reverse=True)
    best_per_passage: dict[int, tuple[int, int, int, str]] = {}
    for candidate in ranked:
        best_per_passage.setdefault(candidate[0], candidate)
    keep = ranked[:size]
    return keep + [c for c in best_per_passage.values() if c not in keep]
