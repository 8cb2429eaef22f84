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
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    SAMPLE_ARCHIVE,
    archive_qa_cmd,
    child_env,
    command_line,
    free_port,
    machine,
    page_answers,
    run_measured,
    sample_questions,
    table,
    write_result,
)
from evaluation.summary import percentile

POLL_SECONDS = 0.02
# Settings that would point the app elsewhere than a private loopback app on a temporary store.
_DROP_ENV = ("ARCHIVE_QA_CHROMA_URL", "ARCHIVE_QA_HOST", "ARCHIVE_QA_PORT", "ARCHIVE_QA_AUTH", "ARCHIVE_QA_STORE")


def _peak_rss_mib(pid: int) -> float | None:
    """The kernel's high-water mark of the process's resident memory (VmHWM), read before it is stopped."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class App:
    """`archive-qa serve` on a free loopback port, in its own process group."""

    def __init__(self, store: Path, answerer: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in child_env().items() if k not in _DROP_ENV}
        cmd = [*archive_qa_cmd(), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(self.port)]
        self.log = log
        self.started = time.perf_counter()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [*cmd, "--answerer", answerer],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float) -> float:
        while not page_answers(self.url):
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited {self.process.returncode}: {self.log.read_text()[-3000:]}")
            if time.perf_counter() - self.started > timeout:
                raise RuntimeError(f"serve not answering after {timeout:.0f} s: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def _client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def _one_request(client: Any, question: dict[str, Any], deadline: float) -> dict[str, Any]:
    """Submit one question, poll its status until done (or the deadline), and time it."""
    from gradio_client.utils import Status

    row: dict[str, Any] = {"question_id": question["question_id"], "ok": False}
    submitted = time.perf_counter()
    job = client.submit(question=question["question"], as_of=question["question_date"], api_name="/ask")
    started: float | None = None
    max_rank = None
    while not job.done():
        if time.perf_counter() > deadline:
            job.cancel()
            row.update(error="cancelled: --max-seconds reached", latency_s=time.perf_counter() - submitted)
            return row
        status = job.status()
        if status.code == Status.IN_QUEUE and status.rank is not None:
            max_rank = max(max_rank or 0, int(status.rank) + 1)  # rank 0 = next in line
        if started is None and status.code == Status.PROCESSING:
            started = time.perf_counter()
        time.sleep(POLL_SECONDS)
    try:
        result = job.result(timeout=max(1.0, deadline - time.perf_counter()))
        answer = json.loads(result) if isinstance(result, str) else dict(result)
        row["ok"] = isinstance(answer.get("answer"), str) and bool(answer["answer"].strip())
        row["abstained"] = bool(answer.get("abstained"))
        cited = {Path(str(c.get("path") or "")).stem for c in answer.get("citations", [])}
        row["gold_cited"] = bool(set(question.get("gold_doc_ids", [])) & cited)
        if not row["ok"]:
            row["error"] = "empty answer"
    except Exception as exc:  # the failure is the measurement
        row["error"] = f"{type(exc).__name__}: {exc}"[:300]
    finished = time.perf_counter()
    row["latency_s"] = finished - submitted
    # A job whose PROCESSING status was overtaken by its result between two polls waited at most until then.
    row["queue_wait_s"] = (started if started is not None else finished) - submitted
    row["queue_wait_observed"] = started is not None
    row["max_queue_position"] = max_rank
    return row


def _session(index: int, client: Any, asks: list[dict[str, Any]], deadline: float, rows: list) -> None:
    for number, question in enumerate(asks):
        row = _one_request(client, question, deadline)
        row.update(session=index, number=number)
        rows.append(row)
        if row.get("error", "").startswith("cancelled"):
            return


def run_load(url: str, sessions: int, per_session: int, max_seconds: float) -> dict[str, Any]:
    pool = sample_questions()
    plan = [[pool[(s * per_session + q) % len(pool)] for q in range(per_session)] for s in range(sessions)]
    clients = [_client(url) for _ in range(sessions)]  # connected before the clock starts
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    deadline = started + max_seconds
    threads = [
        threading.Thread(target=_session, args=(i, clients[i], plan[i], deadline, rows), daemon=True)
        for i in range(sessions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + 30)
    wall = time.perf_counter() - started
    planned = sessions * per_session
    ok = [r for r in rows if r["ok"]]
    latencies = [r["latency_s"] for r in ok]
    waits = [r["queue_wait_s"] for r in ok]
    positions = [r["max_queue_position"] for r in rows if r.get("max_queue_position")]
    return {
        "planned": planned,
        "count": len(rows),
        "failures": planned - len(ok),
        "errors": sorted({r["error"] for r in rows if r.get("error")})[:10],
        "abstained": sum(1 for r in ok if r.get("abstained")),
        "gold_cited": sum(1 for r in ok if r.get("gold_cited")),
        "wall_seconds": round(wall, 2),
        "answers_per_second": round(len(ok) / wall, 3) if wall else None,
        "latency_s": _spread(latencies),
        "queue_wait_s": _spread(waits),
        "queue_wait_observed": sum(1 for r in ok if r.get("queue_wait_observed")),
        "max_queue_position_seen": max(positions, default=None),
        "rows": [{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()} for r in rows],
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None, "mean": None}
    return {
        "p50": round(percentile(values, 0.50), 3),
        "p95": round(percentile(values, 0.95), 3),
        "max": round(max(values), 3),
        "mean": round(sum(values) / len(values), 3),
    }


def main() -> int:
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
    args = parser.parse_args()
    if args.bm25_rebuild:
        from bench.bm25_rebuild import bm25_rebuild

        return bm25_rebuild(args.store, args.max_seconds, args.articles_2022)
    sessions = args.sessions or (5 if args.quick else 20)
    per_session = args.questions or (2 if args.quick else 5)
    if sessions < 1 or per_session < 1:
        parser.error("--sessions and --questions must be at least 1")

    info = machine()
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
            return 1
        app = App(store, args.answerer, scratch / "serve.log")
        startup = app.wait_ready(args.startup_timeout)
        print(f"[bench] app ready in {startup:.1f} s at {app.url}", file=sys.stderr, flush=True)
        warm_started = time.perf_counter()
        warm = _one_request(_client(app.url), sample_questions()[0], time.perf_counter() + args.startup_timeout)
        warm_seconds = time.perf_counter() - warm_started
        if not warm["ok"]:
            print(f"[bench] warm-up question failed: {warm.get('error')}", file=sys.stderr)
        print(f"[bench] {sessions} sessions x {per_session} questions, {args.answerer}", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        result = run_load(app.url, sessions, per_session, args.max_seconds)
        peak_rss = _peak_rss_mib(app.process.pid)
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    summary = {
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
        "app_startup_s": round(startup, 2),
        "warm_up_question_s": round(warm_seconds, 2),
        "app_peak_rss_mib": peak_rss,
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    ok = result["failures"] == 0 and result["count"] == result["planned"]
    name = f"load-{args.answerer}"
    write_result(
        name,
        args.quick,
        {
            "command": command_line(),
            "ok": ok,
            "machine": info,
            "summary": summary,
            "ingest": ingest,
            "errors": result["errors"],
            "queue_wait_observed": result["queue_wait_observed"],
            "rows": result["rows"],
        },
        llm=args.answerer == "llm",
    )
    lat, wait = summary["latency_s"], summary["queue_wait_s"]
    print(
        table(
            [
                [
                    args.answerer,
                    f"{sessions}x{per_session}",
                    summary["count"],
                    summary["failures"],
                    lat["p50"],
                    lat["p95"],
                    wait["p50"],
                    wait["p95"],
                    summary["answers_per_second"],
                    summary["max_queue_position_seen"],
                    peak_rss,
                ]
            ],
            [
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
            ],
        )
    )
    if result["errors"]:
        print("errors: " + "; ".join(result["errors"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
