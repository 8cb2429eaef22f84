"""The one per-question row format of the harness and the benchmarks (JSONL rows, summaries, misses files)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NotRequired, TypedDict, cast

from evaluation.questions import Question
from evaluation.scoring import answer_in_any, is_correct
from qa.answer import Provenance


class CitedRow(TypedDict):
    """One [n] marker of an answer's claims: the article it points to and whether that passage supports it."""

    n: int
    article: str
    supported: bool


class Row(TypedDict):
    """One scored question. Retrieval fields always; the answer fields once an answerer ran (`with_answer`).

    `top_similarity` is archive-qa's retrieval evidence (the tutorial baseline has none); `answered_by` names
    archive-qa's answerer, and `provenance` (a `qa.answer.Provenance` value) whose words the answer is;
    `llm` is a benchmark's record of the generation (first token, prompt tokens).
    """

    id: str
    group: str
    question: str
    as_of: str
    gold_answers: list[str]
    gold_ids: list[str]
    gold_rank: int | None
    retrieved: list[str]
    top_similarity: NotRequired[float]
    timings: dict[str, float]
    answer: NotRequired[str]
    abstained: NotRequired[bool]
    answered_by: NotRequired[str]
    provenance: NotRequired[str]
    correct: NotRequired[bool]
    answer_in_passages: NotRequired[bool]
    citations: NotRequired[list[CitedRow]]
    removed_citations: NotRequired[int]
    llm: NotRequired[dict[str, Any]]


def retrieval_row(
    question: Question,
    gold_rank: int | None,
    retrieved: list[str],
    timings: dict[str, float],
    top_similarity: float | None = None,
) -> Row:
    """The row of a question once retrieved: `retrieved` names the top distinct articles by the questions' ids."""
    row: dict[str, Any] = {
        "id": question.id,
        "group": question.group,
        "question": question.text,
        "as_of": question.as_of.isoformat(),
        "gold_answers": list(question.answers),
        "gold_ids": list(question.gold_ids),
        "gold_rank": gold_rank,
        "retrieved": retrieved,
    }
    if top_similarity is not None:
        row["top_similarity"] = top_similarity
    row["timings"] = timings  # after top_similarity: the order rows have always been written in
    return cast(Row, row)


def with_answer(
    row: Row,
    question: Question,
    answer: str,
    abstained: bool,
    *,
    passages: Iterable[str],
    citations: list[CitedRow],
    removed_citations: int,
    answered_by: str | None = None,
    provenance: Provenance | None = None,
    timings: dict[str, float] | None = None,
) -> Row:
    """Add the scored answer to `row` (in place, and returned): correctness by `is_correct` against the question's
    gold strings, and whether any passage the answerer read holds one. `answered_by` and `provenance` are an
    archive-qa answer's. `timings`, if given, replace the row's."""
    row["answer"] = answer
    row["abstained"] = abstained
    if answered_by is not None:
        row["answered_by"] = answered_by
    if provenance is not None:
        row["provenance"] = provenance.value
    row["correct"] = is_correct(answer, abstained, question.answers)
    row["answer_in_passages"] = answer_in_any(passages, question.answers)
    row["citations"] = citations
    row["removed_citations"] = removed_citations
    if timings is not None:
        row["timings"] = timings
    return row


def public_row(row: Row, answer_chars: int = 300) -> dict[str, Any]:
    """A row as kept in bench/results: no question or gold text (the data stays in ../shared), answer cut short."""
    out: dict[str, Any] = {k: v for k, v in row.items() if k not in ("question", "gold_answers")}
    if isinstance(out.get("answer"), str):
        out["answer"] = out["answer"][:answer_chars]
    return out


def misses_text(rows: Sequence[Row]) -> str:
    """The wrong answers to answerable questions, one block each (the `.misses.txt` beside a rows file)."""
    blocks = []
    for r in rows:
        if r["group"] != "unanswerable" and r.get("correct") is False:
            blocks.append(
                f"{r['id']} ({r['as_of']}, gold rank {r['gold_rank']}): {r['question']}\n"
                f"  gold: {r['gold_answers']}\n  answer: {r.get('answer')}\n"
            )
    return "\n".join(blocks)
