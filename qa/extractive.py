"""The extractive answerer: no language model, the best 1–3 retrieved sentences with their [n]. Cannot invent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from ingest.embedder import Embedder
from qa.citations import neutralize
from qa.sentences import content_words, entities, sentence_spans
from qa.types import Passage

MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True)
class _Candidate:
    number: int
    text: str
    score: float


class ExtractiveAnswerer:
    """Answer with sentences copied from the passages, each followed by its passage number.

    >>> answerer = ExtractiveAnswerer(embedder)
    >>> "".join(answerer.stream("Who won?", passages, date.today()))
    'Rift Valley Stars won the Savanna Cup on penalties [1].'
    """

    name = "extractive"

    def __init__(
        self, embedder: Embedder, max_sentences: int = 2, keep_ratio: float = 0.85, shortlist: int = 16
    ) -> None:
        self.embedder, self.max_sentences, self.keep_ratio = embedder, max_sentences, keep_ratio
        self.shortlist = shortlist

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]:
        chosen = self.select(question, passages)
        yield " ".join(f"{neutralize(c.text)} [{c.number}]" for c in chosen)

    def select(self, question: str, passages: Sequence[Passage]) -> list[_Candidate]:
        candidates = [
            (number, passage.text[s:e].strip())
            for number, passage in enumerate(passages, start=1)
            for s, e in sentence_spans(passage.text)
            if e - s >= MIN_SENTENCE_CHARS
        ]
        if not candidates:
            return []
        question_words, question_entities = content_words(question), entities(question)
        # Embedding every sentence is the cost: keep the lexically closest few (plus each passage's best) first.
        candidates = _shortlist(candidates, question_words, self.shortlist)
        vectors = self.embedder.embed([question, *[text for _, text in candidates]])
        similarity = vectors[1:] @ vectors[0]
        scored = []
        for (number, text), sim in zip(candidates, similarity, strict=True):
            overlap = len(question_words & content_words(text)) / (len(question_words) or 1)
            named = len(question_entities & entities(text)) / (len(question_entities) or 1)
            rank_prior = 0.05 / number  # retrieval order breaks near-ties
            scored.append(_Candidate(number, text, float(sim) + 0.3 * overlap + 0.2 * named + rank_prior))
        scored.sort(key=lambda c: c.score, reverse=True)
        best = scored[0].score
        chosen = [c for c in scored[: self.max_sentences] if c.score >= self.keep_ratio * best]
        return chosen


def _shortlist(candidates: list[tuple[int, str]], question_words: set[str], size: int) -> list[tuple[int, str]]:
    """The `size` sentences sharing most words with the question, plus the best one of every passage."""
    ranked = sorted(candidates, key=lambda item: len(question_words & content_words(item[1])), reverse=True)
    best_per_passage: dict[int, tuple[int, str]] = {}
    for item in ranked:
        best_per_passage.setdefault(item[0], item)
    keep = ranked[:size]
    return keep + [item for item in best_per_passage.values() if item not in keep]
