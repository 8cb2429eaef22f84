"""Build the ingest parts from Settings: embedder, store (embedded or server), keyword index folder, Ingestor."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archive_qa.settings import Settings
from ingest.chunker import Chunker
from ingest.embedder import Embedder, make_embedder
from ingest.pipeline import Ingestor
from ingest.store import ArchiveStore, make_client

_EMBEDDERS: dict[tuple[str, int], Embedder] = {}


def get_embedder(settings: Settings) -> Embedder:
    """One embedder per name and length per process: the model is loaded once."""
    key = (settings.embedder, settings.embed_max_tokens)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = make_embedder(settings.embedder, settings.model_cache, settings.embed_max_tokens)
    return _EMBEDDERS[key]


def make_chunker(settings: Settings) -> Chunker:
    return Chunker(settings.chunk_size, settings.chunk_overlap)


def open_store(settings: Settings, embedder: Embedder | None = None) -> ArchiveStore:
    """Open (or create) the configured collection, checking embedder and chunker against it."""
    client = make_client(settings.store, settings.chroma_url)
    return ArchiveStore.open(
        client, settings.collection, embedder or get_embedder(settings), make_chunker(settings).version
    )


def keyword_root(settings: Settings) -> Path:
    """Where BM25 lives: under the store, one folder per collection (per server URL in server mode)."""
    place = "embedded" if not settings.chroma_url else hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:12]
    return settings.store / "keyword" / place / settings.collection


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
