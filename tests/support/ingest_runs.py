"""Helpers shared by the ingest run tests: run the CLI for its summary, check a finished store's invariants."""

from __future__ import annotations

import shutil
from pathlib import Path

from storage.keyword_index import chunk_set_of, fingerprint

NOTHING = {"new": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 0, "removed": 0}


def counts(**given: int) -> dict[str, int]:
    return {**NOTHING, **given}


def ingest(cli, *args: str | Path) -> dict:
    """Run `archive-qa ingest ... --json` in-process and return its summary (whatever the exit code)."""
    result = cli("ingest", *args, "--json")
    assert result.code in (0, 1), result.err
    summary = result.json
    assert result.code == (1 if summary["errors"] else 0)
    return summary


def check_consistent(snap) -> None:
    """Invariants of any finished run: unique chunks, no orphans, BM25 built for exactly this chunk set."""
    assert snap.chunk_count == len(snap.chunk_ids) == len(set(snap.chunk_ids))
    assert snap.article_count == len(snap.records)
    assert {chunk_id.rsplit("-", 1)[0] for chunk_id in snap.chunk_ids} == snap.article_ids
    assert sum(r.metadata["n_chunks"] for r in snap.records.values()) == snap.chunk_count
    assert chunk_set_of(snap.fingerprint) == fingerprint(snap.chunk_ids)  # ".n" after n metadata-only edits
    assert snap.keyword is not None and sorted(snap.keyword.ids) == sorted(snap.chunk_ids)


def copy_files(sample_archive: Path, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(p, folder)) for p in sorted(sample_archive.glob("*.txt"))[:count]]
