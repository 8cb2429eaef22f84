"""Ingest throughput: archive-qa vs the LangChain tutorial pipeline on the 2022 articles, plus archive-qa's
overhead over bare model encoding of its own chunks.

    python -m bench.ingest            # all 4,876 articles (~45 min: the baseline alone is ~30 min)
    python -m bench.ingest --quick    # first 300 articles (~3 min)

Three child processes, back to back in one run (each's wall time and peak RSS is its own):
  1. `archive-qa ingest ARTICLES --store FRESH --json` (default settings);
  2. bare encode: the same articles cut by archive-qa's Chunker, `OnnxMiniLM.embed` on the chunk embed texts in
     the ingestor's batch size, timed around the embed calls only;
  3. the tutorial pipeline (bench/tutorial.py) into a fresh Chroma directory.
The stores are kept under ../stores/bench/ (outside the project) for bench/retrieval.py and bench/quality.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_STORES,
    archive_qa_cmd,
    dir_bytes,
    first_articles_file,
    fresh_dir,
    log_signals,
    machine,
    module_cmd,
    ratio,
    read_articles,
    recorded_chunker,
    run_measured,
    table,
    write_result,
)

QUICK_ARTICLES = 300
TARGET_RATIO = 3.0
TARGET_OVERHEAD = 0.15


def child_encode(path: Path, store: Path | None) -> dict:
    """Bare encoding: archive-qa's chunks of `path`, embedded in the ingestor's batches; nothing else timed.

    The chunker size/overlap are those recorded in the store the ingest run just built (so the chunks are the
    same even if the defaults changed in between); the embedder is the default one.
    """
    from archive_qa.settings import Settings
    from ingest.factory import make_chunker
    from ingest.readers import read_file
    from storage.factory import get_embedder
    from storage.types import Article

    settings = Settings()
    recorded = recorded_chunker(store) if store else None
    if recorded:
        settings = settings.model_copy(update={"chunk_size": recorded[0], "chunk_overlap": recorded[1]})
    started = time.perf_counter()
    embedder = get_embedder(settings)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chunker, seen, texts = make_chunker(settings), set(), []
    for item in read_file(path, int(settings.max_file_mb * 2**20), int(settings.max_stream_mb * 2**20)):
        if isinstance(item, Article) and item.id not in seen:  # the ingestor stores a repeated article once
            seen.add(item.id)
            texts += [c.embed_text for c in chunker.split(item)]
    read_chunk_seconds = time.perf_counter() - started
    batch = max(settings.embed_batch * 4, 64)  # = Ingestor.batch_chunks from make_ingestor
    embedder.embed(texts[:32])  # warm-up (the ingest run pays its first batch too, but it is tiny either way)
    started = time.perf_counter()
    for begin in range(0, len(texts), batch):
        embedder.embed(texts[begin : begin + batch])
    encode_seconds = time.perf_counter() - started
    return {
        "embedder": embedder.name,
        "chunker": make_chunker(settings).version,
        "articles": len(seen),
        "chunks": len(texts),
        "batch": batch,
        "model_load_seconds": round(load_seconds, 2),
        "read_chunk_seconds": round(read_chunk_seconds, 2),
        "encode_seconds": round(encode_seconds, 2),
    }


def child_tutorial(n: int | None, persist: Path) -> dict:
    from bench import tutorial

    phases = {}
    started = clock = time.perf_counter()
    docs = tutorial.documents(read_articles(n))
    phases["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    chunks = tutorial.split(docs)
    phases["split"] = time.perf_counter() - clock
    clock = time.perf_counter()
    emb = tutorial.embeddings()
    phases["model_load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    store = tutorial.build(chunks, emb, persist)
    phases["embed_and_write"] = time.perf_counter() - clock
    seconds = time.perf_counter() - started
    result = {
        "articles": len(docs),
        "chunks": len(chunks),
        "stored": tutorial.chunk_count(store),
        "seconds": round(seconds, 2),
        "phases": {k: round(v, 2) for k, v in phases.items()},
    }
    (persist / "complete.json").write_text(json.dumps(result))  # marks a finished store for the later benchmarks
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_ARTICLES} articles")
    parser.add_argument("--articles", type=int, help="first N articles (default all, or 300 with --quick)")
    parser.add_argument("--stores", type=Path, default=BENCH_STORES, help="where the two stores are built and kept")
    parser.add_argument("--skip-baseline", action="store_true", help="archive-qa and bare encode only")
    parser.add_argument("--skip-encode", action="store_true", help="no bare-encode run (it takes as long as ingest)")
    parser.add_argument("--child", choices=["encode", "tutorial"], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--persist", type=Path, help=argparse.SUPPRESS)
    return parser


def main() -> int:
    args = _parser().parse_args()
    log_signals()
    n = args.articles or (QUICK_ARTICLES if args.quick else None)

    if args.child == "encode":
        print(json.dumps(child_encode(args.input, args.persist)))
        return 0
    if args.child == "tutorial":
        print(json.dumps(child_tutorial(n, args.persist)))
        return 0

    suffix = "-quick" if args.quick else ("" if n is None else f"-{n}")
    aq_store = fresh_dir(args.stores / f"archive-qa{suffix}")
    base_store = fresh_dir(args.stores / f"tutorial{suffix}")
    info = machine()
    aq, enc, base = _run(args, n, aq_store, base_store)
    systems = _systems(aq, enc, base, aq_store, base_store)
    summary = _summary(n, aq, base, systems)
    ok = all(run["exit_code"] == 0 for run in (aq, enc, base) if run is not None)
    write_result("ingest", args.quick, {"ok": ok, "machine": info, "summary": summary, "systems": systems})
    _print(systems, summary)
    return 0 if ok else 1


Run = dict[str, Any]  # what run_measured returns
MaybeRun = Run | None  # a child that was skipped


def _run(args: argparse.Namespace, n: int | None, aq_store: Path, base_store: Path) -> tuple[Run, MaybeRun, MaybeRun]:
    """The three children, back to back: archive-qa ingest, bare encode and the tutorial (each unless skipped)."""
    me = module_cmd("ingest")
    limit = ["--articles", str(n)] if n else []
    with tempfile.TemporaryDirectory(prefix="aq-bench-") as scratch:
        source = first_articles_file(n, Path(scratch))
        aq = run_measured([*archive_qa_cmd(), "ingest", source, "--store", aq_store, "--json"], "archive-qa ingest")
        enc = None
        if not args.skip_encode:
            enc = run_measured([*me, "--child", "encode", "--input", source, "--persist", aq_store], "bare encode")
        base = None
        if not args.skip_baseline:
            base = run_measured([*me, *limit, "--child", "tutorial", "--persist", base_store], "tutorial ingest")
    return aq, enc, base


def _systems(aq: Run, enc: MaybeRun, base: MaybeRun, aq_store: Path, base_store: Path) -> dict[str, Any]:
    aq_json, enc_json = aq["json"] or {}, (enc or {}).get("json") or {}
    base_json = (base or {}).get("json") or {}
    systems = {
        "archive-qa": {
            "process": aq,
            "pipeline_seconds": aq_json.get("seconds"),
            "chunks": aq_json.get("chunks_written"),
            "articles": aq_json.get("articles", {}).get("new"),
            "store_bytes": dir_bytes(aq_store),
            "store": str(aq_store),
        },
        "bare_encode": {"process": enc, **enc_json},
        "tutorial": {
            "process": base,
            "pipeline_seconds": base_json.get("seconds"),
            "chunks": base_json.get("chunks"),
            "articles": base_json.get("articles"),
            "store_bytes": dir_bytes(base_store),
            "store": str(base_store),
        },
    }
    for name in ("archive-qa", "tutorial"):
        s = systems[name]
        wall = (s["process"] or {}).get("wall_seconds")
        s["chunks_per_second_wall"] = round(s["chunks"] / wall, 1) if s["chunks"] and wall else None
        s["chunks_per_second_pipeline"] = (
            round(s["chunks"] / s["pipeline_seconds"], 1) if s["chunks"] and s["pipeline_seconds"] else None
        )
    return systems


def _summary(n: int | None, aq: Run, base: MaybeRun, systems: dict[str, Any]) -> dict[str, Any]:
    aq_seconds = systems["archive-qa"]["pipeline_seconds"]
    overhead = _overhead(systems)
    speedup_wall = ratio((base or {}).get("wall_seconds"), aq["wall_seconds"])
    tput_ratio = ratio(systems["archive-qa"]["chunks_per_second_wall"], systems["tutorial"]["chunks_per_second_wall"])
    return {
        "articles": n or "all",
        "speedup_wall": speedup_wall,
        "speedup_pipeline": ratio(systems["tutorial"]["pipeline_seconds"], aq_seconds),
        "speedup_cpu": ratio((base or {}).get("cpu_seconds"), aq["cpu_seconds"]),
        "chunk_sets_match": systems["bare_encode"].get("chunks") == systems["archive-qa"]["chunks"],
        "chunks_per_second_ratio": tput_ratio,
        "overhead_over_bare_encode": round(overhead, 3) if overhead is not None else None,
        "targets": {
            "speedup >= 3x (wall)": _target(speedup_wall, TARGET_RATIO, higher_is_better=True),
            "overhead <= 15%": _target(overhead, TARGET_OVERHEAD, higher_is_better=False),
        },
    }


def _overhead(systems: dict[str, Any]) -> float | None:
    """archive-qa's pipeline seconds over the bare encoding's, less one."""
    aq_seconds, encode_seconds = systems["archive-qa"]["pipeline_seconds"], systems["bare_encode"].get("encode_seconds")
    return (aq_seconds / encode_seconds - 1) if aq_seconds and encode_seconds else None


def _print(systems: dict[str, Any], summary: dict[str, Any]) -> None:
    rows = []
    for name in ("archive-qa", "tutorial"):
        s = systems[name]
        p = s["process"] or {}
        rows.append(
            [
                name,
                p.get("wall_seconds"),
                s["pipeline_seconds"],
                p.get("cpu_seconds"),
                s["chunks"],
                s["chunks_per_second_wall"],
                p.get("peak_rss_mib"),
                round(s["store_bytes"] / 2**20, 1),
            ]
        )
    print(table(rows, ["system", "wall s", "pipeline s", "CPU s", "chunks", "chunks/s", "peak RSS MiB", "store MiB"]))
    encode = systems["bare_encode"]
    overhead = _overhead(systems)
    print(
        f"\nspeedup (baseline / archive-qa): {summary['speedup_wall']}x wall, {summary['speedup_pipeline']}x pipeline, "
        f"{summary['speedup_cpu']}x CPU (target >= {TARGET_RATIO:.0f}x)"
    )
    print(
        f"bare encode of archive-qa's {encode.get('chunks')} chunks: {encode.get('encode_seconds')} s; "
        f"ingest overhead over it: {_pct(overhead)} (target <= {TARGET_OVERHEAD:.0%})"
    )


def _target(value: float | None, target: float, higher_is_better: bool) -> dict:
    if value is None:
        return {"value": None, "target": target, "met": None}
    met = value >= target if higher_is_better else value <= target
    return {"value": round(value, 3), "target": target, "met": met, "margin": round(value - target, 3)}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


if __name__ == "__main__":
    sys.exit(main())
