"""What a question may see: as-of date, date range, sources; and whether it asks for the latest news."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from storage.hits import ChunkFilter
from storage.types import NO_SOURCE


def _any_word(*words: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(words)})\b", re.IGNORECASE)


# Words that ask for the latest state of things: retrieval leans to newer articles (`asks_for_recent`), the prompt
# adds a newest-first line (`wants_newest_first`). Not "new" (New York, New Zealand, "a new law" from any year).
_RECENT_WORDS = (
    "latest", "newest", "recent(?:ly)?", "current(?:ly)?", "now", "so far", "this (?:week|month|year)",
    "last (?:week|month)",
)  # fmt: skip
# Each use adds its own words, tuned apart: joined, the lists would change that choice for 32 of the 1,958 RealTime
# QA questions (2022 and 2023), unmeasured. Retrieval leaves out "still" ("still missing after 1998").
_RECENT = _any_word(*_RECENT_WORDS, "today", "yesterday", "upcoming")
_NEWEST_FIRST = _any_word(*_RECENT_WORDS, "most recent", "still", "to date", "as of", "these days", "last year")

# A time the question names, relative to its as-of date: "this week", "last weekend", "yesterday", "on Monday".
# Vaguer words ("recent", "now", "latest") only prefer newer articles; an older one may still answer them.
_NAMED_TIME = re.compile(
    r"\b(?:this|last|past|this past) (?:week|weekend|month)\b|\b(?:today|yesterday|tonight)\b|"
    r"\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


def asks_for_recent(question: str) -> bool:
    """True for questions about the latest state of things ("who is now ...", "this week ...")."""
    return bool(_RECENT.search(question))


def wants_newest_first(question: str) -> bool:
    """True for questions whose prompt lists the passages newest first ("is he still ...", "the latest ...").

    >>> wants_newest_first("Is he still mayor?"), wants_newest_first("By what vote did it pass?")
    (True, False)
    """
    return bool(_NEWEST_FIRST.search(question))


# A month name or its abbreviation ("Mar", "Sept.", "March"), for patterns that read dates in text.
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A weekday that opens a full date ("on Monday, March 3, 2019", "on Monday 3 March 2019") names that date.
_FULL_DATE_AFTER = re.compile(
    rf"^,?\s+(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}),?\s+\d{{4}}\b",
    re.IGNORECASE,
)


def names_recent_time(question: str) -> bool:
    """True when the question places its event in a recent time ("this week", "yesterday", "on Monday"), not when
    the weekday opens a full date ("on Monday, March 3, 2019")."""
    return any(not _FULL_DATE_AFTER.match(question[m.end() :]) for m in _NAMED_TIME.finditer(question))


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# "in March 2024", "on 20 March 2024", "on March 20, 2024", "in 2022", "during 2023": a time the question names.
# A bare year elsewhere ("the 2022 World Cup", "since 2019") names an event or an open range, not a period.
_YEAR_WORD = r"((?:19|20)\d\d)"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?:on\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_WORD})\s+{_YEAR_WORD}\b", re.I
)
_MONTH_DAY_YEAR = re.compile(rf"\b(?:on\s+)?({_MONTH_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR_WORD}\b", re.I)
_MONTH_YEAR = re.compile(rf"\b(?:in|during|of|for)\s+(?:early\s+|late\s+|mid-?)?({_MONTH_WORD})\s+{_YEAR_WORD}\b", re.I)
_YEAR = re.compile(r"\b(?:in|during|throughout)\s+((?:19|20)\d\d)\b(?![-/]\d)", re.I)


@dataclass(frozen=True)
class Period:
    """A stretch of days a question names; `grace_days` lets in the reports of it published just after."""

    first: date
    last: date
    grace_days: int = 0

    @property
    def until(self) -> date:
        return date.fromordinal(self.last.toordinal() + self.grace_days)


# A day's or a month's events are reported up to a few days later, a year's review early the next January.
_DAY_GRACE, _MONTH_GRACE, _YEAR_GRACE = 3, 7, 14


def named_period(question: str) -> Period | None:
    """The one period the question names ("in March 2024"), or None when it names none or several.

    >>> named_period("What did the Bank of Caldora decide in March 2024?")
    Period(first=datetime.date(2024, 3, 1), last=datetime.date(2024, 3, 31), grace_days=7)
    >>> named_period("Who won the 2022 World Cup?") is None
    True
    """
    days = {_period_of(m) for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR) for m in pattern.finditer(question)}
    found = {period for period in days if period is not None}
    if not found:
        found = {_month_period(m.group(1), int(m.group(2))) for m in _MONTH_YEAR.finditer(question)}
    if not found:
        years = {int(m.group(1)) for m in _YEAR.finditer(question)}
        found = {Period(date(y, 1, 1), date(y, 12, 31), _YEAR_GRACE) for y in years}
    return next(iter(found)) if len(found) == 1 else None


def _period_of(match: re.Match[str]) -> Period | None:
    groups = match.groups()
    day, month = (groups[0], groups[1]) if groups[0].isdigit() else (groups[1], groups[0])
    try:
        named = date(int(groups[2]), _month_number(month), int(day))
    except ValueError:  # "31 February 2024"
        return None
    return Period(named, named, _DAY_GRACE)


def _month_period(month: str, year: int) -> Period:
    number = _month_number(month)
    last = date(year + (number == 12), number % 12 + 1, 1).toordinal() - 1
    return Period(date(year, number, 1), date.fromordinal(last), _MONTH_GRACE)


def _month_number(word: str) -> int:
    return _MONTHS.index(word.lower().rstrip(".")[:3]) + 1


@dataclass(frozen=True)
class Filters:
    """Retrieval limits. `as_of` (default today) hides later articles and is the prompt's "today"."""

    as_of: date = field(default_factory=date.today)
    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()

    @property
    def last_day(self) -> int:
        """The latest day an article may carry: the as-of date or `until`, whichever is earlier."""
        return min(self.as_of, self.until).toordinal() if self.until else self.as_of.toordinal()

    @property
    def first_day(self) -> int | None:
        return self.since.toordinal() if self.since else None

    def within(self, period: Period | None) -> Filters:
        """These filters narrowed to a period the question names (never widened past `since`/`until`)."""
        if period is None:
            return self
        since = max(self.since, period.first) if self.since else period.first
        until = min(self.until, period.until) if self.until else period.until
        return replace(self, since=since, until=until)

    def admits(self, metadata: Mapping[str, Any]) -> bool:
        """The same test as the store's search with `chunk_filter`, on one chunk's metadata; NO_SOURCE admits a
        chunk without a source.
        An article whose copies name several sources (`sources`, see storage.article_meta) passes for any of them."""
        if not self.admits_day(int(metadata.get("day", 0))):
            return False
        if not self.sources or (metadata.get("source") or NO_SOURCE) in self.sources:
            return True
        return not set(metadata.get("sources") or ()).isdisjoint(self.sources)

    def admits_day(self, day: int) -> bool:
        """The date limits alone (day 0: undated, which passes the as-of limit but not a `since`)."""
        return day <= self.last_day and (self.first_day is None or day >= self.first_day)

    def chunk_filter(self, known_sources: Iterable[str] = ()) -> ChunkFilter:
        """These limits as the store's search takes them; `known_sources` (the sources the store's chunks name)
        let it ask for NO_SOURCE where a missing key cannot be matched (see ChunkFilter)."""
        return ChunkFilter(
            until_day=self.last_day, since_day=self.first_day, sources=self.sources, known_sources=tuple(known_sources)
        )
