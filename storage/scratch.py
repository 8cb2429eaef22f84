"""Temporary folders that become an index by one rename, and the sweep of those a killed process left behind."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import TextIO

PREFIX = ".tmp-"
LOCK_NAME = ".writing"
# A folder younger than this may be one whose writer has not taken its lock yet (it does so right after creating
# it): left alone. Older ones are removed unless their writer still holds the lock.
GRACE_SECONDS = 60.0


class ScratchFolder:
    """A `.tmp-*` folder under `root`, locked by this process while it fills it; removed unless published.

    >>> root = Path("keyword")
    >>> root.mkdir()
    >>> with ScratchFolder(root) as scratch:
    ...     (scratch.path / "data.npy").write_bytes(b"...")
    ...     scratch.publish(root / "final")
    3
    True
    >>> sorted(p.name for p in (root / "final").iterdir())
    ['data.npy']
    """

    def __init__(self, root: Path) -> None:
        self.path = Path(tempfile.mkdtemp(dir=root, prefix=PREFIX))
        self._lock: TextIO = open(self.path / LOCK_NAME, "a")  # noqa: SIM115 - held until __exit__
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._published: Path | None = None

    def __enter__(self) -> ScratchFolder:
        return self

    def publish(self, target: Path) -> bool:
        """Rename the folder to `target`; False when `target` exists already (another writer was first)."""
        try:
            os.replace(self.path, target)
        except OSError:
            return False
        self._published = target
        (target / LOCK_NAME).unlink(missing_ok=True)
        return True

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._published is None:
            shutil.rmtree(self.path, ignore_errors=True)
        self._lock.close()

    @staticmethod
    def is_scratch(path: Path) -> bool:
        return path.name.startswith(PREFIX)


def sweep_scratch(root: Path, grace_seconds: float = GRACE_SECONDS) -> list[Path]:
    """Remove the `.tmp-*` folders under `root` that no live writer holds (a kill during a save leaves them)."""
    removed = []
    for folder in root.glob(PREFIX + "*"):
        try:
            if not folder.is_dir() or time.time() - folder.stat().st_mtime < grace_seconds:
                continue
            with open(folder / LOCK_NAME, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a writer that is still at work: skip
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:  # in use (BlockingIOError), gone meanwhile (published, swept elsewhere), or not ours to write
            continue
    return removed
