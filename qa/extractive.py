"""The extractive answerer: no language model, the best 1–3 retrieved sentences with their [n]. Cannot invent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from archive_qa.settings import Settings
from qa.citations import neutralize
from qa.evidence import Sentence, rank_sentences
from qa.types import Passage
from storage.embedder import Embedder


class ExtractiveAnswerer:
    """Answer with sentences copied from the passages, each followed by its passage number.

    >>> answerer = ExtractiveAnswerer(embedder)
    >>> "".join(answerer.stream("Who won?", passages, date.today()))
    'NAIROBI, May 19, 2024 — Coastline Mariners won the Savanna Cup for the first time, ... [1] "We told ... [3]'
    """

    name = "extractive"
    quotes = True  # every sentence is copied from a passage

    def __init__(self, embedder: Embedder, max_sentences: int = 2, keep_ratio: float = 0.85) -> None:
        self.embedder, self.max_sentences, self.keep_ratio = embedder, max_sentences, keep_ratio

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder) -> ExtractiveAnswerer:
        """As qa/registry.py builds it: no setting changes what it quotes."""
        return cls(embedder)

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]:
        chosen = self.select(question, passages)
        yield " ".join(f"{neutralize(s.text)} [{s.number}]" for s in chosen)

    def select(self, question: str, passages: Sequence[Passage]) -> list[Sentence]:
        """The best sentence, plus the next ones while they score close to it."""
        return self.quote(rank_sentences(question, passages, self.embedder))

    def quote(self, ranked: Sequence[Sentence]) -> list[Sentence]:
        """Of sentences ranked best first, the ones `select` quotes."""
        if not ranked:
            return []
        best = ranked[0].score
        return [s for s in ranked[: self.max_sentences] if s.score >= self.keep_ratio * best]
