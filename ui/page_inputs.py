"""What the page starts from and what it takes in: starter questions, dates from the date boxes and the API, chat
turns as history. Used by app.py and the tab modules (ui/index_panel.py, ui/timeline_panel.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from qa.types import Message


def parse_date(value: Any, what: str) -> date | None:
    """A date box's value (an ISO string, or a timestamp) or an API argument; None when empty. gr.Error names
    the field (`what`) of a value that is no date, for the page to show."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise gr.Error(f"{what}: {value!r} is not a date like 2024-03-31") from None


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
