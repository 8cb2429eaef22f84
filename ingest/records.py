"""Structured exports: JSON, JSONL (optionally gzipped) and CSV records with title/text/date/source/url fields."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.decode import InputError, decode
from storage.dates import parse_date
from storage.types import Article, BadInput

GZIP_SUFFIX = ".gz"  # a JSONL export under this suffix is read through gzip (READERS' `.jsonl.gz`, `.ndjson.gz`)
_TITLE = ("title", "headline", "name")
_TEXT = ("text", "body", "content", "article", "story")
_DATE = ("publish_date", "published_at", "published", "date", "pub_date", "datetime", "created_at")
_SOURCE = ("source", "publisher", "agency", "outlet", "site")
_ID = ("doc_id", "id", "article_id", "guid", "uuid")
_PLACE = ("place", "dateline", "location", "city")

Record = Mapping[str, Any]


def _first(record: Record, names: tuple[str, ...]) -> Any:
    lowered = {str(key).lower(): value for key, value in record.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return value
    return None


def record_to_article(record: Record, path: str, position: int) -> Article:
    """Map one export record onto an Article; the record's own id (or its position) keys its location."""
    if not isinstance(record, Mapping):
        raise InputError(f"record {position}: expected an object, got {type(record).__name__}")
    text = _first(record, _TEXT)
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"record {position}: no text field (one of {', '.join(_TEXT)})")
    title = str(_first(record, _TITLE) or "").strip() or text.strip().split("\n", 1)[0][:120]
    external_id = _first(record, _ID)
    authors = _first(record, ("authors", "author", "byline")) or ()
    if isinstance(authors, str):
        authors = tuple(a.strip() for a in authors.split(",") if a.strip())
    elif not isinstance(authors, list | tuple):  # one author given as a number or an object
        authors = (authors,)
    key = str(external_id) if external_id is not None else f"record-{position}"
    return Article(
        title=title,
        text=text.replace("\r\n", "\n").strip(),
        location=f"{path}#{key}",
        source=_str_or_none(_first(record, _SOURCE)),
        place=_str_or_none(_first(record, _PLACE)),
        published=parse_date(_first(record, _DATE)),
        url=_str_or_none(_first(record, ("url", "link", "href"))),
        authors=tuple(str(a) for a in authors),
        external_id=str(external_id) if external_id is not None else None,
    )


def _str_or_none(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def read_jsonl(path: Path, max_record_bytes: int, max_total_bytes: int) -> Iterator[Article | BadInput]:
    """Stream records line by line with bounded memory; a broken or oversized line is reported and skipped."""
    opener = gzip.open if path.name.lower().endswith(GZIP_SUFFIX) else open  # as READERS matches: any case
    total = 0
    with opener(path, "rb") as handle:
        for number in itertools.count(1):
            raw = handle.readline(max_record_bytes + 1)
            if not raw:
                return
            total += len(raw)
            if total > max_total_bytes:  # guards a gzip bomb as well as an absurd export
                yield BadInput(str(path), f"stopped after {max_total_bytes // 2**20} MiB of decompressed data")
                return
            if len(raw) > max_record_bytes:
                total += _skip_line(handle)
                yield BadInput(f"{path}:{number}", f"line {number}: record over {max_record_bytes // 2**20} MiB")
                continue
            if raw.strip():
                yield _jsonl_record(raw, path, number)


def _skip_line(handle: Any) -> int:
    skipped = 0
    while chunk := handle.readline(2**20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _jsonl_record(raw: bytes, path: Path, number: int) -> Article | BadInput:
    try:
        return record_to_article(json.loads(raw), str(path), number)
    except InputError as exc:
        return BadInput(f"{path}:{number}", f"line {number}: {exc}")
    except RecursionError:
        return BadInput(f"{path}:{number}", f"line {number}: invalid JSON (nested too deeply)")
    except ValueError as exc:  # bad JSON or UTF-8, an integer over Python's digit limit
        return BadInput(f"{path}:{number}", f"line {number}: invalid JSON ({exc.__class__.__name__})")


def read_json(path: Path) -> Iterator[Article | BadInput]:
    """A JSON file holding one record, a list of records, or an object with a list under articles/items/data."""
    text = decode(path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputError("invalid JSON (nested too deeply)") from exc
    except ValueError as exc:  # an integer over Python's digit limit
        raise InputError(f"invalid JSON ({exc.__class__.__name__})") from exc
    if isinstance(data, dict):
        for key in ("articles", "items", "data", "records"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    records = data if isinstance(data, list) else [data]
    for position, record in enumerate(records, start=1):
        try:
            yield record_to_article(record, str(path), position)
        except InputError as exc:
            yield BadInput(f"{path}:{position}", str(exc))


def read_csv(path: Path) -> Iterator[Article | BadInput]:
    """CSV with a header row naming the fields; each row is one article."""
    csv.field_size_limit(64 * 2**20)
    reader = csv.DictReader(io.StringIO(decode(path.read_bytes())))
    if not reader.fieldnames or _first(dict.fromkeys(reader.fieldnames, "x"), _TEXT) is None:
        raise InputError(f"CSV header has no text column (one of {', '.join(_TEXT)})")
    for position, row in enumerate(reader, start=2):
        try:
            yield record_to_article(row, str(path), position)
        except InputError as exc:
            yield BadInput(f"{path}:{position}", f"row {position}: {exc}")
        except csv.Error as exc:
            yield BadInput(f"{path}:{position}", f"row {position}: malformed CSV ({exc})")
