"""Finding archive files and reading each into articles, with one clear outcome per bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers import SUPPORTED, discover, read_file, suffix_of
from storage.types import Article, BadInput

MB = 2**20


def test_discover_walks_folders_in_a_stable_order_and_skips_hidden(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.txt", "a/z/3.json", ".git/config", "a/.hidden.txt", "c.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    single = tmp_path / "a" / ".hidden.txt"  # a hidden file named directly is read
    found = list(discover([tmp_path, single]))
    root = tmp_path.resolve()
    assert found == [root / "a/1.txt", root / "a/z/3.json", root / "b/2.txt", root / "c.csv", single.resolve()]
    assert all(path.is_absolute() for path in found)


def test_relative_and_absolute_paths_give_the_same_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert list(discover([Path("news")])) == list(discover([tmp_path / "news"]))


def test_a_missing_path_fails_before_any_file_is_yielded(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    files = discover([tmp_path, tmp_path / "missing"])
    with pytest.raises(FileNotFoundError, match="missing: no such file or directory"):
        next(files)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("a.TXT", ".txt"),
        ("dump.jsonl.gz", ".jsonl.gz"),
        ("x.ndjson.GZ", ".ndjson.gz"),
        ("r.pdf", ".pdf"),
        ("archive.tar.gz", ".gz"),
        ("README", ""),
    ],
)
def test_suffix_of(name: str, suffix: str) -> None:
    assert suffix_of(Path(name)) == suffix


def one(path: Path, max_bytes: int = 50 * MB) -> list[Article | BadInput]:
    return list(read_file(path, max_bytes, 4096 * MB))


def test_unsupported_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    (bad,) = one(path)
    assert bad == BadInput(str(path), f"unsupported file type '.pdf' (supported: {', '.join(SUPPORTED)})")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert one(path) == [BadInput(str(path), "empty file")]


def test_size_limit_refuses_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Big\n" + "word " * (2 * MB // 5 + 10))
    assert one(path, max_bytes=MB) == [BadInput(str(path), "file is 2 MiB, over the 1 MiB limit")]


def test_size_limit_applies_per_record_for_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    small = '{"title": "Small", "text": "A short story."}\n'
    path.write_text(small * 3000)  # well over 100 kB in total, every record tiny
    items = one(path, max_bytes=100_000)
    assert len(items) == 3000 and all(isinstance(i, Article) for i in items)


@pytest.mark.parametrize(
    ("name", "content", "title"),
    [
        ("a.txt", "Title\nOSLO — Body.\n", "Title"),
        ("a.md", "# Title\n\nBody.\n", "Title"),
        ("a.html", "<html><title>Title</title><p>Body.</p></html>", "Title"),
        ("a.htm", "<html><title>Title</title><p>Body.</p></html>", "Title"),
        ("a.json", '{"title": "Title", "text": "Body."}', "Title"),
        ("a.ndjson", '{"title": "Title", "text": "Body."}\n', "Title"),
        ("a.csv", "title,text\nTitle,Body.\n", "Title"),
    ],
)
def test_each_supported_type_is_dispatched(tmp_path: Path, name: str, content: str, title: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (article,) = one(path)
    assert isinstance(article, Article)
    assert article.title == title and article.text.endswith("Body.")
    assert article.location.startswith(str(path))


def test_a_directory_named_like_a_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "folder.txt" / "inner.txt").write_text("Title\nBody.\n")
    assert [p.name for p in discover([tmp_path])] == ["inner.txt"]
