"""Building the ingest parts from Settings."""

from __future__ import annotations

from pathlib import Path

from archive_qa.settings import Settings
from ingest.factory import make_chunker, make_ingestor
from storage.factory import get_embedder, keyword_root


def test_one_embedder_per_name_per_process() -> None:
    assert get_embedder(Settings()) is get_embedder(Settings())


def test_keyword_root_per_collection_and_server(tmp_path: Path) -> None:
    embedded = keyword_root(Settings(store=tmp_path))
    assert embedded == tmp_path / "keyword" / "embedded" / "archive"
    assert keyword_root(Settings(store=tmp_path, collection="b")) == tmp_path / "keyword" / "embedded" / "b"
    server_a = keyword_root(Settings(store=tmp_path, chroma_url="http://127.0.0.1:8000"))
    server_b = keyword_root(Settings(store=tmp_path, chroma_url="http://10.0.0.2:8000"))
    assert len({embedded, server_a, server_b}) == 3
    assert server_a.parent.parent == tmp_path / "keyword"


def test_ingestor_takes_limits_from_settings(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path, max_file_mb=1.5, max_stream_mb=8, embed_batch=8)
    ingestor = make_ingestor(settings)
    assert ingestor.max_file_bytes == int(1.5 * 2**20)
    assert ingestor.max_stream_bytes == 8 * 2**20
    assert ingestor.batch_chunks == 64
    assert ingestor.chunker.version == make_chunker(settings).version
    assert ingestor.keyword_root == keyword_root(settings)
