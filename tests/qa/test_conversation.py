"""Follow-up questions made standalone: deterministic carry-over and the LLM rewrite (with a stand-in model)."""

from __future__ import annotations

from qa_support import ScriptedGenerator

from qa.conversation import carry_over, rewrite_with_llm

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
