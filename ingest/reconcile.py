"""After an ingest run's writes: apply metadata-only edits, settle locations and archive paths, prune, sweep orphans."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.report import IngestReport
from storage.article_meta import ArticleRecord, Outlet, Placement
from storage.base import ArchiveStore
from storage.keyword_index import KeywordEntry
from storage.types import Article, article_of


@dataclass(frozen=True)
class Edit:
    """A stored article whose item now states other metadata (same title and text, so the same id)."""

    article: Article
    changes: dict[str, Any]  # descriptive key -> new value, None to delete


@dataclass
class RunState:
    """What one run knows: the store's records before it, and what it saw and wrote."""

    records: dict[str, ArticleRecord]
    report: IngestReport = field(default_factory=IngestReport)
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    places: dict[str, str] = field(default_factory=dict)  # location seen -> its place in the archive
    outlets: dict[str, Outlet] = field(default_factory=dict)  # location seen -> what that copy said of its outlet
    written: dict[str, set[str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # article written -> the location its metadata came from
    replaced: set[str] = field(default_factory=set)
    edits: dict[str, Edit] = field(default_factory=dict)
    files_read: set[str] = field(default_factory=set)
    orphans_at_start: set[str] = field(default_factory=set)
    keyword: dict[str, KeywordEntry] = field(default_factory=dict)  # BM25 entries of the chunks written

    def __post_init__(self) -> None:
        self.stored = {article_id: set(r.locations) for article_id, r in self.records.items()}
        self.owner = {loc: article_id for article_id, locs in self.stored.items() for loc in locs}

    @property
    def chunks_changed(self) -> bool:
        """Chunks were written or deleted (a metadata-only edit changes neither)."""
        return bool(self.report.new or self.report.chunks_written or self.report.removed or self.replaced)


def apply_edits(store: ArchiveStore, run: RunState) -> None:
    """Metadata-only edits, in place: chunks first, the record last, so a record that says the new values marks a
    finished edit (a run killed before it finds the old values and edits again). Nothing is re-embedded."""
    if not run.edits:
        return
    store.mark_keyword_pending()  # BM25 keeps each chunk's day and source: due again, even after a kill
    store.update_chunks_of({article_id: edit.changes for article_id, edit in run.edits.items()})
    store.update_records(
        {article_id: {**edit.changes, "metadata_from": edit.article.location} for article_id, edit in run.edits.items()}
    )


def reconcile(store: ArchiveStore, run: RunState, prune: bool) -> None:
    """Settle where every article lives: changed locations and places, pruned files, then orphan chunks."""
    seen_at = {loc: article_id for article_id, locs in run.seen.items() for loc in locs}
    final: dict[str, set[str]] = {}
    for article_id, old in run.stored.items():
        keep = {loc for loc in old if seen_at.get(loc, article_id) == article_id}
        if prune:
            keep = {loc for loc in keep if _still_there(loc, run.files_read, seen_at)}
        final[article_id] = keep | run.seen.get(article_id, set())
    for article_id, locs in run.seen.items():
        final.setdefault(article_id, set(locs))
    gone = [article_id for article_id, locs in final.items() if not locs]
    changed, before = {}, {}
    for article_id, locs in final.items():
        placement = Placement.of(
            locs, _places_now(run, article_id, locs), _outlets_now(run, article_id, locs), _owner(run, article_id)
        )
        before[article_id] = _placement_before(run, article_id)
        if locs and placement != before[article_id]:
            changed[article_id] = placement
    if changed:
        _restamp_written(run, store.set_locations(changed, before))
    if gone:
        store.delete_articles(gone)
        run.report.removed += len(set(gone) - run.replaced)
    _sweep_orphans(store, run, live=set(final) - set(gone))


def _places_now(run: RunState, article_id: str, locations: set[str]) -> dict[str, str | None]:
    """Each location's place in the archive: as this run found it, else as the record had it."""
    record = run.records.get(article_id)
    known = record.archive_paths if record else {}
    return {loc: run.places.get(loc) or known.get(loc) for loc in locations}


def _owner(run: RunState, article_id: str) -> str | None:
    """The location the record's descriptive metadata came from (as written this run, else as recorded)."""
    if article_id in run.edits:
        return run.edits[article_id].article.location
    written = run.owners.get(article_id)
    if written:
        return written
    record = run.records.get(article_id)
    return record.metadata.get("metadata_from") if record else None


def _outlets_now(run: RunState, article_id: str, locations: set[str]) -> dict[str, Outlet | None]:
    """What each copy says of its outlet: as this run read it, else as the record had it."""
    record = run.records.get(article_id)
    known = record.outlets if record else {}
    return {loc: run.outlets.get(loc) or known.get(loc) for loc in locations}


def _restamp_written(run: RunState, sources: dict[str, list[str] | None]) -> None:
    """The keyword entries this run made for chunks whose article now names other sources (a copy found after
    the article was written): the closing BM25 build takes these entries as they are."""
    for chunk_id, entry in run.keyword.items():
        if (article_id := article_of(chunk_id)) in sources:
            run.keyword[chunk_id] = replace(entry, sources=tuple(sources[article_id] or ()))


def _placement_before(run: RunState, article_id: str) -> Placement | None:
    """What the store says now: as this run wrote the article, else as its record said before the run."""
    if article_id in run.written:
        return Placement.of(run.written[article_id], run.places, run.outlets, run.owners[article_id])
    record = run.records.get(article_id)
    return record.placement if record else None


def _sweep_orphans(store: ArchiveStore, run: RunState, live: set[str]) -> None:
    """Chunks of a crashed write or an interrupted delete: orphans since the start of the run and still without
    a record. Other writers' articles (a server takes several) are neither, whether complete or in progress."""
    suspects = [
        chunk_id
        for chunk_id in store.chunk_ids()
        if article_of(chunk_id) not in live and chunk_id in run.orphans_at_start
    ]
    recorded = store.get_articles(sorted({article_of(chunk_id) for chunk_id in suspects}))
    orphans = [chunk_id for chunk_id in suspects if article_of(chunk_id) not in recorded]
    if orphans:
        store.delete_chunks(orphans)


def _still_there(location: str, files_read: set[str], seen: dict[str, str]) -> bool:
    path = location.split("#", 1)[0]
    if path in files_read:  # the file was read whole this run: its records are exactly what it holds now
        return location in seen
    return Path(path).exists() or Path(location).exists()  # a file name may hold '#' itself
