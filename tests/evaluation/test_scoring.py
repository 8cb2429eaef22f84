"""The strict scorer: gold strings found case- and quotation-mark-insensitively."""

from __future__ import annotations

from evaluation.scoring import answer_in_any, contains_answer, gold_rank, is_correct, supports


def test_scorer_matches_case_and_quote_insensitively() -> None:
    assert contains_answer("It was the \u201cBlue Line\u201d.", ['"blue line"'])
    assert contains_answer("Hong Kong again", ["hong kong", "Tokyo"])
    assert not contains_answer("Hong", ["Hong Kong"])
    assert contains_answer("The show 'Succession' leads with 25 nominations.", ["\u201cSuccession\u201d"])
    assert not contains_answer("The show 'Success' leads.", ["\u201cSuccession\u201d"])


def test_correct_needs_a_given_answer_holding_gold() -> None:
    assert is_correct("The vote was 29 to 14.", False, ["29 to 14"])
    assert not is_correct("The vote was 29 to 14.", True, ["29 to 14"])
    assert not is_correct("The vote was close.", False, ["29 to 14"])
    assert answer_in_any(["no", "it was 29 to 14"], ["29 to 14"]) and not answer_in_any([], ["29 to 14"])


def test_support_is_a_gold_article_or_a_gold_string() -> None:
    assert supports(True, "unrelated", ["x"])
    assert supports(False, "it cost 212 million crowns", ["212 million crowns"])
    assert not supports(False, "unrelated", ["212 million crowns"])


def test_gold_rank_is_the_first_article_with_a_gold_key() -> None:
    keys = [{"a"}, {"b", "b-file"}, {"c"}]
    assert gold_rank(keys, ["c", "b-file"]) == 2
    assert gold_rank(keys, ["z"]) is None
    assert gold_rank([], ["a"]) is None
