"""A Generator wrapper that times the first delta and the whole stream, for the benchmarks that measure the LLM."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any


class Recording:
    """Wraps a Generator: times the first delta and the whole stream, and keeps llama.cpp's own count of the
    prompt's tokens (its chat template and tokenizer; cached prefix tokens included)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.last = inner, inner.name, None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        record: dict[str, Any] = {"prompt_tokens": None}
        self.last = record
        started = time.perf_counter()
        deltas = 0
        stream = self.inner.stream(messages, max_tokens)
        while True:
            try:
                delta = next(stream)
            except StopIteration as end:  # llama.cpp's stream returns its counts
                counted = end.value
                break
            if not deltas:
                record["first_token"] = time.perf_counter() - started
            deltas += 1
            yield delta
        record["generate"] = time.perf_counter() - started
        record["deltas"] = deltas
        if counted is not None:
            record["prompt_tokens"] = counted.prompt_tokens + counted.cached_prompt_tokens
