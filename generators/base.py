"""What a chat model is to archive-qa: a `Generator` streaming text deltas for a list of `Message`s."""

from __future__ import annotations

from collections.abc import Generator as Stream
from collections.abc import Iterator
from typing import Protocol, TypeVar

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}
Returned = TypeVar("Returned")


class Generator(Protocol):
    """A chat model: streams text deltas for a list of messages. Implementations: generators/registry.py.

    A runtime may also return something when its stream ends (llama.cpp: its token counts); `drain` reads it.
    """

    name: str

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


def drain(stream: Stream[str, None, Returned]) -> tuple[str, Returned]:
    """Read a stream to its end: the whole text, and what the stream returned.

    >>> def counted():
    ...     yield "Rates "
    ...     yield "rose."
    ...     return 2
    >>> drain(counted())
    ('Rates rose.', 2)
    """
    pieces = []
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as end:
            return "".join(pieces), end.value
