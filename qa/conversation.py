"""Follow-up questions made standalone from the chat history: by the LLM, or by deterministic carry-over."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.sentences import entities
from qa.types import Generator, Message

_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|hers|their|it|its|this|that|those|these|there)\b", re.I)
_ELLIPTIC = re.compile(r"^\s*(and|but|also|what about|how about|and what about|same for)\b[\s,]*", re.I)
_YEAR_OR_DATE = re.compile(
    r"\b(?:in |on |during )?(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+)?(?:19|20)\d\d\b",
    re.I,
)


def last_user_questions(history: Sequence[Message]) -> list[str]:
    return [m["content"] for m in history if m.get("role") == "user" and m.get("content")]


def carry_over(history: Sequence[Message], question: str, previous_standalone: str | None = None) -> str:
    """Deterministic rewrite for extractive mode.

    An elliptic follow-up ("and in 2021?") reuses the previous question with its dates replaced; one that leans
    on a pronoun gets the previous question's names and dates appended.

    >>> carry_over([{"role": "user", "content": "What did Putin say about Belarus?"}], "and in 2021?")
    'What did Putin say about Belarus in 2021?'
    >>> carry_over([{"role": "user", "content": "What did Putin say about Belarus?"}], "What did he say about defence?")
    'What did he say about defence? (Putin, Belarus)'
    """
    previous = previous_standalone or next(iter(reversed(last_user_questions(history))), None)
    if not previous:
        return question
    if _ELLIPTIC.match(question) or len(question.split()) <= 3:
        addition = _ELLIPTIC.sub("", question).strip().rstrip("?").strip()
        base = previous.rstrip().rstrip("?")
        if _YEAR_OR_DATE.search(addition):
            base = _YEAR_OR_DATE.sub("", base)
        return re.sub(r"\s{2,}", " ", f"{base} {addition}?").strip()
    if _PRONOUN.search(question):
        carried = [e for e in _ordered_entities(previous) if e.lower() not in question.lower()]
        if carried:
            return f"{question} ({', '.join(carried)})"
    return question


def _ordered_entities(text: str) -> list[str]:
    found = entities(text)
    return sorted(found, key=lambda e: text.find(e))


def rewrite_with_llm(generator: Generator, history: Sequence[Message], question: str, max_tokens: int = 60) -> str:
    """Ask the model for a standalone question; fall back to carry-over if it returns nothing usable."""
    from qa.prompt import rewrite_messages

    text = "".join(generator.stream(rewrite_messages(list(history), question), max_tokens)).strip()
    text = text.splitlines()[0].strip().strip('"') if text else ""
    return text if 3 <= len(text) <= 400 else carry_over(history, question)
