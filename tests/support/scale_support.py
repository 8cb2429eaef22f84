"""Helpers of the scale tests: a real `chroma run` server, `archive-qa serve` / `ingest` as subprocesses, and
gradio_client sessions against the apps.

Every process a test starts runs in its own session and is stopped (TERM, then KILL) when the test ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loopback import free_port, page_answers

BIN = Path(sys.executable).parent
ARCHIVE_QA = BIN / "archive-qa"
CHROMA = BIN / "chroma"
REPO_ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = REPO_ROOT / "examples" / "questions.jsonl"


def stop(process: subprocess.Popen[Any], grace: float = 10) -> None:
    """TERM the process group a helper started, KILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


@dataclass
class App:
    """One `archive-qa serve` process."""

    url: str
    store: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    startup_seconds: float = 0.0

    def client(self) -> Any:
        """A gradio_client session (download_files=False: an answer names files, it does not return any)."""
        from gradio_client import Client

        return Client(self.url, verbose=False, download_files=False)


def ask(client: Any, question: str, **options: Any) -> dict[str, Any]:
    """The app's named `ask` endpoint: Answer.to_json() of the answer (the API sends it as JSON text)."""
    result = client.predict(question=question, api_name="/ask", **options)
    return dict(json.loads(result) if isinstance(result, str) else result)


def upload(client: Any, *paths: Path) -> dict[str, Any]:
    """The app's named `ingest` endpoint (the Index tab's upload): the ingest summary."""
    from gradio_client import handle_file

    result = client.predict(files=[handle_file(str(path)) for path in paths], api_name="/ingest")
    return dict(json.loads(result) if isinstance(result, str) else result)


def start_app(store: Path, log: Path, *extra: str) -> App:
    """Start `archive-qa serve --store STORE --port FREE EXTRA…` without waiting for it (see `wait_ready`)."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(ARCHIVE_QA), "serve", "--store", str(store), "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return App(f"http://127.0.0.1:{port}/", store, log, process, time.perf_counter())


def wait_ready(app: App, timeout: float = 120) -> App:
    started = app.startup_seconds
    while not page_answers(app.url):
        if app.process.poll() is not None:
            pytest.fail(f"archive-qa serve exited with {app.process.returncode}:\n{app.log.read_text()[-4000:]}")
        if time.perf_counter() - started > timeout:
            pytest.fail(f"archive-qa serve did not answer within {timeout} s:\n{app.log.read_text()[-4000:]}")
        time.sleep(0.2)
    app.startup_seconds = time.perf_counter() - started
    return app


@contextmanager
def serving(*specs: tuple[Path, Path, tuple[str, ...]], timeout: float = 120) -> Iterator[list[App]]:
    """Start several apps at once (store, log, extra args each), wait until all answer, stop them all at the end."""
    with ExitStack() as stack:
        apps = []
        for store, log, extra in specs:
            app = start_app(store, log, *extra)
            stack.callback(stop, app.process)
            apps.append(app)
        yield [wait_ready(app, timeout) for app in apps]


@dataclass
class Done:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out.strip().splitlines()[-1])


def run_archive_qa(*args: str | Path, timeout: float = 300) -> Done:
    done = subprocess.run([str(ARCHIVE_QA), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    return Done(done.returncode, done.stdout, done.stderr)


def start_archive_qa(*args: str | Path, out: Path) -> subprocess.Popen[bytes]:
    """`archive-qa ARGS` in the background, stdout to `out`, stderr to `out` + ".err"."""
    with open(out, "wb") as stdout, open(f"{out}.err", "wb") as stderr:
        return subprocess.Popen(
            [str(ARCHIVE_QA), *map(str, args)], stdout=stdout, stderr=stderr, start_new_session=True
        )


def server_collection_state(url: str, collection: str = "archive") -> tuple[int, str]:
    """(chunk count, fingerprint) of the collection on a Chroma server, read without loading any model."""
    from storage.chroma_client import collection_state, make_client

    state = collection_state(make_client(Path(), url), collection)
    assert state is not None, f"no collection {collection!r} at {url}"
    count, metadata = state
    return count, str(metadata.get("fingerprint", ""))
