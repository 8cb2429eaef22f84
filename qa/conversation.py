"""Follow-up questions made standalone from the chat history: by the LLM, or by deterministic carry-over."""

from __future__ import annotations

import re
from collections.abc import Sequence

from generators.base import Generator, Message
from qa.citations import strip_markers
from qa.sentences import entities

# Not "that" ("said that rates would rise") nor "there" ("is there"), and "this" only when no time follows it
# ("this week" names a time, not an earlier topic).
_PRONOUN = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|it|its|those|these|"
    r"this(?!\s+(?:week|weekend|month|year|morning|afternoon|evening|season|quarter)\b))\b",
    re.I,
)
_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_ELLIPTIC = re.compile(r"^\s*(and|but|also|what about|how about|and what about|same for)\b[\s,]*", re.I)
_NEXT = re.compile(r"\b(next|then|after that|afterwards|later|again|else|instead|other)\b", re.I)
_YEAR_OR_DATE = re.compile(
    r"\b(?:in |on |during )?(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+)?(?:19|20)\d\d\b",
    re.I,
)
_WH_START = re.compile(r"(?:what|who|whom|whose|when|where|which|why|how)\b", re.I)  # "and how many …?": a question
_ANSWER_NAMES = 2  # the previous answer's first names: enough for "what did she say next?", few enough to stay on topic


def needs_context(question: str) -> bool:
    """Whether the question leans on the conversation: a pronoun, an elliptic opening ("and in 2021?"), a word
    like "next", or three words or fewer. Any other question stands alone and is searched as asked, so nothing
    of an earlier topic (its year, its names) leaks into it.

    >>> needs_context("What did she say next?"), needs_context("What did the central bank decide about rates?")
    (True, False)
    """
    return bool(
        _ELLIPTIC.match(question) or _PRONOUN.search(question) or _NEXT.search(question) or len(question.split()) <= 3
    )


def carry_over(history: Sequence[Message], question: str, previous_standalone: str | None = None) -> str:
    """Deterministic rewrite for extractive mode.

    The earlier follow-ups are resolved first, in order, so a second and a third follow-up keep the topic. An
    elliptic follow-up ("and in 2021?") reuses the previous question with its dates replaced; one that leans on a
    pronoun gets the previous question's names appended, and for "he"/"she" the names the previous answer gave.

    >>> carry_over([{"role": "user", "content": "What did Putin say about Belarus?"}], "and in 2021?")
    'What did Putin say about Belarus in 2021?'
    >>> carry_over([{"role": "user", "content": "What did Putin say about Belarus?"}], "What did he say about defence?")
    'What did he say about defence? (Putin, Belarus)'
    """
    previous = previous_standalone or resolved_previous(history)
    if not previous:
        return question
    if not needs_context(question):
        return question
    addition = _ELLIPTIC.sub("", question).strip().rstrip("?").strip()
    if (_ELLIPTIC.match(question) and not _WH_START.match(addition)) or len(question.split()) <= 3:
        base = previous.rstrip().rstrip("?")
        if _YEAR_OR_DATE.search(addition):
            base = _YEAR_OR_DATE.sub("", base)
        return re.sub(r"\s{2,}", " ", f"{base} {addition}?").strip()
    carried = _carried_names(previous, _last_answer(history) if _PERSONAL.search(question) else "")
    carried = [name for name in carried if name.lower() not in question.lower()]
    return f"{question} ({', '.join(carried)})" if carried else question


def resolved_previous(history: Sequence[Message]) -> str | None:
    """The last user question of the history made standalone, each earlier one resolved against the one before."""
    resolved: str | None = None
    turns = [m for m in history if m.get("role") in ("user", "assistant") and m.get("content")]
    for position, message in enumerate(turns):
        if message["role"] == "user":
            resolved = carry_over(turns[:position], message["content"], resolved) if resolved else message["content"]
    return resolved


def _last_answer(history: Sequence[Message]) -> str:
    answers = [m["content"] for m in history if m.get("role") == "assistant" and m.get("content")]
    return strip_markers(answers[-1]) if answers else ""


def _carried_names(previous: str, answer: str) -> list[str]:
    """The previous question's names, then (for "he"/"she") the multi-word names the previous answer gave first."""
    names = _ordered_entities(previous)
    from_answer = [e for e in _ordered_entities(answer) if " " in e and e not in names][:_ANSWER_NAMES]
    return from_answer + names


def _ordered_entities(text: str) -> list[str]:
    found = entities(text)
    return sorted(found, key=lambda e: text.find(e))


def rewrite_with_llm(
    generator: Generator,
    history: Sequence[Message],
    question: str,
    max_tokens: int = 60,
    previous_standalone: str | None = None,
) -> str:
    """Ask the model for a standalone question when the question leans on the conversation; fall back to
    carry-over if it returns nothing usable. A question that stands alone is not sent: the model carried a year
    from an unrelated earlier question into it ("… interest rates in 2022?").

    The previous question is shown to the model as it was searched (`previous_standalone`), so a second follow-up
    still knows the topic the first one inherited.
    """
    from qa.prompt import rewrite_messages

    if not needs_context(question):
        return question
    shown = _with_resolved_previous(history, previous_standalone or resolved_previous(history))
    text = "".join(generator.stream(rewrite_messages(shown, question), max_tokens)).strip()
    text = text.splitlines()[0].strip().strip('"') if text else ""
    return text if 3 <= len(text) <= 400 else carry_over(history, question, previous_standalone)


def _with_resolved_previous(history: Sequence[Message], resolved: str | None) -> list[Message]:
    """The history with its last user question replaced by the standalone form it was searched as."""
    shown = [dict(m) for m in history]
    for message in reversed(shown):
        if message.get("role") == "user":
            if resolved:
                message["content"] = resolved
            break
    return shown
