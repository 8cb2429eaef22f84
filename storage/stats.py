"""What the index holds: articles, chunks, sources, date range, embedder."""

from __future__ import annotations

from typing import Any

from storage.base import ArchiveStore
from storage.types import NO_SOURCE


def index_stats(store: ArchiveStore) -> dict[str, Any]:
    """Counts and ranges for `archive-qa stats` and the app's index panel."""
    records = store.article_records()
    dates = sorted(str(r.metadata["published"]) for r in records.values() if r.metadata.get("published"))
    sources: dict[str, int] = {}
    for record in records.values():
        # Names the source filter takes, too; an article whose copies name several sources counts for each.
        for source in {str(record.metadata.get("source") or NO_SOURCE), *(record.metadata.get("sources") or ())}:
            sources[source] = sources.get(source, 0) + 1
    built = store.describe()
    return {
        "articles": len(records),
        "chunks": store.chunk_count(),
        "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        "date_range": [dates[0], dates[-1]] if dates else None,
        "undated_articles": len(records) - len(dates),
        "embedder": built["embedder"],
        "chunker": built["chunker"],
        "collection": built["collection"],
    }
