"""The nouns of answering: retrieved `Passage`s, the `Citation`s an answer makes, the final `Answer`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol


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
        return date.fromisoformat(self.published[:10]) if self.published else None

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


def quoted_after_decline(answerer_name: str) -> str:
    """`Answer.answered_by` when the model named here declined and the best sentences were quoted instead."""
    return f"extractive, after {answerer_name} declined"


_AFTER_ECHO = ", then extractive (its answer only restated the question)"


def quoted_after_echo(answerer_name: str) -> str:
    """`Answer.answered_by` when the model only restated the question and the best sentences were added."""
    return answerer_name + _AFTER_ECHO


def is_quoted_after_echo(answered_by: str) -> bool:
    """Whether an `answered_by` value (of an Answer or an evaluation row) marks quotes added after an echo."""
    return answered_by.endswith(_AFTER_ECHO)


def is_quoted_after_decline(answered_by: str) -> bool:
    """Whether an `answered_by` value (of an Answer or an evaluation row) marks a quoted fallback."""
    return answered_by.startswith("extractive, after ") and answered_by.endswith(" declined")


@dataclass
class Answer:
    """The final result of answering; streaming yields its text first, this object last."""

    question: str
    standalone_question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Passage] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    removed_citations: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    answered_by: str = ""  # the answerer whose text this is ("" when abstained)
    notes: list[str] = field(default_factory=list)  # lines shown under the answer ("Earlier: 6.25% on … [2].")

    @property
    def dated_text(self) -> str:
        """The answer as shown: each cited claim opened with its article's date (`Answer.text` stays as written,
        so scoring cannot count the added dates as an answer), then the notes."""
        from qa.dating import dated

        if self.abstained:
            return self.text
        return "\n\n".join([dated(self.text, self.passages), *self.notes])

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "dated_answer": self.dated_text,
            "notes": self.notes,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "related": [asdict(p) for p in self.related],
            "removed_citations": self.removed_citations,
            "answered_by": self.answered_by,
            "timings": {stage: round(seconds, 4) for stage, seconds in self.timings.items()},
        }


Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class Generator(Protocol):
    """A chat model: streams text deltas for a list of messages. Implementations: llama.cpp, OpenAI-compatible."""

    name: str

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...
