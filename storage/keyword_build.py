"""Building the keyword index from a store, reusing the tokens of an earlier index: saved by the writers (the
ingest run, an upload, a removal), or kept in memory by a reader whose store another process changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from storage.base import ArchiveStore
from storage.keyword_index import ChunkExtras, KeywordEntry, KeywordIndex
from storage.keyword_tokens import tokenize_chunks
from storage.scratch import ScratchFolder
from storage.types import article_of


def build_from_store(
    store: ArchiveStore,
    root: Path,
    key: str,
    known: Mapping[str, KeywordEntry] | None = None,
    chunk_ids: Sequence[str] | None = None,
) -> KeywordIndex:
    """(Re)build BM25 over the chunks in the store and save it under `root`: the store is the truth, this is a
    derived cache. Only the chunks neither `known` nor the index saved last holds are read and tokenized."""
    index = build_in_memory(store, key, latest_saved(root, store.fingerprint), known, chunk_ids)
    index.save(root)
    return index


def build_in_memory(
    store: ArchiveStore,
    key: str,
    base: KeywordIndex | None = None,
    known: Mapping[str, KeywordEntry] | None = None,
    chunk_ids: Sequence[str] | None = None,
) -> KeywordIndex:
    """BM25 over the chunks the store holds now, under `key`; nothing is written.

    A chunk's tokens come from `known` (the chunks an ingest run has just written: it tokenizes them while it
    embeds), else from `base` (an earlier index: a chunk id names its text, so its tokens still hold), else the
    chunk is read back and tokenized. All tokens are indexed again, so every score is the one a build from
    scratch gives (BM25's idf depends on every chunk); that is cheap beside reading and tokenizing.
    """
    known = known or {}
    ids = list(chunk_ids) if chunk_ids is not None else store.chunk_ids()
    cached: dict[str, np.ndarray] = {}
    if base is not None:
        cached = {c: held for c in ids if c not in known and (held := base.cached_tokens(c)) is not None}
    read = store.get_chunks([chunk_id for chunk_id in ids if chunk_id not in known and chunk_id not in cached])
    fresh = tokenize_chunks([str(c.metadata.get("title", "")) for c in read.values()], [c.text for c in read.values()])
    entries = {chunk_id: known[chunk_id] for chunk_id in ids if chunk_id in known}
    docs: dict[str, Sequence[str] | np.ndarray] = {chunk_id: entry.tokens for chunk_id, entry in entries.items()}
    for (chunk_id, chunk), tokens in zip(read.items(), fresh, strict=True):
        entries[chunk_id], docs[chunk_id] = KeywordEntry.of(tokens, chunk.metadata), tokens
    for chunk_id, entry in _stamps(store, base, list(cached)).items():
        entries[chunk_id], docs[chunk_id] = entry, cached[chunk_id]
    ids = [chunk_id for chunk_id in ids if chunk_id in entries]  # a chunk deleted meanwhile drops out
    return KeywordIndex.from_corpus(
        ids,
        [docs[c] for c in ids],
        base.vocabulary if base is not None else {},
        [entries[c].day for c in ids],
        [entries[c].source for c in ids],
        key,
        ChunkExtras.of(ids, [entries[c] for c in ids]),
        frozenset(c for c, chunk in read.items() if not chunk.text),  # its article record is not there yet
    )


def _stamps(store: ArchiveStore, base: KeywordIndex | None, chunk_ids: list[str]) -> dict[str, KeywordEntry]:
    """Day, source, other sources and story of chunks whose tokens come from `base`: as `base` holds them while the
    store's key is still the one `base` was built for (no metadata edit since), else read again from the store."""
    if base is None or not chunk_ids:
        return {}
    if base.fingerprint != store.fingerprint or store.keyword_pending:
        return {c: KeywordEntry.of([], meta) for c, meta in store.chunk_metadata(chunk_ids).items()}
    stamps = {}
    for chunk_id in chunk_ids:
        article_id = article_of(chunk_id)
        story = base.extra.stories.get(article_id, "")
        sources = base.extra.sources.get(article_id, ())
        stamps[chunk_id] = KeywordEntry([], base.day_of(chunk_id), base.source_of(chunk_id), sources, story)
    return stamps


def latest_saved(root: Path, preferred: str = "") -> KeywordIndex | None:
    """The saved index to take tokens from: the one under `preferred` (the store's key), else the newest there is
    (a save keeps only the newest); None when `root` holds none."""
    if not root.is_dir():
        return None
    others = []
    for folder in root.iterdir():
        try:
            if folder.name != preferred and not ScratchFolder.is_scratch(folder):
                others.append((folder.stat().st_mtime, folder.name))
        except OSError:  # removed meanwhile by another process's save
            continue
    for name in ([preferred] if preferred else []) + [name for _, name in sorted(others, reverse=True)]:
        if (index := KeywordIndex.load(root, name)) is not None:
            return index
    return None


def restamp_from_store(store: ArchiveStore, root: Path, current: str, key: str) -> KeywordIndex:
    """After metadata-only edits: the index under `current` with days and sources read again from the article
    records (chunks carry their article's), saved under `key`; rebuilt whole when `current` is not on disk."""
    index = KeywordIndex.load(root, current)
    if index is None:
        return build_from_store(store, root, key)
    records = store.article_records()
    stamped = index.restamped({article_id: r.metadata for article_id, r in records.items()}, key)
    stamped.save(root)
    return stamped
