"""Command-line options every store-reading subcommand shares, and the settings they give."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from archive_qa.settings import Settings


def store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, help="store directory (env ARCHIVE_QA_STORE, default .archive-qa)")
    parser.add_argument("--chroma-url", help="use a `chroma run` server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--collection", help="collection name (default archive)")


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    """Environment and defaults, overridden by whatever the command line gave."""
    given = {"store": args.store, "chroma_url": args.chroma_url, "collection": args.collection, **extra}
    return Settings(**{key: value for key, value in given.items() if value is not None})
