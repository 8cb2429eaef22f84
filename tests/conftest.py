"""Test setup shared by every suite: an offline environment, one model cache per session, the ../shared data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any project or model library is imported: no network, no telemetry.
os.environ.update(
    {
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT / ".." / "shared"
# Outlives the session on purpose: the ONNX export (and any joined model file) is made once, not per run.
MODEL_CACHE = Path("/tmp/archive-qa-test-cache")


@pytest.fixture(scope="session", autouse=True)
def archive_qa_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """ARCHIVE_QA_* for the whole session (subprocesses inherit it); yields the model cache directory.

    A developer's own ARCHIVE_QA_* settings (a server URL, a store) must not leak into the tests, so they are
    cleared; a test that forgets `--store` writes under the session's temporary folder, never into the repo.
    """
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("ARCHIVE_QA_")]:
            patch.delenv(name)
        patch.setenv("ARCHIVE_QA_MODEL_CACHE", str(MODEL_CACHE))
        patch.setenv("ARCHIVE_QA_STORE", str(tmp_path_factory.mktemp("default-store")))
        yield MODEL_CACHE


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared test data beside the checkout (../shared); tests needing it skip when it is absent."""
    if not (SHARED_DIR / "data").is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DIR.resolve()} (expected ../shared beside the repo)")
    return SHARED_DIR.resolve()


@pytest.fixture(scope="session")
def sample_archive() -> Path:
    """The 30-item sample archive in the primary format (examples/archive)."""
    return REPO_ROOT / "examples" / "archive"
