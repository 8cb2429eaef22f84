"""Run every benchmark in order, then regenerate docs/benchmarks.md from bench/results/*.json.

    python -m bench.run_all                   # full runs (hours: the tutorial ingest alone is ~30 min)
    python -m bench.run_all --quick           # quick runs (~20-30 min)
    python -m bench.run_all --store DIR       # reuse an archive-qa store of the 2022 articles (read only)
    python -m bench.run_all --docs-only       # only regenerate docs/benchmarks.md from the results on disk

docs/benchmarks.md holds only figures read from the result files, each with the command that reproduces it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, RESULTS, child_env, log_signals, module_cmd

DOC = REPO / "docs" / "benchmarks.md"
ORDER = ["ingest", "retrieval", "quality", "answer_latency"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--store", type=Path, help="archive-qa store of the 2022 articles for the later benchmarks")
    parser.add_argument("--docs-only", action="store_true")
    parser.add_argument("--skip", action="append", default=[], choices=ORDER)
    args = parser.parse_args()
    log_signals()
    status: dict[str, Any] = {}
    if not args.docs_only:
        for name in ORDER:
            if name in args.skip:
                continue
            cmd = [*module_cmd(name), *(["--quick"] if args.quick else [])]
            if args.store and name != "ingest":
                cmd += ["--store", str(args.store)]
            print(f"\n=== {' '.join(cmd[1:])}", flush=True)
            started = time.perf_counter()
            code = subprocess.call(cmd, env=child_env(), cwd=REPO)
            status[name] = {"exit_code": code, "seconds": round(time.perf_counter() - started, 1)}
            print(f"=== {name}: exit {code} in {status[name]['seconds']} s", flush=True)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(render())
    print(f"\nwrote {DOC.relative_to(REPO)}")
    return 0 if all(s["exit_code"] == 0 for s in status.values()) else 1


# ------------------------------------------------------------------------------------------------ rendering
def _load(name: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for file in (f"{name}.json", f"{name}.quick.json"):
        path = RESULTS / file
        if path.exists():
            out.append((file, json.loads(path.read_text())))
    return out


def _f(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _ratio(a: Any, b: Any) -> str:
    return f"{a / b:.2f}×" if isinstance(a, int | float) and isinstance(b, int | float) and b else "–"


def _get(data: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return lines


def _head(file: str, data: dict[str, Any]) -> list[str]:
    kind = "quick run" if data.get("quick") else "full run"
    m = data.get("machine") or {}
    load = m.get("loadavg_at_start")
    return [
        f"**{kind}** — finished {data.get('finished', '?')}; `{_reproducible(data.get('command', '?'))}`; raw: "
        f"[`bench/results/{file}`](../bench/results/{file}); load average at start {load}; "
        + _speed(data.get("machine_speed"))
        + ("" if data.get("ok", True) else " — **some step failed; see the raw file**"),
        "",
    ]


def _reproducible(command: str) -> str:
    """A recorded command as it is typed now: runs recorded as `python bench/x.py` are `python -m bench.x`."""
    return re.sub(r"\bpython bench/(\w+)\.py\b", r"python -m bench.\1", command)


def _speed(speed: dict[str, Any] | None) -> str:
    """The machine's own speed measured right after the run (bench/common.py machine_speed), if it was."""
    if not speed:
        return "this machine: not recorded"
    if "error" in speed:
        return f"this machine: probe failed ({speed['error']})"
    prompt = speed.get("model_prompt_tokens_per_s")
    model = f"model prompt {_f(prompt, 0)} tokens/s" if prompt else "model not measured (no local LLM in this run)"
    share = speed.get("cpu_share")
    busy = f" (CPU share {share:.2f}: other work was running)" if isinstance(share, float) and share < 0.8 else ""
    return f"this machine: encoder {_f(speed.get('encoder_passages_per_s'), 0)} passages/s, {model}{busy}"


