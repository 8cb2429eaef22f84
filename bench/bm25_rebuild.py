"""BM25 rebuild over a Chroma server: what each reader (app process) pays when the chunk set changes, and the
refresh after a one-article upload that builds on the tokens saved with the index before it.

    python -m bench.bm25_rebuild                          # sample archive, temporary store
    python -m bench.bm25_rebuild --store DIR              # a copy of an existing store (e.g. the 2022 one)
    python -m bench.bm25_rebuild --articles-2022          # the 2022 articles' chunks, placeholder vectors

A copy of the store's Chroma data is served by `chroma run` on a free loopback port and a child process times
a build from scratch (storage.keyword_build.build_from_store into an empty folder, over HTTP: page every chunk,
tokenize, index, save), then loading the saved index memory-mapped (what another process on the same machine
does) and a BM25 search; then it writes one new article (placeholder vectors) to the server and times the refresh
(the same call, now reading and tokenizing only that article's chunks and indexing every chunk's tokens again);
its peak RSS is the kernel's. With --articles-2022 the server instead gets the 4,876 RealTime QA
articles cut by archive-qa's chunker, with their metadata and seeded random vectors (BM25 reads text, not vectors:
no embedding needed). Written to bench/results/load-bm25-<sample|2022|store name>.json.
`python -m bench.load --bm25-rebuild [...]` (the older spelling) runs the same.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bm25_2022 import write_2022_chunks
from bench.common import (
    SAMPLE_ARCHIVE,
    archive_qa_cmd,
    command_line,
    machine,
    module_cmd,
    run_measured,
    sample_questions,
    table,
    write_result,
)
from bench.serving import ChromaServer


def child_bm25(url: str, collection: str) -> dict[str, Any]:
    """In a child process: rebuild BM25 from the server's chunks as an app does, load it, search it, then refresh
    it after a one-article upload."""
    from storage.chroma import ChromaStore
    from storage.chroma_client import make_client

    # A server URL: no local folder is touched; no model is loaded (BM25 needs only the chunk text).
    return measure_bm25(ChromaStore.attach(make_client(Path(), url), collection))


def measure_bm25(store: Any) -> dict[str, Any]:
    """Build from scratch, load, search, then refresh after one new article (written to `store`: a copy)."""
    from storage.keyword_build import build_from_store
    from storage.keyword_index import KeywordIndex, fingerprint

    clock = time.perf_counter()
    key = store.fingerprint
    ids = store.chunk_ids()
    ids_seconds = time.perf_counter() - clock
    with tempfile.TemporaryDirectory(prefix="aq-bm25-") as folder:
        root = Path(folder)
        clock = time.perf_counter()
        index = build_from_store(store, root, key or fingerprint(ids))
        build_seconds = time.perf_counter() - clock
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        clock = time.perf_counter()
        loaded = KeywordIndex.load(root, index.fingerprint)
        load_seconds = time.perf_counter() - clock
        assert loaded is not None and len(loaded.ids) == len(ids)
        clock = time.perf_counter()
        for question in sample_questions()[:20]:
            loaded.search(question["question"], k=60)
        search_ms = (time.perf_counter() - clock) / 20 * 1000
        articles = store.article_count()
        refresh = _refresh_after_upload(store, root, loaded)
    return {
        "chunks": len(ids),
        "articles": articles,
        "chunk_ids_seconds": round(ids_seconds, 3),
        "rebuild_seconds": round(build_seconds, 3),
        "load_seconds": round(load_seconds, 3),
        "search_ms": round(search_ms, 2),
        "index_bytes": size,
        **refresh,
    }


def _refresh_after_upload(store: Any, root: Path, held: Any) -> dict[str, Any]:
    """Write one new article to the store (placeholder vectors), then time the keyword refresh from the saved
    index as the uploading app does it, and as another app that holds the index before the upload does it (it also
    reads every chunk's metadata again: the store's key moved on). Only the new chunks are read back and
    tokenized; every chunk's tokens are indexed again."""
    import numpy as np

    from archive_qa.settings import Settings
    from ingest.factory import make_chunker
    from storage.chroma import article_metadata
    from storage.keyword_build import build_from_store, build_in_memory
    from storage.keyword_index import fingerprint
    from storage.types import Article

    if store.fingerprint != held.fingerprint:
        store.set_fingerprint(held.fingerprint)  # as the ingest that wrote the chunks would have
    article = Article(
        title="Bench probe: harbour ferry timetable changes for the winter",
        text=" ".join(q["question"] for q in sample_questions()),  # a few chunks of ordinary news words
        location="bench://bm25-refresh-probe",
        source="Bench",
    )
    chunks = make_chunker(Settings()).split(article)
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(chunks), int(store.describe()["embedder"]["dimension"] or 384)))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    meta = article_metadata(article, [article.location], len(chunks))
    store.write_chunks(chunks, vectors, {article.id: meta})
    store.write_articles([article], [meta], vectors[:1])
    key = fingerprint(store.chunk_ids())
    clock = time.perf_counter()
    build_from_store(store, root, key)
    writer_seconds = time.perf_counter() - clock
    store.set_fingerprint(key)
    clock = time.perf_counter()
    build_in_memory(store, key, held)
    reader_seconds = time.perf_counter() - clock
    return {
        "refresh_chunks_read": len(chunks),
        "refresh_seconds": round(writer_seconds, 3),
        "reader_refresh_seconds": round(reader_seconds, 3),
    }


