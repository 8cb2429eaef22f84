"""Two app processes over one `chroma run` server stay consistent while a third process ingests into it.

The sample archive is ingested through `--chroma-url`; two `archive-qa serve --chroma-url … --answerer extractive`
apps (each with its own store directory, so each keeps its own BM25 cache) answer the same five sample questions
over and over while `archive-qa ingest` adds forty new stories about other topics. Every request must answer,
cite its gold article and cite the same articles in both apps before, during and after the ingest; afterwards
both apps answer about a new story without a restart, and each has rebuilt BM25 for the server's new fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from wire_articles import PROBE_ANSWER, PROBE_QUESTION, PROBE_TITLE, STORIES, write_wire_articles

from scale_support import App, ask, run_archive_qa, server_collection_state, serving, start_archive_qa, stop

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

QUESTION_IDS = ["sample_02", "sample_05", "sample_12", "sample_18", "sample_29"]
MAX_ROUNDS_DURING_INGEST = 40  # a bound, not a target: the ingest normally ends after a few rounds


def _ask_all(client: Any, asks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ask each question once; record what was cited (the gold id is the cited file's name) or the error."""
    out = []
    for q in asks:
        try:
            result = ask(client, q["question"], as_of=q["question_date"])
        except Exception as exc:  # recorded, asserted on below with the whole picture
            out.append({"id": q["question_id"], "error": f"{type(exc).__name__}: {exc}"})
            continue
        cited = sorted({Path(c["path"]).stem for c in result["citations"] if c.get("path")})
        out.append(
            {"id": q["question_id"], "abstained": result["abstained"], "cited": cited, "answer": result["answer"]}
        )
    return out


