"""Loading dated question files: groups, order, limits and seeded samples."""

from __future__ import annotations

from pathlib import Path

from evaluation.questions import load_questions


def test_questions_are_grouped(repo_root: Path) -> None:
    questions = load_questions([repo_root / "examples" / "questions.jsonl"])
    groups = {q.group for q in questions}
    assert groups == {"answerable", "unanswerable"}
    assert [q.id for q in questions] == sorted(q.id for q in questions)
    assert len(load_questions([repo_root / "examples" / "questions.jsonl"], limit=5)) == 5
    sampled = load_questions([repo_root / "examples" / "questions.jsonl"], limit=5, seed=3)
    assert sampled == load_questions([repo_root / "examples" / "questions.jsonl"], limit=5, seed=3)
