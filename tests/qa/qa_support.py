"""Test helpers for the qa suite (imported by name: tests/ is not a package)."""

from __future__ import annotations

from collections.abc import Iterator

from qa.types import Message

# An undated item in the wire format (a dateline without a date, like the archive's own seed item).
UNDATED_TITLE = "Glacier sensors installed on the Veltrona Pass"
UNDATED_ITEM = f"""{UNDATED_TITLE}
GENEVA — Engineers installed 14 solar-powered sensors on the Veltrona Pass glacier to measure melt rates.
"The data will reach us every ten minutes," project lead Ilse Marchetti said.
Agencies - SDA

"""


class ScriptedGenerator:
    """A deterministic stand-in for the chat model: replies with the scripted text, records the prompts."""

    name = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.prompts: list[list[Message]] = []

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        for start in range(0, len(reply), 7):  # in pieces, as a model streams
            yield reply[start : start + 7]
