"""`archive-qa stats`: what the index holds, as JSON with a fixed set of keys."""

from __future__ import annotations

from archive_qa.settings import Settings
from ingest.factory import make_chunker
from storage.factory import open_store
from storage.stats import index_stats

STATS_KEYS = {"articles", "chunks", "sources", "date_range", "undated_articles", "embedder", "chunker", "collection"}


def test_stats_json_keys_and_values(sample_store, cli_process) -> None:
    result = cli_process("stats", "--store", sample_store.store, "--json")
    assert result.code == 0, result.err
    stats = result.json
    assert set(stats) == STATS_KEYS
    assert stats["articles"] == 33
    assert stats["chunks"] == sample_store.summary["chunks_written"]
    assert stats["sources"] == {"AFP": 9, "Reuters": 9, "AP": 6, "EFE": 3, "Xinhua": 3, "dpa": 3}
    assert list(stats["sources"].values()) == sorted(stats["sources"].values(), reverse=True)
    assert stats["date_range"] == ["2023-01-18", "2024-06-15"]
    assert stats["undated_articles"] == 0
    assert stats["embedder"] == {"name": "all-MiniLM-L6-v2/onnx-int8/max128", "dimension": 384}
    assert stats["chunker"] == make_chunker(Settings()).version
    assert stats["collection"] == "archive"


def test_stats_text_output_lists_every_key(sample_store, cli) -> None:
    result = cli("stats", "--store", sample_store.store)
    assert result.code == 0
    assert [line.split(":", 1)[0] for line in result.out.splitlines()] == list(
        index_stats(open_store(Settings(store=sample_store.store))).to_json()
    )


def test_stats_of_an_empty_store(tmp_path) -> None:
    stats = index_stats(open_store(Settings(store=tmp_path / "empty"))).to_json()
    assert set(stats) == STATS_KEYS
    assert (stats["articles"], stats["chunks"], stats["sources"], stats["date_range"]) == (0, 0, {}, None)
