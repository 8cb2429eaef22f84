"""An article record's metadata: what it says of the story, where it was found, and where that is in the archive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.types import Article

# What an article says of itself, as stored on its record and (all but the last two) on each of its chunks; a
# metadata-only edit of a file changes these and nothing else.
DESCRIPTIVE_KEYS = ("title", "day", "source", "place", "published", "url", "authors", "external_id")
# `sources` (every source the article's copies name, when there is more than one) rides on chunks too: the source
# filter of both searches reads it.
CHUNK_KEYS = ("title", "day", "source", "published", "place", "url", "sources")


@dataclass(frozen=True)
class Outlet:
    """What one copy of an article (one location) says of where it appeared: an exact duplicate in another file
    or export may name another source, url or date than the copy the record's metadata came from."""

    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date

    @classmethod
    def of(cls, article: Article) -> Outlet:
        return cls(article.source, article.url, article.published.isoformat() if article.published else None)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Outlet:
        return cls(value.get("source"), value.get("url"), value.get("published"))

    def to_json(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}


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
    def outlets(self) -> dict[str, Outlet]:
        """Location -> what that copy said of its outlet: as recorded for an article found in several places, and
        for the item the metadata came from, what the record says (a record of one location keeps no list)."""
        recorded = {loc: Outlet.from_json(v) for loc, v in json.loads(str(self.metadata.get("outlets", "{}"))).items()}
        owner = self.metadata.get("metadata_from")
        if owner in self.locations and owner not in recorded:
            meta = self.metadata
            recorded[owner] = Outlet(meta.get("source"), meta.get("url"), meta.get("published"))
        return recorded

    @property
    def placement(self) -> Placement:
        return Placement.of(self.locations, self.archive_paths, self.outlets, self.metadata.get("metadata_from"))

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
    outlets: dict[str, Outlet] = field(default_factory=dict)  # of the locations whose copy is known

    @classmethod
    def of(
        cls,
        locations: Iterable[str],
        places: Mapping[str, str | None],
        outlets: Mapping[str, Outlet | None] | None = None,
        owner: str | None = None,
    ) -> Placement:
        """`owner`: the location the record's descriptive metadata came from. An article found in one place keeps
        no outlet list (its metadata says it all) unless that place is not the owner (the owner's file was pruned),
        whose metadata then speaks for another copy until that copy is read again."""
        ordered = tuple(sorted(locations))
        known = outlets or {}
        listed = len(ordered) > 1 or (owner is not None and ordered != (owner,))
        return cls(
            ordered,
            {loc: place for loc in ordered if (place := places.get(loc))},
            {loc: outlet for loc in ordered if (outlet := known.get(loc))} if listed else {},
        )

    @property
    def sources(self) -> list[str] | None:
        """Every source the copies name, when they name more than one (else None: `source` says it all)."""
        named = sorted({outlet.source for outlet in self.outlets.values() if outlet.source})
        return named if len(named) > 1 else None

    def metadata(self) -> dict[str, Any]:
        """As merged into a record; None deletes a key (an article now found in one place keeps no outlet list)."""
        outlets = {loc: outlet.to_json() for loc, outlet in self.outlets.items()}
        return {
            "locations": json.dumps(list(self.locations)),
            "archive_paths": json.dumps(self.archive_paths),
            "outlets": json.dumps(outlets) if outlets else None,
            "sources": self.sources,
        }


def file_name_of(location: str) -> str:
    """`/srv/news/a/005.txt` -> `005.txt`; `/srv/feed.jsonl#r7` -> `feed.jsonl#r7` (a record keeps its key)."""
    path, mark, key = location.partition("#")
    return Path(path).name + mark + key


def article_metadata(
    article: Article,
    locations: Iterable[str],
    n_chunks: int,
    archive_paths: Mapping[str, str | None] | None = None,
    outlets: Mapping[str, Outlet] | None = None,
) -> dict[str, Any]:
    """Chroma metadata of an article; keys with unknown values are left out (Chroma stores no None).

    `metadata_from` names the item the descriptive keys were read from: an edit of that item is applied later,
    while the same story found elsewhere (a duplicate) does not overwrite them; what each copy said of its outlet
    is kept in `outlets` (see `Placement`).
    """
    meta: dict[str, Any] = {
        "article_id": article.id,
        "n_chunks": n_chunks,
        "metadata_from": article.location,
        **descriptive_metadata(article),
        **Placement.of(locations, archive_paths or {}, outlets, article.location).metadata(),
    }
    if archive_paths is None:  # written by a caller that knows no places (bench): like a store from before them
        del meta["archive_paths"]
    return {key: value for key, value in meta.items() if value is not None}


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
