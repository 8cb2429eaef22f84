"""The files the index holds, as people see them (relative, never a server path), and taking one's articles out.

An article is stored once with every location it was found at (`path`, or `path#key` for a record of an export).
Removing a file drops its locations: an article left with none is deleted (record, chunks, then BM25 is refreshed),
one that another file still holds keeps that location. Uploaded copies under STORE/uploads are deleted with their
articles; someone's own archive files (ingested with the CLI) are only taken out of the index.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive_qa.settings import Settings
from ingest.readers import RECORD_SUFFIXES
from ingest.staging import ARCHIVES
from storage.article_meta import ArticleRecord, Placement
from storage.base import ArchiveStore

UPLOADS_LABEL = "uploads"


class RemovalError(ValueError):
    """A removal that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class IndexedFile:
    """A file (or an uploaded zip's folder) some article was found in."""

    label: str  # shown and asked for: `uploads/<name>`, or the path below the folder the ingested files share
    path: str  # absolute, as the article locations name it
    uploaded: bool  # our copy under STORE/uploads (deleted on removal), not someone's archive file


@dataclass(frozen=True)
class Removal:
    """What removing one file did."""

    file: IndexedFile
    removed: int  # articles deleted: no other file holds them
    kept: int  # articles another file still holds: only this file's location was dropped

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file.label, "articles": {"removed": self.removed, "kept": self.kept}}


def file_of(location: str) -> str:
    """The file a location is in: `/a/feed.jsonl#r7` -> `/a/feed.jsonl`; a story file's location is its path
    (which may hold a '#' itself): only a record format's (`RECORD_SUFFIXES`) locations are `path#key`."""
    start = 0
    while (mark := location.find("#", start)) >= 0:
        if location[:mark].lower().endswith(RECORD_SUFFIXES):
            return location[:mark]
        start = mark + 1
    return location


def covers(path: str, file: str) -> bool:
    """Whether `file` is `path` or lies below it (a zip upload's folder covers its members)."""
    return file == path or file.startswith(path.rstrip("/") + "/")


def uploads_root(settings: Settings) -> Path:
    return (settings.store / "uploads").resolve()


def upload_label(root: Path, path: Path | str) -> str:
    return f"{UPLOADS_LABEL}/{Path(path).relative_to(root).as_posix()}"


def indexed_files(records: Mapping[str, ArticleRecord], root: Path) -> list[IndexedFile]:
    """Every file the records name, sorted by label; an uploaded zip is listed whole and member by member."""
    paths = sorted({file_of(loc) for record in records.values() for loc in record.locations})
    uploaded = [p for p in paths if covers(str(root), p) and p != str(root)]
    found: dict[str, IndexedFile] = {}
    for path in uploaded:
        parts = Path(path).relative_to(root).parts
        if len(parts) > 1 and parts[0].lower().endswith(ARCHIVES):
            folder = root / parts[0]
            found.setdefault(upload_label(root, folder), IndexedFile(upload_label(root, folder), str(folder), True))
        found[upload_label(root, path)] = IndexedFile(upload_label(root, path), path, True)
    others = sorted(set(paths) - set(uploaded))
    base = os.path.commonpath([os.path.dirname(p) for p in others]) if others else ""
    for path in others:
        label = _free_label(os.path.relpath(path, base) if base else path, found)
        found[label] = IndexedFile(label, path, False)
    return sorted(found.values(), key=lambda f: f.label)


def _free_label(label: str, taken: Mapping[str, IndexedFile]) -> str:
    """`label`, or `label (2)`… when an upload's label is the same text (an ingested folder named `uploads`)."""
    candidate, n = label, 1
    while candidate in taken:
        n += 1
        candidate = f"{label} ({n})"
    return candidate


def remove_file(settings: Settings, store: ArchiveStore, files: Sequence[IndexedFile], label: str) -> Removal:
    """Take the articles of the listed file `label` out of the index, holding the store's writer lock."""
    from storage.lock import writer_lock

    if not label:
        raise RemovalError("choose a file to remove")
    chosen = next((f for f in files if f.label == label), None)
    if chosen is None:
        raise RemovalError(f"{label!r} is not a file of the index; pick one from the list")
    with writer_lock(settings.store):
        records = store.article_records()  # read again under the lock: what the store holds now
        stale = {loc for r in records.values() for loc in r.locations if covers(chosen.path, file_of(loc))}
        gone, kept = drop_locations(store, records, stale)
        if gone or store.keyword_pending:
            refresh_keyword_index(settings, store)
        if chosen.uploaded:
            delete_upload(Path(chosen.path), uploads_root(settings))
    return Removal(chosen, len(gone), kept)


def drop_locations(
    store: ArchiveStore, records: Mapping[str, ArticleRecord], stale: Iterable[str]
) -> tuple[list[str], int]:
    """Drop `stale` locations from the articles: delete those left with none (returned), re-place the others
    (counted). The chunk set changes only when some are deleted: BM25 is then due (see refresh_keyword_index)."""
    stale = set(stale)
    gone: list[str] = []
    moved: dict[str, Placement] = {}
    for article_id, record in records.items():
        if stale.isdisjoint(record.locations):
            continue
        remaining = [loc for loc in record.locations if loc not in stale]
        if remaining:
            owner = record.metadata.get("metadata_from")
            moved[article_id] = Placement.of(remaining, record.archive_paths, record.outlets, owner)
        else:
            gone.append(article_id)
    if moved:  # a copy's source may leave with its file: chunks then name fewer sources, and BM25 is due
        store.set_locations(moved, {article_id: records[article_id].placement for article_id in moved})
    if gone:
        store.delete_articles(gone)
    return gone, len(moved)


def refresh_keyword_index(settings: Settings, store: ArchiveStore) -> None:
    """Refresh BM25 for the chunk set the store holds now (as an ingest run does after it deleted articles): the
    remaining chunks' tokens come from the index saved last, so nothing is read back or tokenized again."""
    from storage.factory import keyword_root
    from storage.keyword_build import build_from_store
    from storage.keyword_index import chunk_set_of, fingerprint, revised

    chunk_ids = store.chunk_ids()
    key, current = fingerprint(chunk_ids), store.fingerprint
    if chunk_set_of(current) == key and store.keyword_pending:  # same chunks, new sources: readers must reload
        key = revised(current)
    build_from_store(store, keyword_root(settings), key, None, chunk_ids)
    store.set_fingerprint(key)


def delete_upload(path: Path, root: Path) -> None:
    """Delete our copy of an upload (a file, or a zip's folder), then the folders it leaves empty below `root`."""
    if not path.resolve().is_relative_to(root) or path.resolve() == root:
        return  # only ever what lies inside STORE/uploads
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    for folder in path.parents:
        if folder == root or not folder.is_relative_to(root):
            break
        try:
            folder.rmdir()  # only when empty: a legacy batch folder or a zip's folder after its last member
        except OSError:
            break
