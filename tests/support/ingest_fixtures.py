"""Fixtures of the ingest and storage tests: the CLI in-process and as a subprocess, store snapshots, Chroma server."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive_qa.cli import main
from archive_qa.settings import Settings
from storage.article_meta import ArticleRecord
from storage.factory import keyword_root, open_store
from storage.keyword_index import KeywordIndex

from loopback import free_port

BIN = Path(sys.executable).parent
ARCHIVE_QA = BIN / "archive-qa"
CHROMA = BIN / "chroma"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*args: str | Path) -> CliResult:
    """`archive-qa ARGS` in this process (the model stays loaded between calls): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


def run_process(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 600) -> CliResult:
    """`archive-qa ARGS` as a real subprocess, as a user runs it."""
    done = subprocess.run(
        [str(ARCHIVE_QA), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@dataclass
class Snapshot:
    """What a store holds, read back through the package's own store API."""

    records: dict[str, ArticleRecord]
    chunk_ids: list[str]
    chunk_count: int
    article_count: int
    fingerprint: str
    keyword: KeywordIndex | None

    @property
    def article_ids(self) -> set[str]:
        return set(self.records)


def snapshot(store: Path, chroma_url: str | None = None) -> Snapshot:
    settings = Settings(store=store, **({"chroma_url": chroma_url} if chroma_url else {}))
    archive = open_store(settings)
    fingerprint = archive.fingerprint
    return Snapshot(
        records=archive.article_records(with_text=True),
        chunk_ids=archive.chunk_ids(),
        chunk_count=archive.chunks.count(),
        article_count=archive.articles.count(),
        fingerprint=fingerprint,
        keyword=KeywordIndex.load(keyword_root(settings), fingerprint),
    )


@pytest.fixture(scope="session")
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture(scope="session")
def cli_process() -> Callable[..., CliResult]:
    if not ARCHIVE_QA.exists():
        pytest.fail(f"{ARCHIVE_QA} is missing: install the project into the venv (make setup)")
    return run_process


@pytest.fixture(scope="session")
def store_snapshot() -> Callable[..., Snapshot]:
    return snapshot


@dataclass
class IngestedSample:
    store: Path
    summary: dict[str, Any]


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_archive: Path) -> IngestedSample:
    """The sample archive ingested once per session into its own store, shared: tests only read it."""
    store = tmp_path_factory.mktemp("sample-store")
    result = run_cli("ingest", sample_archive, "--store", store, "--json")
    assert result.code == 0, result.err
    return IngestedSample(store, result.json)


@pytest.fixture
def archive_copy(tmp_path: Path, sample_archive: Path) -> Path:
    """A private copy of the sample archive that a test may edit."""
    return Path(shutil.copytree(sample_archive, tmp_path / "archive"))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free port with its own data folder; yields its URL."""
    import chromadb

    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: chromadb's CLI should be installed in the venv")
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
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
                    log.flush()
                    pytest.fail(f"chroma run did not come up: {(data / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()
