"""The latest state of a story: how often moving the newest same-story report first puts the gold article and
its answer first, on a development year's answerable questions (no language model).

    python -m bench.latest --store /work/stores/rqa2022                 # 2022, margins 0 (off) to 0.12 (~3 min)
    python -m bench.latest --store /work/stores/rqa2023 --year 2023

For each answerable question with a gold article, as of its date: the default retrieval's passages, then
qa.latest.latest_state with each same-story margin (0 = off). Reported per margin, over all questions and over the
ones whose lead changed: the share whose first passage is from a gold article, and the share whose first passage
holds a gold answer string (what a reader of the lead passage would be told).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.common import YEARS, machine, rqa, store_settings, table, write_result

MARGINS = (0.0, 0.04, 0.08, 0.12)


def measure(store: Path, year: str) -> dict[str, Any]:
    from evaluation.questions import load_questions
    from evaluation.runner import Evaluator
    from evaluation.scoring import contains_answer
    from qa.filters import Filters
    from qa.latest import asks_about_change, latest_state
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    keys = Evaluator(qa).keys  # article id -> the ids the questions use for it
    questions = [q for q in load_questions([rqa(year) / "questions.jsonl"]) if q.group == "answerable" and q.gold_ids]
    counts = {m: {"gold_first": 0, "answer_first": 0, "moved": 0, "moved_gold_first": 0, "moved_answer_first": 0}
              for m in MARGINS}  # fmt: skip
    moved_before = {m: {"gold_first": 0, "answer_first": 0} for m in MARGINS}
    selected = 0
    for question in questions:
        filters = Filters(as_of=question.as_of)
        passages = qa.retriever.retrieve(question.text, filters)
        if not passages:
            continue
        selected += asks_about_change(question.text)
        before = _lead(passages, question, keys, contains_answer)
        for margin in MARGINS:
            state = latest_state(question.text, passages, filters, margin)
            gold, answer = _lead(state.passages, question, keys, contains_answer)
            tally = counts[margin]
            tally["gold_first"] += gold
            tally["answer_first"] += answer
            if state.moved:
                tally["moved"] += 1
                tally["moved_gold_first"] += gold
                tally["moved_answer_first"] += answer
                moved_before[margin]["gold_first"] += before[0]
                moved_before[margin]["answer_first"] += before[1]
    n = len(questions)
    return {
        "questions": n,
        "asks_about_change": round(selected / n, 3),
        "margins": {
            str(m): {
                "gold_first": round(c["gold_first"] / n, 3),
                "answer_first": round(c["answer_first"] / n, 3),
                "moved": c["moved"],
                "moved_gold_first_before_after": [moved_before[m]["gold_first"], c["moved_gold_first"]],
                "moved_answer_first_before_after": [moved_before[m]["answer_first"], c["moved_answer_first"]],
            }
            for m, c in counts.items()
        },
    }


def _lead(passages: list[Any], question: Any, keys: dict[str, set[str]], contains_answer: Any) -> tuple[bool, bool]:
    first = passages[0]
    return bool(keys.get(first.article_id, set()) & set(question.gold_ids)), contains_answer(
        first.text, question.answers
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="archive-qa store of the year (read only)")
    parser.add_argument("--year", default="2022", choices=YEARS)
    args = parser.parse_args()
    result = {"machine": machine(), "year": args.year, **measure(args.store, args.year)}
    rows = [[m, r["gold_first"], r["answer_first"], r["moved"], *r["moved_gold_first_before_after"]]
            for m, r in result["margins"].items()]  # fmt: skip
    print(table(rows, ["margin", "gold first", "answer first", "moved", "gold first before", "after"]))
    write_result("latest" if args.year == "2022" else f"latest.{args.year}", False, result)


if __name__ == "__main__":
    main()
