"""The Chroma side: what an ingested store holds, embedder/chunker mismatch refused, and a real `chroma run` server."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_chunker
from storage.chroma_client import LAYOUT, IndexMismatchError
from storage.factory import keyword_root, open_store
from storage.keyword_build import build_from_store
from storage.keyword_index import KeywordIndex
from storage.types import Article

SAMPLE_CHUNKS_META = {"article_id", "index", "start", "end", "title", "day", "source", "published", "place"}


def test_article_records_and_chunks_of_the_sample(sample_store, sample_archive: Path) -> None:
    store = open_store(Settings(store=sample_store.store))
    records = store.article_records(with_text=True)
    files = {str(p.resolve()) for p in sample_archive.glob("*.txt")}
    assert len(records) == 33
    assert {loc for r in records.values() for loc in r.locations} == files
    assert all(len(r.locations) == 1 for r in records.values())

    chunker = make_chunker(Settings())
    made = {c.id: c.text for r in records.values() for c in chunker.split(Article(r.metadata["title"], r.text, "x"))}
    per_article: Counter[str] = Counter()
    for chunk_id, chunk in store.get_chunks(store.chunk_ids()).items():
        meta, text = chunk.metadata, chunk.text
        record = records[meta["article_id"]]
        assert set(meta) in (SAMPLE_CHUNKS_META, SAMPLE_CHUNKS_META | {"story_id"})  # set when it joined a story
        assert chunk_id == f"{record.id}-{meta['index']:03d}"
        assert text and text == made[chunk_id]  # the span opens the exact passage the chunker cut
        assert (meta["title"], meta["published"]) == (record.metadata["title"], record.metadata["published"])
        per_article[record.id] += 1
    for record in records.values():
        assert record.metadata["n_chunks"] == per_article[record.id]
        assert json.loads(record.metadata["locations"]) == list(record.locations)
        assert set(record.metadata) >= {"article_id", "title", "day", "locations", "source", "place", "published"}
    assert sum(per_article.values()) == store.chunks.count() == sample_store.summary["chunks_written"]
    # The wire story on the March 2024 cut and its two reprints are one story; the earlier decisions are not.
    story = {Path(r.locations[0]).name[:3]: r.metadata["story_id"] for r in records.values()}
    assert story["007"] == story["031"] == story["032"] != story["006"] != story["005"]


def test_chunks_in_the_store_are_what_the_chunker_makes(sample_store) -> None:
    store = open_store(Settings(store=sample_store.store))
    record = next(iter(store.article_records(with_text=True).values()))
    got = store.chunks.get(where={"article_id": record.id}, include=["documents", "metadatas"])
    assert got["documents"] == [None] * len(got["ids"])  # a chunk's text is stored once, in its article record
    texts = {chunk_id: chunk.text for chunk_id, chunk in store.get_chunks(got["ids"]).items()}
    by_index = sorted(zip(got["metadatas"], got["ids"], strict=True), key=lambda pair: pair[0]["index"])
    article = Article(record.metadata["title"], record.text, "x")
    assert article.id == record.id
    assert [texts[chunk_id] for _, chunk_id in by_index] == [c.text for c in make_chunker(Settings()).split(article)]


def test_collection_metadata_names_embedder_chunker_and_fingerprint(sample_store) -> None:
    settings = Settings(store=sample_store.store)
    store = open_store(settings)
    meta = store.chunks.metadata
    assert meta["embedder"] == "all-MiniLM-L6-v2/onnx-int8/max128"
    assert meta["dimension"] == 384
    assert meta["chunker"] == make_chunker(settings).version
    assert meta["fingerprint"] == store.fingerprint and len(store.fingerprint) == 24
    assert meta["layout"] == LAYOUT == 2  # chunks keep only their span of the article record's text
    assert (keyword_root(settings) / store.fingerprint / "chunks.json").is_file()


def test_another_embedder_is_refused_with_how_to_reindex(sample_store, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    monkeypatch.setenv("ARCHIVE_QA_EMBEDDER", "minilm-torch")
    settings = Settings(store=sample_store.store)
    assert settings.embedder == "minilm-torch"
    with pytest.raises(IndexMismatchError) as refused:
        open_store(settings)
    message = str(refused.value)
    assert "embedder='all-MiniLM-L6-v2/onnx-int8/max128'" in message and "all-MiniLM-L6-v2/torch/max128" in message
    assert "--collection NEW_NAME" in message and "delete the store and ingest again" in message

    for command in (["ingest", Path(__file__)], ["stats"]):
        result = cli(*command, "--store", sample_store.store, "--json")
        assert result.code == 2
        assert result.out == ""
        assert message in result.err

    monkeypatch.delenv("ARCHIVE_QA_EMBEDDER")
    assert open_store(Settings(store=sample_store.store)).chunks.count() == sample_store.summary["chunks_written"]


def test_other_chunk_settings_are_refused(sample_store) -> None:
    built = Settings(store=sample_store.store)
    other = Settings(store=sample_store.store, chunk_size=built.chunk_size - 100)
    with pytest.raises(IndexMismatchError) as refused:
        open_store(other)
    assert f"chunker={make_chunker(built).version!r}" in str(refused.value)
    assert f"chunker={make_chunker(other).version!r}" in str(refused.value)


def test_another_embedding_length_is_refused(sample_store) -> None:
    # Vectors of the first 256 word pieces are not comparable with those of the first 128: re-index, never mix.
    with pytest.raises(IndexMismatchError) as refused:
        open_store(Settings(store=sample_store.store, embed_max_tokens=256))
    assert "embedder='all-MiniLM-L6-v2/onnx-int8/max128'" in str(refused.value)
    assert "this run uses embedder='all-MiniLM-L6-v2/onnx-int8'." in str(refused.value)
    assert "ARCHIVE_QA_EMBED_MAX_TOKENS" in str(refused.value)


def _set_layout(store_dir: Path, layout: int | None) -> None:
    chunks = open_store(Settings(store=store_dir)).chunks
    meta = {key: value for key, value in (chunks.metadata or {}).items() if key != "layout"}
    chunks.modify(metadata=meta if layout is None else {**meta, "layout": layout})


def test_a_store_of_a_later_layout_is_refused_not_misread(sample_store, tmp_path: Path, cli) -> None:
    copy = Path(shutil.copytree(sample_store.store, tmp_path / "store"))
    _set_layout(copy, LAYOUT + 1)
    with pytest.raises(IndexMismatchError) as refused:
        open_store(Settings(store=copy))
    message = str(refused.value)
    assert f"newer archive-qa (store layout {LAYOUT + 1})" in message and f"layouts up to {LAYOUT}" in message
    assert "Upgrade archive-qa" in message
    for command in (["stats"], ["ask", "Who uncovered the workshop?", "--answerer", "extractive"]):
        result = cli(*command, "--store", copy)
        assert result.code == 2 and message in result.err


def test_a_store_without_a_layout_opens_and_is_marked_by_the_next_ingest(
    sample_store, tmp_path: Path, archive_copy: Path, cli
) -> None:
    # Stores written before the layout was recorded (their chunks hold their text) are layout 1: read, then
    # marked with this version's layout once chunks of that layout are written into them.
    copy = Path(shutil.copytree(sample_store.store, tmp_path / "store"))
    _set_layout(copy, None)
    assert "layout" not in (open_store(Settings(store=copy)).chunks.metadata or {})
    new_file = archive_copy / "999_added.txt"
    new_file.write_text("Harbour ferry returns\n\nDUNMORE — The harbour ferry returned to service on Monday.\n")
    assert cli("ingest", new_file, "--store", copy).code == 0
    assert open_store(Settings(store=copy)).chunks.metadata["layout"] == LAYOUT


def test_a_new_collection_in_the_same_store_is_independent(sample_store) -> None:
    store = open_store(Settings(store=sample_store.store, collection="other"))
    assert store.chunks.count() == 0 and store.article_records() == {}
    assert open_store(Settings(store=sample_store.store)).chunks.count() > 0


@pytest.mark.integration
def test_against_a_real_chroma_server(
    chroma_server: str, sample_archive: Path, tmp_path: Path, cli, cli_process, store_snapshot
) -> None:
    local = tmp_path / "local"
    first = cli_process("ingest", sample_archive, "--chroma-url", chroma_server, "--store", local, "--json")
    assert first.code == 0, first.err
    assert first.json["articles"] == {
        "new": 33,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "failed": 0,
        "removed": 0,
    }
    assert not (local / "chroma").exists()  # nothing embedded: the server holds the collections

    stats = cli_process("stats", "--chroma-url", chroma_server, "--store", local, "--json")
    assert stats.code == 0, stats.err
    assert (stats.json["articles"], stats.json["chunks"]) == (33, first.json["chunks_written"])
    assert stats.json["date_range"] == ["2023-01-18", "2024-06-15"]

    before = store_snapshot(local, chroma_server)
    again = cli("ingest", sample_archive, "--chroma-url", chroma_server, "--store", local, "--json")
    assert again.code == 0
    assert again.json["articles"] == {
        "new": 0,
        "updated": 0,
        "unchanged": 33,
        "duplicate": 0,
        "failed": 0,
        "removed": 0,
    }
    assert again.json["chunks_written"] == 0
    after = store_snapshot(local, chroma_server)
    assert (after.chunk_count, after.article_count, after.fingerprint) == (
        before.chunk_count,
        before.article_count,
        before.fingerprint,
    )
    assert sorted(after.chunk_ids) == sorted(before.chunk_ids)
    assert after.keyword is not None and sorted(after.keyword.ids) == sorted(after.chunk_ids)
    assert "embedded" not in str(keyword_root(Settings(store=local, chroma_url=chroma_server)))


def test_the_keyword_index_ingest_builds_equals_one_rebuilt_from_the_store(sample_store, tmp_path: Path) -> None:
    # Ingest tokenizes chunks while it embeds them; a rebuild reads their text back from the article records.
    settings = Settings(store=sample_store.store)
    store = open_store(settings)
    built = KeywordIndex.load(keyword_root(settings), store.fingerprint)
    rebuilt = build_from_store(store, tmp_path, store.fingerprint)
    assert built is not None and built.ids == rebuilt.ids and len(built.ids) == store.chunks.count()
    for query in ("glassblowing workshop", "harbour ferry strike", "central bank interest rate"):
        assert built.search(query, k=5) == rebuilt.search(query, k=5) != []
