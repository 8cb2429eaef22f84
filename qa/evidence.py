"""Rank the sentences of retrieved passages against a question: the extractive answer and the LLM's short context."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.embedder import Embedder
from qa.sentences import content_words, entities, sentence_spans
from qa.types import Passage

MIN_SENTENCE_CHARS = 25

# Score weights, tuned for "gold answer inside the sentences the model reads" on the 2022 questions after the
# first 120 (checked on those 120): see docs/quality.md. Similarity and overlap find sentences on the question's
# topic; the other three prefer the one that answers it over one that only restates it.
_OVERLAP, _NAMED, _NEW_NAMES, _ANSWER_TYPE, _RANK_PRIOR = 0.3, 0.2, 0.1, 0.2, 0.5

_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_DAY = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday)\b"
)
_ASKS_YEAR = re.compile(r"\b(?:what|which|in what) year\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(
    r"\bhow (?:many|much|old|long|far|tall|big|large)\b|\bwhat (?:percent|percentage|number|age)\b", re.IGNORECASE
)
_ASKS_DATE = re.compile(r"\bwhen\b|\bwhat date\b|\bwhich day\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A sentence of passage `number` (1-based), its span in the passage text, and its score for the question."""

    number: int
    start: int
    end: int
    text: str
    score: float


def rank_sentences(
    question: str, passages: Sequence[Passage], embedder: Embedder, shortlist: int = 12
) -> list[Sentence]:
    """Score = embedding similarity + word overlap + shared names/numbers + names/numbers the question lacks
    + the answer type the question asks for (a year, a number, a date) + a retrieval-rank prior.

    >>> rank_sentences("Who won the Savanna Cup?", passages, embedder)[0].text
    'Rift Valley Stars won the Savanna Cup on penalties.'
    """
    candidates = [
        (number, s, e, passage.text[s:e].strip())
        for number, passage in enumerate(passages, start=1)
        for s, e in sentence_spans(passage.text)
        if e - s >= MIN_SENTENCE_CHARS
    ]
    if not candidates:
        return []
    question_words, question_entities = content_words(question), entities(question)
    # Embedding every sentence is the cost: keep the lexically closest few (plus each passage's best) first.
    # 12 also chose better than 24 or all (answer in the shown sentences 0.695 vs 0.686 / 0.697 on the tuning
    # questions, 0.675 vs 0.650 / 0.667 on the checked ones; bench/context.py) in 60% of the time.
    candidates = _shortlist(candidates, question_words, shortlist)
    vectors = embedder.embed([question, *[c[3] for c in candidates]])
    scored = []
    for (number, start, end, text), similarity in zip(candidates, vectors[1:] @ vectors[0], strict=True):
        overlap = len(question_words & content_words(text)) / (len(question_words) or 1)
        names = entities(text)
        named = len(question_entities & names) / (len(question_entities) or 1)
        new_names = min(len(names - question_entities), 3) / 3  # an answer names something the question does not
        score = (
            float(similarity)
            + _OVERLAP * overlap
            + _NAMED * named
            + _NEW_NAMES * new_names
            + _ANSWER_TYPE * answer_type_match(question, text)
            + _RANK_PRIOR / number  # the fused retrieval rank is the strongest single signal (MRR@10 0.82)
        )
        scored.append(Sentence(number, start, end, text, score))
    return sorted(scored, key=lambda s: s.score, reverse=True)


def answer_type_match(question: str, sentence: str) -> float:
    """1.0 when the question asks for a year, a number or a date and the sentence holds one, else 0.0.

    >>> answer_type_match("In what year did it open?", "It opened in 1995."), answer_type_match("Who won?", "Ann.")
    (1.0, 0.0)
    """
    if _ASKS_YEAR.search(question):
        return 1.0 if _YEAR.search(sentence) else 0.0
    if _ASKS_NUMBER.search(question):
        return 1.0 if any(ch.isdigit() for ch in sentence) else 0.0
    if _ASKS_DATE.search(question):
        return 1.0 if _DAY.search(sentence) or _YEAR.search(sentence) else 0.0
    return 0.0


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


def _shortlist(
    candidates: list[tuple[int, int, int, str]], question_words: set[str], size: int
) -> list[tuple[int, int, int, str]]:
    """The `size` sentences sharing most words with the question, plus the best one of every passage."""
    ranked = sorted(candidates, key=lambda c: len(question_words & content_words(c[3])), reverse=True)
    best_per_passage: dict[int, tuple[int, int, int, str]] = {}
    for candidate in ranked:
        best_per_passage.setdefault(candidate[0], candidate)
    keep = ranked[:size]
    return keep + [c for c in best_per_passage.values() if c not in keep]
