"""The load's chat sessions: gradio_client threads, each asking its questions in turn through the app's `ask`
endpoint; per request its latency, queue wait and queue position; over all, the spread and answers per second."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import sample_questions
from evaluation.summary import percentile

POLL_SECONDS = 0.02


def connect(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def one_request(client: Any, question: dict[str, Any], deadline: float) -> dict[str, Any]:
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
        row = one_request(client, question, deadline)
        row.update(session=index, number=number)
        rows.append(row)
        if row.get("error", "").startswith("cancelled"):
            return


def run_load(url: str, sessions: int, per_session: int, max_seconds: float) -> dict[str, Any]:
    pool = sample_questions()
    plan = [[pool[(s * per_session + q) % len(pool)] for q in range(per_session)] for s in range(sessions)]
    clients = [connect(url) for _ in range(sessions)]  # connected before the clock starts
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
