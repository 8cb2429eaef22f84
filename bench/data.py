"""The benchmarks' inputs: the RealTime QA articles, the sample questions, and the stores earlier benchmarks kept."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

from bench.env import ARTICLES, BENCH_STORES, RESULTS, SAMPLE_QUESTIONS, module_cmd
from bench.measured import run_measured


def first_articles_file(n: int | None, folder: Path) -> Path:
    """The 2022 articles file, or a gzipped copy of its first `n` lines in `folder` (a temp dir, not the repo)."""
    if n is None:
        return ARTICLES
    target = folder / f"articles-first{n}.jsonl.gz"
    with gzip.open(ARTICLES, "rt") as src, gzip.open(target, "wt") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return target


def read_articles(n: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with gzip.open(ARTICLES, "rt") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
                if n is not None and len(rows) >= n:
                    break
    return rows


def recorded_chunker(store: Path) -> tuple[int, int] | None:
    """(size, overlap) from a store's `chunker` collection metadata (e.g. sentences-v1-1000-120), if any."""
    from storage.chroma_client import collections_metadata, make_client

    if not (store / "chroma").exists():
        return None
    for metadata in collections_metadata(make_client(store, None)).values():
        parts = str(metadata.get("chunker", "")).rsplit("-", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            return int(parts[1]), int(parts[2])
    return None


def store_settings(store: Path, **extra: Any) -> Any:
    """archive-qa Settings for an existing store, with the chunker it was built with (the defaults may have
    changed since; opening with other chunk settings is refused by ChromaStore.open)."""
    from archive_qa.settings import Settings

    recorded = recorded_chunker(store)
    chunking = {"chunk_size": recorded[0], "chunk_overlap": recorded[1]} if recorded else {}
    return Settings(store=store, **chunking, **extra)


def kept_store(kind: str) -> Path | None:
    """The `archive-qa` or `tutorial` store bench/ingest.py kept (full run first, then quick), if that run
    finished cleanly and the store is still there; for `tutorial`, else a finished subset store."""
    for name in ("ingest.json", "ingest.quick.json"):
        path = RESULTS / name
        if path.exists():
            system = json.loads(path.read_text()).get("systems", {}).get(kind, {})
            process = system.get("process") or {}
            if process.get("exit_code") == 0 and system.get("store") and Path(system["store"]).exists():
                return Path(system["store"])
    subset = BENCH_STORES / "tutorial-quick"
    if kind == "tutorial" and (subset / "complete.json").exists():
        return subset
    return None


def tutorial_store_or_subset(given: Path | None, notes: list[str], articles: int = 300) -> Path:
    """`given`, else the tutorial store bench/ingest.py kept, else build one on the first `articles` articles
    (in a child, kept as ../stores/bench/tutorial-quick for the next benchmark) and say so in `notes`."""
    found = given or kept_store("tutorial")
    if found is not None:
        info = found / "complete.json"
        chunks = json.loads(info.read_text()).get("chunks") if info.exists() else None
        if chunks is not None and chunks < 30000:
            notes.append(f"baseline tutorial store {found} holds {chunks} chunks (a subset, not all 4,876 articles)")
        return found
    target = fresh_dir(BENCH_STORES / "tutorial-quick")
    build = run_measured(
        [*module_cmd("ingest"), "--articles", str(articles),
         "--child", "tutorial", "--persist", target],
        "tutorial store (subset)",
    )  # fmt: skip
    chunks = (build["json"] or {}).get("chunks")
    notes.append(
        f"no tutorial store from bench/ingest.py: the baseline store was built on the first {articles} "
        f"articles ({chunks} chunks), not on all 4,876"
    )
    return target


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def sample_questions() -> list[dict[str, Any]]:
    """The sample archive's answerable questions (examples/questions.jsonl)."""
    rows = [json.loads(line) for line in SAMPLE_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("answerable_in_corpus")]
