"""The ingest run end to end, through the CLI: idempotence, duplicates, updates, pruning, hostile files, crashes."""

from __future__ import annotations

import codecs
import gzip
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import open_store
from ingest.keyword_index import fingerprint

NOTHING = {"new": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 0, "removed": 0}


def counts(**given: int) -> dict[str, int]:
    return {**NOTHING, **given}


def ingest(cli, *args: str | Path) -> dict:
    """Run `archive-qa ingest ... --json` in-process and return its summary (whatever the exit code)."""
    result = cli("ingest", *args, "--json")
    assert result.code in (0, 1), result.err
    summary = result.json
    assert result.code == (1 if summary["errors"] else 0)
    return summary


def check_consistent(snap) -> None:
    """Invariants of any finished run: unique chunks, no orphans, BM25 built for exactly this chunk set."""
    assert snap.chunk_count == len(snap.chunk_ids) == len(set(snap.chunk_ids))
    assert snap.article_count == len(snap.records)
    assert {chunk_id.rsplit("-", 1)[0] for chunk_id in snap.chunk_ids} == snap.article_ids
    assert sum(r.metadata["n_chunks"] for r in snap.records.values()) == snap.chunk_count
    assert snap.fingerprint == fingerprint(snap.chunk_ids)
    assert snap.keyword is not None and sorted(snap.keyword.ids) == sorted(snap.chunk_ids)


def copy_files(sample_archive: Path, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(p, folder)) for p in sorted(sample_archive.glob("*.txt"))[:count]]


# The sample archive.
def test_sample_archive_is_ingested_whole(sample_store, store_snapshot) -> None:
    assert sample_store.summary["articles"] == counts(new=30)
    assert sample_store.summary["errors"] == []
    snap = store_snapshot(sample_store.store)
    check_consistent(snap)
    assert len(snap.records) == 30
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
        assert summary["articles"] == counts(unchanged=30)
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
    assert ingest(cli, sample_archive, "--store", store)["articles"] == counts(new=30)
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
    assert len(snap.records) == 30 + good
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
    assert len(store_snapshot(store).records) == 30 + good


# Crash safety: SIGKILL an ingest at seeded random moments, then finish it; it must equal a clean run.
ARCHIVE_QA = Path(sys.executable).parent / "archive-qa"
SMALL_BATCHES = {"ARCHIVE_QA_EMBED_BATCH": "16"}  # a write every 64 chunks: many moments to be killed in


def _written_bytes(pid: int) -> int:
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["wchar"])


def kill_during(process: subprocess.Popen, store: Path, phase: str, delay: float) -> bool:
    """SIGKILL `process` `delay` seconds into `phase`; False if it had finished by then.

    'embedding': the store is open and the process has written nothing for 0.5 s (a batch is being embedded);
    'writing': after that quiet spell, the process's written-bytes counter moves (it is writing chunks).
    """
    database = store / "chroma" / "chroma.sqlite3"
    deadline = time.monotonic() + 300
    last, quiet_since, settled = -1, time.monotonic(), -1
    while process.poll() is None and time.monotonic() < deadline:
        try:
            written = _written_bytes(process.pid)
        except (OSError, ValueError):  # exited between poll() and the read
            break
        now = time.monotonic()
        if written != last:
            if settled >= 0 and phase == "writing":
                break
            last, quiet_since = written, now
        elif settled < 0 and database.exists() and now - quiet_since > 0.5:
            settled = written
            if phase == "embedding":
                break
        time.sleep(0.01)
    time.sleep(delay)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return process.returncode == -signal.SIGKILL


def start_ingest(corpus: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ARCHIVE_QA), "ingest", str(corpus), "--store", str(store), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **SMALL_BATCHES},
    )


