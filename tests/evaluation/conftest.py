"""Fixtures of the evaluation tests (tests/support/qa_fixtures.py): sample stores and questions."""

from qa_fixtures import extractive_qa, sample_questions, sample_store, timeline_store

__all__ = ["extractive_qa", "sample_questions", "sample_store", "timeline_store"]
