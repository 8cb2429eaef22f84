"""The helpers every benchmark imports, in one namespace.

Paths and the offline environment (bench/env.py), measured child processes (bench/measured.py), inputs and kept
stores (bench/data.py), the machine (bench/machine.py), result files and tables (bench/results.py), the app on
loopback (bench/serving.py). Importing this sets the offline environment for the run and its children.
"""

from __future__ import annotations

from bench.data import (
    dir_bytes,
    first_articles_file,
    fresh_dir,
    kept_store,
    read_articles,
    recorded_chunker,
    sample_questions,
    store_settings,
    tutorial_store_or_subset,
)
from bench.env import (
    ARTICLES,
    BENCH_STORES,
    OFFLINE_ENV,
    QUESTIONS,
    REPO,
    RESULTS,
    RQA,
    SAMPLE_ARCHIVE,
    SAMPLE_QUESTIONS,
    SHARED,
    UNANSWERABLE,
    YEARS,
    archive_qa_cmd,
    child_env,
    command_line,
    module_cmd,
    rqa,
)
from bench.machine import machine, machine_speed
from bench.measured import log_signals, run_measured
from bench.results import ratio, result_path, table, write_result
from bench.serving import free_port, page_answers

__all__ = [
    "ARTICLES",
    "BENCH_STORES",
    "OFFLINE_ENV",
    "QUESTIONS",
    "REPO",
    "RESULTS",
    "RQA",
    "SAMPLE_ARCHIVE",
    "SAMPLE_QUESTIONS",
    "SHARED",
    "UNANSWERABLE",
    "YEARS",
    "archive_qa_cmd",
    "child_env",
    "command_line",
    "dir_bytes",
    "first_articles_file",
    "free_port",
    "fresh_dir",
    "kept_store",
    "log_signals",
    "machine",
    "machine_speed",
    "module_cmd",
    "page_answers",
    "ratio",
    "read_articles",
    "recorded_chunker",
    "result_path",
    "rqa",
    "run_measured",
    "sample_questions",
    "store_settings",
    "table",
    "tutorial_store_or_subset",
    "write_result",
]
