"""Fixtures for the qa tests: the sample archive ingested once into a real embedded store, and an ArchiveQA on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from qa.pipeline import ArchiveQA
from storage.factory import open_store

from qa_support import BRIDGE_STORY, CHESS, HARBOUR_FERRY, UNDATED_ITEM


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


@pytest.fixture(scope="session")
def timeline_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bridge story's archive (qa_support.BRIDGE_STORY), ingested once; the two copies of the budget vote share
    a story id, as the ingest's near-duplicate grouping will give them."""
    folder = tmp_path_factory.mktemp("timeline-archive")
    texts = {**{f"bridge-{name}": text for name, text in BRIDGE_STORY.items()}, "ferry": HARBOUR_FERRY, "chess": CHESS}
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    store = tmp_path_factory.mktemp("timeline-store")
    settings = Settings(store=store)
    report = make_ingestor(settings).run([folder], progress=False)
    assert report.failed == 0 and report.new == len(texts)
    archive = open_store(settings)
    copies = [i for i, r in archive.article_records().items() if r.metadata.get("source") in ("Reuters", "Xinhua")]
    assert len(copies) == 2
    archive.update_records({article_id: {"story_id": "bridge-budget-vote"} for article_id in copies})
    return store
