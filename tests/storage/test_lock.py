"""One writer per store: a second ingest fails fast with a clear message instead of corrupting the store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.lock import StoreBusyError, writer_lock


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with writer_lock(store):
        assert (store / "write.lock").read_text() == f"pid {os.getpid()}"
        with pytest.raises(StoreBusyError, match=f"is being written by pid {os.getpid()}"), writer_lock(store):
            pass
    assert (store / "write.lock").read_text() == ""
    with writer_lock(store):  # free again
        pass


def test_lock_is_released_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(KeyError), writer_lock(tmp_path):
        raise KeyError("boom")
    with writer_lock(tmp_path):
        pass


def test_second_ingest_while_the_store_is_written(tmp_path: Path, sample_archive: Path, cli_process) -> None:
    store = tmp_path / "store"
    with writer_lock(store):
        busy = cli_process("ingest", sample_archive, "--store", store, "--json")
    assert busy.code != 0
    assert busy.out == ""
    assert f"{store} is being written by pid {os.getpid()}" in busy.err
    assert "wait for that ingest to finish" in busy.err
    assert not (store / "chroma").exists()  # refused before opening anything
