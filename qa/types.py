"""The nouns of answering: retrieved `Passage`s, the `Answerer` that reads them, the `Citation`s an answer makes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from storage.dates import iso_day


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata; `start`/`end` is its span in the article text."""

    chunk_id: str
    article_id: str
    text: str
    title: str
    source: str | None = None
    published: str | None = None  # ISO date, None when the article states none
    place: str | None = None
    url: str | None = None
    path: str | None = None  # where the article's first location is in the archive (relative to what was ingested)
    start: int = 0
    end: int = 0
    score: float = 0.0  # fused retrieval score (higher is better)
    similarity: float | None = None  # cosine similarity of the dense match, when it had one
    first_on_both_sides: bool = False  # its article tops both the dense and the keyword ranking
    story_id: str = ""  # the story its article belongs to (near-duplicate copies share one); "" = its own story
    also_in: tuple[str, ...] = ()  # other outlets' copies of the same story, as shown ("Reuters, 12 Mar 2024")

    @property
    def story(self) -> str:
        """The key passages are grouped by: the story id, else the article's own id."""
        return self.story_id or self.article_id

    @property
    def published_date(self) -> date | None:
        """Publication date, read from the ISO date that opens `published`; None when undated."""
        return iso_day(self.published) if self.published else None

    @property
    def day(self) -> int:
        """Publication day as a date ordinal; 0 when undated."""
        published = self.published_date
        return published.toordinal() if published else 0

    def label(self) -> str:
        """Title, source and date as shown beside the passage number in prompts and source lists."""
        extras = ", ".join(part for part in (self.source, self.published) if part)
        return f"{self.title} ({extras})" if extras else self.title

    @property
    def also_in_text(self) -> str:
        """ "also in: Reuters, 12 Mar 2024; AP, 13 Mar 2024" where the story has other copies, else ""."""
        return "also in: " + "; ".join(self.also_in) if self.also_in else ""


@dataclass(frozen=True)
class Citation:
    """An [n] in the answer, resolved to its passage and the passage span that best supports the claim."""

    n: int
    passage: Passage
    highlight: tuple[int, int]  # character span inside passage.text

    def to_json(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n,
            "article_id": p.article_id,
            "chunk_id": p.chunk_id,
            "title": p.title,
            "source": p.source,
            "published": p.published,
            "place": p.place,
            "url": p.url,
            "path": p.path,
            "also_in": list(p.also_in),
            "passage": p.text,
            "highlight": list(self.highlight),
        }


class Answerer(Protocol):
    """Streams the growing answer text (each yield is the whole text so far) for numbered passages.

    `quotes` is True when the text is copied from the passages: a phrase like "does not contain" in it is then
    article text, not a refusal. Implementations are named in qa/registry.py.
    """

    name: str
    quotes: bool

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]: ...
