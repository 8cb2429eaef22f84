"""Fixtures of the app tests (tests/support/app_fixtures.py): the sample store, the served app, Chromium pages."""

from app_fixtures import app_server, chromium, page, phone_page, questions, sample_store, screenshot

__all__ = ["app_server", "chromium", "page", "phone_page", "questions", "sample_store", "screenshot"]
