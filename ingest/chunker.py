"""Sentence-aware chunking with overlap (langchain-text-splitters), keeping each chunk's span in the article."""

from __future__ import annotations

import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from storage.types import Article, Chunk, chunker_version

# Paragraphs first, then sentence ends, then clauses: a chunk boundary falls mid-sentence only for a sentence
# longer than a whole chunk.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]
# Where the overlap may begin in the previous chunk's tail: a sentence start, else a word start.
_SENTENCE_START = re.compile(r"(?:[.?!][\"'”’)]*\s+|\n\s*)(?=\S)")
_WORD_START = re.compile(r"\s+(?=\S)")


class Chunker:
    """Cut an article into overlapping passages.

    >>> from storage.types import Article
    >>> chunks = Chunker(size=40, overlap=15).split(Article("T", "One two. Three four. Five six seven.", "x"))
    >>> [(c.text, c.start) for c in chunks]
    [('One two. Three four.', 0), ('Three four. Five six seven.', 9)]
    """

    def __init__(self, size: int, overlap: int) -> None:
        if not 0 <= overlap < size:
            raise ValueError(f"chunk overlap ({overlap}) must be at least 0 and below the chunk size ({size})")
        self.version = chunker_version(size, overlap)
        self._overlap = overlap
        # The splitter's own overlap repeats only whole pieces that fit in it, and a news paragraph rarely fits
        # in an overlap: so cut sentence-aligned pieces of size - overlap, then start each piece after the first
        # up to `overlap` characters early (see `_overlap_start`), so that neighbours always share text.
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size - overlap,
            chunk_overlap=0,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, article: Article) -> list[Chunk]:
        chunks: list[Chunk] = []
        cursor = 0
        context = article.context
        for index, text in enumerate(self._splitter.split_text(article.text)):
            start = article.text.find(text, cursor)
            if start < 0:  # cannot happen for stripped substrings, but never store a wrong span
                start = article.text.find(text)
            end, cursor = start + len(text), start + 1
            if chunks:
                start = min(start, self._overlap_start(article.text, chunks[-1], start))
            chunks.append(Chunk(article.id, index, article.text[start:end], start, end, context))
        return chunks

    def _overlap_start(self, text: str, previous: Chunk, start: int) -> int:
        """The earliest sentence start (else word start) in the last `overlap` characters of the previous chunk."""
        low = max(previous.start + 1, previous.end - self._overlap)
        tail = text[low : previous.end]
        found = _SENTENCE_START.search(tail) or _WORD_START.search(tail)
        return low + found.end() if found else start
