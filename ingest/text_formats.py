"""Plain-text articles: the wire format (title, `CITY —` dateline, body, agency line) and headline-blank-body."""

from __future__ import annotations

import re
from datetime import date

from ingest.decode import InputError
from storage.dates import parse_date
from storage.types import Article

# "MOSCOW — ...", "LISBON, March 14, 2023 — ...", "SAN JOSE, Costa Rica -- ...": a place, an optional date, a dash.
# The place is in capitals, as wires write it: prose such as "For the first time — ..." is no dateline.
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.'’ -]{1,40}?)(?:,\s*(?P<rest>[^—–\n]{1,40}?))?\s+(?:—|–|--)\s+\S")
_AGENCY = re.compile(r"^Agenc(?:y|ies)\s*[-–—:]\s*(?P<agency>.{2,80})$", re.IGNORECASE)


def parse_text_article(text: str, location: str) -> Article:
    """Parse one article from plain text.

    >>> a = parse_text_article("Title\\nOSLO — Rain fell.\\nAgencies - AP\\n\\n", "x.txt")
    >>> (a.title, a.place, a.source, a.text)
    ('Title', 'Oslo', 'AP', 'OSLO — Rain fell.')
    """
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise InputError("no text")
    title, body_lines = lines[0].lstrip("# ").strip(), lines[1:]
    source = None
    if body_lines and (agency := _AGENCY.match(body_lines[-1])):
        source = agency["agency"].strip()
        body_lines = body_lines[:-1]
    paragraphs = _paragraphs(body_lines)
    if not paragraphs:
        raise InputError("no article body after the title line")
    place, published = parse_dateline(paragraphs[0])
    return Article(
        title=title,
        text="\n\n".join(paragraphs),
        location=location,
        source=source,
        place=place,
        published=published,
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Both layouts in one rule: a non-blank line is a paragraph, unless blank lines separate wrapped ones."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    has_blank_separators = len([b for b in blocks if b]) > 1
    if has_blank_separators:
        return [" ".join(block) for block in blocks if block]
    return [line for line in lines if line]


def parse_dateline(first_paragraph: str) -> tuple[str | None, date | None]:
    match = _DATELINE.match(first_paragraph)
    if not match:
        return None, None
    place = match["place"].strip()
    if place.isupper():
        place = place.title()
    rest = match["rest"]
    published = parse_date(rest) if rest else None
    return place, published
