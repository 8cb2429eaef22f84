"""Structured exports: JSONL (plain and gzipped, real records), JSON lists and objects, CSV; broken records reported."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from datetime import date
from pathlib import Path

import pytest

from ingest.decode import InputError
from ingest.records import read_csv, read_json, read_jsonl, record_to_article
from storage.types import Article, BadInput

MB = 2**20


@pytest.fixture(scope="module")
def real_records(shared_dir: Path) -> list[dict]:
    """The first five records of realtimeqa-2022/articles.jsonl.gz."""
    with gzip.open(shared_dir / "data" / "realtimeqa-2022" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in itertools.islice(lines, 5)]


def articles(items: list[Article | BadInput]) -> list[Article]:
    assert all(isinstance(item, Article) for item in items), [i for i in items if isinstance(i, BadInput)]
    return [item for item in items if isinstance(item, Article)]


def check_real(article: Article, record: dict, path: Path) -> None:
    assert article.title == record["title"]
    assert article.text == record["text"].strip()
    assert article.published == date(*map(int, record["publish_date"].split("/")))
    assert article.source == record["source"]
    assert article.url == record["url"]
    assert article.authors == tuple(record["authors"])
    assert article.external_id == record["doc_id"]
    assert article.location == f"{path}#{record['doc_id']}"


def test_jsonl_of_real_records(tmp_path: Path, real_records: list[dict]) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in real_records), encoding="utf-8")
    found = articles(list(read_jsonl(path, MB, 100 * MB)))
    assert len(found) == 5
    for article, record in zip(found, real_records, strict=True):
        check_real(article, record, path)


def test_gzipped_jsonl_of_real_records(tmp_path: Path, real_records: list[dict]) -> None:
    path = tmp_path / "articles.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in real_records[:3])
    found = articles(list(read_jsonl(path, MB, 100 * MB)))
    assert [a.external_id for a in found] == [r["doc_id"] for r in real_records[:3]]
    for article, record in zip(found, real_records, strict=False):
        check_real(article, record, path)


def test_gzipped_jsonl_with_an_upper_case_name_is_read_through_gzip(tmp_path: Path) -> None:
    """The reader registry takes `FEED.JSONL.GZ` as `.jsonl.gz`; the reader must then gunzip it, not read bytes."""
    path = tmp_path / "FEED.JSONL.GZ"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        record = {"id": "up-1", "title": "Harbour reopens", "text": "The harbour reopened on Monday."}
        out.write(json.dumps(record) + "\n")
    found = list(read_jsonl(path, MB, 100 * MB))
    assert [(a.external_id, a.title) for a in articles(found)] == [("up-1", "Harbour reopens")]
    assert not [item for item in found if isinstance(item, BadInput)]


def test_jsonl_broken_and_oversized_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "Good one", "text": "First good story."}),
        '{"id": "b", "title": "truncated',
        "",
        json.dumps({"id": "c", "title": "No text", "summary": "nothing here"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "d", "title": "Huge", "text": "x" * 3000}),
        json.dumps({"id": "e", "headline": "Good two", "body": "Second good story.", "date": "March 4, 2023"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path, 2000, 100 * MB))
    good = [i for i in items if isinstance(i, Article)]
    bad = {i.path: i.reason for i in items if isinstance(i, BadInput)}
    assert [(a.title, a.published) for a in good] == [("Good one", None), ("Good two", date(2023, 3, 4))]
    assert bad == {
        f"{path}:2": "line 2: invalid JSON (JSONDecodeError)",
        f"{path}:4": "line 4: record 4: no text field (one of text, body, content, article, story)",
        f"{path}:5": "line 5: record 5: expected an object, got list",
        f"{path}:6": bad[f"{path}:6"],
    }
    assert bad[f"{path}:6"].startswith("line 6: record over")


def test_jsonl_stops_at_the_decompressed_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(2000):
            out.write(json.dumps({"id": i, "text": "y" * 1000}) + "\n")
    items = list(read_jsonl(path, MB, MB))
    assert isinstance(items[-1], BadInput) and items[-1].reason == "stopped after 1 MiB of decompressed data"
    assert 900 < len(items) - 1 < 1100


def test_json_list_and_wrapped_list(tmp_path: Path) -> None:
    records = [
        {"title": "One", "content": "Story one.", "published_at": "2023-01-02T08:00:00Z", "publisher": "AP"},
        {"headline": "Two", "story": "Story two.", "authors": "Ana Lima, Joao Silva", "link": "https://x.test/2"},
        {"title": "Three"},
    ]
    plain, wrapped = tmp_path / "list.json", tmp_path / "wrapped.json"
    plain.write_text(json.dumps(records), encoding="utf-8")
    wrapped.write_text(json.dumps({"meta": {"n": 3}, "articles": records}), encoding="utf-8")
    for path in (plain, wrapped):
        items = list(read_json(path))
        one, two, three = items
        assert isinstance(one, Article) and isinstance(two, Article)
        assert (one.title, one.text, one.published, one.source) == ("One", "Story one.", date(2023, 1, 2), "AP")
        assert one.location == f"{path}#record-1"
        assert (two.title, two.authors, two.url) == ("Two", ("Ana Lima", "Joao Silva"), "https://x.test/2")
        assert three == BadInput(f"{path}:3", "record 3: no text field (one of text, body, content, article, story)")


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": 42, "title": "Only", "text": "Just one."}), encoding="utf-8")
    (article,) = articles(list(read_json(path)))
    assert (article.title, article.location, article.external_id) == ("Only", f"{path}#42", "42")


def test_csv_with_the_usual_field_names(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "body", "publish_date", "source", "url", "authors"])
        writer.writerow(
            [
                "Port strike ends",
                "SANTOS — Dockworkers ended a strike.\nSecond paragraph.",
                "2024/03/05",
                "AFP",
                "https://x.test/a",
                "Ana Lima, Joao Silva",
            ]
        )
        writer.writerow(["Empty row", "", "2024-01-01", "AP", "", ""])
        writer.writerow(["Dated", "Body with a \u201ccurly\u201d quote.", "March 4, 2023", "", "", ""])
    items = list(read_csv(path))
    first, bad, third = items
    assert isinstance(first, Article) and isinstance(third, Article)
    assert first.title == "Port strike ends"
    assert first.text == "SANTOS — Dockworkers ended a strike.\nSecond paragraph."
    assert (first.published, first.source, first.url) == (date(2024, 3, 5), "AFP", "https://x.test/a")
    assert first.authors == ("Ana Lima", "Joao Silva")
    assert first.location == f"{path}#record-2"  # rows are numbered as in a spreadsheet, header = 1
    assert bad == BadInput(f"{path}:3", "row 3: record 3: no text field (one of text, body, content, article, story)")
    assert (third.published, third.source, third.text) == (date(2023, 3, 4), None, "Body with a “curly” quote.")


@pytest.mark.parametrize("date_field", ["date", "published_at", "publish_date"])
def test_csv_date_field_names(tmp_path: Path, date_field: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(f"title,text,{date_field}\nT,Body,2022-05-06\n", encoding="utf-8")
    (article,) = articles(list(read_csv(path)))
    assert article.published == date(2022, 5, 6)


def test_csv_without_a_text_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,summary\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="CSV header has no text column"):
        list(read_csv(path))


# Hostile exports: each must become a per-file or per-record error, never an exception that ends the whole run.
def test_deeply_nested_json_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        list(read_json(path))


def test_invalid_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n{"title": "a", "text": "b"},\n{"title": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"invalid JSON at line 4"):
        list(read_json(path))


def test_hostile_jsonl_lines_are_per_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text(
        "\n".join(
            [
                "[" * 50_000 + "]" * 50_000,  # nesting beyond the recursion limit
                '{"id": 1, "text": "big number", "n": ' + "9" * 5000 + "}",  # over Python's int digit limit
                '{"id": 2, "text": "bad bytes \xff"}',
                json.dumps({"id": 3, "title": "Fine", "text": "Still read.", "authors": 7}),
            ]
        ),
        encoding="latin-1",
    )
    items = list(read_jsonl(path, MB, 100 * MB))
    assert [i.reason for i in items[:3] if isinstance(i, BadInput)] == [
        "line 1: invalid JSON (nested too deeply)",
        "line 2: invalid JSON (ValueError)",
        "line 3: invalid JSON (UnicodeDecodeError)",
    ]
    assert isinstance(items[3], Article) and items[3].authors == ("7",)


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (["A B", "C D"], ("A B", "C D")),
        ("A B, C D", ("A B", "C D")),
        (None, ()),
        (5, ("5",)),
        ({"n": "X"}, ("{'n': 'X'}",)),
    ],
)
def test_author_field_shapes(authors: object, expected: tuple[str, ...]) -> None:
    assert record_to_article({"text": "t", "authors": authors}, "p", 1).authors == expected


def test_title_falls_back_to_the_first_line() -> None:
    article = record_to_article({"text": "  First line here\nSecond line.\r\nThird."}, "p.jsonl", 3)
    assert article.title == "First line here"
    assert article.text == "First line here\nSecond line.\nThird."
    assert article.location == "p.jsonl#record-3"
