"""One writer per store: an advisory file lock that fails fast with a clear message instead of corrupting.

An embedded Chroma store is also not shared between processes: a process that has it open (the app) does not see
another process's writes, and its queries fail ("Error finding id") until it restarts. So a long-running process
keeps the store open (`keep_open`, a shared lock), and a writer needs it to itself: `writer_lock` refuses while
another process keeps it open, and `keep_open` refuses while another process writes. (A Chroma server has no such
limits; see docs/scaling.md.)
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

OPEN_LOCK = "open.lock"
_kept_open: dict[Path, TextIO] = {}  # stores this process keeps open (shared lock held until it exits)


class StoreBusyError(RuntimeError):
    """Another process is writing to this store."""


def _holder(store_dir: Path) -> str:
    try:
        return (store_dir / "write.lock").read_text().strip() or "another process"
    except OSError:
        return "another process"


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
            with _sole_user(store_dir):
                yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def keep_open(store_dir: Path) -> None:
    """Keep the embedded store open for the rest of this process's life (the app does this at start).

    Other processes cannot write to it meanwhile (this process still can); raises StoreBusyError if one is writing.
    """
    key = store_dir.resolve()
    if key in _kept_open:
        return
    store_dir.mkdir(parents=True, exist_ok=True)
    handle = open(store_dir / OPEN_LOCK, "a+")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreBusyError(
            f"{store_dir} is being written by {_holder(store_dir)}; wait for that ingest to finish, then start again "
            f"(an embedded store is not shared between processes while it is written; a Chroma server is)"
        ) from None
    _kept_open[key] = handle


@contextmanager
def _sole_user(store_dir: Path) -> Iterator[None]:
    """No other process keeps the store open for the block (a running app of our own process may)."""
    own = _kept_open.get(store_dir.resolve())
    handle = own or open(store_dir / OPEN_LOCK, "a+")  # noqa: SIM115 - closed below
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # converts our own shared lock, if we hold one
        except BlockingIOError:
            raise StoreBusyError(
                f"{store_dir} is open in a running app (archive-qa serve), which would not see these writes: add the "
                f"files through that app (its Index tab or `ingest` API), or stop it first; several processes "
                f"need a Chroma server (docs/scaling.md)"
            ) from None
        yield
    finally:
        if own is None:
            handle.close()
        else:  # back to shared (Linux drops a shared lock whose conversion failed: take it again either way)
            with suppress(BlockingIOError):
                fcntl.flock(own, fcntl.LOCK_SH | fcntl.LOCK_NB)
