"""Sentence spans and light lexical features shared by citation highlighting and the extractive answerer."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by a closing quote/bracket) before whitespace and a capital,
# digit or quote. Abbreviations like "U.S." split wrongly now and then; spans stay exact either way.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(A-Z0-9])")
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
            end = paragraph.start() + boundary.start()
            spans.append((start, end))
            start = paragraph.start() + boundary.end()
        if start < paragraph.end():
            spans.append((start, paragraph.end()))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def content_words(text: str) -> set[str]:
    """Lower-cased words minus stopwords, with a crude plural fold; for overlap scores."""
    words = {w.lower().strip(".'’-") for w in _WORD.findall(text)}
    return {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w and w not in STOPWORDS}


def entities(text: str) -> set[str]:
    """Capitalized names and numbers: what a follow-up question or an answer sentence must keep."""
    names = re.findall(r"\b(?:[A-Z][a-zA-Z’'-]+(?:\s+(?:of\s+|de\s+)?[A-Z][a-zA-Z’'-]+)*)", text)
    numbers = re.findall(r"\b\d[\d,.]*%?", text)
    first_word = text.split(maxsplit=1)[0] if text.split() else ""
    return {n for n in names if n != first_word and n.lower() not in STOPWORDS} | set(numbers)
