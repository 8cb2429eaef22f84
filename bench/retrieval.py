"""Retrieval latency and memory at three index sizes, against the LangChain tutorial retrievers.

    python -m bench.retrieval --store DIR            # 200 questions; synthetic index of 1,000,000 chunks
    python -m bench.retrieval --quick --store DIR    # 50 questions; synthetic index of 100,000 chunks

archive-qa: `HybridRetriever.retrieve(question, Filters(as_of=question date))` with the default settings, after 5
warm-up queries, split into embed / dense / keyword / fuse (`retrieve_timed(...).timings`), at
  - sample: examples/archive ingested into a fresh temp store, queried with examples/questions.jsonl (cycled);
  - 2022: the 4,876 RealTime QA articles (--store DIR, else the store bench/ingest.py kept), questions.jsonl;
  - synthetic: N chunks written straight into Chroma through ChromaStore.write_chunks/write_articles:
    vectors are real chunk vectors of the 2022 store plus Gaussian noise (cosine ~0.9 to their source, then
    renormalised), so neighbourhoods look like real ones; each text is its source chunk's sentences with ~30%
    swapped for random sentences of the corpus, so BM25 sees realistic postings; articles of 4-20 chunks, ids
    "<article>-<nnn>", days uniform over 2021-2022, real sources; BM25 by KeywordIndex.build + save, then
    the store fingerprint is set. Built once per size under ../stores/bench/ and reused (--rebuild to redo);
    its build time is reported from its manifest.
Baselines on the tutorial store (bench/ingest.py's, else one built here on the first 300 articles):
  - dense: HuggingFaceEmbeddings.embed_query + Chroma similarity_search_by_vector, top 10 (no date filter);
  - ensemble: langchain_classic EnsembleRetriever([BM25Retriever (rank-bm25) over the same chunks, dense top
    10], weights 0.5/0.5).
Every measurement runs in its own child process: RSS figures are per system.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_STORES,
    QUESTIONS,
    SAMPLE_ARCHIVE,
    archive_qa_cmd,
    dir_bytes,
    first_articles_file,
    kept_store,
    log_signals,
    machine,
    module_cmd,
    ratio,
    run_measured,
    store_settings,
    table,
    tutorial_store_or_subset,
    write_result,
)
from evaluation.summary import percentile

WARMUP = 5
TARGET_P95_2022 = 0.150
TARGET_P95_SYNTH = 0.400
SYNTH_FULL, SYNTH_QUICK = 1_000_000, 100_000
SIGMA = 0.025  # per-dimension noise on a unit 384-d vector: cosine to the source ~ 1/sqrt(1 + 384 sigma^2) ~ 0.9
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


# ---------------------------------------------------------------------------------------------------- children
def _questions(path: Path, n: int) -> list[tuple[str, date]]:
    from evaluation.questions import load_questions

    pool = [(q.text, q.as_of) for q in load_questions([path])]
    return [pool[i % len(pool)] for i in range(n + WARMUP)]


def _rss_mib() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _stats(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "mean_ms": round(sum(samples) / len(samples) * 1000, 1) if samples else 0.0,
    }


def child_archive_qa(store: Path, questions: Path, n: int) -> dict[str, Any]:
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA

    started = time.perf_counter()
    retriever = ArchiveQA.from_settings(store_settings(store)).retriever
    chunks = retriever.store.chunk_count()
    asked = _questions(questions, n)
    for text, as_of in asked[:WARMUP]:  # also loads the BM25 index
        retriever.retrieve(text, Filters(as_of=as_of))
    ready = time.perf_counter() - started
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for text, as_of in asked[WARMUP:]:
        clock = time.perf_counter()
        retrieval = retriever.retrieve_timed(text, Filters(as_of=as_of))
        totals.append(time.perf_counter() - clock)
        for stage, seconds in retrieval.timings.items():
            stages.setdefault(stage, []).append(seconds)
    return {
        "chunks": chunks,
        "queries": len(totals),
        "open_and_warmup_seconds": round(ready, 2),
        "total": _stats(totals),
        "stages": {stage: _stats(values) for stage, values in stages.items()},
        "rss_after_mib": _rss_mib(),
    }


def child_dense(persist: Path, questions: Path, n: int) -> dict[str, Any]:
    from bench import tutorial

    emb = tutorial.embeddings()
    store = tutorial.open_store(persist, emb)
    asked = _questions(questions, n)
    for text, _ in asked[:WARMUP]:
        store.similarity_search(text, k=10)
    totals, embeds, searches = [], [], []
    for text, _ in asked[WARMUP:]:
        clock = time.perf_counter()
        vector = emb.embed_query(text)
        embedded = time.perf_counter()
        store.similarity_search_by_vector(vector, k=10)
        done = time.perf_counter()
        totals.append(done - clock)
        embeds.append(embedded - clock)
        searches.append(done - embedded)
    return {
        "chunks": tutorial.chunk_count(store),
        "queries": len(totals),
        "total": _stats(totals),
        "stages": {"embed": _stats(embeds), "dense": _stats(searches)},
        "rss_after_mib": _rss_mib(),
    }


def child_ensemble(persist: Path, questions: Path, n: int) -> dict[str, Any]:
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever

    from bench import tutorial

    emb = tutorial.embeddings()
    store = tutorial.open_store(persist, emb)
    clock = time.perf_counter()
    chunks = tutorial.stored_chunks(store)
    bm25 = BM25Retriever.from_documents(chunks, k=10)
    build = time.perf_counter() - clock
    ensemble = EnsembleRetriever(retrievers=[bm25, store.as_retriever(search_kwargs={"k": 10})], weights=[0.5, 0.5])
    asked = _questions(questions, n)
    for text, _ in asked[:WARMUP]:
        ensemble.invoke(text)
    totals, keyword = [], []
    for text, _ in asked[WARMUP:]:
        clock = time.perf_counter()
        ensemble.invoke(text)
        totals.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        bm25.invoke(text)  # measured apart (an extra call) to show the keyword share
        keyword.append(time.perf_counter() - clock)
    return {
        "chunks": len(chunks),
        "queries": len(totals),
        "bm25_build_seconds": round(build, 2),
        "total": _stats(totals),
        "stages": {"keyword (BM25Retriever alone)": _stats(keyword)},
        "rss_after_mib": _rss_mib(),
    }


def child_synth(target: Path, n: int, source: Path, seed: int) -> dict[str, Any]:
    """Write an n-chunk synthetic archive into a fresh store at `target` (see the module docstring)."""
    import numpy as np

    from storage.chroma import article_metadata
    from storage.factory import get_embedder, keyword_root, open_store
    from storage.keyword_index import KeywordIndex, fingerprint
    from storage.types import Article, Chunk

    phases: dict[str, float] = {}
    clock = started = time.perf_counter()
    real = open_store(store_settings(source))
    vectors, texts, titles, sources = [], [], [], set()
    for _, page_vectors, metas, page_texts in real.export_chunks():
        vectors.append(page_vectors)
        texts += page_texts
        titles += [str(m.get("title", "")) for m in metas]
        sources |= {str(m["source"]) for m in metas if m.get("source")}
    base = np.concatenate(vectors)
    sentences_of = [_SENTENCE.split(t) for t in texts]
    pool = [s for group in sentences_of for s in group if len(s) > 20]
    source_list = sorted(sources) or ["synthetic"]
    phases["read_source"] = time.perf_counter() - clock

    # The source's chunker is recorded on the synthetic collection too, so both open with the same settings.
    settings = store_settings(source).model_copy(update={"store": target})
    store = open_store(settings, get_embedder(settings))
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    first_day = date(2021, 1, 1)
    ids: list[str] = []
    bm25_texts: list[str] = []
    days: list[int] = []
    chunk_sources: list[str] = []
    generate = write = 0.0
    article_no = 0
    while len(ids) < n:
        clock = time.perf_counter()
        batch_chunks: list[Any] = []
        batch_vectors: list[np.ndarray] = []
        articles: list[Any] = []
        metas: dict[str, dict[str, Any]] = {}
        article_vectors = []
        while len(batch_chunks) < 5000 and len(ids) + len(batch_chunks) < n:
            size = min(pick.randint(4, 20), n - len(ids) - len(batch_chunks))
            rows = rng.integers(0, len(base), size)
            noisy = base[rows] + rng.normal(0.0, SIGMA, (size, base.shape[1])).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            bodies = [_stitch(sentences_of[r], pool, pick) for r in rows]
            published = first_day + timedelta(days=pick.randrange(730))
            article = Article(
                title=titles[rows[0]],
                text="\n\n".join(bodies),
                location=f"synthetic://{seed}/{article_no}",
                source=pick.choice(source_list),
                published=published,
            )
            article_no += 1
            article_id, context = article.id, article.context  # Article.id re-hashes the whole text per access
            cursor = 0
            for index, body in enumerate(bodies):
                batch_chunks.append(Chunk(article_id, index, body, cursor, cursor + len(body), context))
                cursor += len(body) + 2
            batch_vectors.append(noisy)
            mean = noisy.mean(axis=0)
            article_vectors.append(mean / np.linalg.norm(mean))
            articles.append(article)
            metas[article_id] = article_metadata(article, [article.location], size)
        generate += time.perf_counter() - clock
        clock = time.perf_counter()
        store.write_chunks(batch_chunks, np.concatenate(batch_vectors), metas)
        store.write_articles(articles, list(metas.values()), np.array(article_vectors))  # same order
        write += time.perf_counter() - clock
        for chunk in batch_chunks:
            meta = metas[chunk.article_id]
            ids.append(chunk.id)
            bm25_texts.append(f"{meta['title']}\n{chunk.text}")
            days.append(int(meta["day"]))
            chunk_sources.append(str(meta.get("source", "")))
        print(f"[synth] {len(ids):,}/{n:,} chunks, write {write:.0f} s", file=sys.stderr, flush=True)
    phases["generate"] = generate
    phases["chroma_write"] = write
    clock = time.perf_counter()
    key = fingerprint(ids)
    KeywordIndex.build(ids, bm25_texts, days, chunk_sources, key).save(keyword_root(settings))
    store.set_fingerprint(key)
    phases["bm25_build"] = time.perf_counter() - clock
    manifest = {
        "chunks": store.chunk_count(),
        "articles": store.article_count(),
        "source_store": str(source),
        "source_chunks": len(base),
        "sigma": SIGMA,
        "seed": seed,
        "chunker": f"{settings.chunk_size}/{settings.chunk_overlap}",
        "build_seconds": round(time.perf_counter() - started, 1),
        "phases": {k: round(v, 1) for k, v in phases.items()},
        "store_bytes": dir_bytes(target),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (target / "synthetic.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def _stitch(sentences: list[str], pool: list[str], pick: random.Random) -> str:
    """The source chunk's sentences, ~30% swapped for random corpus sentences, about as long as the source."""
    length = sum(len(s) + 1 for s in sentences)
    out = [s if pick.random() > 0.3 or not pool else pick.choice(pool) for s in sentences]
    text = " ".join(out)
    return text[: max(length, 200)]