@pytest.fixture(scope="module")
def real_corpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Writes the first `count` real articles of realtimeqa-2022 to a JSONL file in tmp."""

    def make(count: int) -> Path:
        path = tmp_path_factory.mktemp("corpus") / f"articles-{count}.jsonl"
        with gzip.open(shared_dir / "data" / "realtimeqa-2022" / "articles.jsonl.gz", "rt", encoding="utf-8") as src:
            path.write_text("".join(itertools.islice(src, count)), encoding="utf-8")
        return path

    return make


def crash_then_finish(corpus: Path, store: Path, plan: list[tuple[str, float]], cli_process, min_kills: int) -> int:
    """Start, kill per `plan`, then run to completion; returns how many starts were really killed mid-run."""
    if not Path("/proc/self/io").exists():
        pytest.skip("needs /proc/<pid>/io (Linux) to time the kills")
    kills = 0
    for phase, delay in plan:
        kills += kill_during(start_ingest(corpus, store), store, phase, delay)
    assert kills >= min_kills, f"only {kills} of {len(plan)} starts were killed before they finished"
    final = cli_process("ingest", corpus, "--store", store, "--json", env=SMALL_BATCHES)
    assert final.code == 0, final.err
    assert final.json["errors"] == []
    return kills


def assert_same_as_clean(crashed: Path, corpus: Path, tmp_path: Path, cli, store_snapshot) -> None:
    clean_store = tmp_path / "clean"
    clean_summary = ingest(cli, corpus, "--store", clean_store)
    assert clean_summary["errors"] == []
    clean, after_crashes = store_snapshot(clean_store), store_snapshot(crashed)
    check_consistent(clean)
    check_consistent(after_crashes)
    assert after_crashes.article_ids == clean.article_ids
    assert sorted(after_crashes.chunk_ids) == sorted(clean.chunk_ids)
    assert after_crashes.chunk_count == clean.chunk_count == len(set(clean.chunk_ids))
    assert after_crashes.fingerprint == clean.fingerprint
    assert after_crashes.keyword is not None and clean.keyword is not None
    assert sorted(after_crashes.keyword.ids) == sorted(clean.keyword.ids)
    assert {i: r.locations for i, r in after_crashes.records.items()} == {
        i: r.locations for i, r in clean.records.items()
    }
    assert {i: r.text for i, r in after_crashes.records.items()} == {i: r.text for i, r in clean.records.items()}


def test_a_run_that_dies_between_two_store_writes_is_finished_by_the_rerun(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic twin of the SIGKILL tests: two batches mean four writes (chunks, records; chunks, records);
    the run dies at the last one, so one kind of half-written batch is left whichever order the pipeline uses.
    The rerun must leave exactly a clean run's store."""
    from ingest.store import ArchiveStore

    corpus = tmp_path / "archive"
    copy_files(sample_archive, corpus, 15)
    small = {"ARCHIVE_QA_CHUNK_SIZE": "300", "ARCHIVE_QA_CHUNK_OVERLAP": "50", "ARCHIVE_QA_EMBED_BATCH": "16"}
    for name, value in small.items():
        monkeypatch.setenv(name, value)  # about 100 chunks: two batches of 64 or more
    dies_at, writes = 4, []

    def dying(method):
        def write(self, *args, **kwargs):
            writes.append(method.__name__)
            if len(writes) == dies_at:
                raise RuntimeError("simulated crash")
            return method(self, *args, **kwargs)

        return write

    with monkeypatch.context() as patch:
        patch.setattr(ArchiveStore, "write_chunks", dying(ArchiveStore.write_chunks))
        patch.setattr(ArchiveStore, "write_articles", dying(ArchiveStore.write_articles))
        died = cli("ingest", corpus, "--store", tmp_path / "crashed", "--json")
    assert died.code == 2 and "simulated crash" in died.err
    assert len(writes) == dies_at
    partial = store_snapshot(tmp_path / "crashed")
    assert 0 < len(partial.records) < 15  # it really stopped half-way

    rerun = ingest(cli, corpus, "--store", tmp_path / "crashed")
    assert rerun["errors"] == [] and rerun["articles"]["new"] == 15 - len(partial.records)
    assert_same_as_clean(tmp_path / "crashed", corpus, tmp_path, cli, store_snapshot)


def test_killed_while_writing_then_rerun_equals_a_clean_run(
    real_corpus, tmp_path: Path, cli, cli_process, store_snapshot
) -> None:
    corpus = real_corpus(8)  # about 90 chunks: two writes of 64-chunk batches
    rng = random.Random(7)
    crash_then_finish(corpus, tmp_path / "crashed", [("writing", rng.uniform(0, 0.15))], cli_process, min_kills=1)
    assert_same_as_clean(tmp_path / "crashed", corpus, tmp_path, cli, store_snapshot)


