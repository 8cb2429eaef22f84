"""The ingest run: read files, skip what is stored, chunk + embed + write the rest, reconcile, refresh BM25."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ingest.chunker import Chunker
from ingest.readers import discover_places, read_file
from ingest.reconcile import Edit, RunState, apply_edits, reconcile
from ingest.report import IngestReport
from ingest.stories import StoryAssigner
from storage.article_meta import ArticleRecord, Outlet, article_metadata, descriptive_changes
from storage.base import ArchiveStore
from storage.embedder import Embedder
from storage.keyword_build import build_from_store, restamp_from_store
from storage.keyword_index import KeywordEntry, chunk_set_of, fingerprint, revised
from storage.keyword_tokens import tokenize_chunks
from storage.types import Article, BadInput, Chunk, article_of

Progress = Callable[[int, str], None]


@dataclass
class _Batch:
    articles: list[Article] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)


class Ingestor:
    """Idempotent, crash-safe ingest into an ArchiveStore.

    >>> store = open_store(Settings(store=Path("new-store")), embedder)  # storage.factory
    >>> ingestor = Ingestor(store, embedder, Chunker(900, 150), Path("new-store/keyword"))
    >>> print(ingestor.run([Path("archive/")], progress=False).summary())
    articles: 2 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed, 0 removed
    chunks written: ...
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
        run = RunState(self.store.article_records())
        stories = StoryAssigner(self.store, run.records)  # loads the stored signatures at the first new article
        # Chunks without a record now are a crash's remains; chunks that appear later without one may be another
        # writer's article in progress (on a Chroma server), which the final sweep must leave alone.
        run.orphans_at_start = {c for c in self.store.chunk_ids() if article_of(c) not in run.stored}
        bar = tqdm(unit=" articles", disable=progress is not True, desc="ingest")
        batch, in_flight, read = _Batch(), None, 0
        with ThreadPoolExecutor(max_workers=1) as writer:  # Chroma writes overlap the next batch's embedding
            for found in discover_places(paths):
                path, clean = found.path, True
                for item in read_file(path, self.max_file_bytes, self.max_stream_bytes):
                    if isinstance(item, BadInput):
                        run.report.failed += 1
                        run.report.errors.append(item)
                        clean = False
                        continue
                    # A record's location is its file's plus "#key": so is its place in the archive.
                    run.places.setdefault(item.location, found.place + item.location[len(str(path)) :])
                    self._classify(item, run, batch)
                    bar.update(1)
                    read += 1  # counted here: a disabled bar does not count
                    if callable(progress):
                        progress(read, str(path))
                    if len(batch.chunks) >= self.batch_chunks:
                        in_flight = self._flush(batch, run, writer, in_flight, stories)
                        batch = _Batch()
                if clean:
                    run.files_read.add(str(path))
            in_flight = self._flush(batch, run, writer, in_flight, stories)
            if in_flight:
                in_flight.result()
        bar.close()
        apply_edits(self.store, run)
        reconcile(self.store, run, prune)
        self._refresh_keyword_index(run)
        run.report.seconds = time.perf_counter() - started
        return run.report

    def _classify(self, article: Article, run: RunState, batch: _Batch) -> None:
        first_in_run = article.id not in run.seen
        run.seen[article.id].add(article.location)
        run.outlets[article.location] = Outlet.of(article)
        if not first_in_run:
            run.report.duplicate += 1
        elif article.id in run.stored:
            if article.location not in run.stored[article.id]:
                run.report.duplicate += 1
            elif changes := _metadata_edit(article, run.records[article.id]):
                run.edits[article.id] = Edit(article, changes)
                run.report.updated += 1
            else:
                run.report.unchanged += 1
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
        self,
        batch: _Batch,
        run: RunState,
        writer: ThreadPoolExecutor,
        in_flight: Future[None] | None,
        stories: StoryAssigner,
    ) -> Future[None] | None:
        if not batch.articles:
            return in_flight
        # In reading order, before any write: each record is written with its story (and the signature later runs
        # compare with), so a record still marks a complete article and a resumed run assigns what a clean one would.
        story_meta = {article.id: stories.assign(article, excluded=run.replaced) for article in batch.articles}
        vectors = self.embedder.embed([c.embed_text for c in batch.chunks])
        rows_of: dict[str, list[int]] = defaultdict(list)
        for row, chunk in enumerate(batch.chunks):
            rows_of[chunk.article_id].append(row)
        metas, article_vectors = {}, []
        for article in batch.articles:
            rows = rows_of[article.id]
            run.written[article.id], run.owners[article.id] = set(run.seen[article.id]), article.location
            metas[article.id] = {
                **article_metadata(article, run.written[article.id], len(rows), run.places, run.outlets),
                **story_meta[article.id],
            }
            mean = vectors[rows].mean(axis=0)
            article_vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        if in_flight:
            in_flight.result()  # one write in flight at a time bounds memory; errors surface here

        def write() -> None:
            # Chunks first, then the record that marks the article complete (see storage.base.ArchiveStore).
            self.store.write_chunks(batch.chunks, vectors, metas)
            self.store.write_articles(batch.articles, [metas[a.id] for a in batch.articles], np.array(article_vectors))
            # Tokenized here, beside the encoder, rather than read back and tokenized after the last batch.
            chunk_metas = [metas[c.article_id] for c in batch.chunks]
            tokens = tokenize_chunks([m["title"] for m in chunk_metas], [c.text for c in batch.chunks])
            for chunk, meta, chunk_tokens in zip(batch.chunks, chunk_metas, tokens, strict=True):
                run.keyword[chunk.id] = KeywordEntry.of(chunk_tokens, meta)

        run.report.chunks_written += len(batch.chunks)
        return writer.submit(write)

    def _refresh_keyword_index(self, run: RunState) -> None:
        """Refresh BM25 when the chunk set differs from the one it was built for (tokenizing only the chunks the index
        saved last does not hold), restamp its days and sources after metadata-only edits (this run's, or a killed
        run's); a no-op on an unchanged store."""
        chunk_ids = self.store.chunk_ids()
        chunk_set, current = fingerprint(chunk_ids), self.store.fingerprint
        same_set, on_disk = chunk_set_of(current) == chunk_set, (self.keyword_root / current).exists()
        pending = self.store.keyword_pending
        if same_set and on_disk and not pending and not run.chunks_changed:
            return
        # After edits the chunk set is the same, but readers must see a new key to load the new days and sources.
        key = revised(current) if same_set and pending else chunk_set
        if same_set and pending and on_disk and not run.chunks_changed:
            restamp_from_store(self.store, self.keyword_root, current, key)  # same chunks: tokens kept
        else:
            build_from_store(self.store, self.keyword_root, key, run.keyword, chunk_ids)
        self.store.set_fingerprint(key)


def _metadata_edit(article: Article, record: ArticleRecord) -> dict[str, Any]:
    """What the item now states otherwise than the stored record, when the record's metadata came from this item
    (or it is not known from which): the same story found elsewhere is a duplicate and changes nothing."""
    if record.metadata_from not in (None, article.location):
        return {}
    return descriptive_changes(article, record.metadata)
