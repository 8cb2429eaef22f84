"""Rank the sentences of retrieved passages against a question: the extractive answer and the LLM's short context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

from qa.answer_types import AnswerKind, asked_kind, holds_kind
from qa.sentences import content_words, entities, sentence_spans
from qa.types import Passage
from storage.embedder import Embedder

MIN_SENTENCE_CHARS = 25
# Sentences embedded per question (`shortlist`); 24 chose a little better for +43 ms a question: docs/quality.md
# ("Sentence-score weights and the context budget").
SHORTLIST = 12

# A sentence holding the asked-for kind of thing goes first if it scores this share of the best (`promote_asked_kind`).
KIND_TOLERANCE = 0.75


@dataclass(frozen=True)
class SentenceWeights:
    """How a sentence's features add up to its score; similarity counts 1.

    Chosen for "gold answer inside the sentences the model reads", tuned on the questions of one RealTime QA year
    after the 240 the model is asked and checked on the other year (`python -m bench.context_sweep`,
    docs/quality.md): tuned on either year, overlap and answer type rose, the other weights stayed. Similarity and
    overlap find sentences on the question's topic; named, new names and answer type prefer the one that answers
    it over one that restates it.
    """

    overlap: float = 1.0
    named: float = 0.2
    new_names: float = 0.1
    answer_type: float = 0.5
    rank_prior: float = 0.5  # the fused retrieval rank is the strongest single signal (MRR@10 0.82)


DEFAULT_WEIGHTS = SentenceWeights()


@dataclass(frozen=True)
class Sentence:
    """A sentence of passage `number` (1-based), its span in the passage text, and its score for the question."""

    number: int
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class SentenceFeatures:
    """What a sentence's score is made of, before weighting (each in 0..1 except `similarity`, a cosine)."""

    number: int
    start: int
    end: int
    text: str
    similarity: float
    overlap: float
    named: float
    new_names: float
    answer_type: float

    def scored(self, weights: SentenceWeights = DEFAULT_WEIGHTS) -> Sentence:
        score = (
            self.similarity
            + weights.overlap * self.overlap
            + weights.named * self.named
            + weights.new_names * self.new_names
            + weights.answer_type * self.answer_type
            + weights.rank_prior / self.number
        )
        return Sentence(self.number, self.start, self.end, self.text, score)


def rank_sentences(
    question: str, passages: Sequence[Passage], embedder: Embedder, shortlist: int = SHORTLIST
) -> list[Sentence]:
    """Score = embedding similarity + word overlap + shared names/numbers + names/numbers the question lacks
    + the answer type the question asks for (a year, a number, a date) + a retrieval-rank prior.

    >>> rank_sentences("Who won the Savanna Cup?", passages, embedder)[0].text
    "NAIROBI, May 19, 2024 — Coastline Mariners won the Savanna Cup for the first time, ..."
    """
    features = sentence_features(question, passages, embedder, shortlist)
    return rank_features(features, asked_kind(question))


def rank_features(
    features: Sequence[SentenceFeatures],
    kind: AnswerKind | None,
    weights: SentenceWeights = DEFAULT_WEIGHTS,
    tolerance: float = KIND_TOLERANCE,
) -> list[Sentence]:
    """The sentences best first under `weights`, the asked-for kind promoted (`promote_asked_kind`)."""
    scored = sorted((f.scored(weights) for f in features), key=lambda s: s.score, reverse=True)
    return promote_asked_kind(scored, kind, tolerance)


def sentence_features(
    question: str, passages: Sequence[Passage], embedder: Embedder, size: int = SHORTLIST
) -> list[SentenceFeatures]:
    """The features of the passages' candidate sentences (at least MIN_SENTENCE_CHARS long) for the question.

    >>> sentence_features("Who won the Savanna Cup?", passages, embedder)[0].overlap
    1.0
    """
    candidates = [
        _Candidate(number, s, e, passage.text[s:e].strip())
        for number, passage in enumerate(passages, start=1)
        for s, e in sentence_spans(passage.text)
        if e - s >= MIN_SENTENCE_CHARS
    ]
    if not candidates:
        return []
    question_words, question_entities, kind = content_words(question), entities(question), asked_kind(question)
    # Embedding every sentence is the cost: keep the lexically closest few (plus each passage's best) first.
    candidates = shortlist(candidates, question, size)
    vectors = embedder.embed([question, *[c.text for c in candidates]])
    features = []
    for (number, start, end, text), similarity in zip(candidates, vectors[1:] @ vectors[0], strict=True):
        names = entities(text)
        features.append(
            SentenceFeatures(
                number,
                start,
                end,
                text,
                similarity=float(similarity),
                overlap=len(question_words & content_words(text)) / (len(question_words) or 1),
                named=len(question_entities & names) / (len(question_entities) or 1),
                new_names=min(len(names - question_entities), 3) / 3,  # an answer names what the question does not
                answer_type=float(holds_kind(kind, text)),
            )
        )
    return features


