"""Shared plumbing of the benchmarks: paths, offline env, measured subprocesses, machine facts, result files.

Every system under test runs in its own process (`run_measured`), so wall time and peak RSS are per system:
peak RSS is the kernel's high-water mark of that process (`ru_maxrss` from wait4), not a sample.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
YEARS = ("2022", "2023")  # development years of RealTime QA; every quality figure is reported for both


def rqa(year: str) -> Path:
    """The folder of one development year: articles.jsonl.gz, questions.jsonl, unanswerable.jsonl."""
    return SHARED / "data" / f"realtimeqa-{year}"


RQA = rqa("2022")
ARTICLES = RQA / "articles.jsonl.gz"
QUESTIONS = RQA / "questions.jsonl"
UNANSWERABLE = RQA / "unanswerable.jsonl"
SAMPLE_ARCHIVE = REPO / "examples" / "archive"
SAMPLE_QUESTIONS = REPO / "examples" / "questions.jsonl"
RESULTS = REPO / "bench" / "results"
# Stores the benchmarks build and later benchmarks reuse live outside the project (they hold third-party text).
BENCH_STORES = REPO.parent / "stores" / "bench"

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(OFFLINE_ENV)


_RUNNING: set[subprocess.Popen] = set()


def log_signals() -> None:
    """Say in the log when a run is stopped by a signal (another process ending it), then stop as asked."""
    import signal

    def stop(number: int, _frame: Any) -> None:
        when = time.strftime("%H:%M:%S")
        print(f"[bench] {Path(sys.argv[0]).name} (pid {os.getpid()}) got signal {number} at {when}", file=sys.stderr)
        for child in list(_RUNNING):  # don't leave the measured child running on its own
            if child.poll() is None:
                child.send_signal(number)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)


def module_cmd(name: str) -> list[str]:
    """This interpreter running bench/<name>.py as `python -m bench.<name>` (run_measured starts it in the repo)."""
    return [sys.executable, "-m", f"bench.{name}"]


def command_line() -> str:
    """The running benchmark's command line as a reader would type it: `python -m bench.<name> [args]`."""
    return " ".join(["python", "-m", f"bench.{Path(sys.argv[0]).stem}", *sys.argv[1:]])


