"""The `archive-qa` command line: ingest, stats, ask, timeline, eval, serve, chroma-server, doctor."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import archive_qa  # noqa: F401  (sets the offline environment before any model library loads)
from archive_qa.quiet import quiet_libraries
from archive_qa.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


def store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, help="store directory (env ARCHIVE_QA_STORE, default .archive-qa)")
    parser.add_argument("--chroma-url", help="use a `chroma run` server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--collection", help="collection name (default archive)")


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    """Environment and defaults, overridden by whatever the command line gave."""
    given = {"store": args.store, "chroma_url": args.chroma_url, "collection": args.collection, **extra}
    return Settings(**{key: value for key, value in given.items() if value is not None})


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.factory import make_ingestor
    from storage.lock import writer_lock

    with writer_lock(settings.store):
        report = make_ingestor(settings).run(args.paths, prune=args.prune, progress=not args.json)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(report.summary())
    return 1 if report.errors else 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from storage.factory import open_store
    from storage.stats import index_stats

    stats = index_stats(open_store(settings)).to_json()
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return 0


def cmd_chroma_server(args: argparse.Namespace, settings: Settings) -> int:
    """Run Chroma's own server in the foreground (replaces this process); point --chroma-url at it."""
    import os
    import shutil

    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    path = args.path or settings.store / "chroma-server"
    print(f"Chroma server on http://{args.host}:{args.port} with data in {path}", file=sys.stderr)
    os.execv(chroma, [chroma, "run", "--path", str(path), "--host", args.host, "--port", str(args.port)])
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archive-qa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="add files and folders to the index (exit 1 if any file failed)")
    ingest.add_argument("paths", nargs="+", type=Path)
    store_options(ingest)
    ingest.add_argument("--prune", action="store_true", help="remove articles whose source files are gone")
    ingest.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    COMMANDS["ingest"] = cmd_ingest

    stats = sub.add_parser("stats", help="what the index holds")
    store_options(stats)
    stats.add_argument("--json", action="store_true")
    COMMANDS["stats"] = cmd_stats

    server = sub.add_parser("chroma-server", help="start a Chroma server (chroma run) for several app processes")
    server.add_argument("--path", type=Path, help="data directory (default STORE/chroma-server)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8000)
    server.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    server.add_argument("--chroma-url", help=argparse.SUPPRESS)
    server.add_argument("--collection", help=argparse.SUPPRESS)
    COMMANDS["chroma-server"] = cmd_chroma_server

    for register in _plugins():
        register(sub, COMMANDS)
    return parser


def _plugins() -> list[Callable[[Any, dict[str, Command]], None]]:
    """Commands defined beside the code they drive (qa, app), registered if present."""
    found = []
    for module_name in ("archive_qa.qa_cli", "archive_qa.serve_cli", "archive_qa.doctor_cli"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ImportError as exc:
            if exc.name not in (module_name, module_name.split(".")[0]):
                raise
            continue
        if hasattr(module, "register"):
            found.append(module.register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet_libraries()  # before any command loads a model library
    settings = settings_from(args)
    try:
        return COMMANDS[args.command](args, settings)
    except (RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"archive-qa {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
