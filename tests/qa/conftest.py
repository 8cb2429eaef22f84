"""Fixtures for the qa tests: the sample archive ingested once into a real embedded store, and an ArchiveQA on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qa_support import UNDATED_ITEM

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from qa.pipeline import ArchiveQA


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_archive: Path) -> Path:
    """The sample archive plus one undated item, ingested once per session."""
    store = tmp_path_factory.mktemp("qa-sample-store")
    extra = tmp_path_factory.mktemp("qa-extra") / "undated.txt"
    extra.write_text(UNDATED_ITEM)
    report = make_ingestor(Settings(store=store)).run([sample_archive, extra], progress=False)
    assert report.failed == 0 and report.new == 34
    return store


@pytest.fixture(scope="session")
def sample_questions(repo_root: Path) -> list[dict]:
    rows = [json.loads(line) for line in (repo_root / "examples" / "questions.jsonl").open()]
    return [r for r in rows if r["gold_doc_ids"]]


@pytest.fixture(scope="session")
def extractive_qa(sample_store: Path) -> ArchiveQA:
    return ArchiveQA.from_settings(Settings(store=sample_store, answerer="extractive"))
