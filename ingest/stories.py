"""Near-duplicate stories: which stored story a new article's body is a near-copy of (leader grouping)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from ingest.signatures import NUM_PERM, SCHEME, Signature, decode_signature, encode_signature, permutations, signature
from storage.article_meta import ArticleRecord
from storage.base import ArchiveStore
from storage.types import Article

THRESHOLD = 0.5  # estimated Jaccard from which two bodies are one story (bench/stories.py, docs/quality.md)
# And their openings' word 3-grams: a copy keeps the story's lead, pages that share only embedded furniture do not.
MIN_LEAD_JACCARD = 0.3
WINDOW_DAYS = 7  # dated copies of one story further apart than this are not compared; undated ones always are


@dataclass(frozen=True)
class _Member:
    story_id: str
    day: int
    signature: Signature


class StoryIndex:
    """The stories seen so far, and which of them a new article's body is a near-copy of.

    Leader grouping: a new article joins the story of the most similar article already in (estimated Jaccard at
    least `threshold`, and openings at least MIN_LEAD_JACCARD alike; ties go to the smaller id), else starts its
    own story, whose id is its own. Dated articles
    join only a story whose earliest dated member is within `window_days` of them (so a chain of weekly pages that
    share a template cannot grow one story for months); undated ones compare with every story. Stored articles never
    change story and the choice does not depend on the order they were loaded in, so a rerun or a resumed run
    assigns exactly what a clean run would.

    >>> stories = StoryIndex()
    >>> stories.assign("a1", signature(wire_copy), day=738000)
    'a1'
    >>> stories.assign("b7", signature(lightly_edited_copy), day=738001)
    'a1'
    """

    def __init__(self, threshold: float = THRESHOLD, window_days: int = WINDOW_DAYS) -> None:
        self.threshold, self.window_days = threshold, window_days
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._members: dict[str, _Member] = {}
        self._first_day: dict[str, int] = {}  # story -> its earliest dated member's day

    def __len__(self) -> int:
        return len(self._members)

    def insert(self, article_id: str, story_id: str, day: int, found: Signature | None) -> None:
        """Add a stored article to compare new ones with (one without a signature is never matched)."""
        if day and (story_id not in self._first_day or day < self._first_day[story_id]):
            self._first_day[story_id] = day
        if found is None or article_id in self._members:
            return
        self._members[article_id] = _Member(story_id, day, found)
        self._lsh.insert(article_id, _as_minhash(found.values))

    def best_match(self, found: Signature | None, day: int, excluded: Iterable[str] = ()) -> str | None:
        """The member most similar to `found` at or above the thresholds and inside the window, else None."""
        if found is None or not self._members:
            return None
        skip = set(excluded)
        best: tuple[float, str] | None = None
        for candidate in self._lsh.query(_as_minhash(found.values)):
            member = self._members[candidate]
            if candidate in skip or not self._in_window(day, member):
                continue
            similarity = found.jaccard(member.signature)
            if similarity < self.threshold or found.lead_jaccard(member.signature) < MIN_LEAD_JACCARD:
                continue
            if best is None or (-similarity, candidate) < best:
                best = (-similarity, candidate)
        return best[1] if best else None

    def assign(self, article_id: str, found: Signature | None, day: int, excluded: Iterable[str] = ()) -> str:
        """The story a new article joins (see the class docstring); the article is added to the index."""
        match = self.best_match(found, day, excluded)
        story_id = self._members[match].story_id if match else article_id
        self.insert(article_id, story_id, day, found)
        return story_id

    def _in_window(self, day: int, member: _Member) -> bool:
        anchor = self._first_day.get(member.story_id, member.day)
        return day == 0 or anchor == 0 or abs(day - anchor) <= self.window_days


class StoryAssigner:
    """The stories of one ingest run: every stored article's signature, loaded when the first new article comes,
    and for each new article the record metadata that says its story (`story_id`) and signature (`minhash`).

    Records written before stories existed (or with other signature settings) are signed from their stored text
    and their signature is stored for the next run; their story is their own.

    >>> stories = StoryAssigner(store, store.article_records())
    >>> stories.assign(Article("Dockers strike halts grain loading at Valmora", wire_copy, "wire.txt"))
    {'story_id': '...', 'minhash': 'mh2.5w.128.lead60x3:...'}
    """

    def __init__(self, store: ArchiveStore, records: Mapping[str, ArticleRecord]) -> None:
        self.store, self.records = store, records
        self._index: StoryIndex | None = None

    def assign(self, article: Article, excluded: Iterable[str] = ()) -> dict[str, str]:
        """`excluded`: articles this run replaces (an edited file's old version is not the new one's story)."""
        if self._index is None:
            self._index = self._load()
        values = signature(article.text, title=article.title)
        story_id = self._index.assign(article.id, values, article.day, excluded)
        return {"story_id": story_id, "minhash": encode_signature(values)}

    def _load(self) -> StoryIndex:
        index, unsigned = StoryIndex(), []
        for article_id, record in self.records.items():
            usable, values = decode_signature(record.metadata.get("minhash"))
            if usable:
                index.insert(article_id, _story_of(record), int(record.metadata.get("day", 0)), values)
            else:
                unsigned.append(article_id)
        for begin in range(0, len(unsigned), 500):  # texts are read a page at a time: memory stays bounded
            signed = {}
            for article_id, record in self.store.get_articles(unsigned[begin : begin + 500]).items():
                values = signature(record.text, title=str(record.metadata.get("title", "")))
                index.insert(article_id, _story_of(record), int(record.metadata.get("day", 0)), values)
                signed[article_id] = {"minhash": encode_signature(values)}
            self.store.update_records(signed)  # metadata only: the record stays what marks a complete article
        return index


def _story_of(record: ArticleRecord) -> str:
    return str(record.metadata.get("story_id") or record.id)


def _as_minhash(values: np.ndarray) -> MinHash:
    return MinHash(hashvalues=values, scheme=SCHEME, permutations=permutations())  # LSH reads only the values


def as_minhash(values: np.ndarray) -> MinHash:
    """A stored signature's hash values as a MinHash, for querying an LSH index like the story grouping does."""
    return _as_minhash(values)
