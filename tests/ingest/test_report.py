"""The run summary: the `--json` contract (keys exactly as specified) and the exit code."""

from __future__ import annotations

from pathlib import Path

from ingest.report import IngestReport
from storage.types import BadInput

ARTICLE_KEYS = {"new", "updated", "unchanged", "duplicate", "failed", "removed"}


def test_to_json_has_the_specified_keys_plus_removed_and_rate() -> None:
    report = IngestReport(new=2, updated=1, unchanged=3, duplicate=1, failed=1, chunks_written=9, seconds=1.234)
    report.errors.append(BadInput("/a/b.pdf", "unsupported file type '.pdf'"))
    assert report.to_json() == {
        "articles": {"new": 2, "updated": 1, "unchanged": 3, "duplicate": 1, "failed": 1, "removed": 0},
        "chunks_written": 9,
        "chunks_per_second": 7.3,
        "errors": [{"path": "/a/b.pdf", "reason": "unsupported file type '.pdf'"}],
        "seconds": 1.23,
    }


def test_summary_text() -> None:
    quiet = IngestReport(unchanged=30, seconds=0.5)
    assert quiet.summary().splitlines() == [
        "articles: 0 new, 0 updated, 30 unchanged, 0 duplicate, 0 failed, 0 removed",
        "chunks written: 0 in 0.5 s (0 chunks/s)",
        "nothing to do: the index is already up to date",
    ]
    busy = IngestReport(new=1, failed=1, chunks_written=10, seconds=2.0, errors=[BadInput("x.bin", "binary file")])
    assert busy.summary().splitlines()[1:] == ["chunks written: 10 in 2.0 s (5 chunks/s)", "error: x.bin: binary file"]


def test_cli_json_summary_and_exit_codes(tmp_path: Path, sample_store, cli_process) -> None:
    # All succeeded (the module's sample ingest) -> 0, with the exact keys.
    assert set(sample_store.summary) == {"articles", "chunks_written", "chunks_per_second", "errors", "seconds"}
    assert set(sample_store.summary["articles"]) == ARTICLE_KEYS
    assert sample_store.summary["errors"] == [] and sample_store.summary["chunks_written"] > 30

    # One file failed -> 1; the good file is still stored and the summary names the bad one.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Dam opens\nLIMA — The dam opened.\n", encoding="utf-8")
    (folder / "bad.bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = cli_process("ingest", folder, "--store", tmp_path / "store", "--json")
    assert result.code == 1, result.err
    summary = result.json
    assert set(summary) == {"articles", "chunks_written", "chunks_per_second", "errors", "seconds"}
    assert summary["articles"] == {"new": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 1, "removed": 0}
    assert summary["errors"] == [
        {"path": str((folder / "bad.bin.txt").resolve()), "reason": "binary file (contains NUL bytes), not text"}
    ]
    assert summary["chunks_written"] == 1 and isinstance(summary["seconds"], float)

    # Without --json: the human summary, the same exit code.
    text = cli_process("ingest", folder, "--store", tmp_path / "store")
    assert text.code == 1
    assert "articles: 0 new, 0 updated, 1 unchanged, 0 duplicate, 1 failed" in text.out
    assert f"error: {(folder / 'bad.bin.txt').resolve()}: binary file" in text.out
