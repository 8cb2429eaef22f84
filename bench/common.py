"""The helpers every benchmark imports, in one namespace.

Paths and the offline environment (bench/env.py), measured child processes (bench/measured.py), inputs and kept
stores (bench/data.py), the machine (bench/machine.py), result files and tables (bench/results.py); the app on
loopback is bench/serving.py's. Importing this sets the offline environment for the run and its children.
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
    QUESTIONS,
    REPO,
    RESULTS,
    SAMPLE_ARCHIVE,
    SHARED,
    YEARS,
    archive_qa_cmd,
    child_env,
    command_line,
    module_cmd,
    rqa,
)
from bench.machine import machine
from bench.measured import log_signals, run_measured
from bench.results import ratio, table, write_result

__all__ = [
    "ARTICLES",
    "BENCH_STORES",
    "QUESTIONS",
    "REPO",
    "RESULTS",
    "SAMPLE_ARCHIVE",
    "SHARED",
    "YEARS",
    "archive_qa_cmd",
    "child_env",
    "command_line",
    "dir_bytes",
    "first_articles_file",
    "fresh_dir",
    "kept_store",
    "log_signals",
    "machine",
    "module_cmd",
    "ratio",
    "read_articles",
    "recorded_chunker",
    "rqa",
    "run_measured",
    "sample_questions",
    "store_settings",
    "table",
    "tutorial_store_or_subset",
    "write_result",
]
