"""The Chroma store: chunk vectors plus one record per article, embedded or on a `chroma run` server."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from chromadb.api import ClientAPI

from storage.article_meta import CHUNK_KEYS, ArticleRecord, Placement
from storage.article_meta import article_metadata as article_metadata  # re-exported: ingest and bench write with it
from storage.chroma_client import LAYOUT, ChromaEmbedding, existing_collections, open_collections
from storage.chroma_query import chroma_where, results_to_hits
from storage.hits import (
    UNRANKED,
    ChunkFilter,
    EmbedderDescription,
    Metadata,
    MetadataUpdate,
    SearchHit,
    StoredChunk,
    StoreDescription,
    chunk_text,
)
from storage.types import Article, Chunk

PAGE = 2000


class ChromaStore:
    """Two Chroma collections: `<name>` holds chunks (searched), `<name>__articles` one record per article.

    An article record is written only after all of its chunks, so a record marks a complete article: a crash
    leaves at worst chunks without a record, which the next ingest rewrites (same ids) or sweeps away.

    >>> from storage.chroma_client import make_client
    >>> store = ChromaStore.open(make_client(Path("empty-store"), None), "archive", embedder, "sentences-v1")
    >>> store.chunk_count(), store.nearest(embedder.embed(["rates"])[0], 5)
    (0, [])
    """

    def __init__(self, client: ClientAPI, chunks: Any, articles: Any) -> None:
        self.client, self.chunks, self.articles = client, chunks, articles

    @classmethod
    def open(cls, client: ClientAPI, name: str, embedder: Any, chunker_version: str) -> ChromaStore:
        """Open or create the collections; refuse loudly when they were built with another embedder/chunker."""
        return cls(client, *open_collections(client, name, embedder, chunker_version))

    @classmethod
    def attach(cls, client: ClientAPI, name: str) -> ChromaStore:
        """The existing collections `name`, unchecked and without an embedder: for readers of text and metadata
        (a keyword index, a benchmark); what needs a vector of ours (writes, `nearest`) needs `open`."""
        return cls(client, *existing_collections(client, name))

    # Writing.
    def write_chunks(self, chunks: Sequence[Chunk], vectors: np.ndarray, article_meta: Mapping[str, Metadata]) -> None:
        """Upsert chunks: deterministic ids make a rewrite after a crash replace, never duplicate.

        A chunk's text is not stored with it: it is its article record's text[start:end] (see `get_chunks`).
        Chroma's local store puts every document in a trigram full-text index; storing the text twice took 45% of
        its write CPU at the 2022 scale (docs/benchmarks.md).
        """
        for begin in range(0, len(chunks), PAGE):
            part = chunks[begin : begin + PAGE]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[begin : begin + PAGE],
                metadatas=[_chunk_metadata(c, article_meta[c.article_id]) for c in part],
            )

    def write_articles(self, articles: Sequence[Article], metas: Sequence[Metadata], vectors: np.ndarray) -> None:
        for begin in range(0, len(articles), PAGE):
            self.articles.upsert(
                ids=[a.id for a in articles[begin : begin + PAGE]],
                embeddings=vectors[begin : begin + PAGE],
                documents=[a.text for a in articles[begin : begin + PAGE]],
                metadatas=list(metas[begin : begin + PAGE]),
            )

    def set_locations(
        self, updates: Mapping[str, Placement], before: Mapping[str, Placement | None] | None = None
    ) -> dict[str, list[str] | None]:
        """Record where each article was found, where that is in the archive and each copy's outlet (unembedded).
        Sources its copies name that differ from `before`'s go to its chunks first (BM25 flagged as due), the record
        last: a run killed in between finds the old record and does it again. Returns the changed sources."""
        old = {article_id: placement.sources for article_id, placement in (before or {}).items() if placement}
        changed = {i: placement.sources for i, placement in updates.items() if placement.sources != old.get(i)}
        if changed:
            self.mark_keyword_pending()  # BM25 keeps each chunk's sources for the source filter
            self.update_chunks_of({article_id: {"sources": sources} for article_id, sources in changed.items()})
        self.update_records({article_id: placement.metadata() for article_id, placement in updates.items()})
        return changed

    def update_records(self, updates: Mapping[str, MetadataUpdate]) -> None:
        """Merge metadata into article records (a None value deletes the key); nothing is re-embedded."""
        ids = sorted(updates)
        for begin in range(0, len(ids), PAGE):
            part = ids[begin : begin + PAGE]
            self.articles.update(ids=part, metadatas=[dict(updates[i]) for i in part])

    def update_chunks_of(self, updates: Mapping[str, MetadataUpdate]) -> None:
        """Merge an article's changed metadata into each of its chunks (those keys chunks carry; None deletes)."""
        carried = {i: {k: v for k, v in changes.items() if k in CHUNK_KEYS} for i, changes in updates.items()}
        article_ids = sorted(i for i, changes in carried.items() if changes)
        for begin in range(0, len(article_ids), PAGE // 10):  # ~10 chunks an article: pages of about PAGE chunks
            part = article_ids[begin : begin + PAGE // 10]
            got = self.chunks.get(where={"article_id": {"$in": part}}, include=["metadatas"])
            metas = [carried[str(meta["article_id"])] for meta in got["metadatas"] or []]
            if got["ids"]:
                self.chunks.update(ids=got["ids"], metadatas=metas)

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Record first, chunks second: an interrupted delete leaves orphan chunks, swept by the next ingest."""
        for begin in range(0, len(article_ids), PAGE):
            part = list(article_ids[begin : begin + PAGE])
            self.articles.delete(ids=part)
            self.chunks.delete(where={"article_id": {"$in": part}})

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        for begin in range(0, len(chunk_ids), PAGE):
            self.chunks.delete(ids=list(chunk_ids[begin : begin + PAGE]))

    def set_fingerprint(self, fingerprint: str) -> None:
        """Mark a new chunk set (or new chunk metadata); chunks written since are of this version's layout, so the
        store is now of it, and the keyword index is built for it (nothing is pending any more)."""
        meta = {**(self.chunks.metadata or {}), "fingerprint": fingerprint, "layout": LAYOUT, "keyword_pending": 0}
        self.chunks.modify(metadata=meta)

    def mark_keyword_pending(self) -> None:
        """Before chunk metadata is edited in place: the keyword index's days and sources are due again, even if
        this run is killed before it refreshes them (the chunk set, and so the fingerprint, does not change)."""
        self.chunks.modify(metadata={**(self.chunks.metadata or {}), "keyword_pending": 1})

    # Reading.
    @property
    def fingerprint(self) -> str:
        """Changes whenever the set of chunks, or their metadata, does; the keyword index is valid for one."""
        return str(self._fresh_metadata().get("fingerprint", ""))

    @property
    def keyword_pending(self) -> bool:
        """Chunk metadata was edited since the keyword index was last built (see `mark_keyword_pending`)."""
        return bool(self._fresh_metadata().get("keyword_pending", 0))

    def _fresh_metadata(self) -> dict[str, Any]:
        """The chunk collection's metadata as stored now (another process may have changed it)."""
        fresh = self.client.get_collection(self.chunks.name, embedding_function=ChromaEmbedding())  # type: ignore[arg-type]
        return dict(fresh.metadata or {})

    def chunk_count(self) -> int:
        return int(self.chunks.count())

    def article_count(self) -> int:
        return int(self.articles.count())

    def describe(self) -> StoreDescription:
        """The chunk collection's name and what it was built with (embedder, dimension, chunker)."""
        meta = self.chunks.metadata or {}
        embedder = EmbedderDescription(name=meta.get("embedder"), dimension=meta.get("dimension"))
        return StoreDescription(embedder=embedder, chunker=meta.get("chunker"), collection=self.chunks.name)

    def export_chunks(self) -> Iterator[tuple[list[str], np.ndarray, list[dict[str, Any]], list[str]]]:
        """Every chunk, a page at a time: ids, vectors, metadata and text (to derive another index from a store)."""
        for got in _pages(self.chunks, ["embeddings", "documents", "metadatas"]):
            metas = [dict(m) for m in got["metadatas"] or []]
            vectors = np.asarray(got["embeddings"], dtype=np.float32)
            yield got["ids"], vectors, metas, self.resolve_texts(metas, got["documents"])

    # Searching.
    def nearest(self, vector: np.ndarray, n: int, within: ChunkFilter | None = None) -> list[SearchHit]:
        """The `n` chunks nearest to `vector` (cosine) that `within` admits, best first (as a Chroma `where`)."""
        result = self.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=n,
            where=chroma_where(within) if within is not None else None,
            include=["metadatas", "documents", "distances"],
        )
        return results_to_hits(result)

    def hits_of(self, chunk_ids: Sequence[str], vector: np.ndarray) -> list[SearchHit]:
        """The stored chunks of `chunk_ids` as hits (UNRANKED), each with its similarity to `vector`."""
        got = self.chunks.get(ids=list(chunk_ids), include=["metadatas", "documents", "embeddings"])
        return [
            SearchHit(
                chunk_id,
                UNRANKED,
                float(np.dot(np.asarray(got["embeddings"][i]), vector)),
                got["metadatas"][i],
                got["documents"][i],
            )
            for i, chunk_id in enumerate(got["ids"])
        ]

    def story_records(self, story_ids: Sequence[str]) -> list[ArticleRecord]:
        """The records (without text) of every article of the stories `story_ids` (one metadata query)."""
        got = self.articles.get(where={"story_id": {"$in": list(story_ids)}}, include=["metadatas"])
        return [ArticleRecord.of(i, meta) for i, meta in zip(got["ids"], got["metadatas"] or [], strict=True)]

    def article_records(self, with_text: bool = False) -> dict[str, ArticleRecord]:
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        records = {}
        for got in _pages(self.articles, include):
            docs = got.get("documents") or []
            for i, (article_id, meta) in enumerate(zip(got["ids"], got.get("metadatas") or [], strict=True)):
                records[article_id] = ArticleRecord.of(article_id, dict(meta), docs[i] if docs else "")
        return records

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, ArticleRecord]:
        if not article_ids:
            return {}
        got = self.articles.get(ids=list(article_ids), include=["metadatas", "documents"])
        return {
            i: ArticleRecord.of(i, m, d or "")
            for i, m, d in zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=True)
        }

    def chunk_ids(self) -> list[str]:
        """Every chunk id; the article id is its prefix (see `Chunk.id`)."""
        return [chunk_id for got in _pages(self.chunks, []) for chunk_id in got["ids"]]

    def chunk_metadata(self, chunk_ids: Sequence[str]) -> dict[str, Metadata]:
        """Chunk id -> metadata, for the ids that are stored (no text is read)."""
        found: dict[str, Metadata] = {}
        for got in _pages_of(self.chunks, chunk_ids, ["metadatas"]):
            found.update(zip(got["ids"], (dict(m) for m in got["metadatas"] or []), strict=True))
        return found

    def get_chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Chunk id -> its metadata and text, for the ids that are stored."""
        found: dict[str, StoredChunk] = {}
        for got in _pages_of(self.chunks, chunk_ids, ["metadatas", "documents"]):
            metas = [dict(m) for m in got["metadatas"] or []]
            texts = self.resolve_texts(metas, got["documents"])
            for chunk_id, meta, text in zip(got["ids"], metas, texts, strict=True):
                found[chunk_id] = StoredChunk(meta, text)
        return found

    def resolve_texts(self, metas: Sequence[Metadata], documents: Sequence[str | None] | None) -> list[str]:
        """Chunk texts: the stored document when there is one (stores written before chunks went without),
        else the slice of the article record's text; "" for a chunk whose article record is not there (yet)."""
        docs = list(documents) if documents else [None] * len(metas)
        wanted = sorted({str(m["article_id"]) for m, d in zip(metas, docs, strict=True) if d is None})
        articles = self.get_articles(wanted)
        texts = []
        for meta, doc in zip(metas, docs, strict=True):
            record = articles.get(str(meta["article_id"]))
            texts.append(chunk_text(record.text if record else "", meta, doc))
        return texts


def _pages(collection: Any, include: list[str]) -> Iterator[Any]:
    """Every item of `collection`, PAGE at a time, as Chroma's get results."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        if not got["ids"]:
            return
        yield got
        offset += len(got["ids"])


def _pages_of(collection: Any, ids: Sequence[str], include: list[str]) -> Iterator[Any]:
    """The stored items of `ids`, PAGE ids per get (Chroma bounds a request's size)."""
    for begin in range(0, len(ids), PAGE):
        yield collection.get(ids=list(ids[begin : begin + PAGE]), include=include)


def _chunk_metadata(chunk: Chunk, article_meta: Metadata) -> dict[str, Any]:
    meta = {
        **{key: article_meta[key] for key in CHUNK_KEYS if key in article_meta},
        "article_id": chunk.article_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
    }
    story = article_meta.get("story_id")
    if story and story != chunk.article_id:  # a chunk of an article that is its own story carries none
        meta["story_id"] = story
    return meta
