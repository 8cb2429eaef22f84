"""An article record's metadata: what it says of the story, where it was found, and where that is in the archive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.types import Article

# What an article says of itself, as stored on its record and (all but the last two) on each of its chunks; a
# metadata-only edit of a file changes these and nothing else.
DESCRIPTIVE_KEYS = ("title", "day", "source", "place", "published", "url", "authors", "external_id")
CHUNK_KEYS = ("title", "day", "source", "published", "place", "url")


@dataclass(frozen=True)
class ArticleRecord:
    """What the store knows of an article without its chunks."""

    id: str
    locations: tuple[str, ...]
    metadata: dict[str, Any]
    text: str = ""

    @classmethod
    def of(cls, article_id: str, metadata: Mapping[str, Any], text: str = "") -> ArticleRecord:
        locations = tuple(json.loads(str(metadata.get("locations", "[]"))))
        return cls(article_id, locations, dict(metadata), text)

    @property
    def archive_paths(self) -> dict[str, str]:
        """Location -> its place in the archive, as recorded at ingest (stores written before record none)."""
        return dict(json.loads(str(self.metadata.get("archive_paths", "{}"))))

    @property
    def placement(self) -> Placement:
        return Placement.of(self.locations, self.archive_paths)

    def archive_path(self, location: str) -> str:
        """Where `location` is in the archive: relative to the folder that was ingested; the file name (with its
        record key) when the store did not record it."""
        return self.archive_paths.get(location) or file_name_of(location)

    @property
    def metadata_from(self) -> str | None:
        """The location whose item the descriptive metadata was taken from: as recorded while it is still one of
        the article's locations, else its only location; None when that leaves it unknown."""
        owner = self.metadata.get("metadata_from")
        if owner in self.locations:
            return str(owner)
        return self.locations[0] if len(self.locations) == 1 else None  # one location: it can only be that one


@dataclass(frozen=True)
class Placement:
    """Where an article was found (absolute locations, which --prune and reruns compare with the files) and where
    each is in the archive (shown to people); a location whose place is not known has no entry."""

    locations: tuple[str, ...]
    archive_paths: dict[str, str]

    @classmethod
    def of(cls, locations: Iterable[str], places: Mapping[str, str | None]) -> Placement:
        ordered = tuple(sorted(locations))
        return cls(ordered, {loc: place for loc in ordered if (place := places.get(loc))})

    def metadata(self) -> dict[str, str]:
        return {"locations": json.dumps(list(self.locations)), "archive_paths": json.dumps(self.archive_paths)}


def file_name_of(location: str) -> str:
    """`/srv/news/a/005.txt` -> `005.txt`; `/srv/feed.jsonl#r7` -> `feed.jsonl#r7` (a record keeps its key)."""
    path, mark, key = location.partition("#")
    return Path(path).name + mark + key


def article_metadata(
    article: Article,
    locations: Iterable[str],
    n_chunks: int,
    archive_paths: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """Chroma metadata of an article; keys with unknown values are left out (Chroma stores no None).

    `metadata_from` names the item the descriptive keys were read from: an edit of that item is applied later,
    while the same story found elsewhere (a duplicate) does not overwrite them.
    """
    meta: dict[str, Any] = {
        "article_id": article.id,
        "n_chunks": n_chunks,
        "metadata_from": article.location,
        **descriptive_metadata(article),
        **Placement.of(locations, archive_paths or {}).metadata(),
    }
    if archive_paths is None:  # written by a caller that knows no places (bench): like a store from before them
        del meta["archive_paths"]
    return meta


def descriptive_metadata(article: Article) -> dict[str, Any]:
    """What the article says of itself, as stored: title and day always, the rest when known."""
    optional = {
        "source": article.source,
        "place": article.place,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "authors": ", ".join(article.authors) or None,
        "external_id": article.external_id,
    }
    return {"title": article.title, "day": article.day, **{key: value for key, value in optional.items() if value}}


def descriptive_changes(article: Article, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The descriptive keys whose stored value differs from what the item says now; None marks a key to delete."""
    now = descriptive_metadata(article)
    return {key: now.get(key) for key in DESCRIPTIVE_KEYS if now.get(key) != stored.get(key)}
