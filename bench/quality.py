"""Answer quality: archive-qa's default pipeline vs the LangChain tutorial pipeline, on the same questions,
the same local LLM, the same prompt and the same scorer.

    python -m bench.quality --store DIR                          # 120 answerable and all 174 unanswerable
                                                                 # questions with the LLM (~70 min, most of it
                                                                 # the baseline); retrieval metrics on 732 + 174
    python -m bench.quality --quick --store DIR                  # 20 with the LLM, retrieval on 100 + 50
    python -m bench.quality --quick --store DIR --answerer extractive   # no LLM: a fast check
    python -m bench.quality --store DIR --news-window 60 --skip-baseline   # news-quiz mode, archive-qa only
    python -m bench.quality --store DIR --offset 120             # a second sample: answerable questions 121-240
                                                                 # (no unanswerable ones: the first run asks all)
    python -m bench.quality --store DIR --skip-baseline --questions 0 --unanswerable 174   # abstention alone

archive-qa: evaluation.runner's Evaluator (retrieval top 30 -> 10 distinct articles for hits@k/MRR; ArchiveQA.ask for
the answer, with its abstention, citation checks and as-of filtering) + summarize.
tutorial: top-10 dense chunks (Chroma similarity_search on the store bench/ingest.py built; no date filter, as in
the tutorial) -> 10 distinct articles for the same retrieval metrics; the top 4 chunks, whole (1,000 characters),
neutralized like archive-qa's, go into qa.prompt.answer_messages (same system prompt, same two worked examples)
and the same generator (qa.answerers.get_generator("llm")); `--answerer extractive` uses the same
ExtractiveAnswerer on those 4 chunks instead. Its answer is scored by contains_answer and its [n] markers parsed
with qa.citations (check_markers, cited_numbers); the tutorial never abstains except by the model's refusal text.
Rows are evaluation.rows.Row; both systems run in their own child processes, one after the other.
Prompt tokens are counted with the model's own chat template and tokenizer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    YEARS,
    kept_store,
    log_signals,
    machine,
    module_cmd,
    rqa,
    run_measured,
    store_settings,
    tutorial_store_or_subset,
    write_result,
)
from evaluation.summary import percentile

# All 174 unanswerable questions: their first 30 by id (January 2023, with closer namesake stories in the archive)
# are the hardest to decline, so that sample understated right abstention (0.633 against 0.810 on all, 2026-11-30).
FULL = {"llm": 120, "llm_unanswerable": None, "retrieval": None, "unanswerable": None}  # None = all
QUICK = {"llm": 20, "llm_unanswerable": 10, "retrieval": 100, "unanswerable": 50}
BASELINE_PUBLISHED = {"accuracy": 0.55, "ttft_p50_seconds": 5.8, "prompt_tokens": 1165}


# ---------------------------------------------------------------------------------------------- shared helpers
class Recording:
    """Wraps a Generator: times the first delta and the whole stream, and keeps llama.cpp's own count of the
    prompt's tokens (its chat template and tokenizer; cached prefix tokens included)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.last = inner, inner.name, None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        record: dict[str, Any] = {"prompt_tokens": None}
        self.last = record
        started = time.perf_counter()
        deltas = 0
        stream = self.inner.stream(messages, max_tokens)
        while True:
            try:
                delta = next(stream)
            except StopIteration as end:  # llama.cpp's stream returns its counts
                counted = end.value
                break
            if not deltas:
                record["first_token"] = time.perf_counter() - started
            deltas += 1
            yield delta
        record["generate"] = time.perf_counter() - started
        record["deltas"] = deltas
        if counted is not None:
            record["prompt_tokens"] = counted.prompt_tokens + counted.cached_prompt_tokens


def _load(sizes: dict[str, int | None], year: str = "2022") -> dict[str, list[Any]]:
    """The question sets: N answerable by id after the first `offset` (0) and the first M unanswerable (answerer),
    first N of all and of the unanswerable (retrieval only)."""
    from evaluation.questions import load_questions

    everything = load_questions([rqa(year) / "questions.jsonl"])
    answerable = [q for q in everything if q.group == "answerable"]
    unanswerable = load_questions([rqa(year) / "unanswerable.jsonl"])
    unanswerable.sort(key=lambda q: q.id)

    def first(rows: list[Any], key: str, skip: int = 0) -> list[Any]:
        return rows[skip : skip + sizes[key]] if sizes[key] is not None else rows[skip:]

    answer_set = first(sorted(answerable, key=lambda q: q.id), "llm", sizes.get("offset") or 0)
    return {
        "llm": [*answer_set, *first(unanswerable, "llm_unanswerable")],
        "retrieval": [*first(everything, "retrieval"), *first(unanswerable, "unanswerable")],
    }


