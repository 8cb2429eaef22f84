"""What a question may see: as-of date, date range, sources; and whether it asks for the latest news."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ingest.types import NO_SOURCE

# Not "new" (New York, New Zealand, "a new law" from any year) nor "still" ("still missing after 1998").
_RECENT = re.compile(
    r"\b(latest|recent(ly)?|this (week|month|year)|last (week|month)|now|currently|current|today|"
    r"yesterday|so far|newest|upcoming)\b",
    re.IGNORECASE,
)

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


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A weekday that opens a full date ("on Monday, March 3, 2019", "on Monday 3 March 2019") names that date.
_FULL_DATE_AFTER = re.compile(
    rf"^,?\s+(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}),?\s+\d{{4}}\b",
    re.IGNORECASE,
)


def names_recent_time(question: str) -> bool:
    """True when the question places its event in a recent time ("this week", "yesterday", "on Monday"), not when
    the weekday opens a full date ("on Monday, March 3, 2019")."""
    return any(not _FULL_DATE_AFTER.match(question[m.end() :]) for m in _NAMED_TIME.finditer(question))


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

    def admits(self, metadata: Mapping[str, Any]) -> bool:
        """The same test as `chroma_where`, on one chunk's metadata; NO_SOURCE admits a chunk without a source.
        An article whose copies name several sources (`sources`, see ingest.article_meta) passes for any of them."""
        if not self.admits_day(int(metadata.get("day", 0))):
            return False
        if not self.sources or (metadata.get("source") or NO_SOURCE) in self.sources:
            return True
        return not set(metadata.get("sources") or ()).isdisjoint(self.sources)

    def admits_day(self, day: int) -> bool:
        """The date limits alone (day 0: undated, which passes the as-of limit but not a `since`)."""
        return day <= self.last_day and (self.first_day is None or day >= self.first_day)

    def chroma_where(self, known_sources: Iterable[str] = ()) -> dict[str, Any]:
        """Chroma metadata filter. Undated articles (day 0) pass the as-of limit but not a `since`.

        An article without a source has no `source` key, which `$in` cannot match: NO_SOURCE is asked for as
        "none of the other `known_sources`" (`$nin` matches a missing key). Without them the clause is left out;
        `admits` checks each result either way.
        """
        clauses: list[dict[str, Any]] = [{"day": {"$lte": self.last_day}}]
        if self.first_day is not None:
            clauses.append({"day": {"$gte": self.first_day}})
        named = [source for source in self.sources if source != NO_SOURCE]
        if NO_SOURCE in self.sources:
            others = sorted(set(known_sources) - set(named))
            if others:
                clauses.append({"source": {"$nin": others}})
        elif named:  # or a copy of the article elsewhere names one (a list-valued `sources`)
            clauses.append({"$or": [{"source": {"$in": named}}, *({"sources": {"$contains": s}} for s in named)]})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
