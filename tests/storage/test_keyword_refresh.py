"""The keyword index refreshed from the tokens saved with the previous one (an article added, one removed) is the
index a build from scratch makes: the same chunks, days and sources, and the same results with the same scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_qa.settings import Settings
from storage import keyword_build
from storage.factory import keyword_root, open_store
from storage.keyword_build import build_from_store, build_in_memory
from storage.keyword_index import KeywordIndex

from ingest_runs import ingest

NEW_STORY = (
    "Brennvik quarry reopens as a climbing park\n"
    "BRENNVIK, June 3, 2024 — The disused granite quarry at Brennvik reopened on Monday as a climbing park with 140 "
    "routes, a lake for swimming and a cafe in the old crusher hall. The municipality spent 31 million crowns on the "
    "conversion, and the first weekend drew about 4,000 visitors, said park manager Odd Hallstein.\n"
)
QUERIES = ("tram line harbour", "granite quarry climbing", "central bank interest rate", "ferry strike", "Solvang")


def _count_tokenized(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many chunks each keyword build reads back and tokenizes (chunks an ingest run wrote are not counted:
    it tokenizes them beside the encoder)."""
    counted: list[int] = []
    tokenize = keyword_build.tokenize_chunks

    def counting(titles: list[str], texts: list[str]) -> list[list[str]]:
        counted.append(len(texts))
        return tokenize(titles, texts)

    monkeypatch.setattr(keyword_build, "tokenize_chunks", counting)
    return counted


def _assert_same_index(refreshed: KeywordIndex, fresh: KeywordIndex) -> None:
    assert refreshed.fingerprint == fresh.fingerprint
    assert (refreshed.ids, refreshed.sources, refreshed.extra) == (fresh.ids, fresh.sources, fresh.extra)
    assert refreshed.days.tolist() == fresh.days.tolist()
    recent = int(fresh.days.max()) - 400
    masks = fresh.mask(None, None, None), fresh.mask(recent, None, None), fresh.mask(None, None, ["AP"])
    for query in QUERIES:
        for mask in masks:
            assert refreshed.search(query, 60, mask) == fresh.search(query, 60, mask)  # ids and float scores alike
        assert fresh.search(query, 60)


def test_an_ingest_refreshes_from_saved_tokens_to_what_a_fresh_build_gives(
    tmp_path: Path, archive_copy: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = tmp_path / "store"
    ingest(cli, archive_copy, "--store", store_dir)
    removed = sorted(archive_copy.glob("*.txt"))[3]
    removed.unlink()
    (archive_copy / "brennvik-quarry.txt").write_text(NEW_STORY, encoding="utf-8")

    tokenized = _count_tokenized(monkeypatch)
    summary = ingest(cli, archive_copy, "--store", store_dir, "--prune")
    assert (summary["articles"]["new"], summary["articles"]["removed"]) == (1, 1)
    assert sum(tokenized) == 0  # the other chunks' tokens came from the saved index

    settings = Settings(store=store_dir)
    store = open_store(settings)
    refreshed = KeywordIndex.load(keyword_root(settings), store.fingerprint)
    assert refreshed is not None and refreshed.tokens is not None
    fresh = build_from_store(store, tmp_path / "fresh", store.fingerprint)  # nothing saved there: from scratch
    assert sum(tokenized) == len(fresh.ids) == store.chunk_count()
    _assert_same_index(refreshed, fresh)


def test_a_reader_builds_in_memory_from_the_index_it_holds(
    tmp_path: Path, archive_copy: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader whose store another process changed (a Chroma server) reads and tokenizes only the new chunks."""
    store_dir = tmp_path / "store"
    ingest(cli, archive_copy, "--store", store_dir)
    settings = Settings(store=store_dir)
    held = KeywordIndex.load(keyword_root(settings), open_store(settings).fingerprint)
    assert held is not None
    (archive_copy / "brennvik-quarry.txt").write_text(NEW_STORY, encoding="utf-8")
    ingest(cli, archive_copy, "--store", store_dir)

    tokenized = _count_tokenized(monkeypatch)
    store = open_store(settings)
    built = build_in_memory(store, store.fingerprint, held)
    new_chunks = len(set(built.ids) - set(held.ids))
    assert new_chunks > 0 and tokenized == [new_chunks]
    _assert_same_index(built, build_in_memory(store, store.fingerprint))
