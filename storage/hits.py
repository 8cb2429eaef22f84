"""A chunk found by a search, typed where the store's results come in, and the text a chunk stands for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UNRANKED = -1  # the rank of a chunk fetched by id rather than found by a ranked search


@dataclass(frozen=True)
class SearchHit:
    """One chunk as a search returned it: its id, place in the ranking, similarity to the query vector (cosine),
    metadata, and its stored document (None since chunks keep only their span of the article's text).

    >>> hit = SearchHit("a-000", 0, 0.82, {"article_id": "a", "start": 0, "end": 5}, None)
    >>> hit.text("Rates rose today")
    'Rates'
    """

    chunk_id: str
    rank: int
    similarity: float
    metadata: Mapping[str, Any]
    document: str | None

    def text(self, article_text: str) -> str:
        """The chunk's text, given its article record's text."""
        return chunk_text(article_text, self.metadata, self.document)


def chunk_text(article_text: str, chunk_meta: Mapping[str, Any], document: str | None = None) -> str:
    """A chunk's text: its Chroma document where a store written before chunks went without has one, else the
    span of its article's text (chunks keep their span, not a copy)."""
    if document is not None:
        return document
    return article_text[int(chunk_meta.get("start", 0)) : int(chunk_meta.get("end", 0))]
