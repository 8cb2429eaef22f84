"""Ingest speed of this checkout against another one (e.g. the previous release in a git worktree), same articles.

    git worktree add ../archive-qa-before <rev>
    python -m bench.ingest_speed --against ../archive-qa-before                  # first 1,000 2022 articles
    python -m bench.ingest_speed --against ../archive-qa-before --articles 500 --rounds 3

Each round ingests the same first N RealTime QA 2022 articles into a fresh store with `python -m archive_qa.cli
ingest FILE --store FRESH --json`, once from each checkout (its own code, this interpreter), the order alternating
between rounds so neither always runs on a warmer machine. Reported: each run's wall seconds and the pipeline's own
seconds, and the ratio this / other of the median pipeline seconds (above 1: this checkout is slower).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPO, machine, rqa, run_measured, table, write_result


def first_articles(count: int, into: Path) -> Path:
    """The first `count` lines of the 2022 export, as a JSONL file outside the project."""
    path = into / f"first{count}.jsonl"
    with gzip.open(rqa("2022") / "articles.jsonl.gz", "rt") as source, path.open("w") as out:
        for number, line in enumerate(source):
            if number == count:
                break
            out.write(line)
    return path


def ingest_once(checkout: Path, articles: Path, scratch: Path, label: str) -> dict[str, Any]:
    store = Path(tempfile.mkdtemp(dir=scratch, prefix="store-"))
    code = f"import sys; sys.path.insert(0, {str(checkout)!r}); from archive_qa.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", code, "ingest", str(articles), "--store", str(store), "--json"]
    run = run_measured(cmd, label)
    summary = run.get("json") or {}
    return {"wall_seconds": run["wall_seconds"], "seconds": summary.get("seconds"), "articles": summary.get("articles")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    checkouts = {"this": REPO, "other": args.against.resolve()}
    runs: dict[str, list[dict[str, Any]]] = {"this": [], "other": []}
    with tempfile.TemporaryDirectory(prefix="aq-ingest-speed-") as scratch:
        articles = first_articles(args.articles, Path(scratch))
        for round_number in range(args.rounds):
            order = ["this", "other"] if round_number % 2 == 0 else ["other", "this"]
            for name in order:
                runs[name].append(ingest_once(checkouts[name], articles, Path(scratch), f"{name} round {round_number}"))
    medians = {name: statistics.median(r["seconds"] for r in done if r["seconds"]) for name, done in runs.items()}
    result = {
        "machine": machine(),
        "articles": args.articles,
        "rounds": args.rounds,
        "other_checkout": str(checkouts["other"]),
        "runs": runs,
        "median_pipeline_seconds": medians,
        "ratio_this_over_other": round(medians["this"] / medians["other"], 3),
    }
    rows = [[name, *(r["seconds"] for r in done), medians[name]] for name, done in runs.items()]
    print(table(rows, ["checkout", *(f"round {i}" for i in range(args.rounds)), "median"]))
    print(f"this / other: {result['ratio_this_over_other']}")
    write_result("ingest_speed", False, result)


if __name__ == "__main__":
    main()
