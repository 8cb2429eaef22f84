"""Dated answers: each cited claim opened with the date of the article it cites, so a reader knows when it held."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.citations import MARKER
from qa.prompt import day_label
from qa.types import Passage

_CLAIM = re.compile(r"[^\[]*?(?:\s*" + MARKER.pattern + r")+[.!?]?", re.DOTALL)  # words, then their markers
UNDATED = "Undated"


def date_of(passage: Passage) -> str:
    """`20 Mar 2024` for a dated passage, `Undated` otherwise (an article that states no date is not given one)."""
    try:
        published = passage.published_date
    except ValueError:  # not an ISO date: shown as the article gives it
        return str(passage.published)
    return day_label(published) if published else UNDATED


def dated(text: str, passages: Sequence[Passage]) -> str:
    """The answer with each claim (the words before a group of [n]) opened by its first cited passage's date, in
    dateline style; a claim that already names that date, or follows one of the same date, is left as it is.

    >>> p = Passage("c", "a", "The bank cut its rate to 5.75%.", "Rate cut", published="2024-03-20")
    >>> dated("The bank cut its rate to 5.75% [1].", [p])
    '20 Mar 2024 — The bank cut its rate to 5.75% [1].'
    """
    out, previous, last = [], "", 0
    for claim in _CLAIM.finditer(text):
        number = int(MARKER.search(claim.group()).group(1))  # type: ignore[union-attr]
        words = claim.group()
        if 1 <= number <= len(passages):
            label = date_of(passages[number - 1])
            if label != previous and not _names(words, label):
                lead = len(words) - len(words.lstrip())
                words = f"{words[:lead]}{label} — {words[lead:]}"
            previous = label
        out.append(words)
        last = claim.end()
    return "".join(out) + text[last:]


def _names(claim: str, label: str) -> bool:
    """Whether the claim already says the date: its day and month, or its month and year ("in March 2024")."""
    if label == UNDATED:
        return False
    day, month, year = label.split(" ") if label.count(" ") == 2 else ("", label, "")
    lowered = claim.lower()
    month_named = month.lower() in lowered
    return month_named and (
        (bool(day) and re.search(rf"\b{day}\b", claim) is not None) or (bool(year) and year in claim)
    )
