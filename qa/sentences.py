"""Sentence spans and light lexical features shared by citation highlighting and the extractive answerer."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by a closing quote/bracket) before whitespace and a capital,
# digit or quote, unless the period ends a title, a month or an initial ("Dr. Oz", "Jan. 6", "J. K. Rowling"):
# a split there once put a citation inside "Dr. [5] Oz".
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z]+)\.$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt gov sen rep rev hon pres no vs inc corp ltd co "  # noqa: SIM905
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.%-]*")
STOPWORDS = frozenset(
    """
a an the and or but of in on at to for from by with about as is are was were be been being this that these
those it its he she they them his her their what which who whom whose when where why how did does do has
have had will would could should may might can not no yes than then so such into over after before during
according recent recently week year said says say new
""".split()  # noqa: SIM905 - a word list reads better as text
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text` (paragraph breaks always end a sentence).

    >>> text = "Rates rose. Prices fell!"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Rates rose.', 'Prices fell!']
    """
    spans = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        for boundary in _BOUNDARY.finditer(paragraph.group()):
            if _is_abbreviation(paragraph.group()[: boundary.start()]):
                continue
            end = paragraph.start() + boundary.start()
            spans.append((start, end))
            start = paragraph.start() + boundary.end()
        if start < paragraph.end():
            spans.append((start, paragraph.end()))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _is_abbreviation(before: str) -> bool:
    word = _LAST_WORD.search(before)
    return word is not None and (len(word.group(1)) == 1 or word.group(1).lower() in _ABBREVIATIONS)


def content_words(text: str) -> set[str]:
    """Lower-cased words minus stopwords, with a crude plural fold; for overlap scores."""
    words = {w.lower().strip(".'’-") for w in _WORD.findall(text)}
    return {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w and w not in STOPWORDS}


# Any bracketed number, wider than qa.citations.MARKER's one to three digits: an echo is told apart by its words,
# so every "[n]" is set aside, cited or not. Written out here because qa.citations builds on this module.
_MARKER = re.compile(r"\[\d+\]")
_VERDICTS = frozenset({"true", "false", "yes", "no"})


def echoes_question(question: str, answer: str) -> bool:
    """Whether the answer only restates the question: no word of it is new, and it is not a yes/no verdict.

    >>> echoes_question("Where does the CDC want to test wastewater?", "The CDC wants to test wastewater [1].")
    True
    >>> echoes_question("Who won the Savanna Cup?", "Rift Valley Stars won the Savanna Cup [1].")
    False
    """
    text = _MARKER.sub(" ", answer)
    if {w.lower().strip(".,;:!?\"'“”‘’") for w in text.split()} & _VERDICTS:
        return False
    return bool(text.strip()) and not content_words(text) - content_words(question)


def entities(text: str) -> set[str]:
    """Capitalized names and numbers: what a follow-up question or an answer sentence must keep."""
    names = re.findall(r"\b(?:[A-Z][a-zA-Z’'-]+(?:\s+(?:of\s+|de\s+)?[A-Z][a-zA-Z’'-]+)*)", text)
    numbers = re.findall(r"\b\d[\d,.]*%?", text)
    first_word = text.split(maxsplit=1)[0] if text.split() else ""
    return {n for n in names if n != first_word and n.lower() not in STOPWORDS} | set(numbers)
