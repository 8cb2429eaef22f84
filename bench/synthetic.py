"""The synthetic index bench/retrieval.py times (its docstring says how it is made), written into a fresh store;
the same source store and seed give the same index."""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import dir_bytes, store_settings
from storage.chroma import ChromaStore, article_metadata
from storage.factory import get_embedder, keyword_root, open_store
from storage.keyword_index import KeywordIndex, fingerprint
from storage.types import Article, Chunk

SIGMA = 0.025  # per-dimension noise on a unit 384-d vector: cosine to the source ~ 1/sqrt(1 + 384 sigma^2) ~ 0.9
BATCH_CHUNKS = 5000
FIRST_DAY = date(2021, 1, 1)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Source:
    """What the synthetic articles are made of: the source store's chunk vectors, sentences, titles and sources."""

    base: np.ndarray
    sentences_of: list[list[str]]
    pool: list[str]
    titles: list[str]
    sources: list[str]


@dataclass
class Batch:
    """Synthetic articles written together: their chunks, vectors and metadata, in article order."""

    chunks: list[Chunk] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    metas: dict[str, dict[str, Any]] = field(default_factory=dict)
    article_vectors: list[np.ndarray] = field(default_factory=list)


@dataclass
class Postings:
    """Every written chunk's id, BM25 text, day and source, in write order, for the keyword index."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, batch: Batch) -> None:
        for chunk in batch.chunks:
            meta = batch.metas[chunk.article_id]
            self.ids.append(chunk.id)
            self.texts.append(f"{meta['title']}\n{chunk.text}")
            self.days.append(int(meta["day"]))
            self.sources.append(str(meta.get("source", "")))


def child_synth(target: Path, n: int, source: Path, seed: int) -> dict[str, Any]:
    """Write an n-chunk synthetic archive into a fresh store at `target` (see the module docstring)."""
    phases: dict[str, float] = {}
    clock = started = time.perf_counter()
    material = read_source(source)
    phases["read_source"] = time.perf_counter() - clock

    # The source's chunker is recorded on the synthetic collection too, so both open with the same settings.
    settings = store_settings(source).model_copy(update={"store": target})
    store = open_store(settings, get_embedder(settings))
    postings, phases["generate"], phases["chroma_write"] = write_synthetic(store, material, n, seed)
    clock = time.perf_counter()
    key = fingerprint(postings.ids)
    KeywordIndex.build(postings.ids, postings.texts, postings.days, postings.sources, key).save(keyword_root(settings))
    store.set_fingerprint(key)
    phases["bm25_build"] = time.perf_counter() - clock
    manifest = {
        "chunks": store.chunk_count(),
        "articles": store.article_count(),
        "source_store": str(source),
        "source_chunks": len(material.base),
        "sigma": SIGMA,
        "seed": seed,
        "chunker": f"{settings.chunk_size}/{settings.chunk_overlap}",
        "build_seconds": round(time.perf_counter() - started, 1),
        "phases": {k: round(v, 1) for k, v in phases.items()},
        "store_bytes": dir_bytes(target),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (target / "synthetic.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def read_source(source: Path) -> Source:
    """Every chunk of the source store: its vector, its text split in sentences, its title, the sources named."""
    real = open_store(store_settings(source))
    vectors, texts, titles, sources = [], [], [], set()
    for _, page_vectors, metas, page_texts in real.export_chunks():
        vectors.append(page_vectors)
        texts += page_texts
        titles += [str(m.get("title", "")) for m in metas]
        sources |= {str(m["source"]) for m in metas if m.get("source")}
    sentences_of = [_SENTENCE.split(t) for t in texts]
    pool = [s for group in sentences_of for s in group if len(s) > 20]
    return Source(np.concatenate(vectors), sentences_of, pool, titles, sorted(sources) or ["synthetic"])


def write_synthetic(store: ChromaStore, material: Source, n: int, seed: int) -> tuple[Postings, float, float]:
    """Write n synthetic chunks in batches: their postings, and the seconds spent generating and writing them."""
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    postings = Postings()
    generate = write = 0.0
    article_no = 0
    while len(postings.ids) < n:
        clock = time.perf_counter()
        batch = _batch(material, rng, pick, f"synthetic://{seed}", article_no, n - len(postings.ids))
        article_no += len(batch.articles)
        generate += time.perf_counter() - clock
        clock = time.perf_counter()
        store.write_chunks(batch.chunks, np.concatenate(batch.vectors), batch.metas)
        store.write_articles(batch.articles, list(batch.metas.values()), np.array(batch.article_vectors))  # same order
        write += time.perf_counter() - clock
        postings.add(batch)
        print(f"[synth] {len(postings.ids):,}/{n:,} chunks, write {write:.0f} s", file=sys.stderr, flush=True)
    return postings, generate, write


def _batch(material: Source, rng: np.random.Generator, pick: random.Random, where: str, first: int, room: int) -> Batch:
    """Articles of 4-20 chunks until the batch holds BATCH_CHUNKS or `room` chunks; numbered from `first`."""
    batch = Batch()
    while len(batch.chunks) < BATCH_CHUNKS and len(batch.chunks) < room:
        size = min(pick.randint(4, 20), room - len(batch.chunks))
        article, chunks, noisy = _article(material, rng, pick, size, f"{where}/{first + len(batch.articles)}")
        batch.chunks += chunks
        batch.vectors.append(noisy)
        mean = noisy.mean(axis=0)
        batch.article_vectors.append(mean / np.linalg.norm(mean))
        batch.articles.append(article)
        batch.metas[article.id] = article_metadata(article, [article.location], size)
    return batch


def _article(
    material: Source, rng: np.random.Generator, pick: random.Random, size: int, location: str
) -> tuple[Article, list[Chunk], np.ndarray]:
    """One synthetic article of `size` chunks: noisy copies of random source vectors, texts stitched from theirs."""
    rows = rng.integers(0, len(material.base), size)
    noisy = material.base[rows] + rng.normal(0.0, SIGMA, (size, material.base.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    bodies = [_stitch(material.sentences_of[r], material.pool, pick) for r in rows]
    published = FIRST_DAY + timedelta(days=pick.randrange(730))  # drawn before the source: the seed's order
    article = Article(
        title=material.titles[rows[0]],
        text="\n\n".join(bodies),
        location=location,
        source=pick.choice(material.sources),
        published=published,
    )
    article_id, context = article.id, article.context  # Article.id re-hashes the whole text per access
    chunks = []
    cursor = 0
    for index, body in enumerate(bodies):
        chunks.append(Chunk(article_id, index, body, cursor, cursor + len(body), context))
        cursor += len(body) + 2
    return article, chunks, noisy


def _stitch(sentences: list[str], pool: list[str], pick: random.Random) -> str:
    """The source chunk's sentences, ~30% swapped for random corpus sentences, about as long as the source."""
    length = sum(len(s) + 1 for s in sentences)
    out = [s if pick.random() > 0.3 or not pool else pick.choice(pool) for s in sentences]
    text = " ".join(out)
    return text[: max(length, 200)]
