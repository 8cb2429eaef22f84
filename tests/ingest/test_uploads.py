"""Uploads through the app's calls on a real store: every type the readers take, progress by articles, and an edited
re-upload replacing its earlier version (chunks, article records and BM25)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.factory import make_ingestor
from ingest.readers import SUPPORTED
from ingest.staging import ALLOWED, check_type

from index_support import (
    FERRY,
    LIGHTHOUSE,
    LIGHTHOUSE_EDITED,
    article_id,
    chunk_articles,
    keyword_articles,
    locations,
    make_app,
    records,
    write,
    write_jsonl,
    write_zip,
)

pytestmark = pytest.mark.timeout(180)


class Recorder:
    """Stands for gr.Progress: keeps each (fraction, description) the upload reports."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, fraction: float, desc: str = "") -> None:
        self.calls.append((fraction, desc))


def test_upload_types_are_the_readers_types() -> None:
    assert set(ALLOWED) == set(SUPPORTED)
    for name in ("feed.jsonl.gz", "feed.ndjson.gz", "FEED.JSONL.GZ"):
        assert check_type(name) in SUPPORTED


def test_upload_label_names_every_readable_type() -> None:
    from ui.index_panel import upload_label

    label = upload_label(50)
    assert all(suffix in label for suffix in (*SUPPORTED, ".zip")), label


def test_gzipped_jsonl_upload_is_ingested(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    feed = write_jsonl(tmp_path / "in" / "feed.jsonl.gz", records(3), gz=True)
    summary = app.ingest([feed]).to_json()
    assert summary["errors"] == [] and summary["articles"]["new"] == 3, summary
    assert keyword_articles(app, "quarry number 2 Brennvik")


def test_progress_counts_articles_not_files(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    feed = write_jsonl(tmp_path / "in" / "feed.jsonl", records(6))
    story = write(tmp_path / "in" / "lighthouse.txt", LIGHTHOUSE)
    progress = Recorder()
    summary = app.ingest([feed, story], progress).to_json()
    assert summary["articles"]["new"] == 7, summary
    ingesting = [(f, d) for f, d in progress.calls if "articles" in d]
    assert [round(f, 3) for f, _ in ingesting] == [round(n / 7, 3) for n in range(1, 7)] + [0.99]
    assert "6 of 7 articles" in ingesting[5][1] and "feed.jsonl" in ingesting[5][1]


def test_edited_reupload_replaces_the_earlier_version(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    first = app.ingest([write(tmp_path / "v1" / "lighthouse.txt", LIGHTHOUSE)]).to_json()
    assert first["articles"]["new"] == 1
    assert keyword_articles(app, "storm winter 1993") == {article_id(LIGHTHOUSE)}

    second = app.ingest([write(tmp_path / "v2" / "lighthouse.txt", LIGHTHOUSE_EDITED)]).to_json()
    assert second["articles"]["updated"] == 1, second
    held = locations(app)
    assert set(held) == {article_id(LIGHTHOUSE_EDITED)}, held
    assert chunk_articles(app) == {article_id(LIGHTHOUSE_EDITED)}  # the earlier version's chunks are gone
    assert keyword_articles(app, "storm winter 1993") == set()
    assert keyword_articles(app, "granddaughter Marit automated beacon") == {article_id(LIGHTHOUSE_EDITED)}
    assert app.stats.articles == 1


def test_reupload_of_an_export_drops_records_it_no_longer_holds(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    app.ingest([write_jsonl(tmp_path / "v1" / "feed.jsonl", records(3))])
    assert app.stats.articles == 3
    kept = [records(3)[0], {**records(3)[2], "text": "The quarry number 2 near Brennvik closed for good."}]
    summary = app.ingest([write_jsonl(tmp_path / "v2" / "feed.jsonl", kept)]).to_json()
    assert summary["articles"]["updated"] == 1 and summary["articles"]["removed"] == 1, summary
    titles = {str(r.metadata["title"]) for r in app.store.article_records().values()}
    assert "Quarry number 1 in Brennvik reopens" not in titles and len(titles) == 2
    assert keyword_articles(app, "quarry Brennvik workers closed") == set(locations(app))  # BM25 holds those two


def test_zip_reupload_replaces_its_members(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    app.ingest([write_zip(tmp_path / "v1.zip", {"news/lighthouse.txt": LIGHTHOUSE, "news/ferry.txt": FERRY})])
    assert app.stats.articles == 2
    bundle = write_zip(tmp_path / "v2" / "v1.zip", {"news/lighthouse.txt": LIGHTHOUSE_EDITED})
    summary = app.ingest([bundle]).to_json()
    assert summary["errors"] == [], summary
    assert set(locations(app)) == {article_id(LIGHTHOUSE_EDITED)}  # the edited member replaced, the dropped one gone
    assert keyword_articles(app, "battery-powered twin Solvind") == set()


def test_two_files_of_one_name_in_one_upload_are_both_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    one, two = write(tmp_path / "a" / "notes.txt", LIGHTHOUSE), write(tmp_path / "b" / "notes.txt", FERRY)
    assert app.ingest([one, two]).run.new == 2
    edited = write(tmp_path / "c" / "notes.txt", LIGHTHOUSE_EDITED)
    again = app.ingest([one, edited]).to_json()  # the same batch, edited
    assert again["articles"]["unchanged"] == 1 and again["articles"]["updated"] == 1, again
    assert set(locations(app)) == {article_id(LIGHTHOUSE), article_id(LIGHTHOUSE_EDITED)}


def test_upload_folders_of_earlier_versions_keep_working(tmp_path: Path) -> None:
    """A store from before stable upload places: its `uploads/<time>-<random>/` files stay searchable."""
    store = tmp_path / "store"
    legacy = write(store / "uploads" / "20240601-101500-abcd1234" / "lighthouse.txt", LIGHTHOUSE)
    app = make_app(store)
    from archive_qa.settings import Settings

    make_ingestor(Settings(store=store), app.store).run([legacy], progress=False)
    summary = app.ingest([write(tmp_path / "new" / "ferry.txt", FERRY)]).to_json()
    assert summary["articles"]["new"] == 1, summary
    assert set(locations(app)) == {article_id(LIGHTHOUSE), article_id(FERRY)}
    assert keyword_articles(app, "storm winter 1993") == {article_id(LIGHTHOUSE)}
