"""Fixtures of the scale tests: a real `chroma run` server on a free loopback port, the sample questions."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scale_support import ARCHIVE_QA, CHROMA, QUESTIONS, free_port, server_collection_state, stop


@pytest.fixture(scope="session")
def archive_qa_bin() -> Path:
    if not ARCHIVE_QA.exists():
        pytest.fail(f"{ARCHIVE_QA} is missing: install the project into the venv (make setup)")
    return ARCHIVE_QA


@pytest.fixture(scope="session")
def questions() -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["question_id"]: row for row in rows}


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port with its own data folder; yields its URL."""
    import chromadb

    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: chromadb's CLI should be installed in the venv")
    data = tmp_path_factory.mktemp("scale-chroma")
    port = free_port()
    with open(data / "server.log", "wb") as log:
        server = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(
                    host="127.0.0.1", port=port, settings=chromadb.Settings(anonymized_telemetry=False)
                ).heartbeat()
                break
            except Exception:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not come up: {(data / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, grace=15)


@pytest.fixture(scope="session")
def collection_state() -> Callable[[str], tuple[int, str]]:
    return server_collection_state
