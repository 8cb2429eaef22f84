"""Chunking: exact spans, overlap between all neighbours, sentence-aligned cuts, ids from article + position."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.chunker import Chunker
from ingest.decode import decode
from ingest.records import record_to_article
from ingest.text_formats import parse_text_article
from storage.types import CHUNKER_VERSION, Article

SIZE, OVERLAP = Settings.model_fields["chunk_size"].default, Settings.model_fields["chunk_overlap"].default
SENTENCE_END = '.?!"”)'


@pytest.fixture(scope="module")
def articles(sample_archive: Path, shared_dir: Path) -> list[Article]:
    """The sample archive plus 20 long real stories (several chunks each)."""
    found = [parse_text_article(decode(p.read_bytes()), str(p)) for p in sorted(sample_archive.glob("*.txt"))]
    with gzip.open(shared_dir / "data" / "realtimeqa-2022" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for number, line in enumerate(itertools.islice(lines, 20), start=1):
            found.append(record_to_article(json.loads(line), "articles.jsonl", number))
    return found


@pytest.fixture(scope="module")
def chunked(articles: list[Article]) -> list[tuple[Article, list]]:
    chunker = Chunker(SIZE, OVERLAP)
    return [(article, chunker.split(article)) for article in articles]


def test_spans_are_exact(chunked) -> None:
    for article, chunks in chunked:
        assert chunks, article.location
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            assert chunk.text == chunk.text.strip() and chunk.text
            assert chunk.article_id == article.id


def test_ids_derive_from_article_id_and_position(chunked) -> None:
    for article, chunks in chunked:
        assert [c.index for c in chunks] == list(range(len(chunks)))
        assert [c.id for c in chunks] == [f"{article.id}-{i:03d}" for i in range(len(chunks))]
        assert all(c.context == article.context for c in chunks)


def test_every_pair_of_neighbours_overlaps(chunked) -> None:
    pairs = 0
    for article, chunks in chunked:
        for before, after in itertools.pairwise(chunks):
            pairs += 1
            shared = before.end - after.start
            assert 0 < shared <= OVERLAP, (article.location, before.index, shared)
            assert before.start < after.start and before.end < after.end
    assert pairs > 50  # the fixture really has multi-chunk articles


def test_chunks_stay_within_size_and_cover_the_text(chunked) -> None:
    for article, chunks in chunked:
        assert max(len(c.text) for c in chunks) <= SIZE
        covered = set().union(*(range(c.start, c.end) for c in chunks))
        uncovered = {i for i in range(len(article.text)) if i not in covered}
        assert all(article.text[i].isspace() for i in uncovered), article.location


def test_cuts_fall_at_sentence_ends(chunked) -> None:
    # Sample archive stories have no sentence longer than a chunk: every chunk but the last ends a sentence. The
    # overlap starts at a word, and at a sentence whenever the previous chunk's last sentence fits in it.
    starts_of_sentences = 0
    for article, chunks in chunked[:30]:
        for before, after in itertools.pairwise(chunks):
            assert before.text[-1] in SENTENCE_END, (article.location, before.text[-40:])
            preceding = article.text[: after.start]
            assert preceding[-1].isspace(), (article.location, after.text[:40])
            if preceding.rstrip()[-1] in SENTENCE_END:
                starts_of_sentences += 1
            else:  # no sentence boundary within the overlap window
                window = article.text[max(before.start, before.end - OVERLAP) : before.end - 1]
                assert not re.search(r"[.?!][\"”’)]*\s", window), (article.location, window)
    assert starts_of_sentences > 10


def test_overlap_prefers_a_whole_sentence() -> None:
    text = "First sentence is here. Second one follows it. Third closes it. Fourth opens the next part. Fifth ends."
    chunks = Chunker(size=100, overlap=40).split(Article("T", text, "x"))
    assert len(chunks) > 1
    for before, after in itertools.pairwise(chunks):
        assert before.end > after.start
        assert text[after.start - 2 : after.start] == ". "  # starts at a sentence, not inside a word


def test_a_short_article_is_one_chunk() -> None:
    article = Article("T", "One two. Three four.", "x")
    assert [(c.text, c.start, c.end) for c in Chunker(SIZE, OVERLAP).split(article)] == [(article.text, 0, 20)]


def test_no_overlap_when_configured_off() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = Chunker(size=120, overlap=0).split(Article("T", text, "x"))
    assert len(chunks) > 3
    assert all(before.end <= after.start for before, after in itertools.pairwise(chunks))


def test_version_names_rules_and_sizes() -> None:
    assert Chunker(900, 150).version == f"{CHUNKER_VERSION}-900-150"
    assert Chunker(900, 150).version != Chunker(800, 150).version


@pytest.mark.parametrize(("size", "overlap"), [(100, 100), (100, 200), (100, -1)])
def test_overlap_must_be_below_size(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="overlap"):
        Chunker(size, overlap)
