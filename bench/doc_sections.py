"""The sections of docs/benchmarks.md read from bench/results/: ingest, retrieval, answer quality, answer latency."""

from __future__ import annotations

import json

from bench.common import RESULTS
from bench.markdown import cell, dig, load_results, md_table, ratio_cell, run_head, stats_cells, target_lines


def render_ingest() -> list[str]:
    out = [
        "## Ingest",
        "",
        "The 2022 RealTime QA articles through `archive-qa ingest` (fresh store, default settings) and through the "
        "LangChain tutorial pipeline (RecursiveCharacterTextSplitter 1000/200, HuggingFaceEmbeddings with the same "
        "MiniLM weights on torch, Chroma.from_documents), each in its own process; plus the bare cost of encoding "
        "archive-qa's own chunks with its ONNX embedder (the floor its pipeline is measured against).",
        "",
    ]
    results = load_results("ingest")
    if not results:
        return [*out, "No run yet: `python -m bench.ingest`.", ""]
    for file, d in results:
        out += run_head(file, d)
        if d.get("reconstructed"):
            out += [f"*Reconstructed figures:* {d['reconstructed']}", ""]
        aq, base, enc = (dig(d, "systems", k) or {} for k in ("archive-qa", "tutorial", "bare_encode"))
        ap, bp = aq.get("process") or {}, base.get("process") or {}
        pairs = [
            ("wall seconds (process)", ap.get("wall_seconds"), bp.get("wall_seconds")),
            ("pipeline seconds (no start-up)", aq.get("pipeline_seconds"), base.get("pipeline_seconds")),
            ("CPU seconds (user+sys)", ap.get("cpu_seconds"), bp.get("cpu_seconds")),
        ]
        rows = [
            ["articles", aq.get("articles"), base.get("articles"), ""],
            ["chunks", aq.get("chunks"), base.get("chunks"), ""],
            *[[label, x, y, ratio_cell(y, x)] for label, x, y in pairs],
            ["chunks/s (wall)", aq.get("chunks_per_second_wall"), base.get("chunks_per_second_wall"),
             ratio_cell(aq.get("chunks_per_second_wall"), base.get("chunks_per_second_wall"))],
            ["peak RSS MiB", ap.get("peak_rss_mib"), bp.get("peak_rss_mib"), ""],
            ["store on disk MiB", (aq.get("store_bytes") or 0) / 2**20, (base.get("store_bytes") or 0) / 2**20, ""],
        ]  # fmt: skip
        out += md_table(
            ["", "archive-qa", "LangChain tutorial", "ratio (tutorial / archive-qa; chunks/s inverse)"], rows
        )
        summary = d.get("summary") or {}
        overhead = summary.get("overhead_over_bare_encode")
        bare = (
            f"Bare encoding of archive-qa's own {cell(enc.get('chunks'))} chunks ({enc.get('embedder')}, "
            f"batches of {enc.get('batch')}): {cell(enc.get('encode_seconds'))} s; archive-qa's ingest pipeline "
            f"took {cell(aq.get('pipeline_seconds'))} s, an overhead of "
            f"{cell(100 * overhead if overhead is not None else None)}% "
            f"(same chunk set: {cell(summary.get('chunk_sets_match'))})."
            if enc.get("encode_seconds")
            else "Bare encoding was not run in this run (`--skip-encode`); see the quick run for the overhead."
        )
        out += [
            "",
            bare,
            "",
            *target_lines(summary.get("targets")),
            "",
        ]
    return out


def render_retrieval() -> list[str]:
    out = [
        "## Retrieval latency",
        "",
        "`HybridRetriever.retrieve` with the question's as-of date as filter (dense + BM25 + fusion), per question "
        "after 5 warm-up queries, at the sample archive, the 2022 articles and a synthetic index (real chunk "
        "vectors plus noise, texts stitched from real sentences, days over 2021-2022; see `bench/retrieval.py`). "
        "Baselines on the tutorial store: dense top-10 (`similarity_search`, no date filter) and "
        "`EnsembleRetriever(BM25Retriever, dense)` over the same chunks.",
        "",
    ]
    results = load_results("retrieval")
    if not results:
        return [*out, "No run yet: `python -m bench.retrieval --store DIR`.", ""]
    for file, d in results:
        out += run_head(file, d)
        rows = []
        entries = [(f"archive-qa, {k}", v) for k, v in (d.get("sizes") or {}).items()]
        entries += [(f"tutorial {k}", v) for k, v in (d.get("baselines") or {}).items() if isinstance(v, dict)]
        for label, e in entries:
            stages = e.get("stages") or {}
            keyword = next((v for k, v in stages.items() if k.startswith("keyword")), {})
            rows.append(
                [
                    label,
                    e.get("chunks"),
                    dig(e, "total", "p50_ms"),
                    dig(e, "total", "p95_ms"),
                    dig(stages, "embed", "p50_ms"),
                    dig(stages, "dense", "p50_ms"),
                    keyword.get("p50_ms"),
                    dig(stages, "fuse", "p50_ms"),
                    dig(e, "process", "peak_rss_mib"),
                ]
            )
        out += md_table(
            ["system, index", "chunks", "p50 ms", "p95 ms", "embed p50", "dense p50", "keyword p50", "fuse p50",
             "peak RSS MiB"],
            rows,
        )  # fmt: skip
        s = d.get("summary") or {}
        out += [
            "",
            f"Questions per measurement: {s.get('questions')} (after 5 warm-up queries). "
            f"p95 ratio, tutorial dense / archive-qa (2022): {cell(s.get('p95_ratio_dense_over_archive_qa_2022'), 2)}; "
            f"tutorial BM25+ensemble / archive-qa (2022): {cell(s.get('p95_ratio_ensemble_over_archive_qa_2022'), 2)}.",
        ]
        build = dig(d, "sizes", "synthetic", "build")
        if build:
            out.append(
                f"Synthetic index: {cell(build.get('chunks'))} chunks in {cell(build.get('articles'))} articles, built "
                f"in {cell(build.get('build_seconds'))} s (phases {build.get('phases')}), "
                f"{cell((build.get('store_bytes') or 0) / 2**30, 2)} GiB on disk"
                + ("" if build.get("built_in_this_run") else f", reused (built {build.get('built')})")
                + "."
            )
        out += ["", *target_lines(s.get("targets")), *[f"- note: {n}" for n in d.get("notes") or []], ""]
    return out


