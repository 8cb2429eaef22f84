"""The systems bench/retrieval.py times, each in its own child process: archive-qa's HybridRetriever, and the
tutorial's dense search and BM25 + dense ensemble (see bench/retrieval.py)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import store_settings
from evaluation.summary import percentile

WARMUP = 5


def _questions(path: Path, n: int) -> list[tuple[str, date]]:
    from evaluation.questions import load_questions

    pool = [(q.text, q.as_of) for q in load_questions([path])]
    return [pool[i % len(pool)] for i in range(n + WARMUP)]


def _rss_mib() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _stats(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "mean_ms": round(sum(samples) / len(samples) * 1000, 1) if samples else 0.0,
    }


def child_archive_qa(store: Path, questions: Path, n: int) -> dict[str, Any]:
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA

    started = time.perf_counter()
    retriever = ArchiveQA.from_settings(store_settings(store)).retriever
    chunks = retriever.store.chunk_count()
    asked = _questions(questions, n)
    for text, as_of in asked[:WARMUP]:  # also loads the BM25 index
        retriever.retrieve(text, Filters(as_of=as_of))
    ready = time.perf_counter() - started
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for text, as_of in asked[WARMUP:]:
        clock = time.perf_counter()
        retrieval = retriever.retrieve_timed(text, Filters(as_of=as_of))
        totals.append(time.perf_counter() - clock)
        for stage, seconds in retrieval.timings.items():
            stages.setdefault(stage, []).append(seconds)
    return {
        "chunks": chunks,
        "queries": len(totals),
        "open_and_warmup_seconds": round(ready, 2),
        "total": _stats(totals),
        "stages": {stage: _stats(values) for stage, values in stages.items()},
        "rss_after_mib": _rss_mib(),
    }


def child_dense(persist: Path, questions: Path, n: int) -> dict[str, Any]:
    from bench import tutorial

    emb = tutorial.embeddings()
    store = tutorial.open_store(persist, emb)
    asked = _questions(questions, n)
    for text, _ in asked[:WARMUP]:
        store.similarity_search(text, k=10)
    totals, embeds, searches = [], [], []
    for text, _ in asked[WARMUP:]:
        clock = time.perf_counter()
        vector = emb.embed_query(text)
        embedded = time.perf_counter()
        store.similarity_search_by_vector(vector, k=10)
        done = time.perf_counter()
        totals.append(done - clock)
        embeds.append(embedded - clock)
        searches.append(done - embedded)
    return {
        "chunks": tutorial.chunk_count(store),
        "queries": len(totals),
        "total": _stats(totals),
        "stages": {"embed": _stats(embeds), "dense": _stats(searches)},
        "rss_after_mib": _rss_mib(),
    }


def child_ensemble(persist: Path, questions: Path, n: int) -> dict[str, Any]:
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever

    from bench import tutorial

    emb = tutorial.embeddings()
    store = tutorial.open_store(persist, emb)
    clock = time.perf_counter()
    chunks = tutorial.stored_chunks(store)
    bm25 = BM25Retriever.from_documents(chunks, k=10)
    build = time.perf_counter() - clock
    ensemble = EnsembleRetriever(retrievers=[bm25, store.as_retriever(search_kwargs={"k": 10})], weights=[0.5, 0.5])
    asked = _questions(questions, n)
    for text, _ in asked[:WARMUP]:
        ensemble.invoke(text)
    totals, keyword = [], []
    for text, _ in asked[WARMUP:]:
        clock = time.perf_counter()
        ensemble.invoke(text)
        totals.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        bm25.invoke(text)  # measured apart (an extra call) to show the keyword share
        keyword.append(time.perf_counter() - clock)
    return {
        "chunks": len(chunks),
        "queries": len(totals),
        "bm25_build_seconds": round(build, 2),
        "total": _stats(totals),
        "stages": {"keyword (BM25Retriever alone)": _stats(keyword)},
        "rss_after_mib": _rss_mib(),
    }
