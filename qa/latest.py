"""The latest state of a story: a question about something that changes is answered from its newest report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from qa.answer import Answer
from qa.citations import resolve
from qa.evidence import rank_sentences
from qa.filters import MONTH, Filters, named_period
from qa.prompt import day_label
from qa.timeline import SIMILARITY_MARGIN
from qa.types import Passage
from storage.embedder import Embedder

# States news reports again and again with a new value: rates, prices, leaders, standings, tolls, forecasts, and
# the decisions that set them. Not one-off figures of an event ("the budget the council approved", "how many
# riders on the first day"): a later report of other news must not displace the one that tells of that event.
_CHANGES = re.compile(
    r"\b(?:(?:interest |policy |key |benchmark |exchange |unemployment |inflation )?rates?|prices?|fares?|"
    r"inflation|unemployment|forecast|estimate[ds]?|leads?|leader|president|prime minister|chancellor|governor|"
    r"ceo|chair(?:man|woman)?|coach|manager|mayor|standings|tally|toll|population|status|decid(?:e|ed)|"
    r"decision|latest|current(?:ly)?|now|still)\b",
    re.IGNORECASE,
)
# A passage is the same story's report when its dense match is this close to the best one's: wide enough for
# two reports of one decision months apart, narrow enough to leave a different story on the same topic behind.
SAME_STORY_MARGIN = 0.08
# An older report named in the "Earlier:" line may lie as far from the best match as a timeline's entries do
# (qa/timeline.py): the line only names it, dated and cited, it never replaces the answer.
EARLIER_MARGIN = SIMILARITY_MARGIN
_VALUE = re.compile(r"(?<![\d.])\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|per cent\b))?")
_DATE_PART = re.compile(rf"^\s+{MONTH}|{MONTH}\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class LatestState:
    """The passages reordered so the newest report (as of `limit`) leads, and what an earlier one said."""

    passages: list[Passage]
    moved: bool  # whether a newer report than the best match now leads
    limit: date  # the day the state is asked for: the as-of date, or the end of a period the question names


def asks_about_change(question: str) -> bool:
    """Whether the question asks about something news reports with new values over time.

    >>> asks_about_change("What did the central bank decide about interest rates?")
    True
    >>> asks_about_change("Who designed the Olympic torch in 1956?")
    False
    """
    return bool(_CHANGES.search(question)) and not re.search(r"\b(?:first|originally|initial(?:ly)?)\b", question, re.I)


def latest_state(
    question: str, passages: Sequence[Passage], filters: Filters, margin: float = SAME_STORY_MARGIN
) -> LatestState:
    """For a question about something that changes, the newest report of the best-matching story (published by
    the as-of date, or by the end of the period the question names) is moved to the front; otherwise unchanged.

    >>> passages = qa.retriever.retrieve("What is the Bank of Caldora's rate?", Filters(as_of=date(2024, 6, 1)))
    >>> latest_state("What is the bank's rate?", passages, Filters(as_of=date(2024, 6, 1))).passages[0].published
    '2024-03-20'
    """
    period = named_period(question)
    limit = min(period.until, filters.as_of) if period else filters.as_of
    if not passages or margin <= 0 or not asks_about_change(question):
        return LatestState(list(passages), False, limit)
    best = max((p.similarity or 0.0) for p in passages)
    same_story = [p for p in passages if (p.similarity or 0.0) >= best - margin and 0 < p.day <= limit.toordinal()]
    if not same_story:
        return LatestState(list(passages), False, limit)
    newest = max(same_story, key=lambda p: p.day)
    if newest.article_id == passages[0].article_id or newest.day <= passages[0].day:
        return LatestState(list(passages), False, limit)
    lead = [p for p in passages if p.article_id == newest.article_id]
    return LatestState(lead + [p for p in passages if p.article_id != newest.article_id], True, limit)


def earlier_note(question: str, state: LatestState, embedder: Embedder) -> str:
    """One line naming what an older report of the story said, when its figure differs from the newest one's
    (`Earlier: 6.25% on 30 Aug 2023 [2].`); "" when there is none.

    The figure is the first number in each report's sentence that best answers the question.
    """
    passages = state.passages
    if not passages or not asks_about_change(question):
        return ""
    lead_value = _value(question, _of_article(passages, passages[0].article_id), embedder)
    if lead_value is None:
        return ""
    best = max((p.similarity or 0.0) for p in passages)
    older: dict[str, int] = {}  # each older same-story report: the number of its first passage
    for number, passage in enumerate(passages, start=1):
        if 0 < passage.day < passages[0].day and (passage.similarity or 0.0) >= best - EARLIER_MARGIN:
            older.setdefault(passage.article_id, number)
    by_recency = sorted(older.items(), key=lambda item: passages[item[1] - 1].day, reverse=True)
    for article_id, number in by_recency:  # the report just before first
        value = _value(question, _of_article(passages, article_id), embedder)
        if value is not None and value != lead_value:
            day = passages[number - 1].published_date
            return f"Earlier: {value} on {day_label(day) if day else 'an undated day'} [{number}]."
    return ""


def _of_article(passages: Sequence[Passage], article_id: str) -> list[Passage]:
    return [p for p in passages if p.article_id == article_id]


def _value(question: str, report: Sequence[Passage], embedder: Embedder) -> str | None:
    """The figure of the report's best sentence for the question (over all its passages): a share first, else the
    first number that is not part of a date ("20 March", "2024")."""
    ranked = rank_sentences(question, list(report), embedder, shortlist=4)
    if not ranked:
        return None
    text = ranked[0].text
    figures = [
        m.group().strip()
        for m in _VALUE.finditer(text)
        if not re.fullmatch(r"(?:1[89]|20)\d\d", m.group().strip())
        and not _DATE_PART.search(text[max(0, m.start() - 10) : m.start()] + " ")
        and not _DATE_PART.match(text[m.end() : m.end() + 10])
    ]
    shares = [f for f in figures if not f[-1].isdigit()]
    return next(iter(shares or figures), None)


def with_earlier_note(answer: Answer, state: LatestState, embedder: Embedder) -> Answer:
    """The answer with the earlier report's line among its notes (and that report among its citations), when it
    cites the newest report and an older one said otherwise."""
    lead = answer.passages[0].article_id if answer.passages else None
    if answer.abstained or not any(c.passage.article_id == lead for c in answer.citations):
        return answer
    note = earlier_note(answer.standalone_question, state, embedder)
    if note:
        answer.notes.append(note)
        known = {c.n for c in answer.citations}
        answer.citations += [c for c in resolve(note, answer.passages, embedder.embed) if c.n not in known]
    return answer
