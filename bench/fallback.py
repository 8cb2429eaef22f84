"""Re-derive the fallback threshold on both years from the local model's runs (no model runs here).

    python -m bench.fallback --year 2022 --store /work/stores/rqa2022 \
        --rows bench/results/quality.2022.q240uall.archive-qa.rows.jsonl \
        --year 2023 --store /work/stores/rqa2023 --rows bench/results/quality.2023.q240uall.archive-qa.rows.jsonl

When the model declines although the evidence strength reaches ARCHIVE_QA_FALLBACK_THRESHOLD, the pipeline quotes
the best sentences instead (qa/pipeline.py). The rows of a bench/quality.py run say which questions the model
declined; for each of them this asks the pipeline again with the extractive answerer (the same quote the fallback
would give, as of the question's date) and reads the evidence strength, so every threshold can be scored on the
same run: accuracy and false abstention on the answerable questions, right abstention on the unanswerable ones.
Every other row keeps its outcome: the threshold only acts after the model has declined. The rows do not say why
an answer was withheld below the run's threshold (a decline, or an answer citing nothing the passages support), so
below it every withheld answer counts as a decline: the lower thresholds' quotes are an upper bound.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.common import YEARS, machine, rqa, store_settings, table, write_result

THRESHOLDS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 1.01)  # 1.01: never quote


@dataclass(frozen=True)
class Outcome:
    """One answer-set row as the run ended, and for a model decline what quoting would have given."""

    id: str
    group: str
    correct: bool
    abstained: bool
    declined: bool  # the model declined (whether or not the fallback quoted)
    strength: float = 0.0
    quote_correct: bool = False


def outcomes(store: Path, year: str, rows_file: Path) -> list[Outcome]:
    from evaluation.questions import load_questions
    from evaluation.scoring import is_correct
    from qa.answer import Provenance
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA

    settings = store_settings(store)
    qa = ArchiveQA.from_settings(settings)
    files = [rqa(year) / "questions.jsonl", rqa(year) / "unanswerable.jsonl"]
    questions = {q.id: q for q in load_questions(files)}
    found = []
    for line in rows_file.open():
        row: dict[str, Any] = json.loads(line)
        if row.get("set") != "answer_set":
            continue
        kept = Outcome(row["id"], row["group"], bool(row["correct"]), bool(row["abstained"]), False)
        quoted = Provenance(row["provenance"]) is Provenance.QUOTED_AFTER_DECLINE
        if not quoted and not (row["abstained"] and row.get("llm") is not None):
            found.append(kept)  # answered, or declined before the model
            continue
        question = questions[row["id"]]
        filters = Filters(as_of=question.as_of)
        passages = qa.retriever.retrieve(question.text, filters, settings.k)
        strength = qa.evidence_strength(passages, filters, question.text)
        if not quoted and strength >= settings.fallback_threshold:
            # The model ran and the answer was withheld without a quote: it cited nothing the passages support.
            found.append(kept)
            continue
        quote = qa.ask(question.text, filters=filters, answerer="extractive")
        quote_correct = is_correct(quote.text, quote.abstained, question.answers)
        found.append(replace(kept, declined=True, strength=strength, quote_correct=quote_correct))
    return found


def score(found: list[Outcome], threshold: float) -> dict[str, float]:
    """The run's figures had the fallback quoted at `threshold` (evidence strength at least it)."""
    answerable = [o for o in found if o.group == "answerable"]
    unanswerable = [o for o in found if o.group == "unanswerable"]

    def quoted(o: Outcome) -> bool:
        return o.declined and o.strength >= threshold

    def right(o: Outcome) -> bool:
        return (quoted(o) and o.quote_correct) if o.declined else o.correct

    def withheld(o: Outcome) -> bool:
        return (not quoted(o)) if o.declined else o.abstained

    return {
        "accuracy": round(sum(map(right, answerable)) / len(answerable), 4),
        "false_abstention": round(sum(map(withheld, answerable)) / len(answerable), 4),
        "right_abstention": round(sum(map(withheld, unanswerable)) / len(unanswerable), 4) if unanswerable else 0.0,
        "model_declines_answerable": sum(o.declined for o in answerable),
        "model_declines_unanswerable": sum(o.declined for o in unanswerable),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", action="append", required=True, choices=YEARS)
    parser.add_argument("--store", action="append", required=True, type=Path)
    parser.add_argument("--rows", action="append", required=True, type=Path)
    args = parser.parse_args()
    if not len(args.year) == len(args.store) == len(args.rows):
        parser.error("give --year, --store and --rows once for each year")
    results: dict[str, Any] = {}
    for year, store, rows in zip(args.year, args.store, args.rows, strict=True):
        found = outcomes(store, year, rows)
        results[year] = {"rows": rows.name, "thresholds": {str(t): score(found, t) for t in THRESHOLDS}}
    header = ["threshold", *[f"{y} {k}" for y in results for k in ("accuracy", "false abst.", "right abst.")]]
    body = [
        [
            t,
            *[
                results[y]["thresholds"][str(t)][k]
                for y in results
                for k in ("accuracy", "false_abstention", "right_abstention")
            ],
        ]
        for t in THRESHOLDS
    ]
    print(table(body, header))
    write_result("fallback", False, {"machine": machine(), "years": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
