"""Where the benchmarks read and write, the offline environment every run and its children get, and the commands
that start them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from archive_qa import OFFLINE_ENV

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
YEARS = ("2022", "2023")  # development years of RealTime QA; every quality figure is reported for both


def rqa(year: str) -> Path:
    """The folder of one development year: articles.jsonl.gz, questions.jsonl, unanswerable.jsonl."""
    return SHARED / "data" / f"realtimeqa-{year}"


RQA = rqa("2022")
ARTICLES = RQA / "articles.jsonl.gz"
QUESTIONS = RQA / "questions.jsonl"
SAMPLE_ARCHIVE = REPO / "examples" / "archive"
SAMPLE_QUESTIONS = REPO / "examples" / "questions.jsonl"
RESULTS = REPO / "bench" / "results"
# Stores the benchmarks build and later benchmarks reuse live outside the project (they hold third-party text).
BENCH_STORES = REPO.parent / "stores" / "bench"

os.environ.update(OFFLINE_ENV)  # forced, not defaulted: a benchmark never reaches the network


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
