"""Fixtures for the app tests: a store of the sample archive, `archive-qa serve` as a subprocess, Chromium.

The browser is Debian's Chromium driven by Playwright (`make chromium` installs it; Playwright's own browser
download is not available here). Screenshots go to each test's tmp folder and to test-output/app/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app_support import CHROMIUM, CHROMIUM_ARGS, OUTPUT, Server, free_port, ingest, record, serve


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_archive: Path) -> Path:
    """A store holding the 33 sample articles, ingested by the CLI as a user would."""
    store = tmp_path_factory.mktemp("app-store")
    summary = ingest(store, sample_archive)
    assert summary["articles"]["new"] == 33
    return store


@pytest.fixture(scope="session")
def app_server(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a free port, extractive answerer, over the (already indexed) sample store."""
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    # The "configured endpoint" answerer points at a closed port: its failure must show in the chat.
    closed = {"ARCHIVE_QA_OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"}
    with serve(sample_store, log, "--answerer", "extractive", env=closed) as server:
        record("serve_start_to_page_answering_s", round(server.startup_seconds, 2))
        record("load_average_1m_at_serve_start", round(os.getloadavg()[0], 1))  # 2 cores: above 2 means contention
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: run `make chromium` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)  # generous: CI machines are small and may be busy
    yield page
    context.close()


@pytest.fixture()
def phone_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(90_000)  # generous: CI machines are small and may be busy
    yield page
    context.close()


@pytest.fixture()
def screenshot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """screenshot(page, name): PNG in the test's tmp folder, copied to test-output/app/."""

    def take(page: Any, name: str, full_page: bool = False) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        (OUTPUT / "app").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, OUTPUT / "app" / path.name)
        return path

    return take


@pytest.fixture(scope="session")
def questions(sample_archive: Path) -> dict[str, dict[str, Any]]:
    lines = (sample_archive.parent / "questions.jsonl").read_text().splitlines()
    return {item["question_id"]: item for item in map(json.loads, lines)}
