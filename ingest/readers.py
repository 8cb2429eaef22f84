"""Find archive files under the given paths and read each into Articles, reporting bad input per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.decode import InputError, decode
from ingest.html import parse_html
from ingest.records import GZIP_SUFFIX, read_csv, read_json, read_jsonl
from ingest.text_formats import parse_text_article
from storage.types import Article, BadInput

Read = Callable[[Path, int, int], Iterable[Article | BadInput]]  # (path, max_bytes, max_stream_bytes)


@dataclass(frozen=True)
class Reader:
    """How the files of one suffix are read.

    `records`: a file holds many articles, each located `path#key` (else one story at the file's path).
    `streamed`: read record by record, so `max_bytes` limits one record and `max_stream_bytes` the file (else
    `max_bytes` limits the file, checked before it is read).
    """

    read: Read
    records: bool = False
    streamed: bool = False


_TEXT = Reader(lambda path, *_: [parse_text_article(decode(path.read_bytes()), str(path))])
_HTML = Reader(lambda path, *_: [parse_html(decode(path.read_bytes()), str(path))])
_JSONL = Reader(read_jsonl, records=True, streamed=True)

# The one list of what the archive reads: ingest, uploads (ingest/staging.py), their label in the app
# (ui/index_panel.py) and record locations (ingest/removal.py) all follow it. A new format: its module, one line.
READERS: dict[str, Reader] = {
    ".txt": _TEXT,
    ".text": _TEXT,
    ".md": _TEXT,
    ".json": Reader(lambda path, *_: read_json(path), records=True),
    ".jsonl": _JSONL,
    ".ndjson": _JSONL,
    ".jsonl" + GZIP_SUFFIX: _JSONL,
    ".ndjson" + GZIP_SUFFIX: _JSONL,
    ".csv": Reader(lambda path, *_: read_csv(path), records=True),
    ".html": _HTML,
    ".htm": _HTML,
}
SUPPORTED = tuple(READERS)
RECORD_SUFFIXES = tuple(suffix for suffix, reader in READERS.items() if reader.records)  # locations `path#key`


@dataclass(frozen=True)
class Found:
    """A file to read (resolved) and its place in the archive: its path under the folder that was named, or its
    name when the file itself was named. People are shown the place; the store keeps both."""

    path: Path
    place: str


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every file under the paths, recursively, in a stable order; hidden files and folders are skipped."""
    return (found.path for found in discover_places(paths))


def discover_places(paths: Iterable[Path]) -> Iterator[Found]:
    """`discover`, with each file's place in the archive.

    A missing path fails before any file is yielded, so a mistyped argument never leaves a half-done run.
    """
    roots = list(paths)
    for root in roots:
        if not root.is_file() and not root.is_dir():
            raise FileNotFoundError(f"{root}: no such file or directory")
    for root in roots:
        if root.is_file():
            yield Found(root.resolve(), root.name)
        else:
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield Found(path.resolve(), relative.as_posix())


def suffix_of(path: Path, suffixes: Iterable[str] | None = None) -> str:
    """The registered suffix (or one of `suffixes`) the file's name ends with, longest first (`.jsonl.gz`, not
    `.gz`); else its last one.

    >>> suffix_of(Path("feed.JSONL.gz")), suffix_of(Path("scan.pdf")), suffix_of(Path(".zip"), (".txt", ".zip"))
    ('.jsonl.gz', '.pdf', '.zip')
    """
    name = path.name.lower()
    longest_first = sorted(SUPPORTED if suffixes is None else suffixes, key=len, reverse=True)
    return next((s for s in longest_first if name.endswith(s)), path.suffix.lower())


def read_file(path: Path, max_bytes: int, max_stream_bytes: int) -> Iterator[Article | BadInput]:
    """Articles of one file, or BadInput entries saying what was wrong with the file or its records."""
    try:
        yield from _read(path, max_bytes, max_stream_bytes)
    except InputError as exc:
        yield BadInput(str(path), str(exc))
    except OSError as exc:
        yield BadInput(str(path), f"cannot read: {exc.strerror or exc}")


def _read(path: Path, max_bytes: int, max_stream_bytes: int) -> Iterator[Article | BadInput]:
    suffix = suffix_of(path)
    if suffix not in READERS:
        raise InputError(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
    reader = READERS[suffix]
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file")
    if size > max_bytes and not reader.streamed:
        raise InputError(f"file is {size / 2**20:.0f} MiB, over the {max_bytes / 2**20:.0f} MiB limit")
    yield from reader.read(path, max_bytes, max_stream_bytes)