def _extra(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """LLM latency and prompt size over answered (not abstained-before-generation) rows."""
    generated = [r for r in rows if r.get("llm")]
    ttft = [r["llm"]["first_token"] for r in generated if "first_token" in r["llm"]]
    e2e = [r["llm"]["end_to_end_first_token"] for r in generated if "end_to_end_first_token" in r["llm"]]
    tokens = [r["llm"]["prompt_tokens"] for r in generated if r["llm"].get("prompt_tokens")]
    total = [r["llm"]["generate"] for r in generated if "generate" in r["llm"]]
    return {
        "generated": len(generated),
        "first_token_p50_s": round(percentile(ttft, 0.5), 2) if ttft else None,
        "first_token_p95_s": round(percentile(ttft, 0.95), 2) if ttft else None,
        "end_to_end_first_token_p50_s": round(percentile(e2e, 0.5), 2) if e2e else None,
        "generate_p50_s": round(percentile(total, 0.5), 2) if total else None,
        "prompt_tokens_p50": percentile(tokens, 0.5) if tokens else None,
        "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else None,
    }


# ---------------------------------------------------------------------------------------------------- children
def child_archive_qa(store: Path, answerer: str, sets: dict[str, list[Any]], out: Path) -> dict[str, Any]:
    from evaluation.runner import Evaluator
    from evaluation.summary import summarize
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    evaluator = Evaluator(qa)
    recorder = None
    if answerer in ("llm", "openai"):  # the bench questions have no history: only answers go through the model
        recorder = Recording(qa.generator(answerer))
        qa.use_generator(answerer, recorder)
    llm_rows = []
    for question in sets["llm"]:
        if recorder:
            recorder.last = None
        row = evaluator.score(question, answerer)
        if recorder and recorder.last:
            record = dict(recorder.last)
            retrieve = row["timings"].get("retrieve", 0.0) + row["timings"].get("rewrite", 0.0)
            if "first_token" in record:
                record["end_to_end_first_token"] = retrieve + record["first_token"]
            row["llm"] = record
        llm_rows.append(row)
        _progress("archive-qa", len(llm_rows), len(sets["llm"]))
    retrieval_rows = [evaluator.score(q, "none") for q in sets["retrieval"]]
    _write_rows(out, llm_rows, retrieval_rows)
    return {
        "answer_set": {"report": summarize(llm_rows), "llm": _extra(llm_rows)},
        "retrieval_set": {"report": summarize(retrieval_rows)},
    }


class _Tutorial:
    """The tutorial pipeline as the baseline of this benchmark: top-10 dense chunks, the top 4 to the answerer."""

    def __init__(self, persist: Path, answerer: str) -> None:
        from archive_qa.settings import Settings
        from bench import tutorial
        from qa.answerers import get_generator
        from qa.extractive import ExtractiveAnswerer
        from storage.factory import get_embedder

        settings = Settings()
        self.store = tutorial.open_store(persist, tutorial.embeddings())
        self.generator = Recording(get_generator(answerer, settings)) if answerer in ("llm", "openai") else None
        self.extractive = ExtractiveAnswerer(get_embedder(settings)) if not self.generator else None

    def retrieve(self, question: Any) -> tuple[list[Any], Any]:
        """The top-10 chunks as Passages and the question's row, scored like archive-qa's on distinct articles."""
        from evaluation.rows import retrieval_row
        from evaluation.scoring import gold_rank
        from qa.types import Passage

        clock = time.perf_counter()
        docs = self.store.similarity_search(question.text, k=10)
        seconds = time.perf_counter() - clock
        passages = [
            Passage(
                chunk_id=f"{d.metadata.get('doc_id')}#{i}",
                article_id=str(d.metadata.get("doc_id")),
                text=d.page_content,
                title=str(d.metadata.get("title", "")),
                source=d.metadata.get("source") or None,
                published=str(d.metadata.get("publish_date", "")).replace("/", "-") or None,
            )
            for i, d in enumerate(docs)
        ]
        articles = list(dict.fromkeys(p.article_id for p in passages))[:10]
        rank = gold_rank([{a} for a in articles], question.gold_ids)
        return passages, retrieval_row(question, rank, articles, {"retrieval": seconds})

    def answer(self, question: Any) -> Any:
        """The question's row with the answer over the top 4 chunks, its [n] markers checked like archive-qa's."""
        from evaluation.rows import with_answer
        from evaluation.scoring import supports
        from qa.citations import check_markers, cited_numbers
        from qa.pipeline import is_refusal

        passages, row = self.retrieve(question)
        given = passages[:4]
        clock = time.perf_counter()
        text = self._generate(question, given, row)
        generate = time.perf_counter() - clock
        cleaned, removed = check_markers(text, len(given))
        abstained = is_refusal(cleaned)
        cited = [
            {
                "n": n,
                "article": given[n - 1].article_id,
                "supported": supports(
                    given[n - 1].article_id in question.gold_ids, given[n - 1].text, question.answers
                ),
            }
            for n in cited_numbers(cleaned)
        ]
        with_answer(row, question, cleaned, abstained, passages=[p.text for p in given],
                    citations=[] if abstained else cited, removed_citations=removed)  # fmt: skip
        row["timings"]["generate"] = generate
        return row

    def _generate(self, question: Any, given: list[Any], row: Any) -> str:
        from dataclasses import replace

        from qa.citations import neutralize
        from qa.prompt import answer_messages

        if not self.generator:
            assert self.extractive is not None
            *_, text = self.extractive.stream(question.text, given, question.as_of)
            return str(text)
        text = ""
        safe = [replace(p, text=neutralize(p.text), title=neutralize(p.title)) for p in given]
        for delta in self.generator.stream(answer_messages(question.text, safe, question.as_of), 200):
            text += delta
        record = dict(self.generator.last or {})
        if "first_token" in record:
            record["end_to_end_first_token"] = row["timings"]["retrieval"] + record["first_token"]
        row["llm"] = record
        return text


def child_tutorial(persist: Path, answerer: str, sets: dict[str, list[Any]], out: Path) -> dict[str, Any]:
    from evaluation.summary import summarize

    tutorial = _Tutorial(persist, answerer)
    llm_rows = []
    for question in sets["llm"]:
        llm_rows.append(tutorial.answer(question))
        _progress("tutorial", len(llm_rows), len(sets["llm"]))
    retrieval_rows = []
    for question in sets["retrieval"]:
        _, row = tutorial.retrieve(question)
        row["abstained"] = False  # the tutorial pipeline has no abstention step
        retrieval_rows.append(row)
    _write_rows(out, llm_rows, retrieval_rows)
    return {
        "answer_set": {"report": summarize(llm_rows), "llm": _extra(llm_rows)},
        "retrieval_set": {"report": summarize(retrieval_rows)},
    }


def _progress(name: str, done: int, total: int) -> None:
    if done == total or done % 10 == 0:
        print(f"[quality] {name}: {done}/{total} answered", file=sys.stderr, flush=True)


def _write_rows(out: Path, llm_rows: list[Any], retrieval_rows: list[Any]) -> None:
    from evaluation.rows import public_row

    with out.open("w") as handle:
        for kind, rows in (("answer_set", llm_rows), ("retrieval_set", retrieval_rows)):
            for row in rows:
                handle.write(json.dumps({"set": kind, **public_row(row)}) + "\n")


# ---------------------------------------------------------------------------------------------------- driver
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 LLM questions; retrieval on 100 + 50 unanswerable")
    parser.add_argument("--store", type=Path, help="archive-qa store of the year's articles (read only)")
    parser.add_argument("--year", default="2022", choices=YEARS, help="development year of the questions")
    parser.add_argument("--baseline-store", type=Path, help="tutorial store (default: the one bench/ingest.py kept)")
    parser.add_argument("--answerer", default="llm", choices=["llm", "extractive", "openai"])
    parser.add_argument("--questions", type=int, help="answerable questions given to the answerer")
    parser.add_argument(
        "--unanswerable", type=int, help="unanswerable questions for the answerer (default: all; none with --offset)"
    )
    parser.add_argument(
        "--offset", type=int, default=0, help="skip the first N answerable questions by id (a second sample)"
    )
    parser.add_argument(
        "--news-window", type=int, default=0, help="archive-qa's ARCHIVE_QA_NEWS_WINDOW_DAYS (dated news questions)"
    )
    parser.add_argument(
        "--skip-baseline", action="store_true", help="archive-qa only (e.g. a settings variant; no side-by-side)"
    )
    parser.add_argument("--child", choices=["aq", "tutorial"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    log_signals()
    sizes = {**(QUICK if args.quick else FULL)}
    if args.questions is not None:
        sizes["llm"] = args.questions
    if args.unanswerable is not None:
        sizes["llm_unanswerable"] = args.unanswerable
    elif args.offset:  # a second sample of answerable questions; the first run already asked every unanswerable one
        sizes["llm_unanswerable"] = 0
    sizes["offset"] = args.offset

    if args.child:
        sets = _load(sizes, args.year)
        run = child_archive_qa if args.child == "aq" else child_tutorial
        print(json.dumps(run(args.dir, args.answerer, sets, args.out)))
        return 0

    store = args.store or kept_store("archive-qa")
    if store is None:
        parser.error("no archive-qa store of the 2022 articles: pass --store DIR (or run python -m bench.ingest first)")
    notes: list[str] = []
    suffix = ".quick" if args.quick else ""
    tag = "" if args.year == "2022" else f".{args.year}"
    tag += "" if args.answerer == "llm" else f".{args.answerer}"
    if args.news_window:  # a variant: never overwrites the default run's results
        tag += f".window{args.news_window}"
    if args.offset:
        tag += f".from{args.offset}"
    if args.questions is not None or args.unanswerable is not None:  # another sample: a file of its own
        tag += ".q{}u{}".format(*("all" if n is None else n for n in (sizes["llm"], sizes["llm_unanswerable"])))
    me = [*module_cmd("quality"), "--answerer", args.answerer, "--year", args.year]
    if args.quick:
        me.append("--quick")
    if args.questions is not None:
        me += ["--questions", str(args.questions)]
    if args.unanswerable is not None:
        me += ["--unanswerable", str(args.unanswerable)]
    if args.offset:
        me += ["--offset", str(args.offset)]
    if args.news_window:
        os.environ["ARCHIVE_QA_NEWS_WINDOW_DAYS"] = str(args.news_window)  # read by archive-qa's Settings only
    # Settings given in the environment change archive-qa's figures: the result file names them (not the cache path).
    notes += [
        f"archive-qa ran with {key}={value}"
        for key, value in sorted(os.environ.items())
        if key.startswith("ARCHIVE_QA_") and key != "ARCHIVE_QA_MODEL_CACHE"
    ]
    info = machine()
    systems: dict[str, Any] = {}
    runs: list[tuple[str, str, Path]] = [("archive-qa", "aq", store)]
    if args.skip_baseline:
        notes.append("baseline skipped (--skip-baseline): archive-qa figures only")
    else:
        runs.append(("tutorial", "tutorial", tutorial_store_or_subset(args.baseline_store, notes)))
    for name, kind, where in runs:
        rows_path = RESULTS / f"quality{tag}.{name}.rows{suffix}.jsonl"
        RESULTS.mkdir(parents=True, exist_ok=True)
        result = run_measured([*me, "--child", kind, "--dir", where, "--out", rows_path], f"quality {name}")
        systems[name] = {**(result["json"] or {}), "process": result, "rows": str(rows_path.name)}
        systems[name]["store"] = str(where)

    baseline = systems.get("tutorial", {})
    diff = {
        part: _diff((systems["archive-qa"].get(part) or {}).get("report"), (baseline.get(part) or {}).get("report"))
        for part in ("answer_set", "retrieval_set")
    }
    diff["answer_set_llm"] = _diff_flat(
        (systems["archive-qa"].get("answer_set") or {}).get("llm"), (baseline.get("answer_set") or {}).get("llm")
    )
    ok = all(s["process"]["exit_code"] == 0 for s in systems.values())
    data = {
        "ok": ok,
        "machine": info,
        "answerer": args.answerer,
        "year": args.year,
        "sizes": sizes,
        "news_window_days": args.news_window,
        "baseline_published": BASELINE_PUBLISHED,
        "systems": systems,
        "difference_archive_qa_minus_tutorial": diff,
        "notes": notes,
    }
    write_result(f"quality{tag}", args.quick, data, llm=args.answerer == "llm")
    _print(systems, diff)
    for note in notes:
        print(f"note: {note}")
    return 0 if ok else 1


def _diff(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    if not a or not b:
        return {}
    out: dict[str, Any] = {}
    for group in a["groups"]:
        if group in b["groups"]:
            out[group] = _diff_flat(a["groups"][group], b["groups"][group])
    return out


def _diff_flat(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    if not a or not b:
        return {}
    return {
        k: round(a[k] - b[k], 4)
        for k in a
        if k in b and isinstance(a[k], int | float) and isinstance(b[k], int | float) and k != "questions"
    }


def _print(systems: dict[str, Any], diff: dict[str, Any]) -> None:
    from evaluation.report import format_report

    for part, title in (("answer_set", "answer set"), ("retrieval_set", "retrieval set")):
        for name in systems:
            report = (systems[name].get(part) or {}).get("report")
            if report:
                print(f"\n== {title}: {name} ==")
                print(format_report(report))
        if diff.get(part):
            print(f"\n== {title}: archive-qa minus tutorial ==")
            for group, metrics in diff[part].items():
                print(f"{group:14}" + "  ".join(f"{k} {v:+.3f}" for k, v in metrics.items()))
    for name in systems:
        llm = (systems[name].get("answer_set") or {}).get("llm")
        if llm and llm.get("generated"):
            print(f"\n{name} LLM: {llm}")


if __name__ == "__main__":
    sys.exit(main())
