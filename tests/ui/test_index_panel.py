"""Removing a file's articles from the Index tab (through the app's calls, on a real store): chunks, article records
and BM25 updated, an article another file holds kept, the writer lock held, files listed relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from ingest.removal import file_of
from storage.lock import StoreBusyError, writer_lock
from ui.page_inputs import page_filters

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


def labels(app: object) -> list[str]:
    return [f.label for f in app.files]  # type: ignore[attr-defined]


def test_remove_takes_a_files_articles_out_of_the_index(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    uploads = [write(tmp_path / "in" / "lighthouse.txt", LIGHTHOUSE), write(tmp_path / "in" / "ferry.txt", FERRY)]
    summary = app.ingest(uploads).to_json()
    assert summary["stored_as"] == ["uploads/lighthouse.txt", "uploads/ferry.txt"], summary
    assert labels(app) == ["uploads/ferry.txt", "uploads/lighthouse.txt"]

    result = app.remove("uploads/ferry.txt")
    assert result["articles"] == {"removed": 1, "kept": 0}, result
    assert result["index"] == {"articles": 1, "chunks": app.stats.chunks}
    assert set(locations(app)) == {article_id(LIGHTHOUSE)}
    assert chunk_articles(app) == {article_id(LIGHTHOUSE)}
    assert keyword_articles(app, "battery-powered twin Solvind quay") == set()
    assert app.stats.articles == 1 and labels(app) == ["uploads/lighthouse.txt"]
    assert not (tmp_path / "store" / "uploads" / "ferry.txt").exists()  # our copy of the upload goes too
    answer = app.qa.ask("What is the name of the Brennvik ferry's battery-powered twin?", [], filters=page_filters())
    assert article_id(FERRY) not in {c.passage.article_id for c in answer.citations}


def test_remove_keeps_an_article_another_file_holds(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    same = [write(tmp_path / "a" / "lighthouse.txt", LIGHTHOUSE), write(tmp_path / "b" / "copy.txt", LIGHTHOUSE)]
    both = app.ingest(same).to_json()
    assert both["articles"]["new"] == 1 and both["articles"]["duplicate"] == 1, both
    result = app.remove("uploads/lighthouse.txt")
    assert result["articles"] == {"removed": 0, "kept": 1}, result
    held = locations(app)
    assert {Path(loc).name for loc in held[article_id(LIGHTHOUSE)]} == {"copy.txt"}
    assert keyword_articles(app, "storm winter 1993") == {article_id(LIGHTHOUSE)}
    assert labels(app) == ["uploads/copy.txt"]


def test_remove_one_zip_member_or_the_whole_zip(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    app.ingest([write_zip(tmp_path / "bundle.zip", {"news/lighthouse.txt": LIGHTHOUSE, "news/ferry.txt": FERRY})])
    members = ["uploads/bundle.zip/news/ferry.txt", "uploads/bundle.zip/news/lighthouse.txt"]
    assert labels(app) == ["uploads/bundle.zip", *members]
    assert app.remove("uploads/bundle.zip/news/ferry.txt")["articles"]["removed"] == 1
    assert set(locations(app)) == {article_id(LIGHTHOUSE)}
    assert app.remove("uploads/bundle.zip")["articles"]["removed"] == 1
    assert locations(app) == {} and chunk_articles(app) == set() and labels(app) == []
    assert keyword_articles(app, "storm winter 1993") == set()


def test_files_ingested_with_the_cli_are_listed_relative_and_stay_on_disk(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", tmp_path / "archive"
    app = make_app(store)
    write(folder / "2024" / "lighthouse.txt", LIGHTHOUSE)
    write(folder / "2024" / "ferry.txt", FERRY)
    make_ingestor(Settings(store=store), app.store).run([folder], progress=False)
    app.refresh()
    assert labels(app) == ["ferry.txt", "lighthouse.txt"]  # relative to the folder they share, not server paths
    assert app.remove("ferry.txt")["articles"]["removed"] == 1
    assert set(locations(app)) == {article_id(LIGHTHOUSE)}
    assert (folder / "2024" / "ferry.txt").exists()  # someone's archive file: taken out of the index only


def test_upload_folder_of_an_earlier_version_is_listed_and_removable(tmp_path: Path) -> None:
    store = tmp_path / "store"
    legacy = write(store / "uploads" / "20240601-101500-abcd1234" / "lighthouse.txt", LIGHTHOUSE_EDITED)
    app = make_app(store)
    make_ingestor(Settings(store=store), app.store).run([legacy], progress=False)
    app.ingest([write(tmp_path / "in" / "ferry.txt", FERRY)])
    assert labels(app) == ["uploads/20240601-101500-abcd1234/lighthouse.txt", "uploads/ferry.txt"]
    assert app.remove("uploads/20240601-101500-abcd1234/lighthouse.txt")["articles"]["removed"] == 1
    assert set(locations(app)) == {article_id(FERRY)}


def test_remove_holds_the_store_writer_lock(tmp_path: Path) -> None:
    store = tmp_path / "store"
    app = make_app(store)
    app.ingest([write(tmp_path / "in" / "lighthouse.txt", LIGHTHOUSE)])
    with writer_lock(store), pytest.raises(StoreBusyError):  # another writer at work
        app.remove("uploads/lighthouse.txt")
    assert set(locations(app)) == {article_id(LIGHTHOUSE)}
    assert app.remove("uploads/lighthouse.txt")["articles"]["removed"] == 1


def test_remove_refuses_what_is_not_listed(tmp_path: Path) -> None:
    from ingest.removal import RemovalError

    app = make_app(tmp_path / "store")
    app.ingest([write(tmp_path / "in" / "lighthouse.txt", LIGHTHOUSE)])
    for name in ("", "ferry.txt", str(tmp_path / "store" / "uploads" / "lighthouse.txt"), "uploads/../uploads"):
        with pytest.raises(RemovalError):
            app.remove(name)
    assert app.stats.articles == 1


def test_remove_an_export_takes_all_its_records(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    app.ingest([write_jsonl(tmp_path / "in" / "feed#2024.jsonl", records(3)), write(tmp_path / "in" / "a.txt", FERRY)])
    assert labels(app) == ["uploads/a.txt", "uploads/feed#2024.jsonl"]  # one entry per file, not per record
    assert app.remove("uploads/feed#2024.jsonl")["articles"] == {"removed": 3, "kept": 0}
    assert set(locations(app)) == {article_id(FERRY)}


@pytest.mark.parametrize(
    ("location", "file"),
    [
        ("/a/feed.jsonl#r7", "/a/feed.jsonl"),
        ("/a/feed#2024.jsonl#r7", "/a/feed#2024.jsonl"),
        ("/a/rows.csv#record-3", "/a/rows.csv"),
        ("/a/feed.jsonl.gz#x#y", "/a/feed.jsonl.gz"),
        ("/a/issue #4.txt", "/a/issue #4.txt"),
        ("/a/page.html", "/a/page.html"),
    ],
)
def test_file_of_a_location(location: str, file: str) -> None:
    assert file_of(location) == file
