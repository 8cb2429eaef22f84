"""Answer latency as a user feels it: extractive answers, and the LLM's time to first token and to the end.

    python -m bench.answer_latency --store DIR            # extractive over 50 questions, LLM over 10
    python -m bench.answer_latency --quick --store DIR    # extractive over 20, LLM over 3

archive-qa: `ArchiveQA.stream(question, filters=Filters(as_of=question date), answerer=...)`; time to first token =
from the call to the first yielded text (standalone question + retrieval + prompt + first token), total = to the
final Answer (citations resolved). A question archive-qa abstains on yields its refusal at once without the LLM:
those are counted apart, not mixed into the LLM figures. Questions: the first answerable ones by id.
tutorial (LLM only): Chroma similarity_search top 4 on the tutorial store, the 4 whole chunks into the same
qa.prompt.answer_messages and the same generator; first token and total timed the same way.
One warm-up question per system first (the model loads then). Each system in its own child process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    QUESTIONS,
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

FULL = {"extractive": 50, "llm": 10}
QUICK = {"extractive": 20, "llm": 3}
WARMUP_EXTRACTIVE = 3


def _questions(n: int) -> list[Any]:
    from evaluation.questions import load_questions

    return [q for q in load_questions([QUESTIONS]) if q.group == "answerable"][:n]


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_s": round(percentile(values, 0.5), 3),
        "p95_s": round(percentile(values, 0.95), 3),
        "mean_s": round(sum(values) / len(values), 3),
    }


def child_archive_qa(store: Path, n_extractive: int, n_llm: int, llm: bool) -> dict[str, Any]:
    from bench.quality import Recording
    from qa.answer import Delta
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    out: dict[str, Any] = {}
    questions = _questions(max(n_extractive, n_llm) + WARMUP_EXTRACTIVE + 1)
    for q in questions[-WARMUP_EXTRACTIVE:]:
        qa.ask(q.text, filters=Filters(as_of=q.as_of), answerer="extractive")
    totals, abstained = [], 0
    for q in questions[:n_extractive]:
        clock = time.perf_counter()
        answer = qa.ask(q.text, filters=Filters(as_of=q.as_of), answerer="extractive")
        totals.append(time.perf_counter() - clock)
        abstained += answer.abstained
    out["extractive"] = {"total": _stats(totals), "abstained": abstained}
    if not llm:
        return out
    recorder = Recording(qa.generator("llm"))  # the questions have no history: only answers go through the model
    qa.use_generator("llm", recorder)
    warm = questions[-WARMUP_EXTRACTIVE - 1]
    clock = time.perf_counter()
    qa.ask(warm.text, filters=Filters(as_of=warm.as_of), answerer="llm")
    out["llm_warmup_seconds"] = round(time.perf_counter() - clock, 2)
    first: list[float] = []
    total: list[float] = []
    tokens: list[int] = []
    skipped = 0
    for q in questions[:n_llm]:
        recorder.last = None
        clock = time.perf_counter()
        first_at = None
        for item in qa.stream(q.text, filters=Filters(as_of=q.as_of), answerer="llm"):
            if first_at is None and isinstance(item, Delta) and item.text:
                first_at = time.perf_counter() - clock
        done = time.perf_counter() - clock
        if recorder.last is None:  # abstained before generation: no LLM involved
            skipped += 1
            continue
        first.append(first_at or done)
        total.append(done)
        if recorder.last.get("prompt_tokens"):
            tokens.append(recorder.last["prompt_tokens"])
    out["llm"] = {
        "first_token": _stats(first),
        "total": _stats(total),
        "abstained_without_llm": skipped,
        "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else None,
    }
    return out


def child_tutorial(persist: Path, n_llm: int) -> dict[str, Any]:
    from dataclasses import replace

    from archive_qa.settings import Settings
    from bench import tutorial
    from bench.quality import Recording
    from qa.answerers import get_generator
    from qa.citations import neutralize
    from qa.prompt import answer_messages
    from qa.types import Passage

    store = tutorial.open_store(persist, tutorial.embeddings())
    generator = Recording(get_generator("llm", Settings()))
    questions = _questions(n_llm + WARMUP_EXTRACTIVE + 1)

    def answer(q: Any) -> tuple[float, float]:
        clock = time.perf_counter()
        docs = store.similarity_search(q.text, k=4)
        passages = [
            Passage(
                f"{d.metadata.get('doc_id')}#{i}",
                str(d.metadata.get("doc_id")),
                neutralize(d.page_content),
                neutralize(str(d.metadata.get("title", ""))),
                source=d.metadata.get("source") or None,
                published=str(d.metadata.get("publish_date", "")).replace("/", "-") or None,
            )
            for i, d in enumerate(docs)
        ]
        first_at = None
        for delta in generator.stream(answer_messages(q.text, [replace(p) for p in passages], q.as_of), 200):
            if first_at is None and delta:
                first_at = time.perf_counter() - clock
        done = time.perf_counter() - clock
        return first_at or done, done

    warm = questions[-WARMUP_EXTRACTIVE - 1]
    clock = time.perf_counter()
    answer(warm)
    warmup = time.perf_counter() - clock
    first: list[float] = []
    total: list[float] = []
    tokens: list[int] = []
    for q in questions[:n_llm]:
        f, t = answer(q)
        first.append(f)
        total.append(t)
        if generator.last and generator.last.get("prompt_tokens"):
            tokens.append(generator.last["prompt_tokens"])
    return {
        "llm_warmup_seconds": round(warmup, 2),
        "llm": {
            "first_token": _stats(first),
            "total": _stats(total),
            "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else None,
        },
    }


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    log_signals()
    sizes = QUICK if args.quick else FULL

    if args.child == "aq":
        print(json.dumps(child_archive_qa(args.dir, sizes["extractive"], sizes["llm"], not args.no_llm)))
        return 0
    if args.child == "tutorial":
        print(json.dumps(child_tutorial(args.dir, sizes["llm"])))
        return 0

    store = args.store or kept_store("archive-qa")
    if store is None:
        parser.error("no archive-qa store of the 2022 articles: pass --store DIR (or run python -m bench.ingest first)")
    notes: list[str] = []
    info = machine()
    systems = _run_systems(args, store, notes)
    summary = _summary(systems, sizes)
    ok = all(s["process"]["exit_code"] == 0 for s in systems.values())
    write_result(
        "answer_latency",
        args.quick,
        {"ok": ok, "machine": info, "summary": summary, "systems": systems, "notes": notes},
        llm=not args.no_llm,
    )
    _print_report(systems, summary, notes)
    return 0 if ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="extractive over 20 questions, LLM over 3")
    parser.add_argument("--store", type=Path, help="archive-qa store of the 2022 articles (read only)")
    parser.add_argument("--baseline-store", type=Path, help="tutorial store (default: the one bench/ingest.py kept)")
    parser.add_argument("--no-llm", action="store_true", help="extractive only")
    parser.add_argument("--child", choices=["aq", "tutorial"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    return parser


def _run_systems(args: argparse.Namespace, store: Path, notes: list[str]) -> dict[str, Any]:
    """Each system's figures from its own child process (the tutorial only with the LLM)."""
    me = [*module_cmd("answer_latency"), *(["--quick"] if args.quick else [])]
    systems: dict[str, Any] = {}
    aq = run_measured([*me, *(["--no-llm"] if args.no_llm else []), "--child", "aq", "--dir", str(store)], "archive-qa")
    systems["archive-qa"] = {**(aq["json"] or {}), "process": aq, "store": str(store)}
    if not args.no_llm:
        base_store = tutorial_store_or_subset(args.baseline_store, notes)
        base = run_measured([*me, "--child", "tutorial", "--dir", str(base_store)], "tutorial")
        systems["tutorial"] = {**(base["json"] or {}), "process": base, "store": str(base_store)}
    return systems


