"""Fixtures of the CLI tests: a timeline store, the CLI as a subprocess, a Chromium page."""

from app_fixtures import chromium, page
from ingest_fixtures import cli_process
from qa_fixtures import timeline_store

__all__ = ["chromium", "cli_process", "page", "timeline_store"]
