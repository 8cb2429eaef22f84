"""The chat-model runtimes by name: a new runtime is its module and one line in `RUNTIMES`."""

from __future__ import annotations

from collections.abc import Callable

from archive_qa.settings import Settings
from generators.base import Generator
from generators.llama import get_llm_generator
from generators.openai_chat import OpenAIChatGenerator

RUNTIMES: dict[str, Callable[[Settings], Generator]] = {
    "llama.cpp": get_llm_generator,  # a local GGUF on xllamacpp, loaded once per process
    "openai": OpenAIChatGenerator.from_settings,  # any OpenAI-compatible /v1/chat/completions endpoint
}


def make_generator(runtime: str, settings: Settings) -> Generator:
    """The chat model of `runtime`, configured by `settings`.

    >>> make_generator("openai", Settings(openai_model="local")).name
    'openai/local'
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown chat-model runtime {runtime!r}: use {', '.join(RUNTIMES)}")
    return RUNTIMES[runtime](settings)
