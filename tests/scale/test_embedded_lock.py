"""The embedded store and its processes: a running app and a second writer never meet.

An embedded Chroma store is not shared between processes: an app that has it open does not see another process's
writes, and every question it is asked afterwards fails ("Error finding id") until it restarts. So while an app
serves an embedded store, `archive-qa ingest` into it is refused (exit 2, with what to do instead), the app's own
upload still works, and an app refuses to start while another process writes the store.
(`archive-qa ingest` against a held writer lock is covered by tests/storage/test_lock.py.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from wire_articles import PROBE_ANSWER, PROBE_QUESTION, PROBE_TITLE, write_wire_articles

from storage.lock import writer_lock

from scale_support import ARCHIVE_QA, ask, run_archive_qa, serving, stop, upload

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_archive: Path) -> Path:
    store = tmp_path_factory.mktemp("embedded") / "store"
    done = run_archive_qa("ingest", sample_archive, "--store", store, "--json")
    assert done.code == 0, done.err
    assert done.json["articles"]["new"] == 33
    return store


@pytest.fixture
def sample_copy(sample_store: Path, tmp_path: Path) -> Path:
    """A private copy of an embedded store holding the sample archive (no process has either open)."""
    return Path(shutil.copytree(sample_store, tmp_path / "store"))


def _refused_upload(client: Any, path: Path) -> str:
    """Upload `path`, expecting a refusal: the app reports it in the summary's errors (or as an error)."""
    try:
        summary = upload(client, path)
    except Exception as exc:
        return str(exc)
    assert summary["articles"]["new"] == 0, summary
    return " ".join(e["reason"] for e in summary["errors"])


def test_cli_ingest_is_refused_while_apps_serve_the_store_and_the_app_upload_works(
    sample_copy: Path, tmp_path: Path, questions: dict
) -> None:
    store, new = sample_copy, write_wire_articles(tmp_path / "new-stories")
    extra = ("--answerer", "extractive")
    with serving((store, tmp_path / "a.log", extra), (store, tmp_path / "b.log", extra)) as (first, second):
        busy = run_archive_qa("ingest", new[0].parent, "--store", store, "--json")
        assert busy.code == 2 and busy.out == ""
        assert f"{store} is open in a running app (archive-qa serve)" in busy.err
        assert "add the files through that app" in busy.err and "Chroma server" in busy.err

        client = first.client()
        question = questions["sample_18"]
        answer = ask(client, question["question"], as_of=question["question_date"])  # the refused ingest changed
        assert not answer["abstained"]  # nothing: the app still answers from the sample archive
        assert question["gold_doc_ids"][0] in {Path(c["path"]).stem for c in answer["citations"]}

        refused = _refused_upload(client, new[0])  # the other app would not see it either
        assert f"{store} is open in a running app" in refused, refused
        stop(second.process)
        summary = upload(client, new[0])  # the only process with the store open may write to it
        assert summary["articles"]["new"] == 1, summary
        answer = ask(client, PROBE_QUESTION)
        assert PROBE_ANSWER in answer["answer"] and answer["citations"][0]["title"] == PROBE_TITLE
    after = run_archive_qa("ingest", new[0].parent, "--store", store, "--json")  # app stopped: the CLI may write
    assert after.code == 0, after.err
    assert after.json["articles"]["new"] == len(new) - 1  # the uploaded one is stored already


def test_app_refuses_to_start_while_another_process_writes_the_store(sample_copy: Path) -> None:
    with writer_lock(sample_copy):  # what `archive-qa ingest` holds while it runs
        done = subprocess.run(
            [str(ARCHIVE_QA), "serve", "--store", str(sample_copy), "--port", "9", "--answerer", "extractive"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{sample_copy} is being written by pid {os.getpid()}; wait for that ingest to finish" in done.stderr
