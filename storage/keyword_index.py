"""The BM25 side of hybrid retrieval (bm25s), persisted beside the store and keyed by the chunk set it covers."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from storage.keyword_tokens import TOKENIZER, TokenIds, index_corpus, tokenize
from storage.scratch import ScratchFolder, sweep_scratch
from storage.types import NO_SOURCE, article_of


def fingerprint(chunk_ids: Iterable[str]) -> str:
    """Identifies a chunk set: chunk ids derive from content, so equal sets mean equal text."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode() + b"\n")
    return digest.hexdigest()[:24]


# A metadata-only edit keeps the chunk set but changes chunks' days and sources, which the index holds too: its
# key becomes `<chunk set>.<n>`, n counting such edits, so that readers load (or build) the index again.
def chunk_set_of(key: str) -> str:
    """The chunk-set fingerprint inside an index key."""
    return key.partition(".")[0]


def revised(key: str) -> str:
    """The key of the same chunk set after one more metadata-only edit."""
    base, _, edits = key.partition(".")
    return f"{base}.{int(edits or 0) + 1}"


class KeywordIndex:
    """BM25 over chunk text (with the article title), plus per-chunk day and source for filtering, and each chunk's
    tokens (as ids into the index's vocabulary), from which the next chunk set's index is built without reading
    and tokenizing these chunks again.

    >>> index = KeywordIndex.build(["a-000"], ["Rates rose"], [738000], ["AP"], "fp")
    >>> index.search("rates", k=1)
    [('a-000', ...)]
    """

    def __init__(
        self,
        retriever: bm25s.BM25,
        ids: list[str],
        days: np.ndarray,
        sources: list[str],
        key: str,
        extra: ChunkExtras | None = None,
        tokens: TokenIds | None = None,
        provisional: frozenset[str] = frozenset(),
    ):
        self.retriever, self.ids, self.days, self.sources, self.fingerprint = retriever, ids, days, sources, key
        self.extra = extra or ChunkExtras()
        # `provisional`: chunks tokenized while their article's text was not stored yet (another writer's article
        # in progress on a server): their tokens are not reused.
        self.tokens, self.provisional = tokens, provisional
        self._source_array = np.array(sources, dtype=object)
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    def story_of(self, chunk_id: str) -> str:
        """The story the chunk's article belongs to (its own id unless it joined another's)."""
        article_id = article_of(chunk_id)
        return self.extra.stories.get(article_id, article_id)

    @property
    def has_stories(self) -> bool:
        """Some article joined another's story (else a story has no other members to look up)."""
        return bool(self.extra.stories)

    @property
    def vocabulary(self) -> Mapping[str, int]:
        """Token -> the id `tokens` hold for it."""
        return getattr(self.retriever, "vocab_dict", None) or {}

    def cached_tokens(self, chunk_id: str) -> np.ndarray | None:
        """The chunk's tokens as ids into `vocabulary`, when this index holds reusable ones (a chunk id names its
        text and title, so they stay right whatever the chunk's metadata says now)."""
        position = self._position.get(chunk_id)
        if self.tokens is None or position is None or chunk_id in self.provisional:
            return None
        return self.tokens.of(position)

    @cached_property
    def source_names(self) -> list[str]:
        """Every source some chunk names ("" = none stated is not one)."""
        return sorted(set(self.sources) - {""})

    @cached_property
    def article_sizes(self) -> Counter[str]:
        """Article id -> how many chunks it has (chunk ids are "<article id>-<nnn>")."""
        return Counter(article_of(chunk_id) for chunk_id in self.ids)

    def day_of(self, chunk_id: str) -> int:
        """The chunk's publication day (0 = undated or unknown chunk)."""
        position = self._position.get(chunk_id)
        return int(self.days[position]) if position is not None else 0

    def source_of(self, chunk_id: str) -> str:
        """The chunk's source ("" = none stated, or an unknown chunk)."""
        position = self._position.get(chunk_id)
        return self.sources[position] if position is not None else ""

    @classmethod
    def build(cls, ids: list[str], texts: list[str], days: list[int], sources: list[str], key: str) -> KeywordIndex:
        return cls.from_corpus(ids, tokenize(texts), {}, days, sources, key)

    @classmethod
    def from_corpus(
        cls,
        ids: list[str],
        docs: Sequence[Sequence[str] | np.ndarray],
        vocabulary: Mapping[str, int],
        days: list[int],
        sources: list[str],
        key: str,
        extra: ChunkExtras | None = None,
        provisional: frozenset[str] = frozenset(),
    ) -> KeywordIndex:
        """From each chunk's tokens, given as strings or as ids into `vocabulary` (an earlier index's)."""
        retriever, tokens = bm25s.BM25(), None
        if ids:
            retriever, tokens = index_corpus(docs, vocabulary)
        day_array = np.asarray(days, dtype=np.int64)
        return cls(retriever, ids, day_array, sources, key, extra, tokens, provisional & set(ids))

    def has_articles_between(self, first_day: int, last_day: int) -> bool:
        """Whether some chunk is dated from `first_day` to `last_day` (date ordinals, inclusive)."""
        return bool(np.any((self.days >= first_day) & (self.days <= last_day)))

    def mask(self, since: int | None, until: int | None, sources: Iterable[str] | None) -> np.ndarray | None:
        """Boolean mask of chunks passing the filters (None = no filter); `day` 0 means undated."""
        if since is None and until is None and not sources:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if since is not None:
            keep &= self.days >= since
        if until is not None:
            keep &= self.days <= until
        if sources:  # a chunk of an article without a source holds "", which NO_SOURCE picks
            wanted = ["" if s == NO_SOURCE else s for s in sources]
            named = np.isin(self._source_array, wanted)
            for article_id, others in self.extra.sources.items():  # copies of it elsewhere name other sources
                if not set(others).isdisjoint(wanted):
                    named |= self._article_mask(article_id)
            keep &= named
        return keep

    def _article_mask(self, article_id: str) -> np.ndarray:
        prefix = article_id + "-"
        return np.fromiter((chunk_id.startswith(prefix) for chunk_id in self.ids), dtype=bool, count=len(self.ids))

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve([tokens[0]], k=k, weight_mask=mask, show_progress=False, n_threads=1)
        return [(self.ids[d], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def save(self, root: Path) -> None:
        """Write to a temporary folder, then rename: a reader never sees half an index."""
        root.mkdir(parents=True, exist_ok=True)
        sweep_scratch(root)  # what a killed save left behind
        target = root / self.fingerprint
        if target.exists():
            return
        with ScratchFolder(root) as scratch:
            if self.ids:  # an empty BM25 has nothing to save (and bm25s cannot); `load` rebuilds it from no ids
                self.retriever.save(str(scratch.path / "bm25"))
            meta = {"ids": self.ids, "sources": self.sources, **self.extra.to_json()}
            if self.tokens is not None:  # what the next refresh builds on
                self.tokens.save(scratch.path)
                meta |= {"tokenizer": TOKENIZER, "provisional": sorted(self.provisional)}
            (scratch.path / "chunks.json").write_text(json.dumps(meta))
            np.save(scratch.path / "days.npy", self.days)
            if not scratch.publish(target):  # another process saved this very index meanwhile
                return
        for old in root.iterdir():  # keep only the newest index (and any still being written)
            if old != target and not ScratchFolder.is_scratch(old):
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, root: Path, key: str) -> KeywordIndex | None:
        """The index saved under `key`, its score matrix and tokens memory-mapped: the pages a search touches are
        read from the file and shared by every process on the machine that loads it. Nothing is written."""
        folder = root / key
        if not (folder / "chunks.json").exists():
            return None
        meta = json.loads((folder / "chunks.json").read_text())
        retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=True) if meta["ids"] else bm25s.BM25()
        extra = ChunkExtras.from_json(meta)
        # Tokens saved by another tokenizer (an install without the stemmer) are not reused; nor is an older index's
        # (saved without its tokens): the next refresh then reads and tokenizes every chunk once.
        tokens = TokenIds.load(folder) if meta.get("tokenizer") == TOKENIZER else None
        provisional = frozenset(meta.get("provisional", ()))
        days = np.load(folder / "days.npy")
        return cls(retriever, meta["ids"], days, meta["sources"], key, extra, tokens, provisional)

    def restamped(self, metadata_of: Mapping[str, Mapping[str, Any]], key: str) -> KeywordIndex:
        """The same index (chunks, tokens) with each chunk's day and source taken from `metadata_of[article id]`."""
        metas = [metadata_of.get(article_of(chunk_id), {}) for chunk_id in self.ids]
        entries = [KeywordEntry.of([], meta) for meta in metas]
        days = np.asarray([e.day for e in entries], dtype=np.int64)
        extra = ChunkExtras.of(self.ids, entries, self.extra.stories)  # a story never changes after the write
        sources = [e.source for e in entries]
        return KeywordIndex(self.retriever, self.ids, days, sources, key, extra, self.tokens, self.provisional)