# ---------------------------------------------------------------------------------------------------- driver
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 questions, 100k synthetic chunks")
    parser.add_argument("--store", type=Path, help="archive-qa store of the 2022 articles (read only)")
    parser.add_argument("--baseline-store", type=Path, help="tutorial store (default: the one bench/ingest.py kept)")
    parser.add_argument("--questions", type=int, help="questions per measurement (default 200, quick 50)")
    parser.add_argument("--synthetic", type=int, help="synthetic index size (default 1,000,000, quick 100,000)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the synthetic index even if one exists")
    parser.add_argument("--skip", action="append", default=[], choices=["sample", "2022", "synthetic", "baselines"])
    parser.add_argument("--child", choices=["aq", "dense", "ensemble", "synth"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--qfile", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    log_signals()

    if args.child:
        runners = {
            "aq": lambda: child_archive_qa(args.dir, args.qfile, args.n),
            "dense": lambda: child_dense(args.dir, args.qfile, args.n),
            "ensemble": lambda: child_ensemble(args.dir, args.qfile, args.n),
            "synth": lambda: child_synth(args.dir, args.n, args.source, 7),
        }
        print(json.dumps(runners[args.child]()))
        return 0

    n_questions = args.questions or (50 if args.quick else 200)
    n_synth = args.synthetic or (SYNTH_QUICK if args.quick else SYNTH_FULL)
    me = module_cmd("retrieval")
    info = machine()
    sizes: dict[str, Any] = {}
    baselines: dict[str, Any] = {}
    notes: list[str] = []

    def measure(kind: str, store: Path, questions: Path, label: str) -> dict[str, Any]:
        cmd = [*me, "--child", kind, "--dir", store, "--qfile", questions, "--n", str(n_questions)]
        result = run_measured(cmd, label)
        return {**(result["json"] or {}), "process": result}

    aq_2022 = args.store or kept_store("archive-qa")
    with tempfile.TemporaryDirectory(prefix="aq-bench-") as scratch:
        if "sample" not in args.skip:
            sample_store = Path(scratch) / "sample"
            ingest = run_measured(
                [*archive_qa_cmd(), "ingest", SAMPLE_ARCHIVE, "--store", sample_store, "--json"], "sample ingest"
            )
            sizes["sample"] = measure("aq", sample_store, SAMPLE_ARCHIVE.parent / "questions.jsonl", "aq sample")
            sizes["sample"]["ingest_seconds"] = ingest["wall_seconds"]
        if "2022" not in args.skip:
            if aq_2022 is None:
                aq_2022 = Path(scratch) / "aq-2022"
                source = first_articles_file(300 if args.quick else None, Path(scratch))
                run_measured([*archive_qa_cmd(), "ingest", source, "--store", aq_2022, "--json"], "2022 ingest")
                notes.append(f"2022 store ingested here from {source.name}")
            sizes["2022"] = measure("aq", aq_2022, QUESTIONS, "aq 2022")
            sizes["2022"]["store"] = str(aq_2022)
        if "baselines" not in args.skip:
            base_store = tutorial_store_or_subset(args.baseline_store, notes)
            baselines["dense"] = measure("dense", base_store, QUESTIONS, "baseline dense")
            baselines["ensemble"] = measure("ensemble", base_store, QUESTIONS, "baseline ensemble")
            baselines["store"] = str(base_store)
        if "synthetic" not in args.skip:
            if aq_2022 is None or not Path(aq_2022).exists():
                notes.append("synthetic index skipped: no 2022 store to take real vectors and sentences from")
            else:
                synth_store = BENCH_STORES / f"synthetic-{n_synth}"
                manifest_path = synth_store / "synthetic.json"
                previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
                if args.rebuild or previous.get("source_store") != str(aq_2022) or previous.get("chunks") != n_synth:
                    if synth_store.exists():
                        import shutil

                        shutil.rmtree(synth_store)
                    build = run_measured(
                        [*me, "--child", "synth", "--dir", synth_store, "--n", str(n_synth), "--source", aq_2022],
                        f"synthetic build {n_synth:,}",
                    )
                    manifest = {**(build["json"] or {}), "process": build, "built_in_this_run": True}
                else:
                    manifest = {**previous, "built_in_this_run": False}
                sizes["synthetic"] = measure("aq", synth_store, QUESTIONS, f"aq synthetic {n_synth:,}")
                sizes["synthetic"]["build"] = manifest
                sizes["synthetic"]["store"] = str(synth_store)

    p95 = {name: (s.get("total") or {}).get("p95_ms") for name, s in sizes.items()}
    summary: dict[str, Any] = {
        "questions": n_questions,
        "synthetic_chunks": n_synth,
        "p95_ms": p95,
        "targets": {
            "p95 < 150 ms at 2022 size": _target(p95.get("2022"), TARGET_P95_2022 * 1000),
            f"p95 < 400 ms at {n_synth:,} chunks": _target(p95.get("synthetic"), TARGET_P95_SYNTH * 1000),
        },
    }
    if not args.quick and n_synth != SYNTH_FULL:
        notes.append(f"synthetic index has {n_synth:,} chunks, not 1,000,000: the 400 ms target is for 1M")
    if args.quick:
        notes.append("quick run: the 400 ms target is for 1,000,000 chunks; this synthetic index is smaller")
    for name in ("dense", "ensemble"):
        base_p95 = (baselines.get(name, {}).get("total") or {}).get("p95_ms")
        summary[f"p95_ratio_{name}_over_archive_qa_2022"] = ratio(base_p95, p95.get("2022"))
    ok = all(
        (x.get("process") or {}).get("exit_code") == 0 for x in [*sizes.values(), *baselines.values()] if "process" in x
    )
    data = {"ok": ok, "machine": info, "summary": summary, "sizes": sizes, "baselines": baselines, "notes": notes}
    write_result("retrieval", args.quick, data)
    _print(sizes, baselines, summary, notes)
    return 0 if ok else 1


def _target(value: float | None, limit: float) -> dict[str, Any]:
    if value is None:
        return {"value_ms": None, "target_ms": limit, "met": None}
    return {"value_ms": value, "target_ms": limit, "met": value < limit, "margin_ms": round(value - limit, 1)}


def _print(sizes: dict[str, Any], baselines: dict[str, Any], summary: dict[str, Any], notes: list[str]) -> None:
    rows = []
    for label, entry in [*(("archive-qa " + k, v) for k, v in sizes.items()), *(
        ("tutorial " + k, v) for k, v in baselines.items() if isinstance(v, dict)
    )]:  # fmt: skip
        stages = entry.get("stages") or {}
        total = entry.get("total") or {}
        process = entry.get("process") or {}
        rows.append(
            [
                label,
                entry.get("chunks"),
                total.get("p50_ms"),
                total.get("p95_ms"),
                (stages.get("embed") or {}).get("p50_ms"),
                (stages.get("dense") or {}).get("p50_ms"),
                next((v.get("p50_ms") for k, v in stages.items() if k.startswith("keyword")), None),
                process.get("peak_rss_mib"),
            ]
        )
    header = ["system / index", "chunks", "p50 ms", "p95 ms", "embed p50", "dense p50", "keyword p50", "peak RSS MiB"]
    print(table(rows, header))
    build = (sizes.get("synthetic") or {}).get("build")
    if build:
        print(
            f"\nsynthetic index: {build.get('chunks')} chunks built in {build.get('build_seconds')} s {build['phases']}"
        )
    for name, target in summary["targets"].items():
        print(f"target {name}: {target}")
    for name in ("dense", "ensemble"):
        print(f"baseline {name} p95 / archive-qa 2022 p95: {summary.get(f'p95_ratio_{name}_over_archive_qa_2022')}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    sys.exit(main())
