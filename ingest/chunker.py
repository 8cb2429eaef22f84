"""Sentence-aware chunking with overlap (langchain-text-splitters), keeping each chunk's span in the article."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.types import Article, Chunk

# Bump when the splitting rules change: chunk ids would otherwise name different text. Stored in the collection.
CHUNKER_VERSION = "sentences-v1"

# Paragraphs first, then sentence ends, then clauses: a chunk boundary falls mid-sentence only for a sentence
# longer than a whole chunk.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


class Chunker:
    """Cut an article into overlapping passages.

    >>> from ingest.types import Article
    >>> chunks = Chunker(size=40, overlap=15).split(Article("T", "One two. Three four. Five six seven.", "x"))
    >>> [(c.text, c.start) for c in chunks][:2]
    [('One two. Three four.', 0), ('Three four. Five six seven.', 9)]
    """

    def __init__(self, size: int, overlap: int) -> None:
        self.version = f"{CHUNKER_VERSION}-{size}-{overlap}"
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size,
            chunk_overlap=overlap,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, article: Article) -> list[Chunk]:
        chunks, cursor = [], 0
        context = article.context
        for index, text in enumerate(self._splitter.split_text(article.text)):
            # Overlap means a chunk starts before the previous one ended: search from just past its start.
            start = article.text.find(text, cursor)
            if start < 0:  # cannot happen for stripped substrings, but never store a wrong span
                start = article.text.find(text)
            chunks.append(Chunk(article.id, index, text, start, start + len(text), context))
            cursor = start + 1
        return chunks
