"""What the page starts from and takes in: starter questions, dates and filters, a chat question as a ChatRequest."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from generators.base import Message
from qa.filters import Filters
from storage.dates import iso_day


def parse_date(value: Any, what: str) -> date | None:
    """A date box's value (an ISO string, or a timestamp) or an API argument; None when empty. gr.Error names
    the field (`what`) of a value that is no date, for the page to show."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).date()
    try:
        return iso_day(value)
    except ValueError:
        raise gr.Error(f"{what}: {value!r} is not a date like 2024-03-31") from None


def page_filters(as_of: Any = None, since: Any = None, until: Any = None, sources: Any = None) -> Filters:
    """The search filters of the date boxes and source picker (or the API's arguments); as-of defaults to today.

    >>> page_filters("2024-03-31", since="2024-01-01").since
    datetime.date(2024, 1, 1)
    """
    return Filters(
        as_of=parse_date(as_of, "as-of date") or date.today(),
        since=parse_date(since, "since"),
        until=parse_date(until, "until"),
        sources=tuple(sources or ()),
    )


@dataclass(frozen=True)
class ChatRequest:
    """One chat question as the pipeline takes it, read from the page once (`ui.chat_panel.ChatPanel.request`).

    `turns` are the chat's earlier turns as the page keeps them: question, plain answer text (empty when it
    failed), rendered sources and the standalone question it was searched for.

    >>> request = ChatRequest("And in May?", page_filters("2024-06-30"), "extractive", 4)
    >>> request.history, request.previous_search
    ([], None)
    """

    question: str
    filters: Filters
    answerer: str
    k: int
    turns: list[dict[str, str]] = field(default_factory=list)

    @property
    def history(self) -> list[Message]:
        return chat_history(self.turns)

    @property
    def previous_search(self) -> str | None:
        """How the last answered turn was searched for, to resolve a follow-up against."""
        searched = [t.get("standalone") for t in self.turns if t["answer"]]
        return searched[-1] if searched else None


def chat_history(turns: list[dict[str, str]]) -> list[Message]:
    """The chat's answered turns as messages for a follow-up; a failed turn is shown but not carried into them."""
    messages: list[Message] = []
    for turn in (t for t in turns if t["answer"]):
        messages += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": turn["answer"]}]
    return messages


def example_questions(locations: Iterable[Sequence[str]], titles: Sequence[str], limit: int = 4) -> list[str]:
    """Starter questions: quiz questions shipped beside the ingested files whose gold articles are all indexed
    (the sample archive has examples/questions.jsonl), else questions built from the newest titles."""
    stems: set[str] = set()
    folders: set[Path] = set()
    for locs in locations:
        for location in locs:
            path = Path(location.split("#", 1)[0])
            stems.add(path.stem)
            folders.update((path.parent, path.parent.parent))
    found: list[str] = []
    for folder in sorted(folders):
        found += _quiz_questions(folder / "questions.jsonl", stems)
    if found:
        step = max(1, len(found) // limit)
        return found[::step][:limit]
    return [f"What happened: {title}?" for title in titles[:limit]]


def _quiz_questions(path: Path, stems: set[str]) -> list[str]:
    try:
        if not path.is_file() or path.stat().st_size > 5 * 2**20:
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        gold = item.get("gold_doc_ids") if isinstance(item, dict) else None
        if gold and item.get("answerable_in_corpus", True) and set(gold) <= stems and item.get("question"):
            out.append(str(item["question"]))
    return out
