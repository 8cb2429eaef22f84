"""Helpers of the app tests: serve the app as a subprocess, ingest with the CLI, drive the page, keep timings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loopback import free_port, page_answers

BIN = Path(sys.executable).parent
ARCHIVE_QA = BIN / "archive-qa"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = REPO_ROOT / "test-output"
MEASUREMENTS = OUTPUT / "app-measurements.json"


def record(name: str, value: Any) -> None:
    """Keep a measurement (seconds) in test-output/app-measurements.json for the report."""
    OUTPUT.mkdir(exist_ok=True)
    data = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.exists() else {}
    data[name] = value
    MEASUREMENTS.write_text(json.dumps(data, indent=2, sort_keys=True))


@dataclass
class Server:
    url: str
    store: Path
    startup_seconds: float
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)


@contextmanager
def serve(
    store: Path, log: Path, *extra: str, timeout: float = 90, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`archive-qa serve --store STORE --port FREE EXTRA…`, waited for until the page answers, then stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(ARCHIVE_QA), "serve", "--store", str(store), "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        while not page_answers(url):
            if process.poll() is not None:
                pytest.fail(f"archive-qa serve exited with {process.returncode}:\n{log.read_text()[-4000:]}")
            if time.perf_counter() - started > timeout:
                pytest.fail(f"archive-qa serve did not answer within {timeout} s:\n{log.read_text()[-4000:]}")
            time.sleep(0.1)
        yield Server(url, store, time.perf_counter() - started, log, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def ingest(store: Path, *paths: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(ARCHIVE_QA), "ingest", *map(str, paths), "--store", str(store), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def gold_title(sample_archive: Path, question: dict[str, Any]) -> str:
    """The title (first line) of the question's gold article file."""
    path = sample_archive / f"{question['gold_doc_ids'][0]}.txt"
    return path.read_text(encoding="utf-8").splitlines()[0].strip()


BOT = '[data-testid="bot"]'

# Watches the newest assistant bubble: when its first real text shows (not the "Searching…" placeholder) and when
# the final answer (with its "Searched for:" line) is in. Times are from the click, measured in the page.
_WATCH_AND_ASK = """
(before) => {
  const state = window.__aq = {t0: performance.now(), first: null, done: null, sizes: []};
  const size = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.width, r.height]; };
  const check = () => {
    state.sizes.push(JSON.stringify([size('aq-chat'), size('aq-sources')]));
    const bots = document.querySelectorAll('[data-testid="bot"]');
    if (bots.length <= before) return;
    const last = bots[bots.length - 1];
    const answer = last.querySelector('.aq-answer');
    if (answer && !answer.classList.contains('aq-pending') && state.first === null) state.first = performance.now();
    if (last.querySelector('.aq-standalone, .aq-error') && state.done === null) {
      state.done = performance.now();
      if (state.first === null) state.first = state.done;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  setTimeout(() => document.querySelector('#aq-ask').click(), 0);
}
"""


@dataclass
class Asked:
    first_text_s: float
    answered_s: float
    bubble: Any  # Locator of the answer's bubble
    layouts: set[str]  # distinct (chat, sources panel) sizes seen while the answer streamed


def ask(page: Any, question: str, timeout_ms: float = 60_000) -> Asked:
    """Type `question`, press Ask, wait for the whole streamed answer; return timings and the bubble."""
    page.wait_for_selector("#aq-input")
    before = page.locator(BOT).count()
    page.locator("#aq-input textarea").fill(question)
    page.evaluate(_WATCH_AND_ASK, before)
    page.wait_for_function("() => window.__aq && window.__aq.done !== null", timeout=timeout_ms)
    timings = page.evaluate("() => window.__aq")
    bubble = page.locator(BOT).nth(before)
    first, done = (timings["first"] - timings["t0"]) / 1000, (timings["done"] - timings["t0"]) / 1000
    return Asked(first, done, bubble, set(timings["sizes"]))


def open_app(page: Any, url: str) -> None:
    """Load the page and wait until it is wired and its load event is in (app.py marks <html data-aq-loaded>),
    not just until markup shows: the load event's answer resets the Index tab's file choice, for one."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("html[data-aq-loaded='1']", state="attached")
    page.wait_for_selector("#aq-chat")
    page.wait_for_selector("#aq-input")


def open_tab(page: Any, name: str) -> None:
    """Select a tab and wait until it is the selected one (its content is rendered when it is first selected)."""
    page.get_by_role("tab", name=name).click()
    page.get_by_role("tab", name=name, selected=True).wait_for()


def upload_files(page: Any, *paths: Path) -> None:
    """Put files in the Index tab's upload box and wait until the server holds each of them.

    The signal is each file's download link, which the box shows only when the upload request has returned (its
    href is the server's copy). Not the file name as text: that shows as `name` only in the "Uploading…" row of
    the few milliseconds the upload takes; the finished row splits it into `<span>stem</span> <span>.ext</span>`
    ("tricky .txt"), so waiting for the text passed only when Playwright happened to look during the upload.
    """
    open_tab(page, "Index")
    page.locator("#aq-upload input[type=file]").set_input_files([str(p) for p in paths])
    for path in paths:
        page.locator(f'#aq-upload a[download="{path.name}"]').wait_for()
