"""Dated answers: each claim opens with its article's date; undated articles say so; scoring reads the text."""

from __future__ import annotations

from qa.answer import Answer
from qa.dating import dated
from qa.types import Passage

CUT = Passage("b-000", "b", "The bank cut its rate to 5.75%.", "Rate cut", published="2024-03-20")
RAISE = Passage("a-000", "a", "The bank raised its rate to 6.25%.", "Rate rise", published="2023-08-30")
UNDATED = Passage("u-000", "u", "The bank has a new governor.", "Governor")


def test_each_claim_opens_with_the_date_of_the_passage_it_cites() -> None:
    text = "The bank cut its rate to 5.75% [1]. Before that it stood at 6.25% [2]."
    assert dated(text, [CUT, RAISE]) == (
        "20 Mar 2024 — The bank cut its rate to 5.75% [1]. 30 Aug 2023 — Before that it stood at 6.25% [2]."
    )


def test_an_undated_article_is_not_given_a_date() -> None:
    assert dated("It has a new governor [1].", [UNDATED]) == "Undated — It has a new governor [1]."


def test_a_claim_that_names_its_date_or_repeats_the_last_one_is_left_alone() -> None:
    assert dated("On 20 March 2024 the bank cut [1].", [CUT]) == "On 20 March 2024 the bank cut [1]."
    assert dated("It cut [1]. It said more [1].", [CUT]) == "20 Mar 2024 — It cut [1]. It said more [1]."


def test_the_scored_text_stays_undated_while_the_shown_text_is_dated() -> None:
    answer = Answer("q", "q", "The bank cut its rate to 5.75% [1].", False, passages=[CUT], notes=["Earlier: 6.25%."])
    assert answer.text == "The bank cut its rate to 5.75% [1]."
    assert answer.dated_text == "20 Mar 2024 — The bank cut its rate to 5.75% [1].\n\nEarlier: 6.25%."
    assert answer.to_json()["dated_answer"] == answer.dated_text and answer.to_json()["notes"] == ["Earlier: 6.25%."]
