"""Article identity: stable, content-derived ids that ignore whitespace and quote style; chunk ids and context."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from ingest.decode import decode
from ingest.text_formats import parse_text_article
from storage.types import Article, Chunk, normalize

# The seed's id, pinned: a change to the id function silently re-ingests (and duplicates) every stored archive.
SEED_ID = "35e1d57bea65c1d414d8"


def test_normalize() -> None:
    assert normalize("  He said “yes”\u00a0and\tleft\n\n’twas  ") == 'He said "yes" and left \'twas'
    assert normalize("ﬁnance") == "finance"  # NFKC folds the ligature


def test_id_ignores_whitespace_quote_style_and_location() -> None:
    a = Article("Rates “rise”", "LIMA — The bank raised\nrates.\n\nIt said ‘enough’.", "a.txt")
    b = Article('  Rates "rise"', "LIMA — The bank raised rates. It said 'enough'.  ", "elsewhere/b.json#7")
    assert a.id == b.id
    assert re.fullmatch(r"[0-9a-f]{20}", a.id)  # 20 lowercase hex digits, as chunk ids and stored records expect


def test_id_is_the_content_alone_recomputed_the_same_each_time() -> None:
    title, text = "Ferry enters service", "OSLO — The new ferry sailed at dawn."
    first = Article(title, text, "a.txt")
    dated = Article(title, text, "b.txt", source="NTB", place="Oslo", published=date(2024, 6, 11), url="https://x")
    assert first.id == Article(title, text, "a.txt").id == dated.id  # not random, not per object, no metadata
    assert first.id != Article(text, title, "a.txt").id  # title and body are not interchangeable


def test_id_changes_with_title_or_text() -> None:
    base = Article("Rates rise", "The bank raised rates.", "a.txt")
    assert base.id != Article("Rates fall", "The bank raised rates.", "a.txt").id
    assert base.id != Article("Rates rise", "The bank raised rates!", "a.txt").id


def test_same_file_content_gives_the_same_id_across_paths_and_runs(shared_dir: Path, tmp_path: Path) -> None:
    seed = shared_dir / "seeds" / "000_32a12df490804dd7.txt"
    copy = tmp_path / "nested" / "renamed.txt"
    copy.parent.mkdir()
    shutil.copy(seed, copy)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(seed.read_bytes().replace(b"\n", b"\r\n"))
    ids = {parse_text_article(decode(p.read_bytes()), str(p)).id for p in (seed, copy, crlf)}
    assert ids == {SEED_ID}


def test_day_and_context() -> None:
    dated = Article("Ferry enters service", "OSLO — ...", "x", place="Oslo", published=date(2024, 6, 11))
    assert dated.day == date(2024, 6, 11).toordinal()
    assert dated.context == "Ferry enters service (Oslo)"  # the date carries no meaning for the embedder
    undated = Article("Talks", "text", "x")
    assert undated.day == 0
    assert undated.context == "Talks"


def test_chunk_id_and_embed_text() -> None:
    chunk = Chunk("0123456789abcdef0123", 7, "Passage.", 10, 18, "Title (Oslo)")
    assert chunk.id == "0123456789abcdef0123-007"
    assert chunk.embed_text == "Title (Oslo)\nPassage."
    assert Chunk("a", 0, "Passage.", 0, 8).embed_text == "Passage."