def _targets(targets: dict[str, Any]) -> list[str]:
    lines = []
    for name, t in (targets or {}).items():
        if not isinstance(t, dict) or t.get("met") is None:
            lines.append(f"- target {name}: not measured")
            continue
        value = t.get("value", t.get("value_ms"))
        margin = t.get("margin", t.get("margin_ms"))
        verdict = "**met**" if t["met"] else "**missed**"
        lines.append(f"- target {name}: {verdict} (measured {_f(value, 3)}, margin {_f(margin, 3)})")
    return lines


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
    results = _load("ingest")
    if not results:
        return [*out, "No run yet: `python -m bench.ingest`.", ""]
    for file, d in results:
        out += _head(file, d)
        if d.get("reconstructed"):
            out += [f"*Reconstructed figures:* {d['reconstructed']}", ""]
        aq, base, enc = (_get(d, "systems", k) or {} for k in ("archive-qa", "tutorial", "bare_encode"))
        ap, bp = aq.get("process") or {}, base.get("process") or {}
        pairs = [
            ("wall seconds (process)", ap.get("wall_seconds"), bp.get("wall_seconds")),
            ("pipeline seconds (no start-up)", aq.get("pipeline_seconds"), base.get("pipeline_seconds")),
            ("CPU seconds (user+sys)", ap.get("cpu_seconds"), bp.get("cpu_seconds")),
        ]
        rows = [
            ["articles", aq.get("articles"), base.get("articles"), ""],
            ["chunks", aq.get("chunks"), base.get("chunks"), ""],
            *[[label, x, y, _ratio(y, x)] for label, x, y in pairs],
            ["chunks/s (wall)", aq.get("chunks_per_second_wall"), base.get("chunks_per_second_wall"),
             _ratio(aq.get("chunks_per_second_wall"), base.get("chunks_per_second_wall"))],
            ["peak RSS MiB", ap.get("peak_rss_mib"), bp.get("peak_rss_mib"), ""],
            ["store on disk MiB", (aq.get("store_bytes") or 0) / 2**20, (base.get("store_bytes") or 0) / 2**20, ""],
        ]  # fmt: skip
        out += _table(["", "archive-qa", "LangChain tutorial", "ratio (tutorial / archive-qa; chunks/s inverse)"], rows)
        summary = d.get("summary") or {}
        overhead = summary.get("overhead_over_bare_encode")
        bare = (
            f"Bare encoding of archive-qa's own {_f(enc.get('chunks'))} chunks ({enc.get('embedder')}, "
            f"batches of {enc.get('batch')}): {_f(enc.get('encode_seconds'))} s; archive-qa's ingest pipeline "
            f"took {_f(aq.get('pipeline_seconds'))} s, an overhead of "
            f"{_f(100 * overhead if overhead is not None else None)}% "
            f"(same chunk set: {_f(summary.get('chunk_sets_match'))})."
            if enc.get("encode_seconds")
            else "Bare encoding was not run in this run (`--skip-encode`); see the quick run for the overhead."
        )
        out += [
            "",
            bare,
            "",
            *_targets(summary.get("targets")),
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
    results = _load("retrieval")
    if not results:
        return [*out, "No run yet: `python -m bench.retrieval --store DIR`.", ""]
    for file, d in results:
        out += _head(file, d)
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
                    _get(e, "total", "p50_ms"),
                    _get(e, "total", "p95_ms"),
                    _get(stages, "embed", "p50_ms"),
                    _get(stages, "dense", "p50_ms"),
                    keyword.get("p50_ms"),
                    _get(stages, "fuse", "p50_ms"),
                    _get(e, "process", "peak_rss_mib"),
                ]
            )
        out += _table(
            ["system, index", "chunks", "p50 ms", "p95 ms", "embed p50", "dense p50", "keyword p50", "fuse p50",
             "peak RSS MiB"],
            rows,
        )  # fmt: skip
        s = d.get("summary") or {}
        out += [
            "",
            f"Questions per measurement: {s.get('questions')} (after 5 warm-up queries). "
            f"p95 ratio, tutorial dense / archive-qa (2022): {_f(s.get('p95_ratio_dense_over_archive_qa_2022'), 2)}; "
            f"tutorial BM25+ensemble / archive-qa (2022): {_f(s.get('p95_ratio_ensemble_over_archive_qa_2022'), 2)}.",
        ]
        build = _get(d, "sizes", "synthetic", "build")
        if build:
            out.append(
                f"Synthetic index: {_f(build.get('chunks'))} chunks in {_f(build.get('articles'))} articles, built "
                f"in {_f(build.get('build_seconds'))} s (phases {build.get('phases')}), "
                f"{_f((build.get('store_bytes') or 0) / 2**30, 2)} GiB on disk"
                + ("" if build.get("built_in_this_run") else f", reused (built {build.get('built')})")
                + "."
            )
        out += ["", *_targets(s.get("targets")), *[f"- note: {n}" for n in d.get("notes") or []], ""]
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
        out += _head(file, d)
        out.append(
            f"Answerer: `{d.get('answerer')}`; question counts: {d.get('sizes')} (None = all); archive-qa store "
            f"`{_get(d, 'systems', 'archive-qa', 'store')}`, "
            f"tutorial store `{_get(d, 'systems', 'tutorial', 'store')}`."
        )
        out.append("")
        for part, title in (("answer_set", "answered questions"), ("retrieval_set", "retrieval-only questions")):
            a = _get(d, "systems", "archive-qa", part, "report", "groups") or {}
            b = _get(d, "systems", "tutorial", part, "report", "groups") or {}
            rows = []
            groups = [g for g in ("answerable", "no_gold", "unanswerable") if g in a or g in b]
            for group in groups + (["overall"] if len(groups) > 1 else []):
                for metric in QUALITY_METRICS:
                    x, y = _get(a, group, metric), _get(b, group, metric)
                    if x is None and y is None:
                        continue
                    diff = f"{x - y:+.3f}" if isinstance(x, int | float) and isinstance(y, int | float) else "–"
                    rows.append([f"{group}: {metric}", _f(x, 3), _f(y, 3), diff])
            if rows:
                n_a = _get(a, "overall", "questions")
                out += [f"**{title}** ({n_a} questions)", ""]
                out += [*_table(["group: metric", "archive-qa", "tutorial", "difference"], rows), ""]
        la = _get(d, "systems", "archive-qa", "answer_set", "llm") or {}
        lb = _get(d, "systems", "tutorial", "answer_set", "llm") or {}
        if la.get("generated") or lb.get("generated"):
            keys = ["generated", "prompt_tokens_mean", "first_token_p50_s", "end_to_end_first_token_p50_s",
                    "generate_p50_s"]  # fmt: skip
            rows = [[k, _f(la.get(k), 2), _f(lb.get(k), 2), _ratio(lb.get(k), la.get(k))] for k in keys]
            out += ["**LLM cost per answered question**", ""]
            out += [*_table(["", "archive-qa", "tutorial", "tutorial / archive-qa"], rows), ""]
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
    results = _load("answer_latency")
    if not results:
        return [*out, "No run yet: `python -m bench.answer_latency --store DIR`.", ""]
    for file, d in results:
        out += _head(file, d)
        aq, base = _get(d, "systems", "archive-qa") or {}, _get(d, "systems", "tutorial") or {}
        out += [f"archive-qa store `{aq.get('store')}`, tutorial store `{base.get('store')}`.", ""]
        rows = [["extractive answer (archive-qa only)", *_cells(_get(aq, "extractive", "total")), "–", "–", "–"]]
        for key, label in (("first_token", "LLM time to first token"), ("total", "LLM total")):
            x, y = _get(aq, "llm", key) or {}, _get(base, "llm", key) or {}
            rows.append([label, *_cells(x), _f(y.get("p50_s"), 2), _f(y.get("p95_s"), 2),
                         _ratio(y.get("p50_s"), x.get("p50_s"))])  # fmt: skip
        out += _table(
            ["", "n", "archive-qa p50 s", "archive-qa p95 s", "tutorial p50 s", "tutorial p95 s", "p50 ratio"], rows
        )
        out += [
            "",
            f"Mean prompt tokens: archive-qa {_f(_get(aq, 'llm', 'prompt_tokens_mean'))}, tutorial "
            f"{_f(_get(base, 'llm', 'prompt_tokens_mean'))}; archive-qa abstained without the LLM on "
            f"{_f(_get(aq, 'llm', 'abstained_without_llm'))} of the LLM questions (left out of its LLM figures).",
            *[f"- note: {n}" for n in d.get("notes") or []],
            "",
        ]
    return out


