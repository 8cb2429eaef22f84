"""What the index holds: articles, chunks, sources, date range, embedder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from storage.article_meta import ArticleRecord
from storage.base import ArchiveStore
from storage.hits import EmbedderDescription
from storage.types import NO_SOURCE


@dataclass(frozen=True)
class IndexStats:
    """Counts and ranges of one store; `to_json()` is `archive-qa stats --json`'s object.

    >>> IndexStats(0, 0, {}, None, 0, EmbedderDescription(name="minilm", dimension=384), "c1", "archive").counts()
    {'articles': 0, 'chunks': 0}
    """

    articles: int
    chunks: int
    sources: dict[str, int]  # articles per source name, most first (the names the source filter takes)
    date_range: tuple[str, str] | None  # the first and last publication day; None when no article is dated
    undated_articles: int
    embedder: EmbedderDescription  # as the store describes what built it: name and dimension
    chunker: str | None
    collection: str

    def counts(self) -> dict[str, int]:
        """Articles and chunks, as the app's upload and removal answers report what the index holds after them."""
        return {"articles": self.articles, "chunks": self.chunks}

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "date_range": list(self.date_range) if self.date_range else None}


def index_stats(store: ArchiveStore, records: Mapping[str, ArticleRecord] | None = None) -> IndexStats:
    """Counts and ranges for `archive-qa stats` and the app's index panel; `records`, when the caller has just
    read them (`store.article_records()`), are not read again."""
    records = store.article_records() if records is None else records
    dates = sorted(str(r.metadata["published"]) for r in records.values() if r.metadata.get("published"))
    sources: dict[str, int] = {}
    for record in records.values():
        # Names the source filter takes, too; an article whose copies name several sources counts for each.
        for source in {str(record.metadata.get("source") or NO_SOURCE), *(record.metadata.get("sources") or ())}:
            sources[source] = sources.get(source, 0) + 1
    built = store.describe()
    return IndexStats(
        articles=len(records),
        chunks=store.chunk_count(),
        sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        date_range=(dates[0], dates[-1]) if dates else None,
        undated_articles=len(records) - len(dates),
        embedder=built["embedder"],
        chunker=built["chunker"],
        collection=built["collection"],
    )
