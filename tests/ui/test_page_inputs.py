"""What the page starts from and takes in (ui/page_inputs.py): starter questions, dates, filters, chat requests."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import gradio as gr
import pytest

from ui.page_inputs import ChatRequest, chat_history, example_questions, page_filters, parse_date


def test_example_questions_from_quiz_file_else_titles(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    quiz = [
        {"question": "Q one?", "gold_doc_ids": ["001_a"], "answerable_in_corpus": True},
        {"question": "Q missing?", "gold_doc_ids": ["999_z"], "answerable_in_corpus": True},
        {"question": "Q none?", "gold_doc_ids": [], "answerable_in_corpus": False},
    ]
    (tmp_path / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in quiz))
    locations = [(str(archive / "001_a.txt"),), (str(archive / "002_b.txt"),)]
    assert example_questions(locations, ["T1", "T2"]) == ["Q one?"]
    assert example_questions([("/elsewhere/x.txt",)], ["T1", "T2"]) == ["What happened: T1?", "What happened: T2?"]


def test_dates_from_boxes_and_the_api() -> None:
    assert parse_date("", "since") is None and parse_date(None, "since") is None
    assert parse_date(" 2024-03-31 00:00:00", "since") == date(2024, 3, 31)
    assert parse_date(datetime(2024, 3, 31, 12).timestamp(), "until") == date(2024, 3, 31)
    with pytest.raises(gr.Error, match="until: 'soon' is not a date"):
        parse_date("soon", "until")


def test_history_leaves_out_failed_turns() -> None:
    turns = [{"question": "Q1", "answer": "A1"}, {"question": "Q2", "answer": ""}]
    assert chat_history(turns) == [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]


def test_filters_from_the_page_default_to_today_and_name_a_bad_box() -> None:
    filters = page_filters("", "2024-01-01", " 2024-03-31 00:00:00", ["AP"])
    assert (filters.as_of, filters.since, filters.until, filters.sources) == (
        date.today(),
        date(2024, 1, 1),
        date(2024, 3, 31),
        ("AP",),
    )
    with pytest.raises(gr.Error, match="as-of date: 'soon' is not a date"):
        page_filters("soon")


def test_a_chat_request_carries_answered_turns_and_the_last_search() -> None:
    turns = [
        {"question": "Q1", "answer": "A1", "standalone": "Q1 standalone"},
        {"question": "Q2", "answer": "", "standalone": "Q2 failed"},
    ]
    request = ChatRequest("And then?", page_filters("2024-06-30"), "extractive", 4, turns)
    assert request.history == [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]
    assert request.previous_search == "Q1 standalone"
    assert ChatRequest("First?", page_filters(), "llm", 4).previous_search is None
