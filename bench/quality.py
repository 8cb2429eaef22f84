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
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    YEARS,
    kept_store,
    log_signals,
    machine,
    module_cmd,
    run_measured,
    tutorial_store_or_subset,
    write_result,
)
from bench.recording import Recording
from qa.registry import answerer_names

__all__ = ["Recording", "main"]  # Recording: the LLM timing wrapper, also used by bench/answer_latency.py

# All 174 unanswerable questions: their first 30 by id (January 2023, with closer namesake stories in the archive)
# are the hardest to decline, so that sample understated right abstention (0.633 against 0.810 on all, 2026-11-30).
FULL = {"llm": 120, "llm_unanswerable": None, "retrieval": None, "unanswerable": None}  # None = all
QUICK = {"llm": 20, "llm_unanswerable": 10, "retrieval": 100, "unanswerable": 50}
BASELINE_PUBLISHED = {"accuracy": 0.55, "ttft_p50_seconds": 5.8, "prompt_tokens": 1165}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 LLM questions; retrieval on 100 + 50 unanswerable")
    parser.add_argument("--store", type=Path, help="archive-qa store of the year's articles (read only)")
    parser.add_argument("--year", default="2022", choices=YEARS, help="development year of the questions")
    parser.add_argument("--baseline-store", type=Path, help="tutorial store (default: the one bench/ingest.py kept)")
    parser.add_argument("--answerer", default="llm", choices=answerer_names())
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
    return parser


def _sizes(args: argparse.Namespace) -> dict[str, Any]:
    """How many questions of each set: the full or quick sizes, as the options change them."""
    sizes = {**(QUICK if args.quick else FULL)}
    if args.questions is not None:
        sizes["llm"] = args.questions
    if args.unanswerable is not None:
        sizes["llm_unanswerable"] = args.unanswerable
    elif args.offset:  # a second sample of answerable questions; the first run already asked every unanswerable one
        sizes["llm_unanswerable"] = 0
    sizes["offset"] = args.offset
    return sizes


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    log_signals()
    sizes = _sizes(args)

    if args.child:
        from bench.quality_systems import child_archive_qa, child_tutorial, load_sets

        sets = load_sets(sizes, args.year)
        run = child_archive_qa if args.child == "aq" else child_tutorial
        print(json.dumps(run(args.dir, args.answerer, sets, args.out)))
        return 0

    store = args.store or kept_store("archive-qa")
    if store is None:
        parser.error("no archive-qa store of the 2022 articles: pass --store DIR (or run python -m bench.ingest first)")
    notes: list[str] = []
    tag = _tag(args, sizes)
    me = _child_cmd(args)
    if args.news_window:
        os.environ["ARCHIVE_QA_NEWS_WINDOW_DAYS"] = str(args.news_window)  # read by archive-qa's Settings only
    # Settings given in the environment change archive-qa's figures: the result file names them (not the cache path).
    notes += [
        f"archive-qa ran with {key}={value}"
        for key, value in sorted(os.environ.items())
        if key.startswith("ARCHIVE_QA_") and key != "ARCHIVE_QA_MODEL_CACHE"
    ]
    info = machine()
    systems = _run_systems(args, me, store, tag, notes)
    diff = _differences(systems)
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


def _tag(args: argparse.Namespace, sizes: dict[str, Any]) -> str:
    """The result file's name after `quality`: the year, answerer and sample when they are not the defaults."""
    tag = "" if args.year == "2022" else f".{args.year}"
    tag += "" if args.answerer == "llm" else f".{args.answerer}"
    if args.news_window:  # a variant: never overwrites the default run's results
        tag += f".window{args.news_window}"
    if args.offset:
        tag += f".from{args.offset}"
    if args.questions is not None or args.unanswerable is not None:  # another sample: a file of its own
        tag += ".q{}u{}".format(*("all" if n is None else n for n in (sizes["llm"], sizes["llm_unanswerable"])))
    return tag


def _child_cmd(args: argparse.Namespace) -> list[str]:
    """This benchmark as each child runs it: the same answerer, year and question counts."""
    me = [*module_cmd("quality"), "--answerer", args.answerer, "--year", args.year]
    if args.quick:
        me.append("--quick")
    if args.questions is not None:
        me += ["--questions", str(args.questions)]
    if args.unanswerable is not None:
        me += ["--unanswerable", str(args.unanswerable)]
    if args.offset:
        me += ["--offset", str(args.offset)]
    return me


def _run_systems(args: argparse.Namespace, me: list[str], store: Path, tag: str, notes: list[str]) -> dict[str, Any]:
    """archive-qa, then the tutorial (unless skipped), each in its child; their reports and where their rows are."""
    suffix = ".quick" if args.quick else ""
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
    return systems


def _differences(systems: dict[str, Any]) -> dict[str, Any]:
    """archive-qa minus the tutorial, per set and group, and for the LLM figures."""
    baseline = systems.get("tutorial", {})
    diff = {
        part: _diff((systems["archive-qa"].get(part) or {}).get("report"), (baseline.get(part) or {}).get("report"))
        for part in ("answer_set", "retrieval_set")
    }
    diff["answer_set_llm"] = _diff_flat(
        (systems["archive-qa"].get("answer_set") or {}).get("llm"), (baseline.get("answer_set") or {}).get("llm")
    )
    return diff


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
    from evaluation.summary import Summary

    for part, title in (("answer_set", "answer set"), ("retrieval_set", "retrieval set")):
        for name in systems:
            report = (systems[name].get(part) or {}).get("report")
            if report:
                print(f"\n== {title}: {name} ==")
                print(format_report(Summary.from_json(report)))
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
