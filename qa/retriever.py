"""Hybrid retrieval: dense (the store's vectors) + BM25, fused by reciprocal rank, date-aware, capped per article."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.filters import Filters, asks_for_recent
from qa.stories import one_per_story, with_also_in
from qa.types import Passage
from storage.article_meta import ArticleRecord
from storage.base import ArchiveStore, KeywordSearch
from storage.embedder import Embedder
from storage.hits import SearchHit
from storage.keyword_reader import KeywordReader
from storage.types import article_of

DENSE_OVERFETCH = 5  # unfiltered neighbours fetched per wanted candidate; at 2022 size >= 136 of every 300 pass
SHORT_ARTICLE_FILL = 0.5  # see _article_score


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables, taken from Settings (`from_settings`), which holds their defaults and documents them."""

    k: int
    per_article_cap: int
    dense_candidates: int
    keyword_candidates: int
    keyword_weight: float
    rrf_k: int
    article_support: float
    recency_weight: float
    recency_half_life_days: float

    @classmethod
    def from_settings(cls, settings: Any) -> RetrievalConfig:
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Retrieval:
    """One retrieval's passages and the seconds each step took (embed, dense, keyword, fuse), returned per call so
    that concurrent questions each get their own."""

    passages: list[Passage]
    timings: dict[str, float]


class HybridRetriever:
    """Find the passages that answer a question, as of a date.

    >>> config = RetrievalConfig.from_settings(Settings())
    >>> retriever = HybridRetriever(store, embedder, Path(".archive-qa/keyword/embedded/archive"), config)
    >>> passages = retriever.retrieve("Who won the Savanna Cup?", Filters(as_of=date(2024, 1, 1)))
    >>> sorted(retriever.retrieve_timed("Who won the Savanna Cup?", Filters()).timings)
    ['dense', 'embed', 'fuse', 'keyword']
    """

    def __init__(
        self,
        store: ArchiveStore,
        embedder: Embedder,
        keyword_root: Path,
        config: RetrievalConfig,
        keywords: KeywordReader | None = None,
    ) -> None:
        self.store, self.embedder, self.keyword_root, self.config = store, embedder, keyword_root, config
        self.keywords = keywords or KeywordReader(store, keyword_root)  # read-only: the writers save the index

    def with_config(self, config: RetrievalConfig) -> HybridRetriever:
        """The same store and keyword index, searched with other tunables."""
        return HybridRetriever(self.store, self.embedder, self.keyword_root, config, self.keywords)

    def keyword_index(self) -> KeywordSearch:
        """The BM25 index for the store's current chunk set, reloaded when an ingest has changed it."""
        return self.keywords.current()

    def invalidate(self) -> None:
        """Check the store's fingerprint on the next question (after an ingest in this process)."""
        self.keywords.invalidate()

    def retrieve(self, question: str, filters: Filters, k: int | None = None) -> list[Passage]:
        return self.retrieve_timed(question, filters, k).passages

    def retrieve_timed(self, question: str, filters: Filters, k: int | None = None) -> Retrieval:
        k = k or self.config.k
        started = time.perf_counter()
        vector = self.embedder.embed([question])[0]
        embedded = time.perf_counter()
        index = self.keyword_index()  # once per question: an ingest meanwhile must not mix two chunk sets
        dense = self.dense_hits(vector, filters, index.source_names)
        dense_done = time.perf_counter()
        keyword = self.keyword_hits(question, filters, index)
        keyword_done = time.perf_counter()
        fused = self.fuse(dense, keyword, index, filters, asks_for_recent(question))
        fused = one_per_story(fused, lambda chunk_id: _story(chunk_id, dense, index))
        passages, records = self._materialize(self._cap(fused, k), dense, vector, _agreed_article(dense, keyword))
        passages = with_also_in(passages, self.store, filters, records, grouped=index.has_stories)
        timings = {
            "embed": embedded - started,
            "dense": dense_done - embedded,
            "keyword": keyword_done - dense_done,
            "fuse": time.perf_counter() - keyword_done,
        }
        return Retrieval(passages, timings)

    def dense_hits(
        self, vector: np.ndarray, filters: Filters, known_sources: Sequence[str] = ()
    ) -> dict[str, SearchHit]:
        """Chunk id -> hit (rank among those passing) for the nearest chunks passing the filters, best first.

        Chroma's `where` turns its HNSW search into a slow filtered scan (200-400 ms at 68k chunks), so ask it
        unfiltered for a few times more neighbours and filter here; only when too few pass (a narrow date range or a
        rare source) fall back to the filtered query (`known_sources` let it ask for articles without a source).
        """
        wanted = self.config.dense_candidates
        nearest = self.store.nearest(vector, wanted * DENSE_OVERFETCH)
        hits = _passing(nearest, filters, wanted)
        if len(hits) < wanted and len(nearest) == wanted * DENSE_OVERFETCH:
            hits = _passing(self.store.nearest(vector, wanted, filters.chunk_filter(known_sources)), filters, wanted)
        return hits

    def keyword_hits(self, question: str, filters: Filters, index: KeywordSearch) -> list[str]:
        """Chunk ids BM25 ranks highest for the question among those the filters admit, best first."""
        mask = index.mask(filters.first_day, filters.last_day, filters.sources)
        return [chunk_id for chunk_id, _ in index.search(question, self.config.keyword_candidates, mask)]

    def fuse(
        self,
        dense: dict[str, SearchHit],
        keyword: list[str],
        index: KeywordSearch,
        filters: Filters,
        recent: bool,
    ) -> list[tuple[str, float]]:
        """Chunks in answer order: articles by fused score, then each article's chunks by their own score."""
        rrf_k = self.config.rrf_k
        scores: dict[str, float] = defaultdict(float)
        for chunk_id, hit in dense.items():
            scores[chunk_id] += 1.0 / (rrf_k + hit.rank + 1)
        for rank, chunk_id in enumerate(keyword):
            scores[chunk_id] += self.config.keyword_weight / (rrf_k + rank + 1)
        by_article: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for chunk_id, score in sorted(scores.items(), key=lambda item: item[1], reverse=True):
            by_article[article_of(chunk_id)].append((chunk_id, score))
        article_scores = {
            article: self._article_score(
                chunks, index.article_sizes.get(article, len(chunks)), _day(chunks[0][0], dense, index), filters, recent
            )
            for article, chunks in by_article.items()
        }
        ordered = sorted(by_article, key=lambda article: article_scores[article], reverse=True)
        return [(chunk_id, article_scores[article]) for article in ordered for chunk_id, _ in by_article[article]]

    def _article_score(
        self, chunks: list[tuple[str, float]], size: int, day: int, filters: Filters, recent: bool
    ) -> float:
        """Best chunk plus a share of the next two: an article that matches in several places is likelier the one.

        An article shorter than three chunks counts half its best chunk in the places it has no chunk for: a
        one-chunk story that matches is matched whole, and must not lose to a long one for its length alone.
        News questions are about the recent past, so an article nearer the as-of date ranks a little higher, and more
        so when the question asks for the latest news.
        """
        best = chunks[0][1]
        support = [s for _, s in chunks[1:3]] + [best * SHORT_ARTICLE_FILL] * max(0, 3 - max(size, len(chunks)))
        score = best + self.config.article_support * sum(support)
        if day > 0:
            weight = self.config.recency_weight * (2.0 if recent else 1.0)
            age = max(filters.as_of.toordinal() - day, 0)
            score *= 1.0 + weight * math.exp(-age * math.log(2) / self.config.recency_half_life_days)
        return score

    def _cap(self, fused: list[tuple[str, float]], k: int) -> list[tuple[str, float]]:
        """Top k with at most `per_article_cap` passages of one article, so one long story cannot fill the context."""
        per_article: dict[str, int] = defaultdict(int)
        chosen = []
        for chunk_id, score in fused:
            article_id = article_of(chunk_id)
            if per_article[article_id] < self.config.per_article_cap:
                per_article[article_id] += 1
                chosen.append((chunk_id, score))
                if len(chosen) == k:
                    break
        return chosen

    def _materialize(
        self, chosen: list[tuple[str, float]], dense: dict[str, SearchHit], vector: np.ndarray, agreed: str = ""
    ) -> tuple[list[Passage], dict[str, ArticleRecord]]:
        missing = [chunk_id for chunk_id, _ in chosen if chunk_id not in dense]
        extra = {hit.chunk_id: hit for hit in self.store.hits_of(missing, vector)} if missing else {}
        hits = {**extra, **dense}
        records = self.store.get_articles(sorted({article_of(c) for c, _ in chosen}))
        passages = []
        for chunk_id, score in chosen:
            hit = hits.get(chunk_id)
            article_id = article_of(chunk_id)
            if hit is None or article_id not in records:  # chunk of an article still being written: skip
                continue
            passages.append(_passage(chunk_id, hit, score, records[article_id], article_id == agreed))
        return passages, records


