"""`archive-qa ask`, `timeline` and `eval`: answers, story timelines and their evaluation from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_qa.options import store_options
from archive_qa.settings import Settings
from storage.dates import iso_day

if TYPE_CHECKING:
    from qa.filters import Filters


def _date(text: str) -> date:
    try:
        return iso_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2023-06-30") from None


def _filter_options(parser: argparse.ArgumentParser) -> None:
    """--as-of, --source, --since, --until: what `_filters` reads."""
    parser.add_argument("--as-of", type=_date, help="as of this date: later articles are hidden (default today)")
    parser.add_argument(
        "--source", action="append", default=[], help='only these sources (repeatable; "(no source)": none stated)'
    )
    parser.add_argument("--since", type=_date)
    parser.add_argument("--until", type=_date)


def _filters(args: argparse.Namespace) -> Filters:
    from qa.filters import Filters  # here, not at the top: `archive-qa --help` loads only the answerer registry

    return Filters(as_of=args.as_of or date.today(), since=args.since, until=args.until, sources=tuple(args.source))


def register(sub: Any, commands: dict[str, Any]) -> None:
    from qa.registry import answerer_names

    ask = sub.add_parser("ask", help="answer a question from the archive, with citations")
    ask.add_argument("question")
    store_options(ask)
    ask.add_argument("--answerer", choices=answerer_names())
    _filter_options(ask)
    ask.add_argument("--k", type=int, help="passages given to the answerer")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    commands["ask"] = cmd_ask

    timeline = sub.add_parser("timeline", help="how a story developed: one line per matching story, oldest first")
    timeline.add_argument("query")
    store_options(timeline)
    _filter_options(timeline)
    timeline.add_argument("--limit", type=int, default=20, help="stories at most (default 20)")
    timeline.add_argument("--json", action="store_true", help="print one JSON list")
    commands["timeline"] = cmd_timeline

    evaluate = sub.add_parser("eval", help="score retrieval, answers, citations and abstention on quiz questions")
    evaluate.add_argument("questions", nargs="+", type=Path)
    store_options(evaluate)
    evaluate.add_argument(
        "--answerer", choices=[*answerer_names(), "none"], default=None, help="'none' scores retrieval only"
    )
    evaluate.add_argument("--limit", type=int)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--k", type=int)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--out", type=Path, help="per-question results as JSONL")
    commands["eval"] = cmd_eval


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from archive_qa.archive_check import require_archive
    from qa.pipeline import ArchiveQA

    require_archive(settings)
    qa = ArchiveQA.from_settings(settings)
    answer = qa.ask(args.question, filters=_filters(args), answerer=args.answerer, k=args.k)
    if args.json:
        print(json.dumps(answer.to_json()))
        return 0
    print(answer.dated_text)
    if answer.standalone_question != answer.question:
        print(f"(asked as: {answer.standalone_question})")
    listed = [(f"[{c.n}]", c.passage) for c in answer.citations] or [("-", p) for p in answer.related]
    if listed:
        print("\nSources:" if answer.citations else "\nClosest articles:")
    for mark, passage in listed:
        where = passage.url or passage.path or ""
        print(f"  {mark} {passage.label()}  {where}")
        if passage.also_in:
            print(f"      {passage.also_in_text}")
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """One line per story (date, title, outlets), its best sentence indented below; or the JSON list."""
    from archive_qa.archive_check import require_archive
    from qa.pipeline import ArchiveQA

    require_archive(settings)
    if args.limit < 1:
        raise ValueError(f"--limit must be at least 1, not {args.limit}")
    entries = ArchiveQA.from_settings(settings).timeline(args.query, _filters(args), args.limit)
    if args.json:
        print(json.dumps([entry.to_json() for entry in entries]))
        return 0
    if not entries:
        print(f"No stories in the archive match {args.query!r}.")
    for entry in entries:
        when = entry.date.isoformat() if entry.date else "undated"
        outlets = f"  ({', '.join(entry.sources)})" if entry.sources else ""
        print(f"{when:<10}  {entry.title}{outlets}\n            {entry.sentence}")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from archive_qa.archive_check import require_archive
    from evaluation.runner import run_eval

    require_archive(settings)
    report = run_eval(
        settings,
        args.questions,
        answerer=args.answerer,
        limit=args.limit,
        seed=args.seed,
        k=args.k,
        out=args.out,
        progress=not args.json,
    )
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        from evaluation.report import format_report

        print(format_report(report), file=sys.stdout)
    return 0
