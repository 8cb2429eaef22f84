"""Dated quiz questions: the JSONL files the harness and the benchmarks read, grouped by what the archive holds."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generators.base import Message
from storage.dates import iso_day

GROUPS = ("answerable", "no_gold", "unanswerable")


@dataclass(frozen=True)
class Question:
    """One quiz question; `group` is answerable (gold article known), no_gold, or unanswerable (later events)."""

    id: str
    as_of: date
    text: str
    answers: tuple[str, ...]
    gold_ids: tuple[str, ...]
    group: str
    history: tuple[Message, ...] = ()  # the conversation a follow-up question is asked in


def load_questions(paths: Sequence[Path], limit: int | None = None, seed: int | None = None) -> list[Question]:
    """Questions from each file, sorted by id; a file named unanswerable* (or a row with "unanswerable": true)
    holds questions the archive cannot answer. `limit` takes the first N per file, or a seeded sample:
    `load_questions([Path("examples/questions.jsonl")], limit=5, seed=3)`.
    """
    out: list[Question] = []
    for path in paths:
        rows = sorted((json.loads(line) for line in path.open() if line.strip()), key=lambda r: r["question_id"])
        if limit is not None:
            rows = (
                sorted(random.Random(seed).sample(rows, min(limit, len(rows))), key=lambda r: r["question_id"])
                if seed is not None
                else rows[:limit]
            )
        unanswerable_file = path.stem.startswith("unanswerable")
        out += [_question(row, unanswerable_file) for row in rows]
    return out


def _question(row: dict[str, Any], unanswerable_file: bool) -> Question:
    unanswerable = unanswerable_file or bool(row.get("unanswerable"))
    group = "unanswerable" if unanswerable else ("answerable" if row.get("answerable_in_corpus") else "no_gold")
    return Question(
        row["question_id"],
        iso_day(row["question_date"]),
        row["question"],
        tuple(row.get("answer") or ()),
        tuple(row.get("gold_doc_ids") or ()),
        group,
        tuple(row.get("history") or ()),
    )