def _agreed_article(dense: dict[str, SearchHit], keyword: list[str]) -> str:
    """The article both searches rank first, or "" when they disagree: independent evidence that the archive
    speaks to the question even when a short question's dense similarity to a long chunk is modest."""
    if not dense or not keyword:
        return ""
    dense_first = article_of(min(dense, key=lambda chunk_id: dense[chunk_id].rank))
    return dense_first if dense_first == article_of(keyword[0]) else ""


def _passage(chunk_id: str, hit: SearchHit, score: float, record: ArticleRecord, agreed: bool) -> Passage:
    meta, locations = hit.metadata, record.locations
    return Passage(
        chunk_id=chunk_id,
        article_id=str(meta["article_id"]),
        text=hit.text(record.text),
        title=str(meta.get("title", "")),
        source=meta.get("source"),
        published=meta.get("published"),
        place=meta.get("place"),
        url=meta.get("url"),
        path=record.archive_path(locations[0]) if locations else None,  # its place in the archive, not the server's
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=score,
        similarity=hit.similarity,
        first_on_both_sides=agreed,
        story_id=str(record.metadata.get("story_id") or ""),
    )


def _story(chunk_id: str, dense: dict[str, SearchHit], index: KeywordSearch) -> str:
    """A chunk's story, from its dense hit's metadata (chunks of an article that joined another's story carry it)
    or else from the keyword index; "" = its article's own."""
    if chunk_id in dense:
        return str(dense[chunk_id].metadata.get("story_id") or "")
    return index.story_of(chunk_id)


def _day(chunk_id: str, dense: dict[str, SearchHit], index: KeywordSearch) -> int:
    """A chunk's publication day, from its dense hit's metadata or else from the keyword index."""
    return int(dense[chunk_id].metadata.get("day", 0)) if chunk_id in dense else index.day_of(chunk_id)


def _passing(nearest: list[SearchHit], filters: Filters, wanted: int) -> dict[str, SearchHit]:
    """The first `wanted` hits the filters admit, ranked again among themselves."""
    hits: dict[str, SearchHit] = {}
    for hit in nearest:
        if not filters.admits(hit.metadata):
            continue
        hits[hit.chunk_id] = replace(hit, rank=len(hits))
        if len(hits) == wanted:
            break
    return hits
