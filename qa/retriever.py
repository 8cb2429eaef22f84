"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, date-aware, capped per article."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.embedder import Embedder
from ingest.keyword_index import KeywordIndex, build_from_store
from ingest.store import ArchiveStore
from qa.filters import Filters, asks_for_recent
from qa.types import Passage

RRF_K = 60  # the constant from Cormack et al.; ranks deeper than ~60 contribute little either way


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables, normally taken from Settings (see `from_settings`)."""

    k: int = 6
    per_article_cap: int = 2
    dense_candidates: int = 60
    keyword_candidates: int = 60
    recency_weight: float = 0.35
    recency_half_life_days: float = 30.0
    keyword_weight: float = 1.0


class HybridRetriever:
    """Find the passages that answer a question, as of a date.

    >>> retriever = HybridRetriever(store, embedder, Path(".archive-qa/keyword/embedded/archive"))
    >>> passages = retriever.retrieve("Who won the Savanna Cup?", Filters(as_of=date(2024, 1, 1)))
    """

    def __init__(self, store: ArchiveStore, embedder: Embedder, keyword_root: Path, config: RetrievalConfig) -> None:
        self.store, self.embedder, self.keyword_root, self.config = store, embedder, keyword_root, config
        self._bm25: KeywordIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index for the store's current chunk set, reloaded when an ingest has changed it."""
        with self._lock:
            if self._bm25 is not None and time.monotonic() - self._checked_at < 1.0:
                return self._bm25
            key = self.store.fingerprint
            self._checked_at = time.monotonic()
            if self._bm25 is None or self._bm25.fingerprint != key:
                loaded = KeywordIndex.load(self.keyword_root, key)
                self._bm25 = loaded or build_from_store(self.store, self.keyword_root, key)
            return self._bm25

    def invalidate(self) -> None:
        """Check the store's fingerprint on the next question (after an ingest in this process)."""
        with self._lock:
            self._checked_at = 0.0

    def retrieve(self, question: str, filters: Filters, k: int | None = None) -> list[Passage]:
        k = k or self.config.k
        started = time.perf_counter()
        vector = self.embedder.embed([question])[0]
        embedded = time.perf_counter()
        dense = self._dense(vector, filters)
        dense_done = time.perf_counter()
        keyword = self._keyword_hits(question, filters)
        keyword_done = time.perf_counter()
        fused = self._fuse(dense, keyword, filters, asks_for_recent(question))
        passages = self._materialize(self._cap(fused, k), dense, vector)
        self.timings = {
            "embed": embedded - started,
            "dense": dense_done - embedded,
            "keyword": keyword_done - dense_done,
            "fuse": time.perf_counter() - keyword_done,
        }
        return passages

    def _dense(self, vector: np.ndarray, filters: Filters) -> dict[str, dict[str, Any]]:
        """Chunk id -> {similarity, rank, metadata, document} for the nearest chunks passing the filters."""
        result = self.store.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=self.config.dense_candidates,
            where=filters.chroma_where(),
            include=["metadatas", "documents", "distances"],
        )
        hits = {}
        for rank, chunk_id in enumerate(result["ids"][0]):
            hits[chunk_id] = {
                "rank": rank,
                "similarity": 1.0 - float(result["distances"][0][rank]),
                "metadata": result["metadatas"][0][rank],
                "document": result["documents"][0][rank],
            }
        return hits

    def _keyword_hits(self, question: str, filters: Filters) -> list[str]:
        index = self.keyword_index()
        mask = index.mask(filters.first_day, filters.last_day, filters.sources)
        return [chunk_id for chunk_id, _ in index.search(question, self.config.keyword_candidates, mask)]

    def _fuse(
        self, dense: dict[str, dict[str, Any]], keyword: list[str], filters: Filters, recent: bool
    ) -> list[tuple[str, float]]:
        scores: dict[str, float] = defaultdict(float)
        for chunk_id, hit in dense.items():
            scores[chunk_id] += 1.0 / (RRF_K + hit["rank"] + 1)
        for rank, chunk_id in enumerate(keyword):
            scores[chunk_id] += self.config.keyword_weight / (RRF_K + rank + 1)
        days = self._days(scores, dense)
        weight = self.config.recency_weight * (2.0 if recent else 1.0)
        as_of = filters.as_of.toordinal()
        for chunk_id, day in days.items():
            if day > 0:  # news questions are about the recent past: nearer the as-of date ranks a little higher
                age = max(as_of - day, 0)
                scores[chunk_id] *= 1.0 + weight * math.exp(-age * math.log(2) / self.config.recency_half_life_days)
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)

    def _days(self, scores: dict[str, float], dense: dict[str, dict[str, Any]]) -> dict[str, int]:
        index = self.keyword_index()
        return {
            chunk_id: int(dense[chunk_id]["metadata"].get("day", 0)) if chunk_id in dense else index.day_of(chunk_id)
            for chunk_id in scores
        }

    def _cap(self, fused: list[tuple[str, float]], k: int) -> list[tuple[str, float]]:
        """Top k with at most `per_article_cap` passages of one article, so one long story cannot fill the context."""
        per_article: dict[str, int] = defaultdict(int)
        chosen = []
        for chunk_id, score in fused:
            article_id = chunk_id.rsplit("-", 1)[0]
            if per_article[article_id] < self.config.per_article_cap:
                per_article[article_id] += 1
                chosen.append((chunk_id, score))
                if len(chosen) == k:
                    break
        return chosen

    def _materialize(
        self, chosen: list[tuple[str, float]], dense: dict[str, dict[str, Any]], vector: np.ndarray
    ) -> list[Passage]:
        missing = [chunk_id for chunk_id, _ in chosen if chunk_id not in dense]
        extra = {}
        if missing:
            got = self.store.chunks.get(ids=missing, include=["metadatas", "documents", "embeddings"])
            for i, chunk_id in enumerate(got["ids"]):
                similarity = float(np.dot(np.asarray(got["embeddings"][i]), vector))
                extra[chunk_id] = {
                    "similarity": similarity,
                    "metadata": got["metadatas"][i],
                    "document": got["documents"][i],
                }
        hits = {**extra, **dense}
        records = self.store.get_articles(sorted({c.rsplit("-", 1)[0] for c, _ in chosen}))
        passages = []
        for chunk_id, score in chosen:
            hit = hits.get(chunk_id)
            article_id = chunk_id.rsplit("-", 1)[0]
            if hit is None or article_id not in records:  # chunk of an article still being written: skip
                continue
            passages.append(_passage(chunk_id, hit, score, records[article_id].locations))
        return passages


def _passage(chunk_id: str, hit: dict[str, Any], score: float, locations: tuple[str, ...]) -> Passage:
    meta = hit["metadata"]
    return Passage(
        chunk_id=chunk_id,
        article_id=str(meta["article_id"]),
        text=str(hit["document"]),
        title=str(meta.get("title", "")),
        source=meta.get("source"),
        published=meta.get("published"),
        place=meta.get("place"),
        url=meta.get("url"),
        path=locations[0] if locations else None,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=score,
        similarity=hit["similarity"],
    )
