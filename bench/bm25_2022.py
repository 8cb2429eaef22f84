"""The 2022 articles' chunks on a Chroma server for `bench.bm25_rebuild --articles-2022`, with placeholder vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_2022_chunks(url: str) -> dict[str, Any]:
    """Chunk the 2022 articles as ingest does and write them to the server with placeholder vectors."""
    import numpy as np

    from archive_qa.settings import Settings
    from bench.common import ARTICLES
    from ingest.factory import make_chunker
    from ingest.readers import read_file
    from storage.chroma import ChromaStore, article_metadata
    from storage.chroma_client import make_client
    from storage.embedder import minilm_name
    from storage.types import Article

    settings = Settings()

    class Placeholder:  # stands in for the embedder in the collection's metadata
        name, dimension = minilm_name("onnx-int8", settings.embed_max_tokens), 384

    chunker = make_chunker(settings)
    store = ChromaStore.open(make_client(Path(), url), "archive", Placeholder(), chunker.version)
    rng = np.random.default_rng(0)
    seen: set[str] = set()
    articles, chunks = 0, 0
    batch_articles: list[Article] = []
    batch_chunks: list[Any] = []

    def flush() -> None:
        vectors = rng.standard_normal((len(batch_chunks), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        counts: dict[str, int] = {}
        for chunk in batch_chunks:
            counts[chunk.article_id] = counts.get(chunk.article_id, 0) + 1
        metas = {a.id: article_metadata(a, [a.location], counts[a.id]) for a in batch_articles}
        store.write_chunks(batch_chunks, vectors, metas)
        store.write_articles(batch_articles, [metas[a.id] for a in batch_articles], vectors[: len(batch_articles)])
        batch_articles.clear()
        batch_chunks.clear()

    for item in read_file(ARTICLES, 2**30, 2**33):
        if not isinstance(item, Article) or item.id in seen:
            continue
        seen.add(item.id)
        pieces = chunker.split(item)
        if not pieces:
            continue
        batch_articles.append(item)
        batch_chunks.extend(pieces)
        articles, chunks = articles + 1, chunks + len(pieces)
        if len(batch_chunks) >= 2000:
            flush()
    if batch_chunks:
        flush()
    return {"articles": articles, "chunks": chunks}
