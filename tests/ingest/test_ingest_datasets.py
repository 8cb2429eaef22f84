"""Ingest of whole data sets and oversized input (slow): the BBC folder, a broken 50,000-line JSONL, a 200 MB file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest_runs import check_consistent, copy_files, counts, ingest


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
