"""Uploads into the archive: checked and staged (ingest/staging.py), kept at one place per file name, ingested
with progress counted in articles.

Each accepted upload lives at `STORE/uploads/<name>` (a zip at `STORE/uploads/<name>.zip/<member path>`), so an
upload of a name that is there already is that file's next version: the ingest run replaces the article of a
location whose text changed, and the locations the new version no longer holds (a record dropped from an export,
a member dropped from a zip) are taken out before it. Uploads of earlier versions, one folder per upload
(`STORE/uploads/<time>-<random>/`), stay as they are: searchable, and listed for removal in the Index tab.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archive_qa.settings import Settings
from ingest.readers import RECORD_SUFFIXES, read_file, suffix_of
from ingest.removal import covers, drop_locations, file_of, upload_label, uploads_root
from ingest.report import IngestReport, UploadSummary
from ingest.staging import Staged, UploadLimits, stage
from storage.article_meta import ArticleRecord
from storage.base import ArchiveStore
from storage.types import BadInput

ProgressFn = Callable[..., Any]  # gr.Progress: (fraction, desc=...)


@dataclass(frozen=True)
class PlannedFile:
    """A file about to be ingested from its place under STORE/uploads, as read ahead of the run."""

    path: Path
    articles: int  # what the run will count: records of an export, one for a story file
    locations: frozenset[str] | None  # what it holds now; None when a record is bad (it is then not swept)


@dataclass
class UploadBatch:
    """One upload's files in their places, and the places (`STORE/uploads/<unit>`) they replace."""

    root: Path
    places: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # the files to ingest, in upload order
    files: list[PlannedFile] = field(default_factory=list)  # the same, once read ahead

    @property
    def expected_articles(self) -> int:
        return max(1, sum(f.articles for f in self.files))


def ingest_uploads(
    files: Sequence[Path], settings: Settings, store: ArchiveStore, progress: ProgressFn | None = None
) -> UploadSummary:
    """Stage uploads, put each at its place under STORE/uploads and ingest them into `store`, holding the store's
    writer lock. The summary's JSON is `archive-qa ingest --json`'s, with the refused uploads among the errors,
    `files` (files ingested), `stored_as` (each upload's name in the Index tab) and `replaced` (those it replaced)."""
    from storage.lock import StoreBusyError, writer_lock
    from storage.scratch import ScratchFolder, sweep_scratch

    root = uploads_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    sweep_scratch(root)  # staging folders a killed upload left behind
    report, batch = IngestReport(), UploadBatch(root)
    with ScratchFolder(root) as scratch:  # removed on exit, with the earlier versions moved into it
        staged = stage(list(files), scratch.path, UploadLimits(max_bytes=int(settings.max_upload_mb * 2**20)))
        try:
            if staged.units:
                with writer_lock(settings.store):
                    batch = place(staged, root)
                    report = _ingest(batch, settings, store, progress)
        except StoreBusyError as exc:
            staged.errors.append({"path": "(upload)", "reason": str(exc)})
            staged.paths = []
    return _summary(report, staged, batch)


def place(staged: Staged, root: Path) -> UploadBatch:
    """Move each staged upload to `root/<unit>`; what was there before goes to the staging folder (deleted)."""
    batch = UploadBatch(root)
    for n, unit in enumerate(staged.units):
        target = root / unit
        if target.exists() or target.is_symlink():
            os.replace(target, staged.folder / f".earlier-{n}")
            batch.replaced.append(target)
        os.replace(staged.folder / unit, target)
        batch.places.append(target)
    batch.paths = [root / p.relative_to(staged.folder) for p in staged.paths]
    return batch


def _ingest(batch: UploadBatch, settings: Settings, store: ArchiveStore, progress: ProgressFn | None) -> IngestReport:
    from ingest.factory import make_ingestor

    ingestor = make_ingestor(settings, store)
    # A gzipped export inflates at most as far as a zip may (10 x the upload limit), not to the CLI's 4 GiB.
    inflate_cap = UploadLimits(int(settings.max_upload_mb * 2**20)).unpacked_cap
    ingestor.max_stream_bytes = min(ingestor.max_stream_bytes, inflate_cap)
    if progress is not None:
        progress(0, desc="Reading the uploads")
    batch.files = [read_ahead(p, ingestor.max_file_bytes, ingestor.max_stream_bytes) for p in batch.paths]
    records = store.article_records()
    removed, _ = drop_locations(store, records, stale_locations(records, batch))
    expected, done = batch.expected_articles, 0

    def tick(_count: int, path: str) -> None:
        # One call per article read. Counted here: the run's own count stays 0 when its progress bar is off.
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done / expected, 0.99), desc=f"{done} of {expected} articles · {Path(path).name}")

    # Run even with no file left to read: BM25 follows the chunks the sweep above deleted.
    report = ingestor.run([f.path for f in batch.files], progress=tick)
    report.removed += len(removed)
    return report


def read_ahead(path: Path, max_file_bytes: int, max_stream_bytes: int) -> PlannedFile:
    """Count an export's records and note their locations before the run (cheap at upload sizes); a story file
    is one article at its path."""
    path = path.resolve()  # as the ingest run names locations
    if suffix_of(path) not in RECORD_SUFFIXES:
        return PlannedFile(path, 1, frozenset({str(path)}))
    found, clean = set(), True
    for item in read_file(path, max_file_bytes, max_stream_bytes):
        if isinstance(item, BadInput):
            clean = False
        else:
            found.add(item.location)
    return PlannedFile(path, len(found), frozenset(found) if clean else None)


def stale_locations(records: Mapping[str, ArticleRecord], batch: UploadBatch) -> set[str]:
    """Locations in the replaced places that the new versions do not hold: files no longer uploaded, records no
    longer in an export read whole. A bad record leaves its export's earlier records alone (as `--prune` does)."""
    places = [str(p.resolve()) for p in batch.places]
    now = {str(f.path): f for f in batch.files}
    stale = set()
    for record in records.values():
        for location in record.locations:
            file = file_of(location)
            if not any(covers(place, file) for place in places):
                continue
            planned = now.get(file)
            if planned is None or (planned.locations is not None and location not in planned.locations):
                stale.add(location)
    return stale


def _summary(report: IngestReport, staged: Staged, batch: UploadBatch) -> UploadSummary:
    root = batch.root
    report.errors = [replace(e, path=_relative(e.path, root)) for e in report.errors]
    return UploadSummary(
        run=report,
        refused=[BadInput(e["path"], e["reason"]) for e in staged.errors],
        files=len(staged.paths),
        stored_as=[upload_label(root, p) for p in batch.places],
        replaced=[upload_label(root, p) for p in batch.replaced],
    )


def _relative(path: str, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return Path(path).name
