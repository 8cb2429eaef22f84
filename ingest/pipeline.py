"""The ingest run: read files, skip what is stored, chunk + embed + write the rest, reconcile, refresh BM25."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.chunker import Chunker
from ingest.embedder import Embedder
from ingest.keyword_index import KeywordEntry, build_from_store, fingerprint, tokenize_chunks
from ingest.readers import discover, read_file
from ingest.report import IngestReport
from ingest.store import ArchiveStore, article_metadata
from ingest.types import Article, BadInput, Chunk, article_of

Progress = Callable[[int, str], None]


@dataclass
class _Batch:
    articles: list[Article] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)


@dataclass
class _Run:
    """What one run knows: the store's locations before it, and what it saw and wrote."""

    stored: dict[str, set[str]]
    owner: dict[str, str]
    report: IngestReport = field(default_factory=IngestReport)
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    written: dict[str, set[str]] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)
    files_read: set[str] = field(default_factory=set)
    orphans_at_start: set[str] = field(default_factory=set)
    keyword: dict[str, KeywordEntry] = field(default_factory=dict)  # BM25 entries of the chunks written


class Ingestor:
    """Idempotent, crash-safe ingest into an ArchiveStore.

    >>> report = Ingestor(store, embedder, Chunker(900, 150), Path(".archive-qa/keyword")).run([Path("archive/")])
    >>> print(report.summary())
    """

    def __init__(
        self,
        store: ArchiveStore,
        embedder: Embedder,
        chunker: Chunker,
        keyword_root: Path,
        max_file_bytes: int = 50 * 2**20,
        max_stream_bytes: int = 4 * 2**30,
        batch_chunks: int = 512,
    ) -> None:
        self.store, self.embedder, self.chunker, self.keyword_root = store, embedder, chunker, keyword_root
        self.max_file_bytes, self.max_stream_bytes, self.batch_chunks = max_file_bytes, max_stream_bytes, batch_chunks

    def run(self, paths: Iterable[Path], prune: bool = False, progress: bool | Progress = True) -> IngestReport:
        started = time.perf_counter()
        stored = {article_id: set(r.locations) for article_id, r in self.store.article_records().items()}
        run = _Run(stored, {loc: article_id for article_id, locs in stored.items() for loc in locs})
        # Chunks without a record now are a crash's remains; chunks that appear later without one may be another
        # writer's article in progress (on a Chroma server), which the final sweep must leave alone.
        run.orphans_at_start = {c for c in self.store.chunk_ids() if article_of(c) not in stored}
        bar = tqdm(unit=" articles", disable=progress is not True, desc="ingest")
        batch, in_flight = _Batch(), None
        with ThreadPoolExecutor(max_workers=1) as writer:  # Chroma writes overlap the next batch's embedding
            for path in discover(paths):
                clean = True
                for item in read_file(path, self.max_file_bytes, self.max_stream_bytes):
                    if isinstance(item, BadInput):
                        run.report.failed += 1
                        run.report.errors.append(item)
                        clean = False
                        continue
                    self._classify(item, run, batch)
                    bar.update(1)
                    if callable(progress):
                        progress(bar.n, str(path))
                    if len(batch.chunks) >= self.batch_chunks:
                        in_flight = self._flush(batch, run, writer, in_flight)
                        batch = _Batch()
                if clean:
                    run.files_read.add(str(path))
            in_flight = self._flush(batch, run, writer, in_flight)
            if in_flight:
                in_flight.result()
        bar.close()
        self._reconcile(run, prune)
        self._refresh_keyword_index(force=run.report.wrote_anything, known=run.keyword)
        run.report.seconds = time.perf_counter() - started
        return run.report

    def _classify(self, article: Article, run: _Run, batch: _Batch) -> None:
        first_in_run = article.id not in run.seen
        run.seen[article.id].add(article.location)
        if not first_in_run:
            run.report.duplicate += 1
        elif article.id in run.stored:
            if article.location in run.stored[article.id]:
                run.report.unchanged += 1
            else:
                run.report.duplicate += 1
        else:
            previous = run.owner.get(article.location)
            if previous is not None and previous != article.id:
                run.report.updated += 1
                run.replaced.add(previous)
            else:
                run.report.new += 1
            batch.articles.append(article)
            batch.chunks.extend(self.chunker.split(article))

    def _flush(
        self, batch: _Batch, run: _Run, writer: ThreadPoolExecutor, in_flight: Future[None] | None
    ) -> Future[None] | None:
        if not batch.articles:
            return in_flight
        vectors = self.embedder.embed([c.embed_text for c in batch.chunks])
        rows_of: dict[str, list[int]] = defaultdict(list)
        for row, chunk in enumerate(batch.chunks):
            rows_of[chunk.article_id].append(row)
        metas, article_vectors = {}, []
        for article in batch.articles:
            rows = rows_of[article.id]
            run.written[article.id] = set(run.seen[article.id])
            metas[article.id] = article_metadata(article, run.written[article.id], len(rows))
            mean = vectors[rows].mean(axis=0)
            article_vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        if in_flight:
            in_flight.result()  # one write in flight at a time bounds memory; errors surface here

        def write() -> None:
            # Chunks first, then the record that marks the article complete (see ArchiveStore).
            self.store.write_chunks(batch.chunks, vectors, metas)
            self.store.write_articles(batch.articles, [metas[a.id] for a in batch.articles], np.array(article_vectors))
            # Tokenized here, beside the encoder, rather than read back and tokenized after the last batch.
            chunk_metas = [metas[c.article_id] for c in batch.chunks]
            tokens = tokenize_chunks([m["title"] for m in chunk_metas], [c.text for c in batch.chunks])
            for chunk, meta, chunk_tokens in zip(batch.chunks, chunk_metas, tokens, strict=True):
                run.keyword[chunk.id] = KeywordEntry.of(chunk_tokens, meta)

        run.report.chunks_written += len(batch.chunks)
        return writer.submit(write)

    def _reconcile(self, run: _Run, prune: bool) -> None:
        """Settle where every article lives: changed locations, pruned files, then orphan chunks."""
        seen_at = {loc: article_id for article_id, locs in run.seen.items() for loc in locs}
        final: dict[str, set[str]] = {}
        for article_id, old in run.stored.items():
            keep = {loc for loc in old if seen_at.get(loc, article_id) == article_id}
            if prune:
                keep = {loc for loc in keep if _still_there(loc, run.files_read, seen_at)}
            final[article_id] = keep | run.seen.get(article_id, set())
        for article_id, locs in run.seen.items():
            final.setdefault(article_id, set(locs))
        gone = [article_id for article_id, locs in final.items() if not locs]
        changed = {
            article_id: sorted(locs)
            for article_id, locs in final.items()
            if locs and locs != run.written.get(article_id, run.stored.get(article_id))
        }
        if changed:
            self.store.set_locations(changed)
        if gone:
            self.store.delete_articles(gone)
            run.report.removed += len(set(gone) - run.replaced)
        live = set(final) - set(gone)
        # Chunks of a crashed write or an interrupted delete: orphans since the start of the run and still without
        # a record. Other writers' articles (a server takes several) are neither, whether complete or in progress.
        suspects = [
            chunk_id
            for chunk_id in self.store.chunk_ids()
            if article_of(chunk_id) not in live and chunk_id in run.orphans_at_start
        ]
        recorded = self.store.get_articles(sorted({article_of(chunk_id) for chunk_id in suspects}))
        orphans = [chunk_id for chunk_id in suspects if article_of(chunk_id) not in recorded]
        if orphans:
            self.store.delete_chunks(orphans)

    def _refresh_keyword_index(self, force: bool, known: dict[str, KeywordEntry]) -> None:
        """Rebuild BM25 when the chunk set differs from the one it was built for; no-op on an unchanged store."""
        chunk_ids = self.store.chunk_ids()
        key = fingerprint(chunk_ids)
        if not force and key == self.store.fingerprint and (self.keyword_root / key).exists():
            return
        build_from_store(self.store, self.keyword_root, key, known, chunk_ids)
        self.store.set_fingerprint(key)


def _still_there(location: str, files_read: set[str], seen: dict[str, str]) -> bool:
    path = location.split("#", 1)[0]
    if path in files_read:  # the file was read whole this run: its records are exactly what it holds now
        return location in seen
    return Path(path).exists() or Path(location).exists()  # a file name may hold '#' itself