def child_env() -> dict[str, str]:
    env = {**os.environ, **OFFLINE_ENV, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def archive_qa_cmd() -> list[str]:
    """The installed `archive-qa` console script of this interpreter's venv (or the module, if not installed)."""
    script = Path(sys.executable).parent / "archive-qa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "archive_qa.cli"]


def run_measured(cmd: Sequence[str], label: str, timeout: float | None = None) -> dict[str, Any]:
    """Run `cmd` with stderr passed through; return its exit code, wall seconds, peak RSS and parsed stdout.

    The last stdout line that parses as a JSON object is returned as `json` (children print their result so).
    """
    print(f"[bench] {label}: {' '.join(map(str, cmd))}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(map(str, cmd)), stdout=out, stderr=None, env=child_env(), cwd=REPO)
        _RUNNING.add(proc)
        deadline = started + timeout if timeout else None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        _RUNNING.discard(proc)
        out.seek(0)
        stdout = out.read()
    parsed = None
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                parsed = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    result = {
        "cmd": [str(c) for c in cmd],
        "exit_code": proc.returncode,
        "wall_seconds": round(wall, 3),
        # CPU seconds are far less sensitive than wall time to other work on the machine: report both.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before, after
        "json": parsed,
    }
    if proc.returncode != 0:
        result["stdout_tail"] = stdout[-2000:]
        print(f"[bench] {label} exited {proc.returncode}", file=sys.stderr, flush=True)
    return result


def first_articles_file(n: int | None, folder: Path) -> Path:
    """The 2022 articles file, or a gzipped copy of its first `n` lines in `folder` (a temp dir, not the repo)."""
    if n is None:
        return ARTICLES
    target = folder / f"articles-first{n}.jsonl.gz"
    with gzip.open(ARTICLES, "rt") as src, gzip.open(target, "wt") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return target


def read_articles(n: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with gzip.open(ARTICLES, "rt") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
                if n is not None and len(rows) >= n:
                    break
    return rows


def recorded_chunker(store: Path) -> tuple[int, int] | None:
    """(size, overlap) from a store's `chunker` collection metadata (e.g. sentences-v1-1000-120), if any."""
    from storage.chroma_client import collections_metadata, make_client

    if not (store / "chroma").exists():
        return None
    for metadata in collections_metadata(make_client(store, None)).values():
        parts = str(metadata.get("chunker", "")).rsplit("-", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            return int(parts[1]), int(parts[2])
    return None


def store_settings(store: Path, **extra: Any) -> Any:
    """archive-qa Settings for an existing store, with the chunker it was built with (the defaults may have
    changed since; opening with other chunk settings is refused by ChromaStore.open)."""
    from archive_qa.settings import Settings

    recorded = recorded_chunker(store)
    chunking = {"chunk_size": recorded[0], "chunk_overlap": recorded[1]} if recorded else {}
    return Settings(store=store, **chunking, **extra)


def kept_store(kind: str) -> Path | None:
    """The `archive-qa` or `tutorial` store bench/ingest.py kept (full run first, then quick), if that run
    finished cleanly and the store is still there; for `tutorial`, else a finished subset store."""
    for name in ("ingest.json", "ingest.quick.json"):
        path = RESULTS / name
        if path.exists():
            system = json.loads(path.read_text()).get("systems", {}).get(kind, {})
            process = system.get("process") or {}
            if process.get("exit_code") == 0 and system.get("store") and Path(system["store"]).exists():
                return Path(system["store"])
    subset = BENCH_STORES / "tutorial-quick"
    if kind == "tutorial" and (subset / "complete.json").exists():
        return subset
    return None


def tutorial_store_or_subset(given: Path | None, notes: list[str], articles: int = 300) -> Path:
    """`given`, else the tutorial store bench/ingest.py kept, else build one on the first `articles` articles
    (in a child, kept as ../stores/bench/tutorial-quick for the next benchmark) and say so in `notes`."""
    found = given or kept_store("tutorial")
    if found is not None:
        info = found / "complete.json"
        chunks = json.loads(info.read_text()).get("chunks") if info.exists() else None
        if chunks is not None and chunks < 30000:
            notes.append(f"baseline tutorial store {found} holds {chunks} chunks (a subset, not all 4,876 articles)")
        return found
    target = fresh_dir(BENCH_STORES / "tutorial-quick")
    build = run_measured(
        [*module_cmd("ingest"), "--articles", str(articles),
         "--child", "tutorial", "--persist", target],
        "tutorial store (subset)",
    )  # fmt: skip
    chunks = (build["json"] or {}).get("chunks")
    notes.append(
        f"no tutorial store from bench/ingest.py: the baseline store was built on the first {articles} "
        f"articles ({chunks} chunks), not on all 4,876"
    )
    return target


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def machine_speed(llm: bool) -> dict[str, Any]:
    """This machine's own speed, recorded beside a benchmark's figures: `archive-qa doctor`'s probes (archive_qa/
    doctor.py), ~5 s of the configured encoder and, where the benchmark used the local model, one answer prompt.

    A failed probe is recorded as such: it must not cost the benchmark its result.
    """
    from archive_qa.doctor import encoder_speed, model_speed
    from archive_qa.settings import Settings
    from storage.factory import get_embedder

    settings = Settings()
    try:
        encoder = encoder_speed(get_embedder(settings), settings.embedder, seconds=5.0)
        model = model_speed(settings) if llm else None
    except Exception as exc:  # any failure of the probe (a missing model, a broken runtime) is only noted
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "encoder": encoder.embedder,
        "encoder_passages_per_s": encoder.passages_per_s,
        "model_prompt_tokens_per_s": model.prompt_tokens_per_s if model else None,
        "model_generated_tokens_per_s": model.generated_tokens_per_s if model else None,
        "cpu_share": min(encoder.cpu_share, model.cpu_share) if model else encoder.cpu_share,
    }


def result_path(name: str, quick: bool) -> Path:
    return RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")


def write_result(name: str, quick: bool, data: dict[str, Any], *, llm: bool = False) -> Path:
    """Write the result file, with the machine's own speed measured right after the run (`llm`: the model's too)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = result_path(name, quick)
    payload = {
        "benchmark": name,
        "quick": quick,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command_line(),
        **data,
        "machine_speed": machine_speed(llm),
    }
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(scratch, path)
    print(f"[bench] wrote {path.relative_to(REPO)}", file=sys.stderr)
    return path


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header], *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_answers(url: str) -> bool:
    """Whether `url` answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def sample_questions() -> list[dict[str, Any]]:
    """The sample archive's answerable questions (examples/questions.jsonl)."""
    rows = [json.loads(line) for line in SAMPLE_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("answerable_in_corpus")]
