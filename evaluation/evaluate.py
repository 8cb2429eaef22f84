"""The evaluation harness: retrieval, answer accuracy, citations, abstention and latency on dated quiz questions."""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from archive_qa.settings import Settings
from qa.citations import cited_numbers
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from qa.types import Answer, Message, Passage, is_quoted_after_decline, is_quoted_after_echo
from storage.types import normalize

GROUPS = ("answerable", "no_gold", "unanswerable")


@dataclass(frozen=True)
class Question:
    """One quiz question; `group` is answerable (gold article known), no_gold, or unanswerable (later events)."""

    id: str
    as_of: date
    text: str
    answers: tuple[str, ...]
    gold_ids: tuple[str, ...]
    group: str
    history: tuple[Message, ...] = ()  # the conversation a follow-up question is asked in


def load_questions(paths: Sequence[Path], limit: int | None = None, seed: int | None = None) -> list[Question]:
    """Questions from each file, sorted by id; a file named unanswerable* (or a row with "unanswerable": true)
    holds questions the archive cannot answer. `limit` takes the first N per file, or a seeded sample."""
    out: list[Question] = []
    for path in paths:
        rows = sorted((json.loads(line) for line in path.open() if line.strip()), key=lambda r: r["question_id"])
        if limit is not None:
            rows = (
                sorted(random.Random(seed).sample(rows, min(limit, len(rows))), key=lambda r: r["question_id"])
                if seed is not None
                else rows[:limit]
            )
        for row in rows:
            unanswerable = path.stem.startswith("unanswerable") or bool(row.get("unanswerable"))
            group = "unanswerable" if unanswerable else ("answerable" if row.get("answerable_in_corpus") else "no_gold")
            out.append(
                Question(
                    row["question_id"],
                    date.fromisoformat(row["question_date"][:10]),
                    row["question"],
                    tuple(row.get("answer") or ()),
                    tuple(row.get("gold_doc_ids") or ()),
                    group,
                    tuple(row.get("history") or ()),
                )
            )
    return out


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """The strict scorer: a gold string appears in the text, case-insensitive, double quotation marks ignored.

    29 gold strings are quoted titles ('“Succession”'); the marks are typography, so an answer naming the show
    without them, or in single quotes, is not wrong. Both systems are scored by this one function.
    """
    haystack = _comparable(text)
    return any(_comparable(a) in haystack for a in answers if a.strip())


