"""Crash safety: SIGKILL an ingest at seeded random moments, then finish it; it must equal a clean run."""

from __future__ import annotations

import gzip
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest_runs import check_consistent, copy_files, ingest

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
    stories = {i: r.metadata.get("story_id") for i, r in clean.records.items()}  # near-duplicate stories, too
    assert {i: r.metadata.get("story_id") for i, r in after_crashes.records.items()} == stories


def test_a_run_that_dies_between_two_store_writes_is_finished_by_the_rerun(
    tmp_path: Path, sample_archive: Path, cli, store_snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic twin of the SIGKILL tests: two batches mean four writes (chunks, records; chunks, records);
    the run dies at the last one, so one kind of half-written batch is left whichever order the pipeline uses.
    The rerun must leave exactly a clean run's store."""
    from storage.chroma import ChromaStore

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
        patch.setattr(ChromaStore, "write_chunks", dying(ChromaStore.write_chunks))
        patch.setattr(ChromaStore, "write_articles", dying(ChromaStore.write_articles))
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
