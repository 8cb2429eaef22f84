"""Fixtures of the storage tests (tests/support/ingest_fixtures.py): the CLI, store snapshots, a Chroma server."""

from ingest_fixtures import archive_copy, chroma_server, cli, cli_process, sample_store, store_snapshot

__all__ = ["archive_copy", "chroma_server", "cli", "cli_process", "sample_store", "store_snapshot"]
