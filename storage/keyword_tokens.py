"""What BM25 reads of a chunk (its tokens), and the token ids saved beside an index so that a refresh tokenizes
only the chunks that are new to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

try:  # PyStemmer is a compiled extra; without it BM25 still works, on surface forms.
    import Stemmer

    _STEMMER = Stemmer.Stemmer("english")
except ImportError:  # pragma: no cover - depends on the install
    _STEMMER = None

# Saved with the tokens: tokens made another way (no stemmer in this install) are not mixed with these.
TOKENIZER = "bm25s/en/" + ("snowball-english" if _STEMMER is not None else "unstemmed")


def tokenize(texts: list[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)
    return [list(t) for t in tokens]


def tokenize_chunks(titles: list[str], texts: list[str]) -> list[list[str]]:
    """What BM25 reads of a chunk: its article's title, then its text."""
    return tokenize([f"{title}\n{text}" for title, text in zip(titles, texts, strict=True)])


@dataclass(frozen=True)
class TokenIds:
    """Each chunk's tokens as ids into its index's vocabulary: chunk i's are `flat[offsets[i]:offsets[i + 1]]`.

    >>> retriever, tokens = index_corpus([["rate", "rose"], ["rate"]])
    >>> [retriever.vocab_dict[t] for t in ["rate", "rose"]] == tokens.of(0).tolist()
    True
    """

    flat: np.ndarray
    offsets: np.ndarray

    def of(self, position: int) -> np.ndarray:
        return self.flat[self.offsets[position] : self.offsets[position + 1]]

    def save(self, folder: Path) -> None:
        np.save(folder / "tokens.npy", self.flat)
        np.save(folder / "token_offsets.npy", self.offsets)

    @classmethod
    def load(cls, folder: Path) -> TokenIds | None:
        """Memory-mapped (a refresh reads the few it needs); None for an index saved without its tokens."""
        if not (folder / "token_offsets.npy").exists():
            return None
        return cls(np.load(folder / "tokens.npy", mmap_mode="r"), np.load(folder / "token_offsets.npy"))


def index_corpus(
    docs: Sequence[Sequence[str] | np.ndarray], vocabulary: Mapping[str, int] | None = None
) -> tuple[bm25s.BM25, TokenIds]:
    """BM25 over `docs`, each a list of tokens or an array of ids into `vocabulary` (an earlier index's).

    The ids are renumbered over the tokens `docs` use, so the index is the one bm25s builds from the same tokens
    as strings: every score depends only on the documents' tokens (bm25s numbers its vocabulary in set order).
    """
    vocab = _Vocabulary(vocabulary or {})
    arrays = [d if isinstance(d, np.ndarray) else np.fromiter(map(vocab.__getitem__, d), np.int64) for d in docs]
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    flat = np.concatenate(arrays).astype(np.int64) if arrays else np.empty(0, dtype=np.int64)
    used, compact = _renumbered(flat, vocab.next_id)
    token_of = {i: token for token, i in vocab.items()}
    vocab_dict = {token_of[int(old)]: new for new, old in enumerate(used)}
    corpus = [compact[offsets[i] : offsets[i + 1]].tolist() for i in range(len(arrays))]
    retriever = bm25s.BM25()
    retriever.index((corpus, vocab_dict), show_progress=False)
    return retriever, TokenIds(compact.astype(np.int32), offsets)


def _renumbered(flat: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(flat, return_inverse=True)` for ids below `size`, by a lookup table: linear, not a sort of every
    token of the corpus (2 s of a 9 s refresh at 68k chunks).

    >>> used, compact = _renumbered(np.array([5, 2, 5, 7]), 8)
    >>> used.tolist(), compact.tolist()
    ([2, 5, 7], [1, 0, 1, 2])
    """
    present = np.zeros(size, dtype=bool)
    present[flat] = True
    used = np.flatnonzero(present)
    new_id = np.zeros(size, dtype=np.int64)
    new_id[used] = np.arange(len(used))
    return used, new_id[flat]


class _Vocabulary(dict[str, int]):
    """Token -> id, giving a token it has not seen the next free id."""

    def __init__(self, known: Mapping[str, int]) -> None:
        super().__init__(known)
        self.next_id = max(known.values(), default=-1) + 1

    def __missing__(self, token: str) -> int:
        self[token] = self.next_id
        self.next_id += 1
        return self[token]
