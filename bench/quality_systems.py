"""The two systems bench/quality.py scores, each in its own child process: archive-qa's default pipeline through
evaluation's Evaluator, and the tutorial pipeline (top-10 dense chunks, the top 4 to the same prompt and answerer)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import rqa, store_settings
from bench.recording import Recording
from evaluation.summary import percentile
from qa.registry import answerer_spec


def _prompts_a_model(answerer: str) -> bool:
    """Whether the registered answerer prompts a chat model (its answers are then timed through `Recording`)."""
    return answerer_spec(answerer).runtime is not None


def load_sets(sizes: dict[str, int | None], year: str = "2022") -> dict[str, list[Any]]:
    """The question sets: N answerable by id after the first `offset` (0) and the first M unanswerable (answerer),
    first N of all and of the unanswerable (retrieval only)."""
    from evaluation.questions import load_questions

    everything = load_questions([rqa(year) / "questions.jsonl"])
    answerable = [q for q in everything if q.group == "answerable"]
    unanswerable = load_questions([rqa(year) / "unanswerable.jsonl"])
    unanswerable.sort(key=lambda q: q.id)

    def first(rows: list[Any], key: str, skip: int = 0) -> list[Any]:
        return rows[skip : skip + sizes[key]] if sizes[key] is not None else rows[skip:]

    answer_set = first(sorted(answerable, key=lambda q: q.id), "llm", sizes.get("offset") or 0)
    return {
        "llm": [*answer_set, *first(unanswerable, "llm_unanswerable")],
        "retrieval": [*first(everything, "retrieval"), *first(unanswerable, "unanswerable")],
    }


def _extra(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """LLM latency and prompt size over answered (not abstained-before-generation) rows."""
    generated = [r for r in rows if r.get("llm")]
    ttft = [r["llm"]["first_token"] for r in generated if "first_token" in r["llm"]]
    e2e = [r["llm"]["end_to_end_first_token"] for r in generated if "end_to_end_first_token" in r["llm"]]
    tokens = [r["llm"]["prompt_tokens"] for r in generated if r["llm"].get("prompt_tokens")]
    total = [r["llm"]["generate"] for r in generated if "generate" in r["llm"]]
    return {
        "generated": len(generated),
        "first_token_p50_s": round(percentile(ttft, 0.5), 2) if ttft else None,
        "first_token_p95_s": round(percentile(ttft, 0.95), 2) if ttft else None,
        "end_to_end_first_token_p50_s": round(percentile(e2e, 0.5), 2) if e2e else None,
        "generate_p50_s": round(percentile(total, 0.5), 2) if total else None,
        "prompt_tokens_p50": percentile(tokens, 0.5) if tokens else None,
        "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else None,
    }


def child_archive_qa(store: Path, answerer: str, sets: dict[str, list[Any]], out: Path) -> dict[str, Any]:
    from evaluation.runner import Evaluator
    from evaluation.summary import summarize
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    evaluator = Evaluator(qa)
    recorder = None
    if _prompts_a_model(answerer):  # the bench questions have no history: only answers go through the model
        recorder = Recording(qa.generator(answerer))
        qa.use_generator(answerer, recorder)
    llm_rows = []
    for question in sets["llm"]:
        if recorder:
            recorder.last = None
        row = evaluator.score(question, answerer)
        if recorder and recorder.last:
            record = dict(recorder.last)
            retrieve = row["timings"].get("retrieve", 0.0) + row["timings"].get("rewrite", 0.0)
            if "first_token" in record:
                record["end_to_end_first_token"] = retrieve + record["first_token"]
            row["llm"] = record
        llm_rows.append(row)
        _progress("archive-qa", len(llm_rows), len(sets["llm"]))
    retrieval_rows = [evaluator.score(q, "none") for q in sets["retrieval"]]
    _write_rows(out, llm_rows, retrieval_rows)
    return {
        "answer_set": {"report": summarize(llm_rows).to_json(), "llm": _extra(llm_rows)},
        "retrieval_set": {"report": summarize(retrieval_rows).to_json()},
    }


class _Tutorial:
    """The tutorial pipeline as the baseline of this benchmark: top-10 dense chunks, the top 4 to the answerer."""

    def __init__(self, persist: Path, answerer: str) -> None:
        from archive_qa.settings import Settings
        from bench import tutorial
        from qa.answerers import get_generator
        from qa.extractive import ExtractiveAnswerer
        from storage.factory import get_embedder

        settings = Settings()
        self.store = tutorial.open_store(persist, tutorial.embeddings())
        self.generator = Recording(get_generator(answerer, settings)) if _prompts_a_model(answerer) else None
        self.extractive = ExtractiveAnswerer(get_embedder(settings)) if not self.generator else None

    def retrieve(self, question: Any) -> tuple[list[Any], Any]:
        """The top-10 chunks as Passages and the question's row, scored like archive-qa's on distinct articles."""
        from evaluation.rows import retrieval_row
        from evaluation.scoring import gold_rank
        from qa.types import Passage

        clock = time.perf_counter()
        docs = self.store.similarity_search(question.text, k=10)
        seconds = time.perf_counter() - clock
        passages = [
            Passage(
                chunk_id=f"{d.metadata.get('doc_id')}#{i}",
                article_id=str(d.metadata.get("doc_id")),
                text=d.page_content,
                title=str(d.metadata.get("title", "")),
                source=d.metadata.get("source") or None,
                published=str(d.metadata.get("publish_date", "")).replace("/", "-") or None,
            )
            for i, d in enumerate(docs)
        ]
        articles = list(dict.fromkeys(p.article_id for p in passages))[:10]
        rank = gold_rank([{a} for a in articles], question.gold_ids)
        return passages, retrieval_row(question, rank, articles, {"retrieval": seconds})

    def answer(self, question: Any) -> Any:
        """The question's row with the answer over the top 4 chunks, its [n] markers checked like archive-qa's."""
        from evaluation.rows import with_answer
        from evaluation.scoring import supports
        from qa.citations import check_markers, cited_numbers
        from qa.pipeline import is_refusal

        passages, row = self.retrieve(question)
        given = passages[:4]
        clock = time.perf_counter()
        text = self._generate(question, given, row)
        generate = time.perf_counter() - clock
        cleaned, removed = check_markers(text, len(given))
        abstained = is_refusal(cleaned)
        cited = [
            {
                "n": n,
                "article": given[n - 1].article_id,
                "supported": supports(
                    given[n - 1].article_id in question.gold_ids, given[n - 1].text, question.answers
                ),
            }
            for n in cited_numbers(cleaned)
        ]
        with_answer(row, question, cleaned, abstained, passages=[p.text for p in given],
                    citations=[] if abstained else cited, removed_citations=removed)  # fmt: skip
        row["timings"]["generate"] = generate
        return row

    def _generate(self, question: Any, given: list[Any], row: Any) -> str:
        from dataclasses import replace

        from qa.citations import neutralize
        from qa.prompt import answer_messages

        if not self.generator:
            assert self.extractive is not None
            *_, text = self.extractive.stream(question.text, given, question.as_of)
            return str(text)
        text = ""
        safe = [replace(p, text=neutralize(p.text), title=neutralize(p.title)) for p in given]
        for delta in self.generator.stream(answer_messages(question.text, safe, question.as_of), 200):
            text += delta
        record = dict(self.generator.last or {})
        if "first_token" in record:
            record["end_to_end_first_token"] = row["timings"]["retrieval"] + record["first_token"]
        row["llm"] = record
        return text


def child_tutorial(persist: Path, answerer: str, sets: dict[str, list[Any]], out: Path) -> dict[str, Any]:
    from evaluation.summary import summarize

    tutorial = _Tutorial(persist, answerer)
    llm_rows = []
    for question in sets["llm"]:
        llm_rows.append(tutorial.answer(question))
        _progress("tutorial", len(llm_rows), len(sets["llm"]))
    retrieval_rows = []
    for question in sets["retrieval"]:
        _, row = tutorial.retrieve(question)
        row["abstained"] = False  # the tutorial pipeline has no abstention step
        retrieval_rows.append(row)
    _write_rows(out, llm_rows, retrieval_rows)
    return {
        "answer_set": {"report": summarize(llm_rows).to_json(), "llm": _extra(llm_rows)},
        "retrieval_set": {"report": summarize(retrieval_rows).to_json()},
    }


def _progress(name: str, done: int, total: int) -> None:
    if done == total or done % 10 == 0:
        print(f"[quality] {name}: {done}/{total} answered", file=sys.stderr, flush=True)


def _write_rows(out: Path, llm_rows: list[Any], retrieval_rows: list[Any]) -> None:
    from evaluation.rows import public_row

    with out.open("w") as handle:
        for kind, rows in (("answer_set", llm_rows), ("retrieval_set", retrieval_rows)):
            for row in rows:
                handle.write(json.dumps({"set": kind, **public_row(row)}) + "\n")
