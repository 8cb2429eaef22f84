"""One writer per store: an advisory file lock that fails fast with a clear message instead of corrupting."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StoreBusyError(RuntimeError):
    """Another process is writing to this store."""


@contextmanager
def writer_lock(store_dir: Path) -> Iterator[None]:
    """Hold the store's write lock for the block; raise StoreBusyError at once if someone else holds it."""
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / "write.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreBusyError(
                f"{store_dir} is being written by {holder}; wait for that ingest to finish "
                f"(an embedded store takes one writer at a time; a Chroma server takes several)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
