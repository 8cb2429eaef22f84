"""`ask`, `eval` and `serve` refuse a store that does not exist or holds no articles, instead of creating one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from storage.factory import open_store


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    row = {"question_id": "q1", "question_date": "2024-01-01", "question": "Who won?", "answer": ["A"]}
    path.write_text(json.dumps({**row, "gold_doc_ids": ["x"], "answerable_in_corpus": True}) + "\n", encoding="utf-8")
    return path


def test_ask_and_eval_on_a_missing_store_exit_2_and_create_nothing(tmp_path: Path, cli, questions: Path) -> None:
    store = tmp_path / "no-such-store"
    for args in (["ask", "Who won?"], ["eval", questions, "--answerer", "none"]):
        result = cli(*args, "--store", store)
        assert result.code == 2, (args, result.out, result.err)
        assert f"no archive at {store}" in result.err
        assert f"archive-qa ingest PATH --store {store}" in result.err
        assert not store.exists()


def test_ask_on_a_store_without_articles_exits_2(tmp_path: Path, cli) -> None:
    store = tmp_path / "empty"
    open_store(Settings(store=store))  # the collections exist, with nothing in them
    result = cli("ask", "Who won?", "--store", store, "--answerer", "extractive")
    assert result.code == 2
    assert f"no archive at {store}" in result.err and "holds no articles" in result.err


def test_serve_on_a_missing_store_exits_2_unless_allowed_empty(tmp_path: Path, cli_process) -> None:
    store = tmp_path / "no-such-store"
    refused = cli_process("serve", "--store", store, "--port", "9", timeout=120)
    assert refused.code == 2
    assert f"no archive at {store}" in refused.err and "--allow-empty" in refused.err
    assert not store.exists()


@pytest.mark.integration
def test_a_server_collection_without_articles_is_refused(chroma_server: str, tmp_path: Path, cli) -> None:
    result = cli("ask", "Who won?", "--chroma-url", chroma_server, "--collection", "never-made", "--store", tmp_path)
    assert result.code == 2
    assert f"no archive in collection 'never-made' at {chroma_server}" in result.err
    assert f"--chroma-url {chroma_server} --collection never-made" in result.err
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
    assert "never-made" not in {c.name for c in client.list_collections()}
