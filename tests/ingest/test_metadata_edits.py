"""A corrected date, source or url (same title and text) is applied to the record, its chunks and BM25, unembedded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.pipeline import Ingestor
from storage.factory import open_store

from ingest_runs import check_consistent, counts, ingest

STORY = {"id": "r1", "title": "Dam opens on the Rimac", "text": "LIMA — The dam opened.\n\nWater flowed at noon."}
OTHER = {"id": "r2", "title": "Bridge reopens in Riga", "text": "RIGA — The bridge reopened to traffic."}


def write_feed(path: Path, *records: dict) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def chunk_metadata(store: Path, article_id: str) -> list[dict]:
    got = open_store(Settings(store=store)).chunks.get(where={"article_id": article_id}, include=["metadatas"])
    return list(got["metadatas"])


def test_a_corrected_date_source_and_url_are_applied_without_embedding(tmp_path: Path, cli, store_snapshot) -> None:
    feed, store = tmp_path / "feed.jsonl", tmp_path / "store"
    first = {**STORY, "date": "2023-03-04", "source": "AP", "url": "https://news.example/old"}
    write_feed(feed, first, OTHER)
    assert ingest(cli, feed, "--store", store)["articles"] == counts(new=2)
    before = store_snapshot(store)
    (article_id,) = [i for i, r in before.records.items() if r.metadata["title"] == STORY["title"]]

    corrected = {**STORY, "date": "2023-03-05", "source": "Reuters", "url": "https://news.example/new"}
    write_feed(feed, corrected, OTHER)
    summary = ingest(cli, feed, "--store", store)
    assert summary["articles"] == counts(updated=1, unchanged=1)
    assert summary["chunks_written"] == 0  # the text did not change: nothing was embedded again

    after = store_snapshot(store)
    check_consistent(after)
    assert sorted(after.chunk_ids) == sorted(before.chunk_ids)
    new_day = date(2023, 3, 5).toordinal()
    record = after.records[article_id].metadata
    assert (record["published"], record["day"], record["source"], record["url"]) == (
        "2023-03-05",
        new_day,
        "Reuters",
        "https://news.example/new",
    )
    for meta in chunk_metadata(store, article_id):
        assert (meta["published"], meta["day"], meta["source"], meta["url"]) == (
            "2023-03-05",
            new_day,
            "Reuters",
            "https://news.example/new",
        )
    # BM25 keeps each chunk's day and source for its filters: under a new key, so readers load it again.
    assert after.fingerprint != before.fingerprint and after.keyword is not None
    for chunk_id in (c for c in after.chunk_ids if c.startswith(article_id)):
        position = after.keyword.ids.index(chunk_id)
        assert (after.keyword.day_of(chunk_id), after.keyword.sources[position]) == (new_day, "Reuters")

    again = ingest(cli, feed, "--store", store)
    assert again["articles"] == counts(unchanged=2) and again["chunks_written"] == 0
    assert store_snapshot(store).fingerprint == after.fingerprint


def test_a_field_removed_from_a_record_is_removed_from_the_store(tmp_path: Path, cli, store_snapshot) -> None:
    feed, store = tmp_path / "feed.jsonl", tmp_path / "store"
    write_feed(feed, {**STORY, "source": "AP", "url": "https://news.example/a"})
    ingest(cli, feed, "--store", store)
    write_feed(feed, {**STORY, "source": "AP"})
    assert ingest(cli, feed, "--store", store)["articles"] == counts(updated=1)
    (record,) = store_snapshot(store).records.values()
    assert "url" not in record.metadata and record.metadata["source"] == "AP"
    assert all("url" not in meta for meta in chunk_metadata(store, record.id))


def test_csv_and_html_edits_are_applied(tmp_path: Path, cli, store_snapshot) -> None:
    csv_file, page, store = tmp_path / "feed.csv", tmp_path / "page.html", tmp_path / "store"
    html = (
        '<html><head><title>Ferry resumes</title><meta property="article:published_time" content="{day}"></head>'
        "<body><article><p>The ferry service resumed on Monday after a long storm.</p></article></body></html>"
    )
    csv_file.write_text('title,body,date\nDam opens,"The dam opened.",2023-03-04\n', encoding="utf-8")
    page.write_text(html.format(day="2024-01-02"), encoding="utf-8")
    assert ingest(cli, csv_file, page, "--store", store)["articles"] == counts(new=2)
    csv_file.write_text('title,body,date\nDam opens,"The dam opened.",2023-03-06\n', encoding="utf-8")
    page.write_text(html.format(day="2024-01-03"), encoding="utf-8")
    assert ingest(cli, csv_file, page, "--store", store)["articles"] == counts(updated=2)
    published = sorted(r.metadata.get("published") for r in store_snapshot(store).records.values())
    assert published == ["2023-03-06", "2024-01-03"]


def test_a_duplicate_elsewhere_does_not_overwrite_the_metadata(tmp_path: Path, cli, store_snapshot) -> None:
    """The same story in a second export, with other fields: a duplicate, counted and located, not an edit."""
    first, second, store = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "store"
    write_feed(first, {**STORY, "source": "AP", "date": "2023-03-04"})
    write_feed(second, {**STORY, "id": "copy", "source": "Syndicate", "date": "2023-03-09"})
    ingest(cli, first, "--store", store)
    assert ingest(cli, second, "--store", store)["articles"] == counts(duplicate=1)
    assert ingest(cli, second, first, "--store", store)["articles"] == counts(unchanged=1, duplicate=1)
    (record,) = store_snapshot(store).records.values()
    assert (record.metadata["source"], record.metadata["published"]) == ("AP", "2023-03-04")
    assert len(record.locations) == 2


def test_an_edit_killed_before_bm25_is_refreshed_is_finished_by_the_next_run(
    tmp_path: Path, cli, store_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record and chunks say the new date, BM25 the old: the store remembers that its keyword index is due."""
    feed, store = tmp_path / "feed.jsonl", tmp_path / "store"
    write_feed(feed, {**STORY, "date": "2023-03-04"})
    ingest(cli, feed, "--store", store)
    write_feed(feed, {**STORY, "date": "2023-03-05"})

    def killed(self: Ingestor, run: object) -> None:
        raise KeyboardInterrupt  # as if the process died here

    with monkeypatch.context() as patch:
        patch.setattr(Ingestor, "_refresh_keyword_index", killed)
        with pytest.raises(KeyboardInterrupt):
            cli("ingest", feed, "--store", store)
    assert ingest(cli, feed, "--store", store)["articles"] == counts(unchanged=1)  # the edit itself was done
    snap = store_snapshot(store)
    check_consistent(snap)
    assert snap.keyword is not None
    assert {snap.keyword.day_of(c) for c in snap.chunk_ids} == {date(2023, 3, 5).toordinal()}
