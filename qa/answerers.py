"""Answerers behind one interface, one factory: llm (local GGUF), openai (compatible endpoint), extractive."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from archive_qa.settings import Settings
from ingest.embedder import Embedder
from qa.citations import neutralize
from qa.evidence import rank_sentences, snippets
from qa.extractive import ExtractiveAnswerer
from qa.types import Generator, Passage


class Answerer(Protocol):
    """Streams the growing answer text (each yield is the whole text so far) for numbered passages."""

    name: str

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]: ...


class GeneratorAnswerer:
    """Prompt a chat model with the numbered passages and stream its cited answer.

    >>> answerer = GeneratorAnswerer(LlamaCppGenerator(settings), max_tokens=200)
    >>> *_, text = answerer.stream("Who won?", passages, date(2024, 6, 1))
    """

    def __init__(
        self, generator: Generator, max_tokens: int, embedder: Embedder, per_passage: int = 2, max_chars: int = 320
    ) -> None:
        self.generator, self.max_tokens, self.embedder = generator, max_tokens, embedder
        self.per_passage, self.max_chars = per_passage, max_chars
        self.name = generator.name

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]:
        from qa.prompt import answer_messages

        # Prompt processing is the cost on a CPU (~160 tokens/s): the model reads each passage's best sentences,
        # not the whole chunk. Markers inside article text are neutralized: it cannot copy a forged "[7]".
        ranked = rank_sentences(question, passages, self.embedder)
        short = snippets(ranked, passages, self.per_passage, self.max_chars)
        safe = [replace(p, text=neutralize(s), title=neutralize(p.title)) for p, s in zip(passages, short, strict=True)]
        text = ""
        deltas = self.generator.stream(answer_messages(question, safe, as_of), self.max_tokens)
        try:
            for delta in deltas:
                text += delta
                yield text
        finally:  # a consumer that stops early (new chat, closed tab) must release the shared model's lock now
            close = getattr(deltas, "close", None)
            if close is not None:
                close()


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
        return GeneratorAnswerer(get_generator(kind, settings), settings.max_answer_tokens, embedder)
    raise ValueError(f"unknown answerer {kind!r}: use llm, extractive or openai")
