"""docs/benchmarks.md sections for the two-year transfer check and the llama.cpp runtime comparison."""

from __future__ import annotations

import json
from typing import Any

from bench.common import RESULTS


def _load(name: str) -> tuple[str, dict[str, Any]] | None:
    path = RESULTS / f"{name}.json"
    return (path.name, json.loads(path.read_text())) if path.exists() else None


def render_transfer(head: Any) -> list[str]:
    """Retrieval tuned on one development year, scored on both (bench/transfer.py)."""
    found = _load("transfer")
    if found is None:
        return []
    file, data = found
    out = ["## Two development years: retrieval tuned on one, scored on both", "", *head(file, data)]
    out += ["| tuned on -> scored on | Hits@10 | MRR@10 |", "|---|---|---|"]
    out += [f"| {name} | {r['hits@10']:.3f} | {r['mrr@10']:.3f} |" for name, r in data.get("transfer", {}).items()]
    abstention = _load("transfer.recent_window_days0.abstention")
    out += ["", "Abstention rules calibrated on one year (≤ 5% false by retrieval alone), scored on both: "
            "[docs/quality.md](quality.md) (\"Abstention that transfers\")"
            + (f"; raw: [`bench/results/{abstention[0]}`](../bench/results/{abstention[0]})" if abstention else ""),
            ""]  # fmt: skip
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value < 1 else str(value)


def render_runtimes(head: Any) -> list[str]:
    """xllamacpp and llama-cpp-python on the same GGUF, questions and pipeline (bench/runtimes.py)."""
    found = _load("runtimes")
    if found is None:
        return []
    file, data = found
    out = ["## llama.cpp runtimes: xllamacpp (default) against llama-cpp-python 0.3.36", "", *head(file, data)]
    rows = data.get("rounds", [])
    keys = [
        ("load_s", "model load s"),
        ("questions", "questions"),
        ("accuracy", "accuracy"),
        ("abstained", "abstained"),
        ("first_token_p50_s", "first token p50 s"),
        ("first_token_p95_s", "first token p95 s"),
        ("chars_per_s_after_first_p50", "characters/s after the first token, p50"),
        ("peak_rss_mib", "peak RSS MiB"),
        ("wall_s", "wall s"),
    ]
    out += ["| | " + " | ".join(r["runtime"] for r in rows) + " |", "|---|" + "---|" * len(rows)]
    for key, label in keys:
        out.append(f"| {label} | " + " | ".join(_cell(r.get(key)) for r in rows) + " |")
    summary = data.get("summary") or {}
    if "identical_answers" in summary:
        out += [
            "",
            f"Identical answers: {summary['identical_answers']} of {summary['compared_answers']}. Same GGUF, context, "
            "2 threads, flash attention, greedy decoding and pipeline; each runtime in its own process. Kept: "
            "xllamacpp (the first token sooner at p50, the same accuracy within a question, nothing to compile).",
        ]
    return [*out, ""]
