"""The nouns of ingest: an `Article` read from a file and the `Chunk`s it is cut into."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
# How an article that states no source is listed and filtered on (stats, the app's Sources, `--source`).
# The chunking rules' version: bump when they change, or chunk ids would name different text. Each collection
# records it with the chunk size and overlap (`chunker_version`), and the store refuses another.
CHUNKER_VERSION = "sentences-v2"

NO_SOURCE = "(no source)"


def normalize(text: str) -> str:
    """Canonical form for identity: NFKC, straight quotes, single spaces, no outer blanks."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()


@dataclass(frozen=True)
class Article:
    """One news item as read from a file; `location` says where (path, or path#record for exports)."""

    title: str
    text: str
    location: str
    source: str | None = None
    place: str | None = None
    published: date | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    external_id: str | None = None

    @cached_property  # hashing the whole normalized text is costly and the chunker asks once per chunk
    def id(self) -> str:
        """Stable id from the normalized title and body: the same story from two files gets one id."""
        digest = hashlib.sha256(f"{normalize(self.title)}\n{normalize(self.text)}".encode())
        return digest.hexdigest()[:20]

    @property
    def day(self) -> int:
        """Proleptic ordinal of the publication date, 0 when the item states none (for Chroma range filters)."""
        return self.published.toordinal() if self.published else 0

    @property
    def context(self) -> str:
        """Title and dateline place, prepended to every chunk before embedding so a chunk knows its story.

        The date stays out: it carries no meaning for the embedder and costs tokens on every chunk.
        """
        return f"{self.title} ({self.place})" if self.place else self.title


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: `start`/`end` is its character span in `Article.text`."""

    article_id: str
    index: int
    text: str
    start: int
    end: int
    context: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.article_id}-{self.index:03d}"

    @property
    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text


def article_of(chunk_id: str) -> str:
    """The article id inside a chunk id (the inverse of `Chunk.id`)."""
    return chunk_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class BadInput:
    """A file (or one record of it) that could not be ingested, and why."""

    path: str
    reason: str


def chunker_version(size: int, overlap: int) -> str:
    """The chunking a collection's chunk ids were cut with: rules version, size and overlap."""
    return f"{CHUNKER_VERSION}-{size}-{overlap}"
