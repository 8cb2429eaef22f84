"""Chroma's side of a search: a `ChunkFilter` as the `where` of a filtered query, a query's results as hits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.hits import ChunkFilter, SearchHit
from storage.types import NO_SOURCE


def chroma_where(within: ChunkFilter) -> dict[str, Any] | None:
    """Chroma metadata filter; None when the filter limits nothing. Undated chunks (day 0) pass `until_day` but not
    `since_day`.

    A chunk without a source has no `source` key, which `$in` cannot match: NO_SOURCE is asked for as "none of the
    other `known_sources`" (`$nin` matches a missing key). Without them the clause is left out; the caller checks
    each result either way (`Filters.admits`).

    >>> chroma_where(ChunkFilter(until_day=738886, since_day=738521))
    {'$and': [{'day': {'$lte': 738886}}, {'day': {'$gte': 738521}}]}
    >>> chroma_where(ChunkFilter(until_day=738886, sources=("(no source)",), known_sources=("AP", "Reuters")))
    {'$and': [{'day': {'$lte': 738886}}, {'source': {'$nin': ['AP', 'Reuters']}}]}
    """
    clauses: list[dict[str, Any]] = []
    if within.until_day is not None:
        clauses.append({"day": {"$lte": within.until_day}})
    if within.since_day is not None:
        clauses.append({"day": {"$gte": within.since_day}})
    named = [source for source in within.sources if source != NO_SOURCE]
    if NO_SOURCE in within.sources:
        others = sorted(set(within.known_sources) - set(named))
        if others:
            clauses.append({"source": {"$nin": others}})
    elif named:  # or a copy of the article elsewhere names one (a list-valued `sources`)
        clauses.append({"$or": [{"source": {"$in": named}}, *({"sources": {"$contains": s}} for s in named)]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def results_to_hits(result: Mapping[str, Any]) -> list[SearchHit]:
    """Chroma's query result for one query vector as typed hits, in its order (rank 0 = nearest)."""
    return [
        SearchHit(chunk_id, rank, 1.0 - float(distance), metadata, document)
        for rank, (chunk_id, metadata, document, distance) in enumerate(
            zip(
                result["ids"][0],
                result["metadatas"][0],
                result["documents"][0],
                result["distances"][0],
                strict=True,
            )
        )
    ]
