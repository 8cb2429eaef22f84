"""The answerers by name: the one list the settings check, the CLI choices, the app picker and the factory read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive_qa.settings import Settings
from qa.extractive import ExtractiveAnswerer
from qa.types import Answerer
from storage.embedder import Embedder


@dataclass(frozen=True)
class AnswererSpec:
    """One answerer: its label in the app, and either the chat-model runtime it prompts or how it is built."""

    label: str  # shown in the app's answerer picker
    runtime: str | None = None  # the generators/registry.py runtime it prompts; None: it needs no chat model
    factory: Callable[[Settings, Embedder], Answerer] | None = None  # builds one that needs no chat model

    def __post_init__(self) -> None:
        if (self.runtime is None) == (self.factory is None):
            raise ValueError(f"answerer {self.label!r}: give a chat-model runtime or a factory, not both or neither")


# A new answerer is its module and one line here: `runtime=` when it prompts a chat model (a name in
# generators/registry.py; qa/answerers.py's `GeneratorAnswerer` then builds it), `factory=` when it needs none.
ANSWERERS: dict[str, AnswererSpec] = {
    "llm": AnswererSpec("Local LLM", runtime="llama.cpp"),  # the default: the packaged Qwen GGUF
    "extractive": AnswererSpec("Extractive (no model)", factory=ExtractiveAnswerer.from_settings),
    "openai": AnswererSpec("Configured endpoint", runtime="openai"),  # ARCHIVE_QA_OPENAI_BASE_URL
}


def answerer_names() -> list[str]:
    """The names `--answerer` and ARCHIVE_QA_ANSWERER take, in the registry's order."""
    return list(ANSWERERS)


def answerer_choices() -> list[tuple[str, str]]:
    """The app's answerer picker: (label, name) pairs.

    >>> answerer_choices()[1]
    ('Extractive (no model)', 'extractive')
    """
    return [(spec.label, name) for name, spec in ANSWERERS.items()]


def answerer_spec(name: str) -> AnswererSpec:
    """The registered answerer `name`; ValueError naming the valid ones for any other.

    >>> answerer_spec("lmm")
    Traceback (most recent call last):
    ...
    ValueError: unknown answerer 'lmm': use llm, extractive or openai
    """
    if name not in ANSWERERS:
        *others, last = ANSWERERS
        raise ValueError(f"unknown answerer {name!r}: use {', '.join(others)} or {last}")
    return ANSWERERS[name]
