"""Sentence ranking and the budgeted context the model reads."""

from __future__ import annotations

from qa.evidence import Sentence, budgeted


def _sentence(number: int, start: int, score: float, length: int = 100) -> Sentence:
    return Sentence(number, start, start + length, "x" * length, score)


def test_budget_takes_the_best_sentences_within_the_limits() -> None:
    ranked = [
        _sentence(2, 300, 0.9),
        _sentence(2, 0, 0.8),
        _sentence(2, 500, 0.7),  # a third from passage 2: over per_passage
        _sentence(1, 0, 0.6),
        _sentence(3, 0, 0.5),  # a third passage: over max_passages
        _sentence(1, 200, 0.4),  # over the character budget
    ]
    chosen = budgeted(ranked, per_passage=2, budget_chars=300, max_passages=2)
    assert list(chosen) == [1, 2]  # retrieval order
    assert [s.start for s in chosen[2]] == [0, 300]  # reading order
    assert [s.start for s in chosen[1]] == [0]


def test_one_long_sentence_is_taken_even_over_the_budget() -> None:
    chosen = budgeted([_sentence(1, 0, 0.9, length=900)], per_passage=2, budget_chars=300, max_passages=4)
    assert list(chosen) == [1]