def _comparable(text: str) -> str:
    return normalize(text).lower().replace('"', "")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Evaluator:
    """Run questions through an ArchiveQA and score them.

    >>> Evaluator(ArchiveQA.from_settings(settings)).run(load_questions([Path("questions.jsonl")]), "extractive")
    """

    def __init__(self, qa: ArchiveQA) -> None:
        self.qa = qa
        records = qa.retriever.store.article_records()
        # Gold ids are export ids (doc_id) or, for files, the file name without its extension.
        self.keys = {aid: _article_keys(r.metadata.get("external_id"), r.locations) for aid, r in records.items()}

    def run(self, questions: Sequence[Question], answerer: str | None, progress: bool = True) -> list[dict[str, Any]]:
        return [self.score(q, answerer) for q in tqdm(questions, desc="eval", disable=not progress)]

    def score(self, question: Question, answerer: str | None) -> dict[str, Any]:
        filters = Filters(as_of=question.as_of)
        started = time.perf_counter()
        # A follow-up is searched as it stands alone, the way the pipeline searches it.
        rewriter = "extractive" if answerer == "none" else (answerer or self.qa.settings.answerer)
        searched = self.qa.standalone(question.text, question.history, rewriter)
        ranked = self.qa.retriever.retrieve(searched, filters, k=30)
        retrieval_seconds = time.perf_counter() - started
        articles = _distinct([p.article_id for p in ranked])[:10]
        gold_rank = next(
            (i + 1 for i, a in enumerate(articles) if self.keys.get(a, set()) & set(question.gold_ids)), None
        )
        row: dict[str, Any] = {
            "id": question.id,
            "group": question.group,
            "question": question.text,
            "as_of": question.as_of.isoformat(),
            "gold_answers": list(question.answers),
            "gold_ids": list(question.gold_ids),
            "gold_rank": gold_rank,
            "retrieved": [sorted(self.keys.get(a, {a}))[0] for a in articles],
            "top_similarity": max((p.similarity or 0.0 for p in ranked[: self.qa.settings.k]), default=0.0),
            "timings": {"retrieval": retrieval_seconds, **self.qa.retriever.timings},
        }
        if answerer == "none":
            row["abstained"] = not self.qa.evidence_is_strong(ranked[: self.qa.settings.k], filters, searched)
            return row
        answer = self.qa.ask(question.text, question.history, filters=filters, answerer=answerer)
        row.update(self._score_answer(question, answer))
        return row

    def _score_answer(self, question: Question, answer: Answer) -> dict[str, Any]:
        # The answer's claims are scored; an "Earlier: ..." note cites an older report on purpose.
        in_claims = set(cited_numbers(answer.text))
        cited = [
            {
                "n": c.n,
                "article": sorted(self.keys.get(c.passage.article_id, {c.passage.article_id}))[0],
                "supported": self._supports(c.passage, question),
            }
            for c in answer.citations
            if c.n in in_claims
        ]
        return {
            "answer": answer.text,
            "abstained": answer.abstained,
            "answered_by": answer.answered_by,
            "correct": (not answer.abstained) and contains_answer(answer.text, question.answers),
            "answer_in_passages": any(contains_answer(p.text, question.answers) for p in answer.passages),
            "citations": cited,
            "removed_citations": answer.removed_citations,
            "timings": {**answer.timings},
        }

    def _supports(self, passage: Passage, question: Question) -> bool:
        gold = bool(self.keys.get(passage.article_id, set()) & set(question.gold_ids))
        return gold or contains_answer(passage.text, question.answers)