@pytest.mark.slow
def test_killed_many_times_then_rerun_equals_a_clean_run(
    real_corpus, tmp_path: Path, cli, cli_process, store_snapshot
) -> None:
    corpus = real_corpus(100)
    rng = random.Random(20240611)
    plan = [
        ("embedding", rng.uniform(0, 0.5)),
        ("writing", rng.uniform(0, 0.1)),
        ("writing", rng.uniform(1, 4)),
        ("embedding", rng.uniform(0.5, 2)),
        ("writing", rng.uniform(0, 0.3)),
        ("writing", rng.uniform(2, 6)),
        ("embedding", rng.uniform(0, 1)),
    ]
    crash_then_finish(corpus, tmp_path / "crashed", plan, cli_process, min_kills=5)
    assert_same_as_clean(tmp_path / "crashed", corpus, tmp_path, cli, store_snapshot)


# Whole data sets (slow).
@pytest.mark.slow
def test_whole_bbc_folder(shared_dir: Path, tmp_path: Path, cli, store_snapshot) -> None:
    from ingest.decode import decode
    from ingest.text_formats import parse_text_article

    bbc = shared_dir / "data" / "bbc"
    categories = sorted(p for p in bbc.iterdir() if p.is_dir())
    files = sorted(f for c in categories for f in c.glob("*.txt"))
    assert len(files) == 2225
    distinct = {parse_text_article(decode(f.read_bytes()), str(f)).id for f in files}

    started = time.perf_counter()
    summary = ingest(cli, *categories, "--store", tmp_path / "store")
    seconds = time.perf_counter() - started
    assert summary["errors"] == []
    duplicates = len(files) - len(distinct)
    assert summary["articles"] == counts(new=len(distinct), duplicate=duplicates)
    print(
        f"\nBBC: {len(files)} files, {len(distinct)} distinct, {duplicates} exact duplicates, "
        f"{summary['chunks_written']} chunks in {seconds:.0f} s"
    )
    snap = store_snapshot(tmp_path / "store")
    check_consistent(snap)
    assert len(snap.records) == len(distinct)
    assert sum(len(r.locations) for r in snap.records.values()) == len(files)


@pytest.mark.slow
def test_jsonl_of_50000_lines_with_broken_ones(tmp_path: Path, cli, store_snapshot) -> None:
    path = tmp_path / "big.jsonl"
    broken = set(range(5, 50_000, 5_000))
    with path.open("w", encoding="utf-8") as out:
        for i in range(50_000):
            if i in broken:
                out.write(f'{{"id": "r{i}", "title": "cut off\n')
            else:
                out.write(json.dumps({"id": f"r{i}", "title": f"Note {i}", "text": f"Harbour crane {i} was fixed."}))
                out.write("\n")
    summary = ingest(cli, path, "--store", tmp_path / "store")
    assert summary["articles"] == counts(new=50_000 - len(broken), failed=len(broken))
    assert sorted(e["path"] for e in summary["errors"]) == sorted(f"{path}:{i + 1}" for i in broken)
    snap = store_snapshot(tmp_path / "store")
    check_consistent(snap)
    assert len(snap.records) == 50_000 - len(broken)


@pytest.mark.slow
def test_a_200_mb_file_is_refused_without_being_read(tmp_path: Path, sample_archive: Path, cli_process) -> None:
    folder = tmp_path / "in"
    copy_files(sample_archive, folder, 2)
    line = ("word " * 199 + "end\n").encode()
    with (folder / "huge.txt").open("wb") as out:
        out.write(b"Huge file\n")
        for _ in range(200 * 2**20 // len(line)):
            out.write(line)
    with (folder / "huge.jsonl").open("wb") as out:  # one 200 MB record: over the per-record limit
        out.write(b'{"title": "huge", "text": "')
        for _ in range(200 * 2**20 // len(line)):
            out.write(line.strip() + b" ")
        out.write(b'"}\n{"title": "after", "text": "The record after the huge one."}\n')
    started = time.perf_counter()
    result = cli_process("ingest", folder, "--store", tmp_path / "store", "--json")
    assert result.code == 1
    summary = result.json
    assert summary["articles"] == counts(new=3, failed=2)
    reasons = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
    assert reasons["huge.txt"] == "file is 200 MiB, over the 50 MiB limit"
    assert reasons["huge.jsonl:1"] == "line 1: record over 50 MiB"
    assert time.perf_counter() - started < 300
