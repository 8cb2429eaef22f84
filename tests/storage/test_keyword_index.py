"""BM25 side index: fingerprints of chunk sets, search with filters, atomic save and load (also when empty), and
the sweep of what a killed save left."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from storage.keyword_index import KeywordIndex, fingerprint
from storage.scratch import LOCK_NAME

IDS = ["a-000", "a-001", "b-000"]
TEXTS = ["Central bank raises interest rates", "Inflation climbs to 11 percent", "Ferry enters service in Oslo"]
DAYS = [738000, 738100, 0]
SOURCES = ["Reuters", "AP", "AFP"]


def test_fingerprint_is_order_free_and_set_sensitive() -> None:
    assert fingerprint(IDS) == fingerprint(reversed(IDS))
    assert fingerprint(IDS) != fingerprint(IDS[:2])
    assert fingerprint(IDS) != fingerprint([*IDS, "c-000"])
    assert len(fingerprint(IDS)) == 24


def test_search_and_filters() -> None:
    index = KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, fingerprint(IDS))
    assert index.search("interest rates", k=3)[0][0] == "a-000"
    assert [hit for hit, _ in index.search("ferry", k=3)] == ["b-000"]
    assert index.search("the of and", k=3) == []  # stopwords only
    assert index.mask(None, None, None) is None
    assert index.mask(738050, None, None).tolist() == [False, True, False]
    assert index.mask(None, None, ["AFP"]).tolist() == [False, False, True]
    assert [hit for hit, _ in index.search("rates inflation", k=3, mask=index.mask(738050, None, None))] == ["a-001"]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    key = fingerprint(IDS)
    KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, key).save(tmp_path)
    loaded = KeywordIndex.load(tmp_path, key)
    assert loaded is not None
    assert (loaded.ids, loaded.days.tolist(), loaded.sources, loaded.fingerprint) == (IDS, DAYS, SOURCES, key)
    assert loaded.search("ferry", k=1)[0][0] == "b-000"
    assert KeywordIndex.load(tmp_path, "other-key") is None


def test_an_empty_index_saves_and_loads(tmp_path: Path) -> None:
    # A store whose every file failed, or that --prune emptied, still gets a (searchable, empty) keyword index.
    key = fingerprint([])
    KeywordIndex.build([], [], [], [], key).save(tmp_path)
    loaded = KeywordIndex.load(tmp_path, key)
    assert loaded is not None and loaded.ids == []
    assert loaded.search("anything", k=5) == []


def test_save_keeps_only_the_newest_index(tmp_path: Path) -> None:
    old, new = fingerprint(IDS[:2]), fingerprint(IDS)
    KeywordIndex.build(IDS[:2], TEXTS[:2], DAYS[:2], SOURCES[:2], old).save(tmp_path)
    KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, new).save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [new]
    KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, new).save(tmp_path)  # same chunk set again: nothing to do
    assert sorted(p.name for p in tmp_path.iterdir()) == [new]


def _scratch(root: Path, name: str, age_seconds: float) -> Path:
    """A `.tmp-*` folder as a save leaves it when killed: half an index, `age_seconds` old."""
    folder = root / name
    (folder / "bm25").mkdir(parents=True)
    (folder / "bm25" / "part.npy").write_bytes(b"half written")
    (folder / LOCK_NAME).touch()
    then = time.time() - age_seconds
    os.utime(folder, (then, then))
    return folder


def test_save_sweeps_what_a_killed_save_left_and_keeps_the_index(tmp_path: Path) -> None:
    stale = _scratch(tmp_path, ".tmp-killed", age_seconds=3600)
    key = fingerprint(IDS)
    KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, key).save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [key]
    assert not stale.exists()
    loaded = KeywordIndex.load(tmp_path, key)
    assert loaded is not None and loaded.search("ferry", k=1)[0][0] == "b-000"

    again = _scratch(tmp_path, ".tmp-killed-again", age_seconds=3600)
    assert KeywordIndex.load(tmp_path, key) is not None  # readers write nothing, so a load leaves it
    assert again.exists()
    KeywordIndex.build(IDS[:2], TEXTS[:2], DAYS[:2], SOURCES[:2], fingerprint(IDS[:2])).save(tmp_path)
    assert not again.exists()  # the next save sweeps it


def test_a_save_in_progress_is_not_swept(tmp_path: Path) -> None:
    locked = _scratch(tmp_path, ".tmp-writing", age_seconds=3600)  # an old folder whose writer is still at work
    young = _scratch(tmp_path, ".tmp-just-made", age_seconds=0)  # its writer may not have locked it yet
    with open(locked / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        KeywordIndex.build(IDS, TEXTS, DAYS, SOURCES, fingerprint(IDS)).save(tmp_path)
        assert locked.exists() and young.exists()
    KeywordIndex.build(IDS[:2], TEXTS[:2], DAYS[:2], SOURCES[:2], fingerprint(IDS[:2])).save(tmp_path)
    assert not locked.exists() and young.exists()
