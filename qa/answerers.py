"""Answerers behind one interface, one factory: llm (local GGUF), openai (compatible endpoint), extractive."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from archive_qa.settings import Settings
from ingest.embedder import Embedder
from qa.citations import MARKER, neutralize, ungroup
from qa.evidence import budgeted, rank_sentences, with_next_sentence
from qa.extractive import ExtractiveAnswerer
from qa.prompt import addresses_the_model, answer_messages
from qa.types import Generator, Passage


class Answerer(Protocol):
    """Streams the growing answer text (each yield is the whole text so far) for numbered passages.

    `quotes` is True when the text is copied from the passages: a phrase like "does not contain" in it is then
    article text, not a refusal.
    """

    name: str
    quotes: bool

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]: ...


class GeneratorAnswerer:
    """Prompt a chat model with the passages' best sentences and stream its cited answer.

    Only the passages holding one of the chosen sentences are shown, numbered [1]..[m] in retrieval order; the
    model's numbers are mapped back to the caller's, so citations always refer to `passages` as given.

    >>> answerer = GeneratorAnswerer(LlamaCppGenerator(settings), max_tokens=200, embedder=embedder)
    >>> *_, text = answerer.stream("Who won?", passages, date(2024, 6, 1))
    """

    quotes = False  # the model composes its own sentences

    def __init__(
        self,
        generator: Generator,
        max_tokens: int,
        embedder: Embedder,
        context_chars: int = 600,
        max_passages: int = 3,
        per_passage: int = 3,
    ) -> None:
        self.generator, self.max_tokens, self.embedder = generator, max_tokens, embedder
        self.context_chars, self.max_passages, self.per_passage = context_chars, max_passages, per_passage
        self.name = generator.name

    @classmethod
    def from_settings(cls, generator: Generator, settings: Settings, embedder: Embedder) -> GeneratorAnswerer:
        """Answer length and context budget as configured."""
        return cls(generator, settings.max_answer_tokens, embedder, settings.llm_context_chars, settings.llm_passages)

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]:
        shown, numbers = self.context(question, passages)
        text = ""
        deltas = self.generator.stream(answer_messages(question, shown, as_of), self.max_tokens)
        try:
            for delta in deltas:
                text += delta
                yield renumber(text, numbers)
        finally:  # a consumer that stops early (new chat, closed tab) must release the shared model's lock now
            close = getattr(deltas, "close", None)
            if close is not None:
                close()

    def context(self, question: str, passages: Sequence[Passage]) -> tuple[list[Passage], list[int]]:
        """The passages to show (text cut to their chosen sentences) and each one's number among `passages`.

        Markers inside article text are neutralized: the model cannot copy a forged "[7]".
        """
        ranked = [s for s in rank_sentences(question, passages, self.embedder) if not addresses_the_model(s.text)]
        chosen = budgeted(ranked, self.per_passage, self.context_chars, self.max_passages)
        if ranked:
            chosen = with_next_sentence(chosen, ranked[0], passages, excluded=addresses_the_model)
        if not chosen:  # no sentence long enough to rank: show the openings of the first passages
            chosen = {n: [] for n in range(1, min(len(passages), self.max_passages) + 1)}
        shown = []
        for number, sentences in chosen.items():
            passage = passages[number - 1]
            text = " … ".join(s.text for s in sentences) or passage.text[: self.context_chars // self.max_passages]
            shown.append(replace(passage, text=neutralize(text), title=neutralize(passage.title)))
        return shown, list(chosen)


def renumber(text: str, numbers: Sequence[int]) -> str:
    """Map the model's [i] (i-th passage shown) to [numbers[i-1]]; a number it was never shown becomes [0]."""
    return MARKER.sub(lambda m: f"[{_lookup(numbers, int(m.group(1)))}]", ungroup(text))


def _lookup(numbers: Sequence[int], shown_number: int) -> int:
    return numbers[shown_number - 1] if 1 <= shown_number <= len(numbers) else 0


def get_generator(kind: str, settings: Settings) -> Generator:
    """The chat model for `llm` or `openai`; one llama.cpp model per process is shared by all callers."""
    if kind == "llm":
        from qa.llm import get_llm_generator

        return get_llm_generator(settings)
    if kind == "openai":
        from qa.openai_chat import OpenAIChatGenerator

        return OpenAIChatGenerator(settings.openai_base_url, settings.openai_model, settings.openai_api_key)
    raise ValueError(f"no chat model for answerer {kind!r}")


def make_answerer(kind: str, settings: Settings, embedder: Embedder) -> Answerer:
    """Factory: `llm` (default, local Qwen GGUF), `openai` (configured endpoint) or `extractive` (no model)."""
    if kind == "extractive":
        return ExtractiveAnswerer(embedder)
    if kind in ("llm", "openai"):
        return GeneratorAnswerer.from_settings(get_generator(kind, settings), settings, embedder)
    raise ValueError(f"unknown answerer {kind!r}: use llm, extractive or openai")