def _round(clients: list[Any], asks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One round: every app answers every question (apps in parallel, each app's questions in turn)."""
    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(lambda client: _ask_all(client, asks), clients))


def _problems(rounds: list[tuple[str, list[list[dict[str, Any]]]]], golds: dict[str, str]) -> list[str]:
    """Every answer that failed, abstained, missed its gold article or cited other articles than the first one."""
    problems: list[str] = []
    reference: dict[str, list[str]] = {}
    for label, per_app in rounds:
        for app_index, answers in enumerate(per_app):
            for a in answers:
                where = f"{label}, app {app_index}, {a['id']}"
                if "error" in a:
                    problems.append(f"{where}: request failed: {a['error']}")
                elif a["abstained"]:
                    problems.append(f"{where}: abstained: {a['answer']!r}")
                elif golds[a["id"]] not in a["cited"]:
                    problems.append(f"{where}: gold {golds[a['id']]} not cited, got {a['cited']}")
                elif reference.setdefault(a["id"], a["cited"]) != a["cited"]:
                    problems.append(f"{where}: cited {a['cited']}, first answer cited {reference[a['id']]}")
    return problems


def _keyword_folder(app: App, chroma_url: str, fingerprint: str) -> Path:
    """Where the app keeps BM25 for `fingerprint` (see storage.factory.keyword_root)."""
    place = hashlib.sha256(chroma_url.encode()).hexdigest()[:12]
    return app.store / "keyword" / place / "archive" / fingerprint


def test_two_apps_stay_consistent_while_a_third_process_ingests(
    chroma_server: str, tmp_path: Path, sample_archive: Path, questions: dict, archive_qa_bin: Path
) -> None:
    url = chroma_server
    asks = [questions[qid] for qid in QUESTION_IDS]
    golds = {q["question_id"]: q["gold_doc_ids"][0] for q in asks}

    first = run_archive_qa("ingest", sample_archive, "--chroma-url", url, "--store", tmp_path / "ingester", "--json")
    assert first.code == 0, first.err
    assert first.json["articles"]["new"] == 33
    chunks_before, fingerprint_before = server_collection_state(url)

    reader_args = ("--chroma-url", url, "--answerer", "extractive")
    specs = [(tmp_path / f"reader-{name}", tmp_path / f"reader-{name}.log", reader_args) for name in ("a", "b")]
    with serving(*specs) as apps:
        clients = [app.client() for app in apps]
        rounds = [("before the ingest", _round(clients, asks))]
        for app in apps:  # each app built BM25 from the server on its own (its store directory is its own)
            assert (_keyword_folder(app, url, fingerprint_before) / "chunks.json").exists()

        new = write_wire_articles(tmp_path / "new-stories")
        writer = start_archive_qa(
            "ingest",
            new[0].parent,
            "--chroma-url",
            url,
            "--store",
            tmp_path / "writer",
            "--json",
            out=tmp_path / "writer.out",
        )
        try:
            during, changed_during_a_round = 0, False
            while writer.poll() is None and during < MAX_ROUNDS_DURING_INGEST:
                state_before = server_collection_state(url)
                rounds.append((f"during the ingest, round {during + 1}", _round(clients, asks)))
                changed_during_a_round |= server_collection_state(url) != state_before
                during += 1
            writer.wait(timeout=240)
        finally:
            stop(writer)
        err = (tmp_path / "writer.out.err").read_text()
        assert writer.returncode == 0, err[-3000:]
        summary = json.loads((tmp_path / "writer.out").read_text().strip().splitlines()[-1])
        assert summary["articles"]["new"] == len(STORIES), summary
        assert changed_during_a_round, "the ingest wrote nothing while the apps were being asked"

        time.sleep(1.1)  # an app re-reads the server's fingerprint at most once a second
        rounds.append(("after the ingest", _round(clients, asks)))
        problems = _problems(rounds, golds)
        requests = sum(len(answers) for _, per_app in rounds for answers in per_app)
        print(
            f"{requests} answers in {len(rounds)} rounds, {during} of them during the ingest; apps ready in "
            + ", ".join(f"{app.startup_seconds:.1f} s" for app in apps)
        )
        assert not problems, f"{len(problems)} inconsistent answers over {len(rounds)} rounds:\n" + "\n".join(problems)

        chunks_after, fingerprint_after = server_collection_state(url)
        assert chunks_after > chunks_before and fingerprint_after != fingerprint_before
        for app, client in zip(apps, clients, strict=True):  # no restart: the apps see the new stories
            result = ask(client, PROBE_QUESTION)
            assert not result["abstained"], result["answer"]
            assert PROBE_ANSWER in result["answer"]
            assert result["citations"][0]["title"] == PROBE_TITLE
            folder = _keyword_folder(app, url, fingerprint_after)  # BM25 followed the server's fingerprint
            assert (folder / "chunks.json").exists(), sorted(p.name for p in folder.parent.iterdir())
            assert len(json.loads((folder / "chunks.json").read_text())["ids"]) == chunks_after


def test_two_concurrent_writers_lose_nothing(chroma_server: str, tmp_path: Path, sample_archive: Path) -> None:
    """Two `archive-qa ingest` runs into one server at once: each run's closing sweep of a crash's remains (chunks
    without an article record) must not take the other run's chunks, whose record is written after them."""
    import collections

    from archive_qa.settings import Settings
    from storage.chroma import ChromaStore
    from storage.chroma_client import make_client

    new = write_wire_articles(tmp_path / "new-stories")
    common = ("--chroma-url", chroma_server, "--collection", "concurrent", "--json")
    writers = [
        start_archive_qa("ingest", folder, "--store", tmp_path / name, *common, out=tmp_path / f"{name}.out")
        for name, folder in (("w1", sample_archive), ("w2", new[0].parent))
    ]
    try:
        codes = [writer.wait(timeout=240) for writer in writers]
    finally:
        for writer in writers:
            stop(writer)
    assert codes == [0, 0], [(tmp_path / f"{name}.out.err").read_text()[-2000:] for name in ("w1", "w2")]

    store = ChromaStore.attach(make_client(Settings().store, chroma_server), "concurrent")
    records = store.article_records()
    per_article = collections.Counter(chunk_id.rsplit("-", 1)[0] for chunk_id in store.chunk_ids())
    assert len(records) == 33 + len(STORIES)
    incomplete = [r.metadata["title"] for i, r in records.items() if per_article[i] != r.metadata["n_chunks"]]
    assert not incomplete, f"{len(incomplete)} articles lost chunks to the other writer, e.g. {incomplete[:3]}"