def _llm_p50(systems: dict[str, Any], name: str, key: str) -> float | None:
    return ((systems.get(name) or {}).get("llm") or {}).get(key, {}).get("p50_s")


def _summary(systems: dict[str, Any], sizes: dict[str, int]) -> dict[str, Any]:
    extractive = (systems["archive-qa"].get("extractive") or {}).get("total", {})
    return {
        "sizes": sizes,
        "extractive_p50_s": extractive.get("p50_s"),
        "extractive_p95_s": extractive.get("p95_s"),
        "first_token_p50_s": {name: _llm_p50(systems, name, "first_token") for name in systems},
        "total_p50_s": {name: _llm_p50(systems, name, "total") for name in systems},
        "first_token_ratio_tutorial_over_archive_qa": ratio(
            _llm_p50(systems, "tutorial", "first_token"), _llm_p50(systems, "archive-qa", "first_token")
        ),
        "total_ratio_tutorial_over_archive_qa": ratio(
            _llm_p50(systems, "tutorial", "total"), _llm_p50(systems, "archive-qa", "total")
        ),
    }


def _print_report(systems: dict[str, Any], summary: dict[str, Any], notes: list[str]) -> None:
    rows = [["archive-qa extractive", *_cells((systems["archive-qa"].get("extractive") or {}).get("total"))]]
    for name in systems:
        block = systems[name].get("llm") or {}
        rows.append([f"{name} LLM first token", *_cells(block.get("first_token"))])
        rows.append([f"{name} LLM total", *_cells(block.get("total"))])
    print(table(rows, ["measure", "n", "p50 s", "p95 s"]))
    print(f"\nratio tutorial / archive-qa: first token {summary['first_token_ratio_tutorial_over_archive_qa']}x, "
          f"total {summary['total_ratio_tutorial_over_archive_qa']}x")  # fmt: skip
    for name in systems:
        block = systems[name].get("llm") or {}
        if block:
            print(f"{name}: mean prompt tokens {block.get('prompt_tokens_mean')}, "
                  f"abstained without LLM {block.get('abstained_without_llm', 0)}")  # fmt: skip
    for note in notes:
        print(f"note: {note}")


def _cells(stats: dict[str, Any] | None) -> list[Any]:
    stats = stats or {}
    return [stats.get("n"), stats.get("p50_s"), stats.get("p95_s")]


if __name__ == "__main__":
    sys.exit(main())
