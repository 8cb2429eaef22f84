"""MinHash signatures of article bodies (datasketch), plus their openings, as stored in article records."""

from __future__ import annotations

import base64
import functools
import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 5  # word 5-grams: one changed word touches 5 shingles, a shared phrase of 5 words is rare by chance
NUM_PERM = 128  # the Jaccard estimate's error is about 0.04 at 0.5 (sqrt(J(1-J)/128))
MIN_SHINGLES = 10  # a shorter body (a caption, a stub) is its own story: its few shingles match too easily
LEAD_WORDS, LEAD_SHINGLE = 60, 3  # the opening compared exactly: its word 3-grams
# A body that shares fewer of its headline's words than this is likely not its story (a consent form, an ad survey
# or a photo caption scraped in its place: 72 of the 79 2022 articles that share one of two such bodies fail it).
MIN_TITLE_COVERAGE = 0.2
SCHEME = "affine32"  # datasketch 2's permutation scheme; signatures of another scheme cannot be compared
# Stored signatures say how they were made, so a change of these settings recomputes them instead of misreading.
SIGNATURE_VERSION = f"mh2.{SHINGLE_WORDS}w.{NUM_PERM}.lead{LEAD_WORDS}x{LEAD_SHINGLE}"
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "the and for with from that this was were are has have had not but its into over after about than more how "
        "why what who will can his her their they she you your our says said new",
    )
)
_PRIME, _MASK32 = np.uint64(1_000_003), np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class Signature:
    """What a body is compared by: the MinHash of its shingles, and the exact 3-gram hashes of its opening."""

    values: np.ndarray  # NUM_PERM uint32
    lead: np.ndarray  # sorted distinct uint32

    def jaccard(self, other: Signature) -> float:
        """The share of equal MinHash values: an unbiased estimate of the shingle sets' Jaccard similarity."""
        return float(np.mean(self.values == other.values))

    def lead_jaccard(self, other: Signature) -> float:
        union = np.union1d(self.lead, other.lead).size
        return np.intersect1d(self.lead, other.lead).size / union if union else 0.0


def _words(text: str) -> list[str]:
    if not unicodedata.is_normalized("NFKC", text):  # the check is cheap; normalizing is most of the cost
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.lower())


def _ngram_hashes(words: list[str], size: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word `size`-grams (one gram of all the words when there are fewer)."""
    if not words:
        return np.zeros(0, dtype=np.uint32)
    hashes = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
    width = min(size, len(hashes))
    count = len(hashes) - width + 1
    combined = hashes[:count].copy()
    for offset in range(1, width):  # a polynomial hash of the n-gram, in 32 bits: numpy, not a Python loop
        combined = (combined * _PRIME + hashes[offset : offset + count]) & _MASK32
    return np.unique(combined.astype(np.uint32))


def shingles(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """The body's distinct word `size`-grams as hashes: words are NFKC, lower-cased `\\w+` runs, so punctuation,
    quotes and spacing edits do not count."""
    return _ngram_hashes(_words(text), size)


def about_its_title(title: str, text: str) -> bool:
    """Whether the body holds at least MIN_TITLE_COVERAGE of the headline's words (of 3+ letters, common words and
    what follows a " | " or " - " outlet suffix left out); a headline without such words passes."""
    head = re.split(r" [|\u2013-] ", title, maxsplit=1)[0]
    wanted = {word for word in _WORD.findall(head.lower()) if len(word) > 2 and word not in _STOPWORDS}
    if not wanted:
        return True
    return len(wanted & set(_WORD.findall(text.lower()))) >= MIN_TITLE_COVERAGE * len(wanted)


def signature(text: str, title: str | None = None, size: int = SHINGLE_WORDS) -> Signature | None:
    """The body's signature; None for a body too short to compare or, given its `title`, not `about_its_title`.

    >>> signature(wire_copy).jaccard(signature(lightly_edited_copy))  # tests/ingest/test_stories.py's pair
    0.6875
    """
    words = _words(text)
    grams = _ngram_hashes(words, size)
    if len(grams) < MIN_SHINGLES or (title is not None and not about_its_title(title, text)):
        return None
    # The shingles are hashes already; the permutations are built once (building them costs more than hashing).
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=permutations(), hashfunc=int)
    minhash.update_batch(grams.tolist())
    values = np.asarray(minhash.hashvalues, dtype=np.uint32)
    return Signature(values, _ngram_hashes(words[:LEAD_WORDS], LEAD_SHINGLE))


@functools.cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutations for NUM_PERM and SCHEME (seed 1), made once."""
    a, b = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations
    return a, b


def encode_signature(found: Signature | None) -> str:
    """As stored in an article record: the version, then the values and the lead in base64 ("-": no signature)."""
    if found is None:
        return f"{SIGNATURE_VERSION}:-"
    values, lead = (base64.b64encode(a.astype("<u4").tobytes()).decode() for a in (found.values, found.lead))
    return f"{SIGNATURE_VERSION}:{values}.{lead}"


def decode_signature(stored: object) -> tuple[bool, Signature | None]:
    """(usable, signature) of a stored value: not usable when missing or made with other settings."""
    version, _, body = str(stored or "").partition(":")
    if version != SIGNATURE_VERSION or not body:
        return False, None
    if body == "-":
        return True, None
    values, _, lead = body.partition(".")
    arrays = [np.frombuffer(base64.b64decode(part), dtype="<u4").astype(np.uint32) for part in (values, lead)]
    return True, Signature(arrays[0], arrays[1])
