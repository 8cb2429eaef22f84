"""Build the ingest parts from Settings: chunker and Ingestor over the configured store."""

from __future__ import annotations

from archive_qa.settings import Settings
from ingest.chunker import Chunker
from ingest.pipeline import Ingestor
from storage.base import ArchiveStore
from storage.factory import get_embedder, keyword_root, open_store


def make_chunker(settings: Settings) -> Chunker:
    return Chunker(settings.chunk_size, settings.chunk_overlap)


def make_ingestor(settings: Settings, store: ArchiveStore | None = None) -> Ingestor:
    embedder = get_embedder(settings)
    return Ingestor(
        store or open_store(settings, embedder),
        embedder,
        make_chunker(settings),
        keyword_root(settings),
        max_file_bytes=int(settings.max_file_mb * 2**20),
        max_stream_bytes=int(settings.max_stream_mb * 2**20),
        batch_chunks=max(settings.embed_batch * 4, 64),
    )
