"""Reaching Chroma: the client (embedded or a `chroma run` server), our embedding function, and the checks that
refuse a collection built with another embedder, chunker or a later store layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.errors import ChromaError

ARTICLES_SUFFIX = "__articles"
EMBEDDED_DIR = "chroma"  # the embedded store's folder under the store directory
# How chunks are stored, recorded in the chunk collection's metadata. 1: a chunk's text is its Chroma document.
# 2: a chunk keeps only its span of the article record's text. Stores written before the key existed have none and
# are read as 1 (a chunk without a document falls back to its span). A later layout is refused, not misread.
LAYOUT = 2


class IndexMismatchError(RuntimeError):
    """The collection was built with another embedder or chunker than the one configured."""


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Our embedder as seen by Chroma, so a collection never falls back to Chroma's downloading default."""

    def __init__(self, embedder: Any = None) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        if self._embedder is None:
            raise RuntimeError("archive-qa collections are embedded by archive-qa, not by Chroma")
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "archive-qa"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": getattr(self._embedder, "name", None)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding()

    def default_space(self) -> Any:
        return "cosine"


def make_client(store_dir: Path, chroma_url: str | None) -> ClientAPI:
    """Embedded PersistentClient under `store_dir`, or an HttpClient for `http://host:port`."""
    settings = chromadb.Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=settings
        )
    store_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(store_dir / EMBEDDED_DIR), settings=settings)


def stored_articles(store_dir: Path, chroma_url: str | None, name: str) -> int | None:
    """How many articles collection `name` holds; None when there is no such store or collection. Nothing is
    created: an embedded store that is not there is not opened at all."""
    if not chroma_url and not (store_dir / EMBEDDED_DIR / "chroma.sqlite3").is_file():
        return None
    client = make_client(store_dir, chroma_url)
    if collection_state(client, name) is None:
        return None
    articles = collection_state(client, name + ARTICLES_SUFFIX)
    return None if articles is None else articles[0]


def open_collections(client: ClientAPI, name: str, embedder: Any, chunker_version: str) -> tuple[Any, Any]:
    """The chunk and article collections, created when missing; refused when built with another embedder/chunker."""
    expected = {"embedder": embedder.name, "dimension": embedder.dimension, "chunker": chunker_version}
    function = ChromaEmbedding(embedder)
    existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    chunks = None
    if name not in existing:
        try:
            chunks = client.create_collection(
                name,
                metadata={**expected, "fingerprint": "", "layout": LAYOUT},
                embedding_function=function,  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
            )
        except ChromaError as error:  # another writer created it since we listed: open theirs
            if "already exists" not in str(error):
                raise
    if chunks is None:
        chunks = client.get_collection(name, embedding_function=function)  # type: ignore[arg-type]
        _check_compatible(name, chunks.metadata or {}, expected)
        _check_layout(name, chunks.metadata or {})
    articles = client.get_or_create_collection(
        name + ARTICLES_SUFFIX,
        metadata=expected,
        embedding_function=function,  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )
    return chunks, articles


def existing_collections(client: ClientAPI, name: str) -> tuple[Any, Any]:
    """The chunk and article collections as they are, unchecked and without an embedder (for readers of text)."""
    function = ChromaEmbedding()
    chunks = client.get_collection(name, embedding_function=function)  # type: ignore[arg-type]
    articles = client.get_collection(name + ARTICLES_SUFFIX, embedding_function=function)  # type: ignore[arg-type]
    return chunks, articles


def collection_state(client: ClientAPI, name: str) -> tuple[int, dict[str, Any]] | None:
    """(record count, metadata) of a collection, read without any model; None when there is no such collection."""
    if name not in {getattr(c, "name", str(c)) for c in client.list_collections()}:
        return None
    collection = client.get_collection(name, embedding_function=ChromaEmbedding())  # type: ignore[arg-type]
    return int(collection.count()), dict(collection.metadata or {})


def collections_metadata(client: ClientAPI) -> dict[str, dict[str, Any]]:
    """Each collection's name -> its metadata (what it was built with), read without any model."""
    return {collection.name: dict(collection.metadata or {}) for collection in client.list_collections()}


def _check_compatible(name: str, actual: dict[str, Any], expected: dict[str, Any]) -> None:
    wrong = {key: actual.get(key) for key, value in expected.items() if actual.get(key) != value}
    if wrong:
        found = ", ".join(f"{key}={actual.get(key)!r}" for key in wrong)
        wanted = ", ".join(f"{key}={expected[key]!r}" for key in wrong)
        raise IndexMismatchError(
            f"collection {name!r} was built with {found}, but this run uses {wanted}. "
            f"Re-index into a new collection (--collection NEW_NAME), or delete the store and ingest again, "
            "or set ARCHIVE_QA_EMBEDDER, ARCHIVE_QA_EMBED_MAX_TOKENS (the name's /maxN; no suffix: 256) or the "
            "chunk settings back to what the collection was built with."
        )


def _check_layout(name: str, actual: dict[str, Any]) -> None:
    layout = int(actual.get("layout", 1))
    if layout > LAYOUT:
        raise IndexMismatchError(
            f"collection {name!r} was written by a newer archive-qa (store layout {layout}); this version reads "
            f"layouts up to {LAYOUT}. Upgrade archive-qa, or ingest into a new collection (--collection NEW_NAME)."
        )
