"""`archive-qa ingest` prints its own progress bar and summary, not the libraries' logs and progress bars."""

from __future__ import annotations

from pathlib import Path

import pytest

WIRE = "Harbour crane collapses\nOSKARVIK, March 3, 2024 — A harbour crane collapsed on Sunday.\nAgencies - AP\n"


@pytest.mark.timeout(600)
def test_a_first_ingest_prints_only_its_own_output(tmp_path: Path, cli_process) -> None:
    """A fresh model cache, as on a new machine: the embedder is exported first (transformers loads the weights),
    which is when library logging and progress bars showed."""
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "001.txt").write_text(WIRE, encoding="utf-8")
    env = {"ARCHIVE_QA_MODEL_CACHE": str(tmp_path / "model-cache")}
    result = cli_process("ingest", tmp_path / "news", "--store", tmp_path / "store", env=env)
    assert result.code == 0, result.err
    printed = result.out + result.err
    for stray in ("DEBUG:", "bm25s", "Loading weights", "Building index"):
        assert stray not in printed, printed
    assert "ingest:" in result.err  # our progress bar
    assert "articles: 1 new" in result.out
