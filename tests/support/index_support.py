"""Helpers of the Index-tab tests: small articles of our own, an ArchiveApp on a fresh store, what the store holds."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from ingest.text_formats import parse_text_article
from storage.types import article_of


def wire(title: str, body: str, day: str = "June 4, 2024") -> str:
    """A wire-text article: title line, dateline body, agency line."""
    return f"{title}\nBRENNVIK, {day} — {body}\nAgencies - NTB\n"


LIGHTHOUSE = wire(
    "Brennvik lighthouse keeper retires after forty years",
    "Ottar Selvik, keeper of the Brennvik lighthouse, retired on Tuesday after forty years, saying the lamp "
    "had failed only twice in his time, both during the storm winter of 1993.",
)
LIGHTHOUSE_EDITED = wire(
    "Brennvik lighthouse keeper retires after forty-one years",
    "Ottar Selvik, keeper of the Brennvik lighthouse, retired on Tuesday after forty-one years, handing the keys "
    "to his granddaughter Marit, who will run the automated beacon from the harbour office.",
)
FERRY = wire(
    "Brennvik ferry gets an electric twin",
    "The Brennvik ferry company launched a battery-powered twin of its diesel boat, the Solvind, which charges "
    "in nine minutes at the quay while cars drive aboard.",
)


def article_id(text: str) -> str:
    """The id the archive gives a wire-text article (from its normalized title and body)."""
    return parse_text_article(text, "x.txt").id


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def records(n: int, word: str = "quarry", offset: int = 0) -> list[dict[str, Any]]:
    """`n` export records, each about a different numbered quarry."""
    return [
        {
            "id": f"r{i}",
            "title": f"Quarry number {i} in Brennvik reopens",
            "text": f"The {word} number {i} near Brennvik reopened with {100 + i} workers, the council said.",
            "date": "2024-05-01",
            "source": "NTB",
        }
        for i in range(offset, offset + n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]], gz: bool = False) -> Path:
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_zip(path: Path, members: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


@cache
def _app_module() -> Any:
    """app.py, loaded by its path: `import app` would find this folder (tests/app) first."""
    spec = importlib.util.spec_from_file_location("archive_qa_app", Path(__file__).resolve().parents[2] / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def make_app(store: Path) -> Any:
    """The app's calls (no UI) on a fresh embedded store: real Chroma, the real embedder, extractive answers."""
    from archive_qa.settings import Settings

    return _app_module().ArchiveApp(Settings(store=store, answerer="extractive"))


def locations(app: Any) -> dict[str, set[str]]:
    """Article id -> its locations, as the store holds them now."""
    return {article: set(record.locations) for article, record in app.store.article_records().items()}


def keyword_articles(app: Any, query: str) -> set[str]:
    """The article ids whose chunks BM25 (as the app searches it now) finds for `query`."""
    app.qa.retriever.invalidate()
    hits = app.qa.retriever.keyword_index().search(query, k=50)
    return {article_of(chunk_id) for chunk_id, _ in hits}


def chunk_articles(app: Any) -> set[str]:
    return {article_of(chunk_id) for chunk_id in app.store.chunk_ids()}
