"""Sentence ranking and the budgeted context the model reads."""

from __future__ import annotations

import pytest

from qa.answer_types import AnswerKind
from qa.evidence import (
    Sentence,
    SentenceFeatures,
    SentenceWeights,
    answer_type_match,
    budgeted,
    rank_features,
    shortlist,
    with_next_sentence,
)
from qa.types import Passage


def _sentence(number: int, start: int, score: float, length: int = 100) -> Sentence:
    return Sentence(number, start, start + length, f"{number}:{start} ".ljust(length, "x"), score)


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


def test_a_sentence_repeated_in_another_chunk_is_read_once() -> None:
    # Neighbouring chunks of an article overlap, so their best sentences are often the same text.
    ranked = [_sentence(1, 0, 0.9), Sentence(2, 0, 100, _sentence(1, 0, 0).text, 0.8), _sentence(2, 300, 0.7)]
    chosen = budgeted(ranked, per_passage=2, budget_chars=300, max_passages=3)
    assert [(n, s.start) for n, picked in chosen.items() for s in picked] == [(1, 0), (2, 300)]


def test_one_long_sentence_is_taken_even_over_the_budget() -> None:
    chosen = budgeted([_sentence(1, 0, 0.9, length=900)], per_passage=2, budget_chars=300, max_passages=4)
    assert list(chosen) == [1]


def test_answer_type_cues_match_what_the_question_asks_for() -> None:
    assert answer_type_match("In what year did the browser debut?", "It debuted in 1995 with Windows.") == 1.0
    assert answer_type_match("In what year did the browser debut?", "It was retired this week.") == 0.0
    assert answer_type_match("How many films are in the franchise?", "There are six films.") == 1.0
    assert answer_type_match("How many films are in the franchise?", "Its 6 films grossed $6bn.") == 1.0
    assert answer_type_match("When will the plant reopen?", "It reopens on Monday.") == 1.0
    assert answer_type_match("Who designed the dress?", "Ann Lowe designed it.") == 1.0
    assert answer_type_match("Why was the dress made?", "Ann Lowe designed it.") == 0.0


def test_the_sentence_after_the_best_one_is_added_to_the_context() -> None:
    text = "The plant closed in February. Bacteria were found in its dryers. Output resumed in June."
    passage = Passage("c-000", "c", text, "Plant")
    best = Sentence(1, 0, 29, text[:29], 0.9)
    chosen = with_next_sentence({1: [best]}, best, [passage])
    assert [s.text for s in chosen[1]] == ["The plant closed in February.", "Bacteria were found in its dryers."]
    assert with_next_sentence(chosen, best, [passage]) == chosen  # already there: nothing added twice
    other = Sentence(2, 0, 34, "Bacteria were found in its dryers.", 0.8)
    assert with_next_sentence({1: [best], 2: [other]}, best, [passage, passage]) == {1: [best], 2: [other]}


def _features(number: int, text: str, similarity: float, answer_type: float = 0.0) -> SentenceFeatures:
    return SentenceFeatures(number, 0, len(text), text, similarity, 0.5, 0.5, 0.0, answer_type)


def test_the_weights_decide_which_sentence_ranks_first() -> None:
    restates = _features(1, "VELMORA — Talks on the customs union went on.", 0.70)
    answers = _features(1, "So far 62 percent of the measures are in place.", 0.55, answer_type=1.0)
    on_topic = SentenceWeights(overlap=0.3, named=0.2, new_names=0.1, answer_type=0.0, rank_prior=0.5)
    assert rank_features([restates, answers], None, on_topic)[0].text == restates.text
    typed = SentenceWeights(overlap=0.3, named=0.2, new_names=0.1, answer_type=0.5, rank_prior=0.5)
    assert rank_features([restates, answers], None, typed)[0].text == answers.text
    # the score is the weighted sum, similarity counted once and the rank prior divided by the passage number
    assert answers.scored(typed).score == pytest.approx(0.55 + 0.3 * 0.5 + 0.2 * 0.5 + 0.5 * 1.0 + 0.5 / 1)


def test_the_asked_kind_is_promoted_within_the_tolerance() -> None:
    restates = _features(1, "VELMORA — Talks on the customs union went on.", 0.90)
    answers = _features(2, "So far 62 percent of the measures are in place.", 0.40)
    weights = SentenceWeights(answer_type=0.0)
    assert rank_features([restates, answers], AnswerKind.SHARE, weights, tolerance=0.5)[0].number == 2
    assert rank_features([restates, answers], AnswerKind.SHARE, weights, tolerance=0.95)[0].number == 1


def test_the_shortlist_keeps_each_passage_best_and_its_sentence_of_the_asked_kind() -> None:
    question = "What share of the customs union plan is done?"
    candidates = [
        _features(1, "The customs union plan is the work of two ministries.", 0.0),
        _features(1, "The customs union began in 2021.", 0.0),
        _features(1, "Two-thirds of the measures are in place.", 0.0),  # no shared word, but a share
        _features(2, "The plan has critics.", 0.0),  # passage 2's best
        _features(2, "It rained.", 0.0),
    ]
    kept = [c.text for c in shortlist(candidates, question, size=1)]
    assert kept == [candidates[0].text, candidates[3].text, candidates[2].text]
    assert len(shortlist(candidates, question, size=100)) == len(candidates)  # a large size embeds every sentence