def _article_keys(external_id: object, locations: Sequence[str]) -> set[str]:
    keys = {str(external_id)} if external_id else set()
    keys |= {Path(loc).stem for loc in locations if "#" not in loc}
    return keys


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics overall and per group (see docs/quality.md for definitions)."""
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_group[row["group"]].append(row)
    report: dict[str, Any] = {"n": len(rows), "groups": {}}
    for group in [g for g in GROUPS if g in by_group] + ["overall"]:
        members = rows if group == "overall" else by_group[group]
        report["groups"][group] = _metrics(members)
    stages: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for stage, seconds in row["timings"].items():
            stages[stage].append(seconds)
    report["latency"] = {s: {"p50": _percentile(v, 0.5), "p95": _percentile(v, 0.95)} for s, v in stages.items()}
    return report


def _metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"questions": len(rows)}
    with_gold = [r for r in rows if r["gold_ids"]]
    if with_gold:
        ranks = [r["gold_rank"] for r in with_gold]
        out["with_gold_ids"] = len(with_gold)
        for k in (1, 4, 10):
            out[f"hits@{k}"] = sum(1 for x in ranks if x and x <= k) / len(ranks)
        out["mrr@10"] = sum(1 / x for x in ranks if x) / len(ranks)
    out["abstained"] = sum(1 for r in rows if r.get("abstained")) / len(rows) if rows else 0.0
    if any(r.get("answered_by") for r in rows):  # quoted by the extractive answerer after a refusal or an echo
        quoted = sum(1 for r in rows if is_quoted_after_decline(r.get("answered_by", "")))
        out["quoted_after_decline"] = quoted / len(rows)
        echoed = sum(1 for r in rows if is_quoted_after_echo(r.get("answered_by", "")))
        out["quoted_after_echo"] = echoed / len(rows)
    answered = [r for r in rows if "answer" in r and r["group"] != "unanswerable"]
    if answered:
        out["accuracy"] = sum(1 for r in answered if r["correct"]) / len(answered)
        out["answer_in_passages"] = sum(1 for r in answered if r["answer_in_passages"]) / len(answered)
        given = [r for r in answered if not r["abstained"]]
        citations = [c for r in given for c in r["citations"]]
        out["citation_coverage"] = sum(1 for r in given if r["citations"]) / len(given) if given else 0.0
        out["citation_precision"] = sum(1 for c in citations if c["supported"]) / len(citations) if citations else 0.0
    return out


def calibrate_threshold(rows: list[dict[str, Any]], max_false_abstention: float = 0.02) -> dict[str, float]:
    """The highest abstention threshold that abstains on at most `max_false_abstention` of answerable questions.

    Retrieval evidence alone cannot tell a later event from a similar earlier one, so the budget is kept below the
    10% target: the model's own refusals spend the rest.
    """
    answerable = sorted(r["top_similarity"] for r in rows if r["group"] == "answerable")
    unanswerable = [r["top_similarity"] for r in rows if r["group"] == "unanswerable"]
    if not answerable:
        raise ValueError("calibration needs answerable questions")
    threshold = answerable[int(max_false_abstention * len(answerable))]
    return {
        "threshold": round(threshold, 4),
        "false_abstention": sum(1 for s in answerable if s < threshold) / len(answerable),
        "abstention_right": sum(1 for s in unanswerable if s < threshold) / len(unanswerable) if unanswerable else 0.0,
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }


def format_report(report: dict[str, Any]) -> str:
    """A terminal table: one column per group."""
    groups = list(report["groups"])
    metrics = sorted({m for g in groups for m in report["groups"][g]}, key=_metric_order)
    lines = [f"{'metric':22}" + "".join(f"{g:>14}" for g in groups)]
    for metric in metrics:
        cells = [report["groups"][g].get(metric) for g in groups]
        lines.append(f"{metric:22}" + "".join(f"{_cell(c):>14}" for c in cells))
    lines.append("")
    lines += [
        f"latency {s:12} p50 {v['p50'] * 1000:8.1f} ms   p95 {v['p95'] * 1000:8.1f} ms"
        for s, v in report["latency"].items()
    ]
    if "calibration" in report:
        c = report["calibration"]
        lines.append(
            f"calibration: threshold {c['threshold']} would abstain on {c['false_abstention']:.1%} of answerable "
            f"and {c['abstention_right']:.1%} of unanswerable questions (retrieval evidence alone)"
        )
    return "\n".join(lines)


def _metric_order(name: str) -> tuple[int, str]:
    order = [
        "questions",
        "with_gold_ids",
        "hits@1",
        "hits@4",
        "hits@10",
        "mrr@10",
        "accuracy",
        "answer_in_passages",
        "citation_precision",
        "citation_coverage",
        "abstained",
    ]
    return (order.index(name) if name in order else len(order), name)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def run_eval(
    settings: Settings,
    paths: Sequence[Path],
    answerer: str | None = None,
    limit: int | None = None,
    seed: int | None = None,
    k: int | None = None,
    out: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """`archive-qa eval`: load, run, summarize; per-question rows to `out` (JSONL) and misses to out.misses.txt."""
    if k:
        settings = settings.model_copy(update={"k": k})
    qa = ArchiveQA.from_settings(settings)
    rows = Evaluator(qa).run(load_questions(paths, limit, seed), answerer or settings.answerer, progress)
    report = summarize(rows)
    if any(r["group"] == "answerable" for r in rows):
        report["calibration"] = calibrate_threshold(rows)
    report["config"] = {
        "answerer": answerer or settings.answerer,
        "k": settings.k,
        "abstain_threshold": settings.abstain_threshold,
        "limit": limit,
        "seed": seed,
        "files": [str(p) for p in paths],
    }
    if out:
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
        out.with_suffix(".misses.txt").write_text(_misses(rows))
    return report


def _misses(rows: list[dict[str, Any]]) -> str:
    blocks = []
    for r in rows:
        if r["group"] != "unanswerable" and r.get("correct") is False:
            blocks.append(
                f"{r['id']} ({r['as_of']}, gold rank {r['gold_rank']}): {r['question']}\n"
                f"  gold: {r['gold_answers']}\n  answer: {r.get('answer')}\n"
            )
    return "\n".join(blocks)
