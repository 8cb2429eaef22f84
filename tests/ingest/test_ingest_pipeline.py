"""The ingest run end to end, through the CLI: idempotence, duplicates, updates, pruning, hostile files."""

from __future__ import annotations

import codecs
import json
import random
import shutil
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from storage.factory import open_store

from ingest_runs import check_consistent, copy_files, counts, ingest


# The sample archive.
def test_sample_archive_is_ingested_whole(sample_store, store_snapshot) -> None:
    assert sample_store.summary["articles"] == counts(new=33)
    assert sample_store.summary["errors"] == []
    snap = store_snapshot(sample_store.store)
    check_consistent(snap)
    assert len(snap.records) == 33
    assert snap.chunk_count == sample_store.summary["chunks_written"]


def test_second_run_changes_nothing(
    sample_store, sample_archive: Path, cli, store_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_snapshot(sample_store.store)
    keyword_files = sorted(p.name for p in (sample_store.store / "keyword").rglob("*"))
    # The same folder named another way (relative, through a symlink) is the same set of locations.
    link = sample_store.store.parent / "archive-link"
    if not link.exists():
        link.symlink_to(sample_archive, target_is_directory=True)
    monkeypatch.chdir(sample_archive.parent)
    for spelling in (sample_archive, Path(sample_archive.name), link):
        summary = ingest(cli, spelling, "--store", sample_store.store)
        assert summary["articles"] == counts(unchanged=33)
        assert (summary["chunks_written"], summary["errors"]) == (0, [])
    after = store_snapshot(sample_store.store)
    assert (after.chunk_count, after.article_count, after.fingerprint) == (
        before.chunk_count,
        before.article_count,
        before.fingerprint,
    )
    assert sorted(after.chunk_ids) == sorted(before.chunk_ids)
    assert {i: r.locations for i, r in after.records.items()} == {i: r.locations for i, r in before.records.items()}
    assert sorted(p.name for p in (sample_store.store / "keyword").rglob("*")) == keyword_files


# Identity and duplicates.
def test_the_same_story_in_two_files_and_two_exports_is_stored_once(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot
) -> None:
    original = sorted(sample_archive.glob("*.txt"))[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Path(shutil.copy(original, tmp_path / "a"))
    # The same story re-saved elsewhere: Windows line endings, curly quotes straightened, extra spaces.
    copy = tmp_path / "b" / "resaved copy.txt"
    text = original.read_text(encoding="utf-8").replace("“", '"').replace("”", '"').replace(". ", ".  ")
    copy.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    record = {"id": "story-7", "title": "Dam opens on the Rimac", "text": "LIMA — The dam opened.\n\nWater flowed."}
    jsonl, csv_file = tmp_path / "exports" / "one.jsonl", tmp_path / "exports" / "two.csv"
    jsonl.parent.mkdir()
    jsonl.write_text(json.dumps(record) + "\n", encoding="utf-8")
    csv_file.write_text('title,body\nDam opens on the Rimac,"LIMA — The dam opened.\n\nWater flowed."\n', "utf-8")

    summary = ingest(cli, tmp_path / "a", tmp_path / "b", tmp_path / "exports", "--store", tmp_path / "store")
    assert summary["articles"] == counts(new=2, duplicate=2)
    snap = store_snapshot(tmp_path / "store")
    check_consistent(snap)
    assert sorted(r.locations for r in snap.records.values()) == sorted(
        [
            (str(first), str(copy)),
            (f"{jsonl}#story-7", f"{csv_file}#record-2"),  # locations are kept sorted
        ]
    )
    assert summary["chunks_written"] == snap.chunk_count  # the duplicates were not embedded again

    again = ingest(cli, tmp_path / "a", tmp_path / "b", tmp_path / "exports", "--store", tmp_path / "store")
    assert again["articles"] == counts(unchanged=2, duplicate=2)
    assert again["chunks_written"] == 0


def test_a_duplicate_found_in_a_later_run_adds_its_location(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot
) -> None:
    (first,) = copy_files(sample_archive, tmp_path / "a", 1)
    ingest(cli, tmp_path / "a", "--store", tmp_path / "store")
    later = Path(shutil.copy(first, tmp_path / "later.txt"))
    summary = ingest(cli, later, "--store", tmp_path / "store")
    assert summary["articles"] == counts(duplicate=1)
    assert summary["chunks_written"] == 0
    (record,) = store_snapshot(tmp_path / "store").records.values()
    assert record.locations == (str(first), str(later))


# Changes, deletions, pruning.
def test_a_changed_file_replaces_its_article_and_chunks(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot
) -> None:
    files = copy_files(sample_archive, tmp_path / "archive", 3)
    store = tmp_path / "store"
    ingest(cli, tmp_path / "archive", "--store", store)
    before = store_snapshot(store)
    (old_id,) = [i for i, r in before.records.items() if r.locations == (str(files[1]),)]
    old_chunks = {c for c in before.chunk_ids if c.startswith(old_id)}
    assert old_chunks

    files[1].write_text(files[1].read_text(encoding="utf-8").replace("29 to 14", "30 to 13"), encoding="utf-8")
    summary = ingest(cli, tmp_path / "archive", "--store", store)
    assert summary["articles"] == counts(updated=1, unchanged=2)

    after = store_snapshot(store)
    check_consistent(after)
    assert len(after.records) == 3 and old_id not in after.records
    (new_id,) = after.article_ids - before.article_ids
    assert after.records[new_id].locations == (str(files[1]),)
    assert "30 to 13" in after.records[new_id].text
    assert not old_chunks & set(after.chunk_ids)
    assert summary["chunks_written"] == after.records[new_id].metadata["n_chunks"]
    assert set(after.chunk_ids) - set(before.chunk_ids) == {c for c in after.chunk_ids if c.startswith(new_id)}
    assert open_store(Settings(store=store)).chunks.get(ids=sorted(old_chunks))["ids"] == []
    assert after.fingerprint != before.fingerprint


def test_a_deleted_file_is_kept_without_prune_and_removed_with_it(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot
) -> None:
    files = copy_files(sample_archive, tmp_path / "archive", 3)
    store = tmp_path / "store"
    ingest(cli, tmp_path / "archive", "--store", store)
    gone_id = next(i for i, r in store_snapshot(store).records.items() if r.locations == (str(files[0]),))
    files[0].unlink()

    kept = ingest(cli, tmp_path / "archive", "--store", store)
    assert kept["articles"] == counts(unchanged=2)
    snap = store_snapshot(store)
    assert gone_id in snap.records and len(snap.records) == 3

    pruned = ingest(cli, tmp_path / "archive", "--store", store, "--prune")
    assert pruned["articles"] == counts(unchanged=2, removed=1)
    snap = store_snapshot(store)
    check_consistent(snap)
    assert gone_id not in snap.records and len(snap.records) == 2
    assert not any(c.startswith(gone_id) for c in snap.chunk_ids)


def test_prune_keeps_files_outside_the_run_that_still_exist(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot
) -> None:
    (kept,) = copy_files(sample_archive, tmp_path / "A", 1)
    (tmp_path / "B").mkdir()
    hashed = Path(shutil.copy(sorted(sample_archive.glob("*.txt"))[1], tmp_path / "B" / "brief #2.txt"))
    store = tmp_path / "store"
    ingest(cli, tmp_path / "A", tmp_path / "B", "--store", store)

    ingest(cli, tmp_path / "A", "--store", store, "--prune")  # B was not named, and its file is there
    assert len(store_snapshot(store).records) == 2
    hashed.unlink()
    ingest(cli, tmp_path / "A", "--store", store, "--prune")
    snap = store_snapshot(store)
    check_consistent(snap)
    assert [r.locations for r in snap.records.values()] == [(str(kept.resolve()),)]


def test_prune_drops_records_removed_from_an_export(tmp_path: Path, cli, store_snapshot) -> None:
    export = tmp_path / "feed.jsonl"
    records = [{"id": f"r{i}", "title": f"Story {i}", "text": f"Body of story number {i}."} for i in range(3)]
    export.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    store = tmp_path / "store"
    ingest(cli, export, "--store", store)
    export.write_text("".join(json.dumps(r) + "\n" for r in records[:2]), encoding="utf-8")

    assert ingest(cli, export, "--store", store)["articles"] == counts(unchanged=2)
    assert len(store_snapshot(store).records) == 3
    assert ingest(cli, export, "--store", store, "--prune")["articles"] == counts(unchanged=2, removed=1)
    snap = store_snapshot(store)
    check_consistent(snap)
    assert sorted(loc for r in snap.records.values() for loc in r.locations) == [f"{export}#r0", f"{export}#r1"]


def test_prune_that_empties_the_store(tmp_path: Path, sample_archive: Path, cli, store_snapshot) -> None:
    (only,) = copy_files(sample_archive, tmp_path / "archive", 1)
    store = tmp_path / "store"
    ingest(cli, tmp_path / "archive", "--store", store)
    only.unlink()
    summary = ingest(cli, tmp_path / "archive", "--store", store, "--prune")
    assert summary["articles"] == counts(removed=1)
    snap = store_snapshot(store)
    check_consistent(snap)
    assert snap.records == {} and snap.chunk_ids == []


def test_a_missing_path_fails_before_anything_is_written(
    tmp_path: Path, sample_archive: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks and batches: the sample archive alone would fill several writes before the bad path is reached.
    small = {"ARCHIVE_QA_CHUNK_SIZE": "300", "ARCHIVE_QA_CHUNK_OVERLAP": "50", "ARCHIVE_QA_EMBED_BATCH": "8"}
    for name, value in small.items():
        monkeypatch.setenv(name, value)
    result = cli("ingest", sample_archive, tmp_path / "no-such-folder", "--store", tmp_path / "store", "--json")
    assert result.code == 2
    assert f"{tmp_path / 'no-such-folder'}: no such file or directory" in result.err
    store = open_store(Settings(store=tmp_path / "store"))
    assert (store.chunks.count(), store.articles.count()) == (0, 0)


# Hostile input.
def write_hostile_set(folder: Path, rng: random.Random) -> dict[str, str]:
    """Files that must each get a clear outcome; returns {file name: expected error reason (prefix)}."""
    folder.mkdir()
    binary = bytes(rng.randrange(256) for _ in range(4096))
    (folder / "binary.txt").write_bytes(b"\x89PNG" + binary[:100] + b"\x00\x00" + binary)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "invalid-utf8.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    (folder / "latin1.txt").write_bytes(
        "Café owners protest new rules\nLYON -- The café owners of Lyon said the rules approved on Tuesday "
        "would hurt trade. Élodie Moreau, who runs a brasserie, said the terraces would close early.\n".encode(
            "latin-1"
        )
    )
    (folder / "utf16.txt").write_bytes(
        codecs.BOM_UTF16_LE
        + "Ferry service resumes\nOSLO — The ferry service resumed on Monday after a storm.\n".encode("utf-16-le")
    )
    (folder / "crlf.txt").write_bytes(
        "Bridge reopens\r\nRIGA — The bridge reopened to traffic.\r\n\r\nTraffic was light.\r\n".encode()
    )
    (folder / "too-big.txt").write_text("Big file\n" + "word " * (2 * 2**20 // 5 + 100), encoding="utf-8")
    (folder / "deep.html").write_text(
        "<html><head><title>Deep page</title></head><body>"
        + "<div>" * 5000
        + "<p>Deep text survives five thousand levels of nesting.</p>"
        + "</div>" * 5000
        + "</body></html>",
        encoding="utf-8",
    )
    (folder / "no-text.html").write_text(
        "<html><head><title>Nothing</title><script>var a = 1;</script></head>"
        "<body><nav><a href='/'>Home</a></nav><footer>(c) 2024</footer></body></html>",
        encoding="utf-8",
    )
    (folder / "nested.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    lines = []
    for i in range(300):
        if i % 60 == 7:  # 5 broken lines
            lines.append(f'{{"id": "r{i}", "title": "broken')
        else:
            lines.append(json.dumps({"id": f"r{i}", "title": f"Harbour note {i}", "text": f"Crane {i} was repaired."}))
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = {
        "binary.txt": "binary file (contains NUL bytes), not text",
        "empty.txt": "empty file",
        "invalid-utf8.txt": "undecodable text: not UTF-8 (bad byte at offset 0), UTF-16 or Latin-1",
        "too-big.txt": "file is 2 MiB, over the 1 MiB limit",
        "no-text.html": "HTML page has no readable text",
        "nested.json": "invalid JSON (nested too deeply)",
        "report.pdf": "unsupported file type '.pdf'",
    }
    expected |= {f"feed.jsonl:{n}": f"line {n}: invalid JSON (JSONDecodeError)" for n in (8, 68, 128, 188, 248)}
    return expected


def test_hostile_files_get_clear_outcomes_and_lose_nothing(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    assert ingest(cli, sample_archive, "--store", store)["articles"] == counts(new=33)
    sample_ids = store_snapshot(store).article_ids

    monkeypatch.setenv("ARCHIVE_QA_MAX_FILE_MB", "1")
    expected = write_hostile_set(tmp_path / "hostile", random.Random(20240611))
    summary = ingest(cli, tmp_path / "hostile", "--store", store)

    reasons = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
    assert set(reasons) == set(expected)
    for name, reason in expected.items():
        assert reasons[name].startswith(reason), (name, reasons[name])
    hostile = (tmp_path / "hostile").resolve()
    assert all(e["path"].startswith(str(hostile)) for e in summary["errors"])
    good = 4 + 295  # latin1, utf16, crlf, deep html; the JSONL's good lines
    assert summary["articles"] == counts(new=good, failed=len(expected))

    snap = store_snapshot(store)
    check_consistent(snap)
    assert sample_ids <= snap.article_ids  # nothing stored before was lost
    assert len(snap.records) == 33 + good
    by_file = {Path(r.locations[0]).name: r for r in snap.records.values()}
    assert "Élodie Moreau" in by_file["latin1.txt"].text and "café owners" in by_file["latin1.txt"].text
    assert by_file["utf16.txt"].metadata["title"] == "Ferry service resumes"
    assert by_file["crlf.txt"].text == "RIGA — The bridge reopened to traffic.\n\nTraffic was light."
    assert not any("\r" in r.text or "\r" in r.metadata["title"] for r in snap.records.values())
    assert by_file["deep.html"].text == "Deep text survives five thousand levels of nesting."
    feed = sorted(loc.split("#")[1] for r in snap.records.values() for loc in r.locations if "feed.jsonl" in loc)
    assert len(feed) == 295 and "r7" not in feed and "r8" in feed

    again = ingest(cli, tmp_path / "hostile", "--store", store)
    assert again["articles"] == counts(unchanged=good, failed=len(expected))
    assert again["chunks_written"] == 0
    assert len(store_snapshot(store).records) == 33 + good


def test_a_progress_callback_gets_the_running_article_count(tmp_path: Path, sample_archive: Path) -> None:
    """The app's upload bar reads these counts (the console bar is off then, so it cannot be the counter)."""
    from ingest.factory import make_ingestor

    seen: list[tuple[int, str]] = []
    files = sorted(sample_archive.glob("*.txt"))[:3]
    report = make_ingestor(Settings(store=tmp_path / "store")).run(files, progress=lambda n, p: seen.append((n, p)))
    assert report.new == 3
    assert [n for n, _ in seen] == [1, 2, 3]
    assert [Path(p).name for _, p in seen] == [f.name for f in files]
