"""The keyword index a reader searches, following the store's fingerprint; it never writes the saved index."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from storage.base import ArchiveStore
from storage.keyword_build import build_in_memory, latest_saved
from storage.keyword_index import KeywordIndex

RECHECK_SECONDS = 1.0  # how stale the fingerprint a question is answered under may be


class KeywordReader:
    """The index for the store's current chunk set: the one the writers saved under its fingerprint, memory-mapped,
    or else one built in memory, from the tokens of the index held before (or saved last) and the new chunks.
    None fits when another process with another store directory changed the store (on a Chroma server).

    `saves_built`: each index built here is saved under `root` (a long-running app's choice: for its next start and
    the apps sharing its store directory; the saved one is then what it maps).

    >>> reader = KeywordReader(store, keyword_root(settings))
    >>> reader.current().fingerprint == store.fingerprint
    True
    """

    def __init__(self, store: ArchiveStore, root: Path, saves_built: bool = False) -> None:
        self.store, self.root, self.saves_built = store, root, saves_built
        self._index: KeywordIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> KeywordIndex:
        """The index for the store's fingerprint, re-checked at most once a second (after an ingest elsewhere)."""
        with self._lock:
            if self._index is not None and time.monotonic() - self._checked_at < RECHECK_SECONDS:
                return self._index
            key = self.store.fingerprint
            self._checked_at = time.monotonic()
            if self._index is None or self._index.fingerprint != key:
                self._index = KeywordIndex.load(self.root, key) or self._build(key)
            return self._index

    def invalidate(self) -> None:
        """Check the store's fingerprint on the next question (after a write in this process)."""
        with self._lock:
            self._checked_at = 0.0

    def _build(self, key: str) -> KeywordIndex:
        held = self._index if self._index is not None and self._index.tokens is not None else None
        index = build_in_memory(self.store, key, held or latest_saved(self.root))
        if not self.saves_built:
            return index
        index.save(self.root)
        return KeywordIndex.load(self.root, key) or index  # kept here: mapped from the file like any saved index
