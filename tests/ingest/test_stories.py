"""Near-duplicate stories at ingest: grouped copies, every outlet of an exact duplicate kept, reruns and crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from ingest.signatures import signature
from ingest.stories import StoryIndex
from storage.chroma import ChromaStore
from storage.factory import keyword_root, open_store
from storage.keyword_index import KeywordIndex

from ingest_runs import check_consistent, counts, ingest
from story_texts import EDITED, SAME_TOPIC, WIRE


def record(key: str, title: str, text: str, source: str, day: str, url: str = "") -> dict:
    return {"id": key, "title": title, "text": text, "source": source, "date": day, "url": url or f"https://{key}"}


def write_feed(path: Path, *records: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def three_stories(folder: Path) -> Path:
    """The wire story (AP), its edited copy (Valmora Herald, a day later) and the other port story (AP)."""
    return write_feed(
        folder / "feed.jsonl",
        record("w1", "Dockers strike halts grain loading at Valmora", WIRE, "AP", "2024-03-11"),
        record("h1", "Valmora port strike stops grain ships", EDITED, "Valmora Herald", "2024-03-12"),
        record("w2", "Valmora port posts record grain exports", SAME_TOPIC, "AP", "2024-03-14"),
    )


def stories_by_title(store: Path) -> dict[str, str]:
    records = open_store(Settings(store=store)).article_records()
    return {str(r.metadata["title"]): str(r.metadata["story_id"]) for r in records.values()}


def test_signatures_separate_a_light_edit_from_another_story_on_the_topic() -> None:
    index = StoryIndex()
    assert index.assign("w1", signature(WIRE), day=738956) == "w1"
    assert index.assign("h1", signature(EDITED), day=738957) == "w1"
    assert index.assign("w2", signature(SAME_TOPIC), day=738959) == "w2"
    assert index.assign("late", signature(EDITED), day=738956 + 30) == "late"  # a month on: not compared
    assert index.assign("undated", signature(EDITED), day=0) == "w1"  # undated: compared with every story


def test_two_outlets_copies_are_one_story_and_the_other_story_is_not(tmp_path: Path, cli, store_snapshot) -> None:
    feed, store = three_stories(tmp_path / "in"), tmp_path / "store"
    assert ingest(cli, feed, "--store", store)["articles"] == counts(new=3)
    stories = stories_by_title(store)
    wire_id = next(i for i, r in store_snapshot(store).records.items() if r.metadata["title"].startswith("Dockers"))
    assert stories["Dockers strike halts grain loading at Valmora"] == wire_id  # the first stored names the story
    assert stories["Valmora port strike stops grain ships"] == wire_id
    assert stories["Valmora port posts record grain exports"] != wire_id

    snap = store_snapshot(store)
    check_consistent(snap)
    copy_id = next(i for i, r in snap.records.items() if r.metadata["title"].startswith("Valmora port strike"))
    assert snap.keyword is not None and snap.keyword.story_of(f"{copy_id}-000") == wire_id  # BM25 knows it too
    chunks = open_store(Settings(store=store)).chunks.get(where={"article_id": copy_id}, include=["metadatas"])
    assert {m["story_id"] for m in chunks["metadatas"]} == {wire_id}


def test_a_rerun_changes_nothing(tmp_path: Path, cli, store_snapshot) -> None:
    feed, store = three_stories(tmp_path / "in"), tmp_path / "store"
    ingest(cli, feed, "--store", store)
    before = store_snapshot(store)
    assert ingest(cli, feed, "--store", store)["articles"] == counts(unchanged=3)
    after = store_snapshot(store)
    assert after.records == before.records and after.chunk_ids == before.chunk_ids
    assert after.fingerprint == before.fingerprint


def test_a_copy_ingested_later_joins_the_stored_story(tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    wire = record("w1", "Dockers strike halts grain", WIRE, "AP", "2024-03-11")
    first = write_feed(tmp_path / "a" / "wire.jsonl", wire)
    ingest(cli, first, "--store", store)
    later = write_feed(tmp_path / "b" / "herald.jsonl", record("h1", "Port strike", EDITED, "Herald", "2024-03-12"))
    assert ingest(cli, later, "--store", store)["articles"] == counts(new=1)
    stories = stories_by_title(store)
    assert stories["Port strike"] == stories["Dockers strike halts grain"]


def test_a_record_written_before_stories_is_signed_from_its_text_and_joined(tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    wire = record("w1", "Dockers strike halts grain", WIRE, "AP", "2024-03-11")
    ingest(cli, write_feed(tmp_path / "a" / "wire.jsonl", wire), "--store", store)
    archive = open_store(Settings(store=store))
    (old,) = archive.article_records().values()
    archive.update_records({old.id: {"minhash": None, "story_id": None}})  # as a store written before stories
    later = write_feed(tmp_path / "b" / "herald.jsonl", record("h1", "Port strike", EDITED, "Herald", "2024-03-12"))
    assert ingest(cli, later, "--store", store)["articles"] == counts(new=1)
    records = {str(r.metadata["title"]): r for r in open_store(Settings(store=store)).article_records().values()}
    assert records["Port strike"].metadata["story_id"] == old.id
    assert str(records["Dockers strike halts grain"].metadata["minhash"]).startswith("mh2.")  # stored for next time
    assert "story_id" not in records["Dockers strike halts grain"].metadata  # its own story, as before


def test_an_exact_duplicate_keeps_both_outlets_and_a_source_filter_finds_it(tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    ap = write_feed(tmp_path / "ap" / "feed.jsonl", record("a", "Dockers strike at Valmora", WIRE, "AP", "2024-03-11"))
    ingest(cli, ap, "--store", store)
    herald = write_feed(
        tmp_path / "herald" / "feed.jsonl",
        record("b", "Dockers strike at Valmora", WIRE, "Valmora Herald", "2024-03-12", "https://herald.example/1"),
    )
    assert ingest(cli, herald, "--store", store)["articles"] == counts(duplicate=1)

    archive = open_store(Settings(store=store))
    (only,) = archive.article_records().values()
    assert only.metadata["source"] == "AP"  # the first copy's metadata, as before
    outlets = {o.source: o for o in only.outlets.values()}
    assert set(outlets) == {"AP", "Valmora Herald"}
    assert outlets["Valmora Herald"].url == "https://herald.example/1" and outlets["Valmora Herald"].published
    assert only.metadata["sources"] == ["AP", "Valmora Herald"]
    chunks = archive.chunks.get(where={"article_id": only.id}, include=["metadatas"])
    assert all(m["sources"] == ["AP", "Valmora Herald"] for m in chunks["metadatas"])
    index = KeywordIndex.load(keyword_root(Settings(store=store)), archive.fingerprint)
    assert index is not None
    mask = index.mask(None, None, ["Valmora Herald"])
    assert mask is not None and mask.all()  # the keyword index finds it by its second outlet

    saved = ap.read_text()
    ap.unlink()  # the AP file is gone: with --prune its outlet goes too, from the record and the chunks
    ingest(cli, herald.parent, "--store", store, "--prune")
    (pruned,) = open_store(Settings(store=store)).article_records().values()
    assert "sources" not in pruned.metadata and len(pruned.locations) == 1
    assert [o.source for o in pruned.outlets.values()] == ["Valmora Herald"]  # what the copy left says of itself
    ap.write_text(saved)
    assert ingest(cli, ap.parent, "--store", store)["articles"] == counts(duplicate=1)  # and back again
    (again,) = open_store(Settings(store=store)).article_records().values()
    assert again.metadata["sources"] == ["AP", "Valmora Herald"]


def test_a_crash_between_writes_still_ends_with_the_clean_runs_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_snapshot
) -> None:
    """One article a batch: the run dies writing the copy's record (its chunks are written, with their story id);
    the rerun must assign exactly the stories a clean run assigns."""
    feed = three_stories(tmp_path / "in")
    writes: list[int] = []
    original = ChromaStore.write_articles

    def dying(self, *args, **kwargs):
        writes.append(1)
        if len(writes) == 2:
            raise RuntimeError("simulated crash")
        return original(self, *args, **kwargs)

    crashed = make_ingestor(Settings(store=tmp_path / "crashed"))
    crashed.batch_chunks = 1  # every article its own batch: the copy is written after the wire story's record
    with monkeypatch.context() as patch:
        patch.setattr(ChromaStore, "write_articles", dying)
        with pytest.raises(RuntimeError, match="simulated crash"):
            crashed.run([feed], progress=False)
    assert len(store_snapshot(tmp_path / "crashed").records) == 1

    rerun = make_ingestor(Settings(store=tmp_path / "crashed"))
    rerun.batch_chunks = 1
    assert rerun.run([feed], progress=False).new == 2
    make_ingestor(Settings(store=tmp_path / "clean")).run([feed], progress=False)
    after, clean = store_snapshot(tmp_path / "crashed"), store_snapshot(tmp_path / "clean")
    check_consistent(after)
    assert stories_by_title(tmp_path / "crashed") == stories_by_title(tmp_path / "clean")
    assert after.keyword is not None and clean.keyword is not None
    assert after.keyword.extra == clean.keyword.extra
