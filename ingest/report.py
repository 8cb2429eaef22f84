"""The summaries of ingest: a run's counts per outcome, chunks written, errors and time; an app upload's, around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.stats import IndexStats
from storage.types import BadInput


@dataclass
class IngestReport:
    """Outcome counts of one run; `to_json()` is the `--json` contract."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failed: int = 0
    removed: int = 0
    chunks_written: int = 0
    seconds: float = 0.0
    errors: list[BadInput] = field(default_factory=list)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.new or self.updated or self.removed or self.chunks_written)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": {
                "new": self.new,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "duplicate": self.duplicate,
                "failed": self.failed,
                "removed": self.removed,  # beyond the required keys: what --prune or a replacement took out
            },
            "chunks_written": self.chunks_written,
            "chunks_per_second": round(self.chunks_per_second, 1),
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
            "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        lines = [
            f"articles: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.duplicate} duplicate, {self.failed} failed, {self.removed} removed",
            f"chunks written: {self.chunks_written} in {self.seconds:.1f} s ({self.chunks_per_second:.0f} chunks/s)",
        ]
        if not self.wrote_anything:
            lines.append("nothing to do: the index is already up to date")
        lines += [f"error: {e.path}: {e.reason}" for e in self.errors]
        return "\n".join(lines)


@dataclass
class UploadSummary:
    """One upload through the app (`ingest.uploads.ingest_uploads`); `to_json()` is the `ingest` API's answer.

    The run's report with the uploads staging refused (`refused`: counted as failed, listed first among the errors),
    `files` ingested, each upload's name in the Index tab (`stored_as`) and the names it replaced; `index` is what the
    index holds after it, once the app has re-read it.

    >>> summary = UploadSummary(refused=[BadInput("a.exe", "not a type the archive reads")])
    >>> summary.to_json()["articles"]["failed"], summary.to_json()["errors"][0]["path"]
    (1, 'a.exe')
    """

    run: IngestReport = field(default_factory=IngestReport)  # its errors' paths relative to the uploads folder
    refused: list[BadInput] = field(default_factory=list)
    files: int = 0
    stored_as: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    index: IndexStats | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.run.to_json()
        out["articles"]["failed"] += len(self.refused)
        out["errors"] = [{"path": e.path, "reason": e.reason} for e in (*self.refused, *self.run.errors)]
        out.update(files=self.files, stored_as=self.stored_as, replaced=self.replaced)
        if self.index is not None:
            out["index"] = self.index.counts()
        return out
