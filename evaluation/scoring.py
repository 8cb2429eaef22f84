"""The scorers both systems are judged by: a gold string in the text, the gold article's rank, cited support."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storage.types import normalize


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """The strict scorer: a gold string appears in the text, case-insensitive, double quotation marks ignored.

    29 gold strings are quoted titles ('“Succession”'); the marks are typography, so an answer naming the show
    without them, or in single quotes, is not wrong. Both systems are scored by this one function.

    >>> contains_answer("It was the “Blue Line”.", ['"blue line"']), contains_answer("Hong", ["Hong Kong"])
    (True, False)
    """
    haystack = _comparable(text)
    return any(_comparable(a) in haystack for a in answers if a.strip())


def _comparable(text: str) -> str:
    return normalize(text).lower().replace('"', "")


def is_correct(answer: str, abstained: bool, answers: Sequence[str]) -> bool:
    """An answer is right when it was given (not an abstention) and holds a gold string.

    >>> is_correct("The vote was 29 to 14.", False, ["29 to 14"]), is_correct("29 to 14", True, ["29 to 14"])
    (True, False)
    """
    return (not abstained) and contains_answer(answer, answers)


def answer_in_any(texts: Iterable[str], answers: Sequence[str]) -> bool:
    """Whether any of the texts (e.g. the passages the answerer read) holds a gold string."""
    return any(contains_answer(text, answers) for text in texts)


def supports(is_gold: bool, passage_text: str, answers: Sequence[str]) -> bool:
    """A cited passage supports the answer when it is from a gold article or holds a gold string."""
    return is_gold or contains_answer(passage_text, answers)


def gold_rank(article_keys: Sequence[set[str]], gold_ids: Sequence[str]) -> int | None:
    """The 1-based rank of the first retrieved article whose keys (its ids) include a gold id, else None.

    >>> gold_rank([{"a"}, {"b", "b.txt"}], ["b.txt"]), gold_rank([{"a"}], ["z"])
    (2, None)
    """
    gold = set(gold_ids)
    return next((i + 1 for i, keys in enumerate(article_keys) if keys & gold), None)
