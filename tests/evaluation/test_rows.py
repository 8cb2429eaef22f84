"""The one row format: field order as written to JSONL, scored answers, public rows and misses."""

from __future__ import annotations

from datetime import date

from evaluation.questions import Question
from evaluation.rows import misses_text, public_row, retrieval_row, with_answer
from qa.answer import Provenance

QUESTION = Question("q1", date(2023, 5, 10), "By what vote?", ("29 to 14",), ("002",), "answerable")


def test_retrieval_row_fields_in_order() -> None:
    row = retrieval_row(QUESTION, 1, ["002", "005"], {"retrieval": 0.01}, top_similarity=0.7)
    assert list(row) == [
        "id", "group", "question", "as_of", "gold_answers", "gold_ids", "gold_rank", "retrieved",
        "top_similarity", "timings",
    ]  # fmt: skip
    assert row["as_of"] == "2023-05-10" and row["gold_answers"] == ["29 to 14"] and row["gold_ids"] == ["002"]
    assert "top_similarity" not in retrieval_row(QUESTION, None, [], {})


def test_with_answer_scores_and_replaces_timings() -> None:
    row = retrieval_row(QUESTION, 1, ["002"], {"retrieval": 0.01})
    cited = [{"n": 1, "article": "002", "supported": True}]
    with_answer(row, QUESTION, "It passed 29 to 14 [1].", False, passages=["29 to 14"], citations=cited,
                removed_citations=0, answered_by="extractive", provenance=Provenance.ANSWERED,
                timings={"generate": 0.2})  # fmt: skip
    assert row["correct"] and row["answer_in_passages"] and row["answered_by"] == "extractive"
    assert row["provenance"] == "{}" and Provenance(row["provenance"]) is Provenance.ANSWERED  # beside answered_by
    assert list(row).index("provenance") == list(row).index("answered_by") + 1
    assert row["timings"] == {"generate": 0.2} and list(row).index("timings") < list(row).index("answer")
    declined = with_answer(retrieval_row(QUESTION, None, [], {"retrieval": 0.0}), QUESTION, "29 to 14", True,
                           passages=[], citations=[], removed_citations=1)  # fmt: skip
    assert not declined["correct"] and not declined["answer_in_passages"] and "answered_by" not in declined
    assert "provenance" not in declined
    assert declined["timings"] == {"retrieval": 0.0}


def test_public_row_and_misses() -> None:
    row = with_answer(retrieval_row(QUESTION, 3, [], {}), QUESTION, "x" * 400, False, passages=[], citations=[],
                      removed_citations=0)  # fmt: skip
    kept = public_row(row)
    assert "question" not in kept and "gold_answers" not in kept and len(kept["answer"]) == 300
    misses = misses_text([row])
    assert misses.startswith("q1 (2023-05-10, gold rank 3): By what vote?") and "gold: ['29 to 14']" in misses
    assert misses_text([{**row, "correct": True}]) == ""
