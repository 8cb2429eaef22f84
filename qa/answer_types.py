"""The kind of thing a question asks for (a share, a number, a year, a date, a person); whether a sentence holds it."""

from __future__ import annotations

import re
from enum import Enum


class AnswerKind(Enum):
    SHARE = "share"
    NUMBER = "number"
    YEAR = "year"
    DATE = "date"
    PERSON = "person"


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|trillions?|dozens?|twice|double[ds]?|tripled?|quadrupled?|halved?"
)
_FRACTION_WORDS = r"half|halves|thirds?|quarters?|fifths?|tenths?|majority|minority"

# Checked in this order: "what share" is a number too, but only a share answers it.
_ASKS = (
    (
        AnswerKind.SHARE,
        re.compile(
            r"\b(?:what|which|how large a|how big a|how much of an?|by what)\s+(?:\w+\s+)?"
            r"(?:share|proportion|fraction|percent(?:age)?|portion|part|rate|ratio)\b|"
            r"\bhow many (?:percent|per cent|percentage points)\b|\bwhat per ?cent\b",
            re.IGNORECASE,
        ),
    ),
    (AnswerKind.YEAR, re.compile(r"\b(?:what|which|in what) year\b", re.IGNORECASE)),
    (
        AnswerKind.NUMBER,
        re.compile(
            r"\bhow (?:many|much|old|long|far|tall|big|large|often|fast|high|deep|heavy)\b|"
            r"\bby how much\b|\bwhat (?:number|age|amount|total|sum|price|cost|score|figure|speed|size)\b",
            re.IGNORECASE,
        ),
    ),
    (AnswerKind.DATE, re.compile(r"\bwhen\b|\bwhat date\b|\bwhich day\b|\bon what day\b", re.IGNORECASE)),
    (AnswerKind.PERSON, re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:person|man|woman)\b", re.IGNORECASE)),
)

_SHARE = re.compile(
    rf"\d\s?(?:%|percent\b|per cent\b|percentage points?\b)|\b(?:{_NUMBER_WORDS}) (?:percent|per cent)\b|"
    rf"\b(?:{_FRACTION_WORDS})\b|\b(?:one|two|three|four|five|\d+) (?:in|out of) (?:every )?(?:\w+|\d+)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS}|{_FRACTION_WORDS}|times)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_DAY = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"today|yesterday|tomorrow|tonight)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b|\b[A-Z][a-z]+ (?:said|says|told)\b")


def asked_kind(question: str) -> AnswerKind | None:
    """The kind of answer the question asks for, if it names one.

    >>> asked_kind("What share of the budget went to schools?"), asked_kind("How often do the trains run?")
    (<AnswerKind.SHARE: 'share'>, <AnswerKind.NUMBER: 'number'>)
    """
    return next((kind for kind, pattern in _ASKS if pattern.search(question)), None)


def holds_kind(kind: AnswerKind | None, sentence: str) -> bool:
    """Whether the sentence holds a thing of that kind: a share ("74 percent", "two-thirds", "one in five"),
    a number (digits or number words), a year, a date, a person (a full name, or a quoted speaker).

    >>> holds_kind(AnswerKind.SHARE, "Three-quarters of it is done."), holds_kind(AnswerKind.SHARE, "It took 28 days.")
    (True, False)
    """
    if kind is AnswerKind.SHARE:
        return bool(_SHARE.search(sentence))
    if kind is AnswerKind.NUMBER:
        return bool(_NUMBER.search(sentence))
    if kind is AnswerKind.YEAR:
        return bool(_YEAR.search(sentence))
    if kind is AnswerKind.DATE:
        return bool(_DAY.search(sentence) or _YEAR.search(sentence))
    if kind is AnswerKind.PERSON:
        return bool(_NAME.search(sentence))
    return False
