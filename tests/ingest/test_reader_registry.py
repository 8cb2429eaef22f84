"""The readers by suffix are the one list: what ingest reads, what may be uploaded, its label, record locations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ingest.readers import READERS, RECORD_SUFFIXES, SUPPORTED, Reader, read_file, suffix_of
from ingest.removal import file_of
from ingest.staging import UPLOAD_TYPES, UploadError, check_type
from ingest.uploads import read_ahead
from storage.types import Article

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


def test_the_registry_holds_todays_formats_in_order() -> None:
    assert SUPPORTED == (
        ".txt", ".text", ".md", ".json", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".csv", ".html", ".htm",
    )  # fmt: skip
    assert RECORD_SUFFIXES == (".json", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".csv")
    assert tuple(suffix for suffix, reader in READERS.items() if reader.records) == RECORD_SUFFIXES


def test_every_registered_suffix_may_be_uploaded_and_is_on_the_label() -> None:
    from ui.index_panel import upload_label

    assert (*READERS, ".zip") == UPLOAD_TYPES
    label = upload_label(50)
    assert label == "Add articles: " + ", ".join((*READERS, ".zip")) + " (up to 50 MB)"
    for suffix in READERS:
        assert check_type(f"news{suffix.upper()}") == suffix
        assert suffix_of(Path(f"news{suffix}")) == suffix
    with pytest.raises(UploadError, match=r"unsupported file type '\.pdf' \(accepted: \.txt, .*\.htm, \.zip\)"):
        check_type("scan.pdf", allow_archives=True)


@pytest.mark.parametrize("suffix", list(READERS))
def test_record_locations_follow_the_registry(suffix: str) -> None:
    location = f"/a/feed{suffix}#r7"
    assert file_of(location) == (f"/a/feed{suffix}" if suffix in RECORD_SUFFIXES else location)


def test_read_file_dispatches_through_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A format registered with one line is read by its reader, and an upload counts its records as such."""

    def read_notes(path: Path, max_bytes: int, max_stream_bytes: int) -> list[Article]:
        lines = path.read_text().splitlines()
        return [Article(f"Note {n}", line, f"{path}#n{n}") for n, line in enumerate(lines, start=1)]

    monkeypatch.setitem(READERS, ".notes", Reader(read_notes, records=True))
    path = tmp_path / "desk.notes"
    path.write_text("The ferry resumed service.\nThe bridge opened.\n")
    found = list(read_file(path, MB, MB))
    assert [a.title for a in found if isinstance(a, Article)] == ["Note 1", "Note 2"]
    monkeypatch.setattr("ingest.uploads.RECORD_SUFFIXES", (*RECORD_SUFFIXES, ".notes"))
    assert read_ahead(path, MB, MB).articles == 2


def test_a_streamed_reader_is_held_to_the_record_limit_not_the_file_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Title\n\n" + "word " * 400)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(f'{{"title": "T{n}", "text": "{"word " * 60}"}}\n' for n in range(10)))
    (refused,) = read_file(big, 1000, MB)
    assert "over the 0 MiB limit" in str(refused)
    assert READERS[".jsonl"].streamed and len(list(read_file(feed, 1000, MB))) == 10


def _suffix_lists(path: Path) -> list[int]:
    """Lines of `path` holding a tuple, list or set literal of two or more registered suffixes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if sum(s.lower() in READERS for s in strings) >= 2:
                found.append(node.lineno)
    return found


def test_no_product_module_keeps_its_own_list_of_suffixes() -> None:
    product = [ROOT / "app.py"] + [
        path
        for package in ("archive_qa", "ingest", "storage", "qa", "generators", "evaluation", "ui")
        for path in sorted((ROOT / package).rglob("*.py"))
    ]
    lists = {str(p.relative_to(ROOT)): lines for p in product if p.name != "readers.py" and (lines := _suffix_lists(p))}
    assert not lists