@dataclass(frozen=True)
class KeywordEntry:
    """What the keyword index holds of one chunk."""

    tokens: list[str]
    day: int
    source: str
    sources: tuple[str, ...] = ()  # every source the article's copies name, when more than one
    story: str = ""  # the story its article joined; "" = its own

    @classmethod
    def of(cls, tokens: list[str], meta: Mapping[str, Any]) -> KeywordEntry:
        """From chunk (or article) metadata: chunks carry their article's day, sources and story."""
        story = str(meta.get("story_id") or "")
        own = str(meta.get("article_id") or "")
        return cls(
            tokens,
            int(meta.get("day", 0)),
            str(meta.get("source", "")),
            tuple(meta.get("sources") or ()),
            story if story != own else "",
        )


@dataclass(frozen=True)
class ChunkExtras:
    """Per article, what few chunks have: the other sources its copies name, the story it joined."""

    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, ids: Sequence[str], entries: Sequence[KeywordEntry], stories: Mapping[str, str] | None = None
    ) -> ChunkExtras:
        by_sources = {article_of(c): e.sources for c, e in zip(ids, entries, strict=True) if e.sources}
        by_story = dict(stories or {}) | {article_of(c): e.story for c, e in zip(ids, entries, strict=True) if e.story}
        return cls(by_sources, by_story)

    @classmethod
    def from_json(cls, meta: Mapping[str, Any]) -> ChunkExtras:
        """As saved in chunks.json (an index saved before these were kept has neither)."""
        return cls({k: tuple(v) for k, v in meta.get("also_sources", {}).items()}, dict(meta.get("stories", {})))

    def to_json(self) -> dict[str, Any]:
        return {"also_sources": {k: list(v) for k, v in self.sources.items()}, "stories": self.stories}