def _cells(stats: dict[str, Any] | None) -> list[str]:
    stats = stats or {}
    return [_f(stats.get("n")), _f(stats.get("p50_s"), 3), _f(stats.get("p95_s"), 3)]


def _recorded_machines() -> list[dict[str, Any]]:
    """The machines the result files say they ran on: this page may be regenerated on another one."""
    found = [json.loads(path.read_text()).get("machine") for path in sorted(RESULTS.glob("*.json"))]
    return [m for m in found if isinstance(m, dict)]


def render() -> str:
    machines = sorted({f"{m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('memory_gib')} GiB memory"
                       for m in _recorded_machines()})  # fmt: skip
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python -m bench.run_all` from the raw results in `bench/results/`; every figure below was "
        "read from a result file, and each section names the command that produced it. archive-qa and its baseline "
        "(the LangChain RAG tutorial pipeline, `bench/tutorial.py`) are measured in the same run, back to back, each "
        "in its own process; compare the ratios rather than absolute times, since other work shares the machine "
        "(see the load average of each run). Regenerate this page without re-running: "
        "`python -m bench.run_all --docs-only`.",
        "",
        f"Machine{'s' if len(machines) > 1 else ''} of these runs (as each result file records it): "
        f"{'; '.join(machines) or 'none recorded'}; no GPU. Each run's header adds that machine's own speed, "
        "measured right after it (`archive-qa doctor`'s probes); `archive-qa doctor` on your machine says how it "
        "compares.",
        "",
    ]
    from bench.render_more import render_runtimes, render_transfer

    parts = (render_ingest(), render_retrieval(), render_quality(), render_answer_latency())
    for part in (*parts, render_transfer(_head), render_runtimes(_head)):
        lines += part
    # Hand-written sections (the target summary; the app's browser and load figures), each naming its commands.
    for name in ("runtimes-install.md", "targets.md", "app.md"):
        extra = RESULTS / name
        if extra.exists():
            lines += ["", *extra.read_text().splitlines()]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.exit(main())