def bm25_rebuild(store: Path | None, timeout: float, articles_2022: bool = False) -> int:
    """Serve a copy of `store` (or of a fresh sample store) with `chroma run`; time a reader's BM25 rebuild."""
    info = machine()
    scratch = Path(tempfile.mkdtemp(prefix="aq-bm25-"))
    server: ChromaServer | None = None
    written: dict[str, Any] | None = None
    try:
        prepared = _prepare_store(store, articles_2022, scratch)
        if prepared is None:
            return 1
        label, store = prepared
        data = scratch / "chroma"
        if store is not None:
            shutil.copytree(store / "chroma", data, dirs_exist_ok=True)  # the server gets a copy, never the store
        server = ChromaServer(data, scratch / "chroma.log")
        if not server.wait_ready(120):
            print(f"[bench] chroma run did not start: {(scratch / 'chroma.log').read_text()[-2000:]}")
            return 1
        if articles_2022:
            written = _write_2022_timed(server.url)
        child = run_measured([*module_cmd("bm25_rebuild"), "--child", server.url], f"BM25 rebuild ({label})", timeout)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    figures = child.get("json") or {}
    ok = child["exit_code"] == 0 and bool(figures)
    _write_summary(label, info, child, written, ok)
    _print_tables(label, figures, child)
    return 0 if ok else 1


def _prepare_store(store: Path | None, articles_2022: bool, scratch: Path) -> tuple[str, Path | None] | None:
    """The result's label and the store whose Chroma data the server gets a copy of (None: it starts empty);
    None when the sample archive's ingest failed."""
    if articles_2022:
        (scratch / "chroma").mkdir()
        return "2022", None
    if store is None:
        store = scratch / "sample-store"
        done = run_measured(
            [*archive_qa_cmd(), "ingest", str(SAMPLE_ARCHIVE), "--store", str(store), "--json"], "ingest sample"
        )
        return ("sample", store) if done["exit_code"] == 0 else None
    label = store.resolve().name
    _check_not_written(store)
    return label, store


def _write_2022_timed(url: str) -> dict[str, Any]:
    clock = time.perf_counter()
    written = {**write_2022_chunks(url), "write_seconds": round(time.perf_counter() - clock, 1)}
    print(f"[bench] wrote {written}", file=sys.stderr, flush=True)
    return written


def _write_summary(
    label: str, info: dict[str, Any], child: dict[str, Any], written: dict[str, Any] | None, ok: bool
) -> None:
    figures = child.get("json") or {}
    summary = {**figures, "peak_rss_mib": child["peak_rss_mib"], "wall_seconds": child["wall_seconds"]}
    write_result(
        f"load-bm25-{label}",
        False,
        {
            "command": command_line(),
            "ok": ok,
            "machine": info,
            "store": label,
            "summary": summary,
            "synthetic_2022": written,
            "process": child,
        },
    )


def _print_tables(label: str, figures: dict[str, Any], child: dict[str, Any]) -> None:
    print(
        table(
            [
                [
                    label,
                    figures.get("articles"),
                    figures.get("chunks"),
                    figures.get("rebuild_seconds"),
                    figures.get("load_seconds"),
                    figures.get("search_ms"),
                    child["peak_rss_mib"],
                ]
            ],
            ["store", "articles", "chunks", "rebuild s", "load s", "search ms", "peak RSS MiB"],
        )
    )
    print(
        table(
            [
                [label, "build from scratch", figures.get("chunks"), figures.get("rebuild_seconds")],
                [
                    label,
                    "refresh after a 1-article upload (the uploading app; another app)",
                    figures.get("refresh_chunks_read"),
                    f"{figures.get('refresh_seconds')}; {figures.get('reader_refresh_seconds')}",
                ],
            ],
            ["store", "keyword index", "chunks read and tokenized", "seconds"],
        )
    )


def _check_not_written(store: Path) -> None:
    """Refuse to copy a store an ingest is writing (its files would not be consistent)."""
    import fcntl

    lock = store / "write.lock"
    if not (store / "chroma").is_dir():
        raise SystemExit(f"{store} holds no embedded store (no chroma/ folder)")
    if lock.exists():
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SystemExit(f"{store} is being written ({lock.read_text().strip()}); retry later") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="copy this store (default: the sample archive, freshly ingested)")
    parser.add_argument("--articles-2022", action="store_true", help="the 2022 articles' chunks, placeholder vectors")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="bound on the child's rebuild")
    parser.add_argument("--collection", default="archive", help=argparse.SUPPRESS)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_bm25(args.child, args.collection)))
        return 0
    return bm25_rebuild(args.store, args.max_seconds, args.articles_2022)


if __name__ == "__main__":
    sys.exit(main())
