"""The result of answering: the `Answer`, whose words its text is (`Provenance`), and what `ArchiveQA.stream` yields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, ParamSpec

from qa.dating import dated
from qa.types import Citation, Passage


class Provenance(Enum):
    """Whose words an answer's text is; with the answerer's name it makes `Answer.answered_by`.

    >>> Provenance.QUOTED_AFTER_DECLINE.answered_by("llama.cpp/qwen")
    'extractive, after llama.cpp/qwen declined'
    >>> Provenance.of("extractive, after llama.cpp/qwen declined")
    <Provenance.QUOTED_AFTER_DECLINE: 'extractive, after {} declined'>
    """

    # The values are the `answered_by` sentences ({} the answerer's name), as JSON output and evaluation rows hold them.
    ANSWERED = "{}"  # the answerer's own text
    QUOTED_AFTER_DECLINE = "extractive, after {} declined"  # the model declined: the best sentences, quoted instead
    QUOTED_AFTER_ECHO = "{}, then extractive (its answer only restated the question)"  # the quote follows the echo
    ABSTAINED = ""  # the archive holds no answer: nobody's words

    def answered_by(self, answerer: str) -> str:
        """The `answered_by` sentence of an answer by `answerer` with this provenance."""
        return self.value.format(answerer)

    @classmethod
    def of(cls, answered_by: str) -> Provenance:
        """The provenance an `answered_by` sentence states: for rows files written before rows held `provenance`
        (bench/context.py reads the kept ones); anything else reads the provenance itself."""
        quoted = (cls.QUOTED_AFTER_DECLINE, cls.QUOTED_AFTER_ECHO)
        found = next((p for p in quoted if _SENTENCES[p].fullmatch(answered_by)), None)
        return found or (cls.ABSTAINED if not answered_by else cls.ANSWERED)


_SENTENCES = {p: re.compile(re.escape(p.value).replace(r"\{\}", "(.*)"), re.DOTALL) for p in Provenance}


@dataclass
class Answer:
    """The final result of answering; streaming yields its text first (`Delta`), this object last (`Final`)."""

    question: str
    standalone_question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Passage] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    removed_citations: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    answerer: str = ""  # the name of the answerer asked ("" when none answered)
    provenance: Provenance = Provenance.ANSWERED  # whose words `text` is; an abstention's is always ABSTAINED
    notes: list[str] = field(default_factory=list)  # lines shown under the answer ("Earlier: 6.25% on … [2].")

    def __post_init__(self) -> None:
        if self.abstained:
            self.provenance = Provenance.ABSTAINED

    @property
    def answered_by(self) -> str:
        """Whose words these are, as one sentence ("" when abstained): the answerer's name, or
        "extractive, after <name> declined", or "<name>, then extractive (its answer only restated the question)"."""
        return self.provenance.answered_by(self.answerer)

    @property
    def dated_text(self) -> str:
        """The answer as shown: each cited claim opened with its article's date (`Answer.text` stays as written,
        so scoring cannot count the added dates as an answer), then the notes."""
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


@dataclass(frozen=True)
class Delta:
    """The answer's text so far, while it is written (each `Delta` holds the whole text, which only grows)."""

    text: str


@dataclass(frozen=True)
class Final:
    """The finished `Answer`: always the last event of a stream."""

    answer: Answer


AnswerEvent = Delta | Final  # what `ArchiveQA.stream` yields: Deltas, then one Final

_Params = ParamSpec("_Params")


def final_answer(stream: Callable[_Params, Iterator[AnswerEvent]]) -> Callable[_Params, Answer]:
    """The blocking form of a stream of answer events, with the stream's very parameters: its `Final`'s Answer.

    >>> def stream(question: str):
    ...     yield Delta("Rain")
    ...     yield Final(Answer(question, question, "Rain.", abstained=False))
    >>> final_answer(stream)("Will it rain?").text
    'Rain.'
    """

    def blocking(*args: _Params.args, **kwargs: _Params.kwargs) -> Answer:
        *_, final = stream(*args, **kwargs)
        assert isinstance(final, Final), "a stream of answer events ends with its Final"
        return final.answer

    blocking.__doc__ = f"Blocking form of `{stream.__name__}`: the final Answer."
    return blocking
