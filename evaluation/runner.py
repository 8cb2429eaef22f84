"""Run dated questions through an ArchiveQA and score them: the harness behind `archive-qa eval` and bench/."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from archive_qa.settings import Settings
from evaluation.questions import Question, load_questions
from evaluation.rows import CitedRow, Row, misses_text, retrieval_row, with_answer
from evaluation.scoring import gold_rank, supports
from evaluation.summary import EvalConfig, Summary, calibrate_threshold, summarize
from qa.answer import Answer
from qa.citations import cited_numbers
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from qa.types import Passage


class Evaluator:
    """Run questions through an ArchiveQA and score them, one `Row` each (tests/evaluation/test_runner.py runs it):
    `Evaluator(ArchiveQA.from_settings(settings)).run(load_questions([Path("questions.jsonl")]), "extractive")`.
    """

    def __init__(self, qa: ArchiveQA) -> None:
        self.qa = qa
        records = qa.retriever.store.article_records()
        # Gold ids are export ids (doc_id) or, for files, the file name without its extension.
        self.keys = {aid: _article_keys(r.metadata.get("external_id"), r.locations) for aid, r in records.items()}

    def run(self, questions: Sequence[Question], answerer: str | None, progress: bool = True) -> list[Row]:
        return [self.score(q, answerer) for q in tqdm(questions, desc="eval", disable=not progress)]

    def score(self, question: Question, answerer: str | None) -> Row:
        """One question's row: retrieval (top 30 -> 10 distinct articles), then the answer unless `answerer` is
        "none", in which case `abstained` is the retrieval evidence's verdict alone."""
        filters = Filters(as_of=question.as_of)
        started = time.perf_counter()
        # A follow-up is searched as it stands alone, the way the pipeline searches it.
        rewriter = "extractive" if answerer == "none" else (answerer or self.qa.settings.answerer)
        searched = self.qa.standalone(question.text, question.history, rewriter)
        retrieval = self.qa.retriever.retrieve_timed(searched, filters, k=30)
        ranked = retrieval.passages
        retrieval_seconds = time.perf_counter() - started
        articles = _distinct([p.article_id for p in ranked])[:10]
        row = retrieval_row(
            question,
            gold_rank([self.keys.get(a, set()) for a in articles], question.gold_ids),
            [self._name(a) for a in articles],
            {"retrieval": retrieval_seconds, **retrieval.timings},
            top_similarity=max((p.similarity or 0.0 for p in ranked[: self.qa.settings.k]), default=0.0),
        )
        if answerer == "none":
            row["abstained"] = not self.qa.evidence_is_strong(ranked[: self.qa.settings.k], filters, searched)
            return row
        answer = self.qa.ask(question.text, question.history, filters=filters, answerer=answerer)
        return self._with_answer(row, question, answer)

    def _with_answer(self, row: Row, question: Question, answer: Answer) -> Row:
        # The answer's claims are scored; an "Earlier: ..." note cites an older report on purpose.
        in_claims = set(cited_numbers(answer.text))
        cited: list[CitedRow] = [
            {"n": c.n, "article": self._name(c.passage.article_id), "supported": self._supports(c.passage, question)}
            for c in answer.citations
            if c.n in in_claims
        ]
        return with_answer(
            row,
            question,
            answer.text,
            answer.abstained,
            passages=[p.text for p in answer.passages],
            citations=cited,
            removed_citations=answer.removed_citations,
            answered_by=answer.answered_by,
            provenance=answer.provenance,
            timings={**answer.timings},
        )

    def _name(self, article_id: str) -> str:
        """The article as the question files name it (its first key), else its stored id."""
        return sorted(self.keys.get(article_id, {article_id}))[0]

    def _supports(self, passage: Passage, question: Question) -> bool:
        gold = bool(self.keys.get(passage.article_id, set()) & set(question.gold_ids))
        return supports(gold, passage.text, question.answers)


def _article_keys(external_id: object, locations: Sequence[str]) -> set[str]:
    keys = {str(external_id)} if external_id else set()
    keys |= {Path(loc).stem for loc in locations if "#" not in loc}
    return keys


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def run_eval(
    settings: Settings,
    paths: Sequence[Path],
    answerer: str | None = None,
    limit: int | None = None,
    seed: int | None = None,
    k: int | None = None,
    out: Path | None = None,
    progress: bool = True,
) -> Summary:
    """`archive-qa eval`: load, run, summarize; per-question rows to `out` (JSONL) and misses to out.misses.txt."""
    if k:
        settings = settings.model_copy(update={"k": k})
    qa = ArchiveQA.from_settings(settings)
    rows = Evaluator(qa).run(load_questions(paths, limit, seed), answerer or settings.answerer, progress)
    report = replace(
        summarize(rows),
        calibration=calibrate_threshold(rows) if any(r["group"] == "answerable" for r in rows) else None,
        config=EvalConfig(
            answerer=answerer or settings.answerer,
            k=settings.k,
            abstain_threshold=settings.abstain_threshold,
            limit=limit,
            seed=seed,
            files=[str(p) for p in paths],
        ),
    )
    if out:
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        out.with_suffix(".misses.txt").write_text(misses_text(rows))
    return report
