"""A `ChunkFilter` as Chroma's `where`: the expression built, and what it selects in a real collection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import chromadb
import pytest

from storage.chroma_client import ChromaEmbedding
from storage.chroma_query import chroma_where
from storage.hits import ChunkFilter
from storage.types import NO_SOURCE

LAST, FIRST = 738886, 738521  # 2024-01-01 and 2023-01-01
IN_OR_CONTAINS = {"$or": [{"source": {"$in": ["AP"]}}, {"sources": {"$contains": "AP"}}]}


@pytest.mark.parametrize(
    ("within", "where"),
    [
        (ChunkFilter(), None),
        (ChunkFilter(until_day=LAST), {"day": {"$lte": LAST}}),
        (ChunkFilter(until_day=LAST, since_day=FIRST), {"$and": [{"day": {"$lte": LAST}}, {"day": {"$gte": FIRST}}]}),
        (ChunkFilter(until_day=LAST, sources=("AP",)), {"$and": [{"day": {"$lte": LAST}}, IN_OR_CONTAINS]}),
        # An article without a source has no `source` key: asked for as none of the other known sources.
        (
            ChunkFilter(until_day=LAST, sources=(NO_SOURCE,), known_sources=("Reuters", "AP")),
            {"$and": [{"day": {"$lte": LAST}}, {"source": {"$nin": ["AP", "Reuters"]}}]},
        ),
        (
            ChunkFilter(until_day=LAST, sources=("AP", NO_SOURCE), known_sources=("Reuters", "AP")),
            {"$and": [{"day": {"$lte": LAST}}, {"source": {"$nin": ["Reuters"]}}]},
        ),
        (ChunkFilter(until_day=LAST, sources=(NO_SOURCE,)), {"day": {"$lte": LAST}}),  # no known sources: no clause
    ],
)
def test_the_where_expression(within: ChunkFilter, where: dict[str, Any] | None) -> None:
    assert chroma_where(within) == where


CHUNKS: dict[str, dict[str, Any]] = {
    "ap": {"day": LAST - 10, "source": "AP"},
    "reuters": {"day": LAST - 10, "source": "Reuters"},
    "unsourced": {"day": LAST - 10},
    "copy-in-ap": {"day": LAST - 10, "source": "Reuters", "sources": ["AP", "Reuters"]},
    "undated": {"day": 0, "source": "AP"},
    "late": {"day": LAST + 1, "source": "AP"},
}


@pytest.fixture(scope="module")
def collection() -> Iterator[Any]:
    client = chromadb.EphemeralClient(settings=chromadb.Settings(anonymized_telemetry=False))
    made = client.create_collection("where-test", embedding_function=ChromaEmbedding())  # type: ignore[arg-type]
    vectors = [[1.0, float(i)] for i in range(len(CHUNKS))]
    made.add(ids=list(CHUNKS), embeddings=vectors, metadatas=list(CHUNKS.values()))
    yield made
    client.delete_collection("where-test")


@pytest.mark.parametrize(
    ("within", "selected"),
    [
        (ChunkFilter(until_day=LAST), {"ap", "reuters", "unsourced", "copy-in-ap", "undated"}),
        (ChunkFilter(until_day=LAST, since_day=FIRST), {"ap", "reuters", "unsourced", "copy-in-ap"}),
        (ChunkFilter(until_day=LAST, sources=("AP",)), {"ap", "copy-in-ap", "undated"}),  # or a copy names it
        (ChunkFilter(until_day=LAST, sources=(NO_SOURCE,), known_sources=("AP", "Reuters")), {"unsourced"}),
        (
            ChunkFilter(until_day=LAST, sources=("AP", NO_SOURCE), known_sources=("AP", "Reuters")),
            {"ap", "unsourced", "undated"},  # the query's `$nin` leaves out a copy that names AP: `admits` has it
        ),
    ],
)
def test_what_the_where_selects(collection: Any, within: ChunkFilter, selected: set[str]) -> None:
    assert set(collection.get(where=chroma_where(within))["ids"]) == selected
