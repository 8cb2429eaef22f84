"""Load: many chat sessions at once against one `archive-qa serve` process, on loopback only.

    python bench/load.py --answerer extractive            # 20 sessions x 5 questions
    python bench/load.py --answerer llm --quick           # 5 sessions x 2 questions
    python bench/load.py --answerer llm                   # 100 LLM answers: long on a 2-core CPU

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

The other cost of many readers on a Chroma server is the BM25 rebuild each app makes when the chunk set changes:

    python bench/load.py --bm25-rebuild                          # sample archive, temporary store
    python bench/load.py --bm25-rebuild --store DIR              # a copy of an existing store (e.g. the 2022 one)
    python bench/load.py --bm25-rebuild --articles-2022          # the 2022 articles' chunks, placeholder vectors

A copy of the store's Chroma data is served by `chroma run` on a free loopback port and a child process times
what an app does on a fingerprint change (ingest.keyword_index.build_from_store over HTTP: page every chunk,
tokenize, index, save), then loading the saved index (what another process on the same machine does) and a BM25
search; its peak RSS is the kernel's. With --articles-2022 the server instead gets the 4,876 RealTime QA
articles cut by archive-qa's chunker, with their metadata and seeded random vectors (BM25 reads text, not vectors:
no embedding needed). Written to bench/results/load-bm25-<sample|2022|store name>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/load.py`: import from the repo root, not bench/
    _here = Path(__file__).resolve().parent
    sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from bench.common import (
    REPO,
    SAMPLE_ARCHIVE,
    archive_qa_cmd,
    child_env,
    machine,
    percentile,
    run_measured,
    table,
    write_result,
)

QUESTIONS = REPO / "examples" / "questions.jsonl"
POLL_SECONDS = 0.02
# Settings that would point the app elsewhere than a private loopback app on a temporary store.
_DROP_ENV = ("ARCHIVE_QA_CHROMA_URL", "ARCHIVE_QA_HOST", "ARCHIVE_QA_PORT", "ARCHIVE_QA_AUTH", "ARCHIVE_QA_STORE")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _page_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _peak_rss_mib(pid: int) -> float | None:
    """The kernel's high-water mark of the process's resident memory (VmHWM), read before it is stopped."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _questions() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("answerable_in_corpus")]


class App:
    """`archive-qa serve` on a free loopback port, in its own process group."""

    def __init__(self, store: Path, answerer: str, log: Path) -> None:
        self.port = _free_port()
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
        while not _page_answers(self.url):
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
    pool = _questions()
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


def child_bm25(url: str, collection: str) -> dict[str, Any]:
    """In a child process: rebuild BM25 from the server's chunks as an app does, then load it and search it."""
    import chromadb

    from ingest.keyword_index import KeywordIndex, build_from_store, fingerprint
    from ingest.store import ArchiveStore, ChromaEmbedding

    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=chromadb.Settings(anonymized_telemetry=False))
    function = ChromaEmbedding()  # no model is loaded: BM25 needs only the chunk text
    store = ArchiveStore(
        client,
        client.get_collection(collection, embedding_function=function),  # type: ignore[arg-type]
        client.get_collection(collection + "__articles", embedding_function=function),  # type: ignore[arg-type]
    )
    clock = time.perf_counter()
    key = store.fingerprint
    ids = store.chunk_ids()
    ids_seconds = time.perf_counter() - clock
    with tempfile.TemporaryDirectory(prefix="aq-bm25-") as folder:
        root = Path(folder)
        clock = time.perf_counter()
        index = build_from_store(store, root, key or fingerprint(ids))
        build_seconds = time.perf_counter() - clock
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        clock = time.perf_counter()
        loaded = KeywordIndex.load(root, index.fingerprint)
        load_seconds = time.perf_counter() - clock
        assert loaded is not None and len(loaded.ids) == len(ids)
        clock = time.perf_counter()
        for question in _questions()[:20]:
            loaded.search(question["question"], k=60)
        search_ms = (time.perf_counter() - clock) / 20 * 1000
    return {
        "chunks": len(ids),
        "articles": store.articles.count(),
        "chunk_ids_seconds": round(ids_seconds, 3),
        "rebuild_seconds": round(build_seconds, 3),
        "load_seconds": round(load_seconds, 3),
        "search_ms": round(search_ms, 2),
        "index_bytes": size,
    }


