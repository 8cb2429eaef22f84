"""Load: many chat sessions at once against one `archive-qa serve` process, on loopback only.

    python -m bench.load --answerer extractive            # 20 sessions x 5 questions
    python -m bench.load --answerer llm --quick           # 5 sessions x 2 questions
    python -m bench.load --answerer llm                   # 100 LLM answers: long on a 2-core CPU

The sample archive (examples/archive) is ingested into a temporary store, the app is started on a free loopback
port with the chosen answerer, one warm-up question is asked (the LLM loads on first use; not counted), then N
gradio_client sessions (threads, one Client each) ask Q questions each, in turn, from examples/questions.jsonl
(answerable ones, with their question dates) through the app's named `ask` endpoint.

Per request: success (an answer came back, no error), latency (submit to result), queue wait (submit until the
job's status first says PROCESSING; gradio_client's Job.status() reports the queue rank and ETA until then),
whether it abstained and whether it cited the gold article. Reported: count, failures (must be 0), latency and
queue wait p50/p95/max, answers per second, the highest queue rank seen, the app's startup time and peak RSS.
Written to bench/results/load-<answerer>.json (load-<answerer>.quick.json with --quick) and printed.

Bounded: at most --max-seconds for the asking (requests not finished by then are cancelled and counted as
failures), everything runs on 127.0.0.1, and the app and temporary store are removed at the end.

The cost of each reader's BM25 rebuild on a Chroma server is measured by bench/bm25_rebuild.py
(`--bm25-rebuild` here runs it with the same --store / --articles-2022 / --max-seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    SAMPLE_ARCHIVE,
    archive_qa_cmd,
    command_line,
    machine,
    run_measured,
    sample_questions,
    table,
    write_result,
)
from bench.load_sessions import connect, one_request, run_load
from bench.serving import App, peak_rss_mib

HEADER = [
    "answerer",
    "load",
    "requests",
    "failures",
    "latency p50 s",
    "p95 s",
    "queue wait p50 s",
    "p95 s",
    "answers/s",
    "max queue pos",
    "app peak RSS MiB",
]


@dataclass(frozen=True)
class Measured:
    """What one load run measured: the sample ingest, the app's start, the warm-up question, the sessions."""

    ingest: dict[str, Any]
    startup: float
    warm_seconds: float
    load_before: float
    result: dict[str, Any]
    peak_rss: float | None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answerer", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--sessions", type=int, help="concurrent sessions (default 20, 5 with --quick)")
    parser.add_argument("--questions", type=int, help="questions per session (default 5, 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="5 sessions x 2 questions")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="bound on the asking phase (default 1800)")
    parser.add_argument("--startup-timeout", type=float, default=300.0)
    parser.add_argument("--bm25-rebuild", action="store_true", help="time a reader's BM25 rebuild instead")
    parser.add_argument("--store", type=Path, help="with --bm25-rebuild: copy this store (default: the sample)")
    parser.add_argument("--articles-2022", action="store_true", help="with --bm25-rebuild: the 2022 articles")
    return parser


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    if args.bm25_rebuild:
        from bench.bm25_rebuild import bm25_rebuild

        return bm25_rebuild(args.store, args.max_seconds, args.articles_2022)
    sessions = args.sessions or (5 if args.quick else 20)
    per_session = args.questions or (2 if args.quick else 5)
    if sessions < 1 or per_session < 1:
        parser.error("--sessions and --questions must be at least 1")

    info = machine()
    measured = _measure(args, sessions, per_session)
    if measured is None:
        return 1
    result = measured.result
    summary = _summary(args, sessions, per_session, measured)
    ok = result["failures"] == 0 and result["count"] == result["planned"]
    data = {
        "command": command_line(),
        "ok": ok,
        "machine": info,
        "summary": summary,
        "ingest": measured.ingest,
        "errors": result["errors"],
        "queue_wait_observed": result["queue_wait_observed"],
        "rows": result["rows"],
    }
    write_result(f"load-{args.answerer}", args.quick, data, llm=args.answerer == "llm")
    _print(summary, f"{sessions}x{per_session}", result["errors"])
    return 0 if ok else 1


def _measure(args: argparse.Namespace, sessions: int, per_session: int) -> Measured | None:
    """Ingest the sample into a temporary store, start the app on it, ask the warm-up question, run the sessions;
    the app and the store are removed at the end. None when the ingest failed."""
    scratch = Path(tempfile.mkdtemp(prefix="aq-load-"))
    app: App | None = None
    try:
        store = scratch / "store"
        ingest = run_measured(
            [*archive_qa_cmd(), "ingest", str(SAMPLE_ARCHIVE), "--store", str(store), "--json"],
            "ingest sample",
            timeout=600,
        )
        if ingest["exit_code"] != 0:
            print(f"[bench] ingest failed: {ingest.get('stdout_tail', '')}", file=sys.stderr)
            return None
        app = App(store, args.answerer, scratch / "serve.log")
        startup = app.wait_ready(args.startup_timeout)
        print(f"[bench] app ready in {startup:.1f} s at {app.url}", file=sys.stderr, flush=True)
        warm_started = time.perf_counter()
        warm = one_request(connect(app.url), sample_questions()[0], time.perf_counter() + args.startup_timeout)
        warm_seconds = time.perf_counter() - warm_started
        if not warm["ok"]:
            print(f"[bench] warm-up question failed: {warm.get('error')}", file=sys.stderr)
        print(f"[bench] {sessions} sessions x {per_session} questions, {args.answerer}", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        result = run_load(app.url, sessions, per_session, args.max_seconds)
        peak_rss = peak_rss_mib(app.process.pid)
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return Measured(ingest, startup, warm_seconds, load_before, result, peak_rss)


def _summary(args: argparse.Namespace, sessions: int, per_session: int, measured: Measured) -> dict[str, Any]:
    result = measured.result
    return {
        "answerer": args.answerer,
        "sessions": sessions,
        "questions_per_session": per_session,
        "count": result["count"],
        "failures": result["failures"],
        "latency_s": result["latency_s"],
        "queue_wait_s": result["queue_wait_s"],
        "answers_per_second": result["answers_per_second"],
        "wall_seconds": result["wall_seconds"],
        "max_queue_position_seen": result["max_queue_position_seen"],
        "abstained": result["abstained"],
        "gold_cited": result["gold_cited"],
        "app_startup_s": round(measured.startup, 2),
        "warm_up_question_s": round(measured.warm_seconds, 2),
        "app_peak_rss_mib": measured.peak_rss,
        "loadavg_1min": [round(measured.load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _print(summary: dict[str, Any], load: str, errors: list[str]) -> None:
    lat, wait = summary["latency_s"], summary["queue_wait_s"]
    row = [
        summary["answerer"],
        load,
        summary["count"],
        summary["failures"],
        lat["p50"],
        lat["p95"],
        wait["p50"],
        wait["p95"],
        summary["answers_per_second"],
        summary["max_queue_position_seen"],
        summary["app_peak_rss_mib"],
    ]
    print(table([row], HEADER))
    if errors:
        print("errors: " + "; ".join(errors))


if __name__ == "__main__":
    sys.exit(main())
