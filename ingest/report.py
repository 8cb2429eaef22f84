"""The summary an ingest run prints: counts per outcome, chunks written, errors, time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
