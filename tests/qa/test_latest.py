"""The latest state of a story: the newest same-story report leads, an earlier differing figure is named."""

from __future__ import annotations

from datetime import date

from qa.filters import Filters
from qa.latest import asks_about_change, earlier_note, latest_state
from qa.pipeline import ArchiveQA
from qa.types import Passage


def _report(article: str, published: str, text: str, similarity: float) -> Passage:
    return Passage(f"{article}-000", article, text, f"Rate decision {published}", published=published,
                   similarity=similarity)  # fmt: skip


RAISE = _report("a", "2023-08-30", "The Bank of Tessaly raised its key rate to 6.25% on Wednesday.", 0.72)
CUT = _report("b", "2024-03-20", "The Bank of Tessaly cut its key rate to 5.75% on Wednesday.", 0.69)
FERRY = _report("c", "2024-05-02", "A new ferry to Tessaly island will run from June.", 0.40)
PASSAGES = [RAISE, CUT, FERRY]


def test_a_question_about_something_that_changes_is_answered_from_the_newest_report() -> None:
    state = latest_state("What is the Bank of Tessaly's key rate?", PASSAGES, Filters(as_of=date(2024, 6, 1)))
    assert state.moved and [p.article_id for p in state.passages] == ["b", "a", "c"]


def test_the_newest_report_is_taken_as_of_the_question_date() -> None:
    state = latest_state("What is the Bank of Tessaly's key rate?", PASSAGES, Filters(as_of=date(2023, 10, 1)))
    assert not state.moved and state.passages[0].article_id == "a"


def test_a_period_the_question_names_is_the_time_it_is_answered_for() -> None:
    question = "What was the Bank of Tessaly's key rate in September 2023?"
    state = latest_state(question, PASSAGES, Filters(as_of=date(2024, 6, 1)))
    assert not state.moved and state.limit == date(2023, 10, 7)


def test_a_far_weaker_match_is_another_story_and_does_not_lead() -> None:
    state = latest_state("What is the Bank of Tessaly's key rate?", [RAISE, FERRY], Filters(as_of=date(2024, 6, 1)))
    assert not state.moved


def test_questions_about_a_first_or_a_fixed_fact_keep_the_retrieval_order() -> None:
    assert not asks_about_change("What was the initial rate the bank set?")
    assert not asks_about_change("Who designed the Olympic torch in 1956?")
    state = latest_state("Who founded the Bank of Tessaly?", PASSAGES, Filters(as_of=date(2024, 6, 1)))
    assert not state.moved


def test_an_earlier_differing_figure_is_named_with_its_date(extractive_qa: ArchiveQA) -> None:
    question = "What is the Bank of Tessaly's key rate?"
    state = latest_state(question, PASSAGES, Filters(as_of=date(2024, 6, 1)))
    assert earlier_note(question, state, extractive_qa.embedder) == "Earlier: 6.25% on 30 Aug 2023 [2]."


def test_no_earlier_note_when_the_older_report_gives_the_same_figure(extractive_qa: ArchiveQA) -> None:
    same = _report("d", "2023-12-14", "The Bank of Tessaly held its key rate at 5.75% on Thursday.", 0.70)
    state = latest_state("What is the Bank of Tessaly's key rate?", [CUT, same], Filters(as_of=date(2024, 6, 1)))
    assert earlier_note("What is the Bank of Tessaly's key rate?", state, extractive_qa.embedder) == ""


def test_the_sample_archive_answers_the_latest_rate_with_its_date_and_the_earlier_one(extractive_qa: ArchiveQA) -> None:
    answer = extractive_qa.ask(
        "What did the Bank of Caldora decide about interest rates?", filters=Filters(as_of=date(2024, 6, 1))
    )
    assert "5.75%" in answer.text and answer.citations[0].passage.published == "2024-03-20"
    assert answer.notes and answer.notes[0].startswith("Earlier: 6.")
    assert "March 20, 2024" in answer.dated_text or "20 Mar 2024" in answer.dated_text
    as_of_autumn = extractive_qa.ask(
        "What did the Bank of Caldora decide about interest rates?", filters=Filters(as_of=date(2023, 10, 1))
    )
    assert "6.25%" in as_of_autumn.text and "5.75%" not in as_of_autumn.text
