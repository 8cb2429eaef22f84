"""Open the configured index from Settings: embedder (one per process), the store, keyword index folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archive_qa.settings import Settings
from storage.base import ArchiveStore
from storage.chroma import ChromaStore
from storage.chroma_client import make_client
from storage.chroma_client import stored_articles as chroma_stored_articles
from storage.embedder import Embedder, make_embedder
from storage.types import chunker_version

_EMBEDDERS: dict[tuple[str, int], Embedder] = {}


def get_embedder(settings: Settings) -> Embedder:
    """One embedder per name and length per process: the model is loaded once."""
    key = (settings.embedder, settings.embed_max_tokens)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = make_embedder(settings.embedder, settings.model_cache, settings.embed_max_tokens)
    return _EMBEDDERS[key]


def open_store(settings: Settings, embedder: Embedder | None = None) -> ArchiveStore:
    """Open (or create) the configured collection, checking embedder and chunking against it. Chroma (embedded,
    or the server at `chroma_url`) is the one store so far: another is an `ArchiveStore` chosen here."""
    client = make_client(settings.store, settings.chroma_url)
    version = chunker_version(settings.chunk_size, settings.chunk_overlap)
    return ChromaStore.open(client, settings.collection, embedder or get_embedder(settings), version)


def stored_articles(settings: Settings) -> int | None:
    """How many articles the configured collection holds; None when there is no such store or collection (neither
    is created)."""
    return chroma_stored_articles(settings.store, settings.chroma_url, settings.collection)


def keyword_root(settings: Settings) -> Path:
    """Where BM25 lives: under the store, one folder per collection (per server URL in server mode)."""
    place = "embedded" if not settings.chroma_url else hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:12]
    return settings.store / "keyword" / place / settings.collection