def promote_asked_kind(
    ranked: list[Sentence], kind: AnswerKind | None, tolerance: float = KIND_TOLERANCE
) -> list[Sentence]:
    """When the question asks for a kind of thing (a share, a number, a date, ...) and the best sentence holds
    none, the best one that does comes first if it is from the same passage or scores at least `tolerance` of
    the best: a dateline restates the question's topic better than any sentence of its article, but the sentence
    holding the asked-for figure answers it.

    >>> ranked = [Sentence(1, 0, 44, "OSLO — Work on the treaty plan goes on.", 2.1),
    ...           Sentence(1, 45, 92, "So far 62 percent of the measures are in place.", 1.7)]
    >>> [s.text for s in promote_asked_kind(ranked, asked_kind("What share of the work is done?"))][:1]
    ['So far 62 percent of the measures are in place.']
    """
    if kind is None or not ranked or holds_kind(kind, ranked[0].text):
        return ranked
    best = ranked[0]
    typed = next(
        (
            s
            for s in ranked
            if holds_kind(kind, s.text) and (s.number == best.number or s.score >= tolerance * best.score)
        ),
        None,
    )
    if typed is None:
        return ranked
    return [typed, *(s for s in ranked if s is not typed)]


def answer_type_match(question: str, sentence: str) -> float:
    """1.0 when the question asks for a kind of thing (a share, a number, a year, a date, a person) and the
    sentence holds one, else 0.0 (`qa.answer_types`).

    >>> answer_type_match("In what year did it open?", "It opened in 1995."), answer_type_match("Why?", "Ann.")
    (1.0, 0.0)
    """
    return 1.0 if holds_kind(asked_kind(question), sentence) else 0.0


def budgeted(
    ranked: Sequence[Sentence], per_passage: int, budget_chars: int, max_passages: int
) -> dict[int, list[Sentence]]:
    """The best sentences overall, at most `per_passage` from a passage and `max_passages` passages, until about
    `budget_chars` are taken, each text once; passage number -> its chosen sentences in reading order.

    The local model reads ~100 prompt tokens a second on two cores, so the context is the few sentences most
    likely to hold the answer, not whole chunks.
    """
    chosen: dict[int, list[Sentence]] = {}
    used, taken = 0, set()
    for sentence in ranked:
        if sentence.text in taken:  # neighbouring chunks overlap, and wire copies repeat: one reading is enough
            continue
        picked = chosen.get(sentence.number, [])
        full = len(picked) == per_passage if picked else len(chosen) == max_passages
        if full:
            continue
        if used and used + len(sentence.text) > budget_chars:
            continue
        chosen.setdefault(sentence.number, []).append(sentence)
        used += len(sentence.text)
        taken.add(sentence.text)
    return {number: sorted(picked, key=lambda s: s.start) for number, picked in sorted(chosen.items())}


def with_next_sentence(
    chosen: dict[int, list[Sentence]],
    best: Sentence,
    passages: Sequence[Passage],
    excluded: Callable[[str], bool] = lambda text: False,
) -> dict[int, list[Sentence]]:
    """`chosen` plus the sentence after the best one: the answer often follows the sentence that restates the
    question ("The plant was closed in February. It had been contaminated ..."). Nothing is added when that
    sentence is `excluded` (the filter the ranked sentences went through) or already chosen."""
    passage_text = passages[best.number - 1].text
    following = [(s, e) for s, e in sentence_spans(passage_text) if s >= best.end and e - s >= MIN_SENTENCE_CHARS]
    picked = chosen.get(best.number, [])
    if not following or any(s.start == following[0][0] for s in picked):
        return chosen
    start, end = following[0]
    extra = Sentence(best.number, start, end, passage_text[start:end].strip(), best.score)
    if excluded(extra.text) or any(s.text == extra.text for shown in chosen.values() for s in shown):
        return chosen
    return {**chosen, best.number: sorted([*picked, extra], key=lambda s: s.start)}


class _Candidate(NamedTuple):
    number: int
    start: int
    end: int
    text: str


class _HasText(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...


_C = TypeVar("_C", bound=_HasText)


def shortlist(candidates: Sequence[_C], question: str, size: int) -> list[_C]:
    """The `size` sentences sharing most words with the question, plus the best one of every passage, plus (when
    the question asks for a kind of thing) every passage's best sentence holding one: the sentence that answers
    "what share" often shares no word with the question but the number itself.

    >>> [c.text for c in shortlist([_Candidate(1, 0, 9, "Rain fell."), _Candidate(1, 10, 30, "Ann won the cup.")],
    ...                            "Who won the cup?", 1)]
    ['Ann won the cup.']
    """
    question_words, kind = content_words(question), asked_kind(question)
    ranked = sorted(candidates, key=lambda c: len(question_words & content_words(c.text)), reverse=True)
    best_per_passage: dict[int, _C] = {}
    typed_per_passage: dict[int, _C] = {}
    for candidate in ranked:
        best_per_passage.setdefault(candidate.number, candidate)
        if kind is not None and holds_kind(kind, candidate.text):
            typed_per_passage.setdefault(candidate.number, candidate)
    keep = ranked[:size]
    extra = [*best_per_passage.values(), *typed_per_passage.values()]
    return keep + [c for c in dict.fromkeys(extra) if c not in keep]
