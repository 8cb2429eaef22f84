"""Follow-up questions made standalone: deterministic carry-over and the LLM rewrite (with a stand-in model)."""

from __future__ import annotations

from qa.conversation import carry_over, needs_context, resolved_previous, rewrite_with_llm

from qa_support import ScriptedGenerator

HISTORY = [
    {"role": "user", "content": "What did Putin say about Belarus?"},
    {"role": "assistant", "content": "He praised integration [1]."},
]


def test_a_standalone_question_is_unchanged() -> None:
    assert carry_over(HISTORY, "Who won the Savanna Cup in 2023?") == "Who won the Savanna Cup in 2023?"


def test_a_pronoun_question_carries_the_previous_names() -> None:
    assert carry_over(HISTORY, "What did he say about defence?") == "What did he say about defence? (Putin, Belarus)"


def test_an_elliptic_question_reuses_the_previous_one_with_its_new_date() -> None:
    assert carry_over(HISTORY, "and in 2021?") == "What did Putin say about Belarus in 2021?"
    history = [{"role": "user", "content": "What did the Bank of Caldora decide in 2023?"}]
    assert carry_over(history, "And in 2024?") == "What did the Bank of Caldora decide in 2024?"


def test_no_history_means_no_rewrite() -> None:
    assert carry_over([], "and in 2021?") == "and in 2021?"


def test_llm_rewrite_uses_the_model_answer_and_sends_the_history() -> None:
    model = ScriptedGenerator("What did Putin say about defence cooperation with Belarus?\n")
    rewritten = rewrite_with_llm(model, HISTORY, "What did he say about defence?")
    assert rewritten == "What did Putin say about defence cooperation with Belarus?"
    prompt_text = " ".join(m["content"] for m in model.prompts[0])
    assert "Putin" in prompt_text and "What did he say about defence?" in prompt_text


def test_llm_rewrite_falls_back_to_carry_over_when_the_model_returns_nothing() -> None:
    assert (
        rewrite_with_llm(ScriptedGenerator(""), HISTORY, "and in 2021?") == "What did Putin say about Belarus in 2021?"
    )


WORLD_CUP_THEN_RATES = [
    {"role": "user", "content": "Who won the 2022 World Cup?"},
    {"role": "assistant", "content": "Argentina won the final on penalties [1]."},
]


def test_a_question_on_another_topic_carries_no_year_or_name() -> None:
    question = "What did the central bank decide about interest rates?"
    assert carry_over(WORLD_CUP_THEN_RATES, question) == question


def test_a_standalone_question_is_not_sent_to_the_model() -> None:
    model = ScriptedGenerator("What did the central bank decide about interest rates in 2022?\n")
    question = "What did the central bank decide about interest rates?"
    assert rewrite_with_llm(model, WORLD_CUP_THEN_RATES, question) == question
    assert model.prompts == [], "a question that stands alone needs no rewrite, and got one"


def test_a_time_after_this_is_not_a_pronoun() -> None:
    assert not needs_context("Which team won the Savanna Cup this week?")
    assert needs_context("When will this project open?")


TRAM_TALK = [
    {"role": "user", "content": "How many riders did Esterlund's tram Line 4 carry on its first day?"},
    {"role": "assistant", "content": "It carried 11,300 riders [1]."},
    {"role": "user", "content": "And how many trams were ordered for it?"},
    {"role": "assistant", "content": "Six new trams were ordered [2]."},
]


def test_a_third_follow_up_keeps_the_topic() -> None:
    rewritten = carry_over(TRAM_TALK, "When did it open?")
    assert rewritten.startswith("When did it open? (") and "Esterlund" in rewritten and "Line" in rewritten


def test_the_second_follow_up_is_resolved_before_the_third() -> None:
    second = resolved_previous(TRAM_TALK) or ""
    assert second.startswith("And how many trams were ordered for it? (") and "Esterlund" in second


def test_a_person_named_in_the_previous_answer_can_be_referred_to() -> None:
    history = [
        {"role": "user", "content": "Who leads the Bank of Caldora?"},
        {"role": "assistant", "content": "Governor Teodora Malin leads it [1]."},
    ]
    rewritten = carry_over(history, "What did she say about inflation?")
    assert "Teodora Malin" in rewritten and "Bank of Caldora" in rewritten


def test_the_model_sees_the_previous_question_as_it_was_searched() -> None:
    model = ScriptedGenerator("When did Esterlund's tram Line 4 open?\n")
    rewrite_with_llm(model, TRAM_TALK, "When did it open?", previous_standalone="How many trams for Line 4 Esterlund?")
    sent = model.prompts[0][-1]["content"]
    assert "How many trams for Line 4 Esterlund?" in sent
    assert "And how many trams were ordered for it?" not in sent


def test_a_follow_up_reader_weighs_the_words_asked_not_the_names_carried(extractive_qa) -> None:
    from datetime import date

    from qa.filters import Filters

    history = [
        {"role": "user", "content": "When did Esterlund's tram Line 4 extension open?"},
        {"role": "assistant", "content": "It opened to passengers on June 15, 2024 [1]."},
    ]
    answer = extractive_qa.ask("What was its final cost?", history, filters=Filters(as_of=date(2024, 7, 1)))
    assert "Esterlund" in answer.standalone_question
    assert "254 million crowns" in answer.text
