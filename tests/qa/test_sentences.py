"""Lexical helpers: an answer that only restates its question is told apart from one that answers it."""

from __future__ import annotations

import pytest

from qa.sentences import echoes_question


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "Where does the CDC want to test wastewater for possible coronavirus variants?",
            "The CDC wants to test wastewater for possible coronavirus variants [1].",
        ),
        (
            "Which country was recommended for EU candidacy alongside Ukraine this week?",
            "Ukraine was recommended for EU candidacy alongside Ukraine this week [1].",
        ),
    ],
)
def test_a_restatement_of_the_question_is_an_echo(question: str, answer: str) -> None:
    assert echoes_question(question, answer)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Which country was recommended for EU candidacy alongside Ukraine?", "Moldova was recommended [1]."),
        ("How many years was she sentenced to?", "She was sentenced to 9 years [2]."),
        ("True or false: the rate was cut this week?", "True [3]."),
        ("Was the rate cut in March?", "Yes [1]."),
    ],
)
def test_an_answer_that_adds_a_name_a_number_or_a_verdict_is_not(question: str, answer: str) -> None:
    assert not echoes_question(question, answer)


def test_an_empty_answer_is_not_an_echo() -> None:
    assert not echoes_question("Who won?", " [1] ")