QUALITY_METRICS = ["hits@1", "hits@4", "hits@10", "mrr@10", "accuracy", "answer_in_passages",
                   "citation_precision", "citation_coverage", "abstained"]  # fmt: skip


def render_quality() -> list[str]:
    out = [
        "## Answer quality",
        "",
        "`evaluation` (Evaluator + summarize) on archive-qa's default pipeline, and the same metrics for the "
        "tutorial pipeline: top-10 dense chunks for retrieval metrics, the top 4 whole chunks into the same prompt "
        "(`qa.prompt.answer_messages`) and the same answerer, scored by the same `contains_answer`. "
        "hits@k/MRR count the first of up to 10 distinct articles that is a gold article.",
        "",
    ]
    found = [(f.name, json.loads(f.read_text())) for f in sorted(RESULTS.glob("quality*.json"))]
    if not found:
        return [*out, "No run yet: `python -m bench.quality --store DIR`.", ""]
    for file, d in found:
        out += run_head(file, d)
        out.append(
            f"Answerer: `{d.get('answerer')}`; question counts: {d.get('sizes')} (None = all); archive-qa store "
            f"`{dig(d, 'systems', 'archive-qa', 'store')}`, "
            f"tutorial store `{dig(d, 'systems', 'tutorial', 'store')}`."
        )
        out.append("")
        for part, title in (("answer_set", "answered questions"), ("retrieval_set", "retrieval-only questions")):
            a = dig(d, "systems", "archive-qa", part, "report", "groups") or {}
            b = dig(d, "systems", "tutorial", part, "report", "groups") or {}
            rows = []
            groups = [g for g in ("answerable", "no_gold", "unanswerable") if g in a or g in b]
            for group in groups + (["overall"] if len(groups) > 1 else []):
                for metric in QUALITY_METRICS:
                    x, y = dig(a, group, metric), dig(b, group, metric)
                    if x is None and y is None:
                        continue
                    diff = f"{x - y:+.3f}" if isinstance(x, int | float) and isinstance(y, int | float) else "–"
                    rows.append([f"{group}: {metric}", cell(x, 3), cell(y, 3), diff])
            if rows:
                n_a = dig(a, "overall", "questions")
                out += [f"**{title}** ({n_a} questions)", ""]
                out += [*md_table(["group: metric", "archive-qa", "tutorial", "difference"], rows), ""]
        la = dig(d, "systems", "archive-qa", "answer_set", "llm") or {}
        lb = dig(d, "systems", "tutorial", "answer_set", "llm") or {}
        if la.get("generated") or lb.get("generated"):
            keys = ["generated", "prompt_tokens_mean", "first_token_p50_s", "end_to_end_first_token_p50_s",
                    "generate_p50_s"]  # fmt: skip
            rows = [[k, cell(la.get(k), 2), cell(lb.get(k), 2), ratio_cell(lb.get(k), la.get(k))] for k in keys]
            out += ["**LLM cost per answered question**", ""]
            out += [*md_table(["", "archive-qa", "tutorial", "tutorial / archive-qa"], rows), ""]
        out += [*[f"- note: {n}" for n in d.get("notes") or []], ""]
    return out


def render_answer_latency() -> list[str]:
    out = [
        "## Answer latency",
        "",
        "`ArchiveQA.stream` per question with the as-of filter: time to the first yielded text and to the final "
        "Answer; the tutorial pipeline is timed the same way (top-4 dense chunks, same prompt, same model).",
        "",
    ]
    results = load_results("answer_latency")
    if not results:
        return [*out, "No run yet: `python -m bench.answer_latency --store DIR`.", ""]
    for file, d in results:
        out += run_head(file, d)
        aq, base = dig(d, "systems", "archive-qa") or {}, dig(d, "systems", "tutorial") or {}
        out += [f"archive-qa store `{aq.get('store')}`, tutorial store `{base.get('store')}`.", ""]
        rows = [["extractive answer (archive-qa only)", *stats_cells(dig(aq, "extractive", "total")), "–", "–", "–"]]
        for key, label in (("first_token", "LLM time to first token"), ("total", "LLM total")):
            x, y = dig(aq, "llm", key) or {}, dig(base, "llm", key) or {}
            rows.append([label, *stats_cells(x), cell(y.get("p50_s"), 2), cell(y.get("p95_s"), 2),
                         ratio_cell(y.get("p50_s"), x.get("p50_s"))])  # fmt: skip
        out += md_table(
            ["", "n", "archive-qa p50 s", "archive-qa p95 s", "tutorial p50 s", "tutorial p95 s", "p50 ratio"], rows
        )
        out += [
            "",
            f"Mean prompt tokens: archive-qa {cell(dig(aq, 'llm', 'prompt_tokens_mean'))}, tutorial "
            f"{cell(dig(base, 'llm', 'prompt_tokens_mean'))}; archive-qa abstained without the LLM on "
            f"{cell(dig(aq, 'llm', 'abstained_without_llm'))} of the LLM questions (left out of its LLM figures).",
            *[f"- note: {n}" for n in d.get("notes") or []],
            "",
        ]
    return out