def write_2022_chunks(url: str) -> dict[str, Any]:
    """Chunk the 2022 articles as ingest does and write them to the server with placeholder vectors."""
    import chromadb
    import numpy as np

    from archive_qa.settings import Settings
    from bench.common import ARTICLES
    from ingest.embedder import minilm_name
    from ingest.factory import make_chunker
    from ingest.readers import read_file
    from ingest.store import ArchiveStore, article_metadata
    from ingest.types import Article

    settings = Settings()

    class Placeholder:  # stands in for the embedder in the collection's metadata
        name, dimension = minilm_name("onnx-int8", settings.embed_max_tokens), 384

    chunker = make_chunker(settings)
    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=chromadb.Settings(anonymized_telemetry=False))
    store = ArchiveStore.open(client, "archive", Placeholder(), chunker.version)
    rng = np.random.default_rng(0)
    seen: set[str] = set()
    articles, chunks = 0, 0
    batch_articles: list[Article] = []
    batch_chunks: list[Any] = []

    def flush() -> None:
        vectors = rng.standard_normal((len(batch_chunks), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        counts: dict[str, int] = {}
        for chunk in batch_chunks:
            counts[chunk.article_id] = counts.get(chunk.article_id, 0) + 1
        metas = {a.id: article_metadata(a, [a.location], counts[a.id]) for a in batch_articles}
        store.write_chunks(batch_chunks, vectors, metas)
        store.write_articles(batch_articles, [metas[a.id] for a in batch_articles], vectors[: len(batch_articles)])
        batch_articles.clear()
        batch_chunks.clear()

    for item in read_file(ARTICLES, 2**30, 2**33):
        if not isinstance(item, Article) or item.id in seen:
            continue
        seen.add(item.id)
        pieces = chunker.split(item)
        if not pieces:
            continue
        batch_articles.append(item)
        batch_chunks.extend(pieces)
        articles, chunks = articles + 1, chunks + len(pieces)
        if len(batch_chunks) >= 2000:
            flush()
    if batch_chunks:
        flush()
    return {"articles": articles, "chunks": chunks}


def bm25_rebuild(store: Path | None, timeout: float, articles_2022: bool = False) -> int:
    """Serve a copy of `store` (or of a fresh sample store) with `chroma run`; time a reader's BM25 rebuild."""
    info = machine()
    scratch = Path(tempfile.mkdtemp(prefix="aq-bm25-"))
    server: subprocess.Popen[bytes] | None = None
    written: dict[str, Any] | None = None
    try:
        if articles_2022:
            label, store = "2022", None
            (scratch / "chroma").mkdir()
        elif store is None:
            label, store = "sample", scratch / "sample-store"
            done = run_measured(
                [*archive_qa_cmd(), "ingest", str(SAMPLE_ARCHIVE), "--store", str(store), "--json"], "ingest sample"
            )
            if done["exit_code"] != 0:
                return 1
        else:
            label = store.resolve().name
            _check_not_written(store)
        data = scratch / "chroma"
        if store is not None:
            shutil.copytree(store / "chroma", data, dirs_exist_ok=True)  # the server gets a copy, never the store
        port = _free_port()
        chroma = Path(sys.executable).with_name("chroma")
        with open(scratch / "chroma.log", "wb") as log:
            server = subprocess.Popen(
                [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, env=child_env(), start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.perf_counter() + 120
        while not _page_answers(f"{url}/api/v2/heartbeat"):
            if server.poll() is not None or time.perf_counter() > deadline:
                print(f"[bench] chroma run did not start: {(scratch / 'chroma.log').read_text()[-2000:]}")
                return 1
            time.sleep(0.3)
        if articles_2022:
            clock = time.perf_counter()
            written = {**write_2022_chunks(url), "write_seconds": round(time.perf_counter() - clock, 1)}
            print(f"[bench] wrote {written}", file=sys.stderr, flush=True)
        child = run_measured(
            [sys.executable, str(Path(__file__).resolve()), "--child-bm25", url], f"BM25 rebuild ({label})", timeout
        )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=15)
        shutil.rmtree(scratch, ignore_errors=True)
    figures = child.get("json") or {}
    ok = child["exit_code"] == 0 and bool(figures)
    summary = {**figures, "peak_rss_mib": child["peak_rss_mib"], "wall_seconds": child["wall_seconds"]}
    write_result(
        f"load-bm25-{label}",
        False,
        {
            "command": " ".join(["python", "bench/load.py", *sys.argv[1:]]),
            "ok": ok,
            "machine": info,
            "store": label,
            "summary": summary,
            "synthetic_2022": written,
            "process": child,
        },
    )
    print(
        table(
            [[label, figures.get("articles"), figures.get("chunks"), figures.get("rebuild_seconds"),
              figures.get("load_seconds"), figures.get("search_ms"), child["peak_rss_mib"]]],
            ["store", "articles", "chunks", "rebuild s", "load s", "search ms", "peak RSS MiB"],
        )
    )
    return 0 if ok else 1


def _check_not_written(store: Path) -> None:
    """Refuse to copy a store an ingest is writing (its files would not be consistent)."""
    import fcntl

    lock = store / "write.lock"
    if not (store / "chroma").is_dir():
        raise SystemExit(f"{store} holds no embedded store (no chroma/ folder)")
    if lock.exists():
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SystemExit(f"{store} is being written ({lock.read_text().strip()}); retry later") from None


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
    parser.add_argument("--collection", default="archive", help=argparse.SUPPRESS)
    parser.add_argument("--child-bm25", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_bm25:
        print(json.dumps(child_bm25(args.child_bm25, args.collection)))
        return 0
    if args.bm25_rebuild:
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
        warm = _one_request(_client(app.url), _questions()[0], time.perf_counter() + args.startup_timeout)
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
            "command": " ".join(["python", "bench/load.py", *sys.argv[1:]]),
            "ok": ok,
            "machine": info,
            "summary": summary,
            "ingest": ingest,
            "errors": result["errors"],
            "queue_wait_observed": result["queue_wait_observed"],
            "rows": result["rows"],
        },
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
