"""The `archive-qa` command line: ingest, stats, ask, timeline, eval, serve, chroma-server, doctor."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import archive_qa  # noqa: F401  (sets the offline environment before any model library loads)
from archive_qa import doctor_cli, qa_cli, serve_cli
from archive_qa.options import settings_from, store_options
from archive_qa.quiet import quiet_libraries
from archive_qa.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


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

    for module in (qa_cli, serve_cli, doctor_cli):  # commands defined beside the code they drive (qa, app, doctor)
        module.register(sub, COMMANDS)
    return parser


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
