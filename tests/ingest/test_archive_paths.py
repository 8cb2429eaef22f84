"""Paths shown to people are places in the archive (relative to what was ingested), never the server's own paths."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from archive_qa.settings import Settings
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from storage.factory import open_store
from ui import render as ui

from ingest_runs import counts, ingest

LATE = Filters(as_of=date(2030, 1, 1))
WIRE = """Harbour crane collapses in Oskarvik
OSKARVIK, March 3, 2024 — A harbour crane collapsed at the Oskarvik container terminal on Sunday.
No one was hurt, the port authority said.
Agencies - AP
"""
RECORD = {"id": "r1", "title": "Orchard growers count frost losses", "text": "Frost killed half the blossom."}
SOLO = "Lighthouse keeper retires\nVESTHOLM — The last lighthouse keeper of Vestholm retired on Friday.\n"


def write_archive(root: Path) -> tuple[Path, Path, Path]:
    """news/a/005_crane.txt, news/feed.jsonl (record r1) and a lone file elsewhere/solo.txt."""
    (root / "news" / "a").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    wire = root / "news" / "a" / "005_crane.txt"
    wire.write_text(WIRE, encoding="utf-8")
    feed = root / "news" / "feed.jsonl"
    feed.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    solo = root / "elsewhere" / "solo.txt"
    solo.write_text(SOLO, encoding="utf-8")
    return wire, feed, solo


def shown_paths(store: Path) -> dict[str, str | None]:
    """Title -> the path a retrieved passage of that article shows."""
    qa = ArchiveQA.from_settings(Settings(store=store, answerer="extractive"))
    passages = qa.retriever.retrieve("crane frost lighthouse keeper", LATE, k=10)
    return {p.title: p.path for p in passages}


EXPECTED = {
    "Harbour crane collapses in Oskarvik": "a/005_crane.txt",
    "Orchard growers count frost losses": "feed.jsonl#r1",
    "Lighthouse keeper retires": "solo.txt",
}


def test_passages_show_the_place_in_the_ingested_folder(tmp_path: Path, cli, store_snapshot) -> None:
    wire, feed, solo = write_archive(tmp_path)
    store = tmp_path / "store"
    assert ingest(cli, tmp_path / "news", solo, "--store", store)["articles"] == counts(new=3)
    assert shown_paths(store) == EXPECTED
    # The absolute locations stay in the store: --prune and a rerun compare them with the files.
    locations = {loc for r in store_snapshot(store).records.values() for loc in r.locations}
    assert locations == {str(wire.resolve()), f"{feed.resolve()}#r1", str(solo.resolve())}

    before = store_snapshot(store).records
    again = ingest(cli, tmp_path / "news", solo, "--store", store)
    assert again["articles"] == counts(unchanged=3) and again["chunks_written"] == 0
    assert {i: r.metadata for i, r in store_snapshot(store).records.items()} == {
        i: r.metadata for i, r in before.items()
    }


def test_ask_json_and_source_cards_show_archive_paths(tmp_path: Path, cli) -> None:
    wire, _, _ = write_archive(tmp_path)
    store = tmp_path / "store"
    ingest(cli, tmp_path / "news", "--store", store)
    question = "Which crane collapsed at the Oskarvik container terminal?"
    result = cli("ask", question, "--store", store, "--answerer", "extractive", "--as-of", "2030-01-01", "--json")
    assert result.code == 0, result.err
    answer = result.json
    assert answer["citations"], answer
    assert answer["citations"][0]["path"] == "a/005_crane.txt"
    assert str(tmp_path) not in result.out

    text = cli("ask", question, "--store", store, "--answerer", "extractive", "--as-of", "2030-01-01")
    assert "a/005_crane.txt" in text.out and str(tmp_path) not in text.out

    qa = ArchiveQA.from_settings(Settings(store=store, answerer="extractive"))
    full = qa.ask(question, filters=LATE)
    card = ui.sources_html(full, 0, {})
    assert "<code>a/005_crane.txt</code>" in card and str(wire.parent) not in card


def test_a_store_without_archive_paths_shows_file_names_until_the_next_ingest(
    tmp_path: Path, cli, store_snapshot
) -> None:
    write_archive(tmp_path)
    store = tmp_path / "store"
    ingest(cli, tmp_path / "news", "--store", store)
    # A store written before archive paths were recorded: its records hold the absolute locations only.
    archive = open_store(Settings(store=store))
    records = archive.article_records()
    archive.articles.update(
        ids=sorted(records),
        metadatas=[{"archive_paths": None} for _ in sorted(records)],  # None deletes the key
    )
    assert all("archive_paths" not in r.metadata for r in archive.article_records().values())
    assert shown_paths(store) == {
        "Harbour crane collapses in Oskarvik": "005_crane.txt",
        "Orchard growers count frost losses": "feed.jsonl#r1",
    }
    again = ingest(cli, tmp_path / "news", "--store", store)
    assert again["articles"] == counts(unchanged=2) and again["chunks_written"] == 0
    assert shown_paths(store)["Harbour crane collapses in Oskarvik"] == "a/005_crane.txt"
