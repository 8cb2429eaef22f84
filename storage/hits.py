"""What crosses the store's seam: the metadata it keeps, the filter its search takes, a chunk found by a search
or read by id (typed where the store's results come in), what the store was built with, and a chunk's text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

UNRANKED = -1  # the rank of a chunk fetched by id rather than found by a ranked search

# A value kept in a chunk's or an article record's metadata (a list only for `sources`, see storage.article_meta).
MetadataValue = str | int | float | bool | list[str]
Metadata = Mapping[str, MetadataValue]
MetadataUpdate = Mapping[str, MetadataValue | None]  # merged into stored metadata; None deletes the key


@dataclass(frozen=True)
class ChunkFilter:
    """Which chunks a search may return, by the day and the sources they carry.

    `until_day`/`since_day` bound the publication day (proleptic ordinal; an undated chunk, day 0, passes
    `until_day` but not `since_day`). `sources` (none: any) admits a chunk whose `source`, or one of its
    article's copies' `sources`, is named, and for NO_SOURCE a chunk that names none. `known_sources`, the sources
    the store's chunks name, let a store that cannot match a missing key ask for NO_SOURCE as "none of the others".

    >>> ChunkFilter(until_day=738886, sources=("AP",)).since_day is None
    True
    """

    until_day: int | None = None
    since_day: int | None = None
    sources: tuple[str, ...] = ()
    known_sources: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class StoredChunk:
    """A chunk read by id: its metadata and its text."""

    metadata: Metadata
    text: str


class EmbedderDescription(TypedDict):
    name: str | None
    dimension: int | None


class StoreDescription(TypedDict):
    """What a store's chunks were built with (embedder, chunker) and its collection's name, as `stats` prints it."""

    embedder: EmbedderDescription
    chunker: str | None
    collection: str


def chunk_text(article_text: str, chunk_meta: Mapping[str, Any], document: str | None = None) -> str:
    """A chunk's text: its Chroma document where a store written before chunks went without has one, else the
    span of its article's text (chunks keep their span, not a copy)."""
    if document is not None:
        return document
    return article_text[int(chunk_meta.get("start", 0)) : int(chunk_meta.get("end", 0))]
