"""Re-derive the sentence-score weights and the context budget on one year, check them on the other (no LLM).

    python -m bench.context_sweep --store 2022=/work/stores/rqa2022 --store 2023=/work/stores/rqa2023

For every answerable question of each year, as of its date, the default retrieval picks the passages and
qa.evidence.sentence_features scores their sentences once (cached under --cache). Each variant then re-ranks the
cached features (qa.evidence.rank_features) and chooses what the model reads (GeneratorAnswerer.show) and what
the extractive answerer quotes (ExtractiveAnswerer.quote), exactly as the pipeline does, and counts how often a
gold answer string is inside. Weights are tuned by coordinate ascent on one year and scored on the other, both ways,
and on both together; each weight's worth is the drop when it alone is set to 0.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import BENCH_STORES, YEARS, machine, rqa, store_settings, table, write_result
from bench.context import NoModel
from evaluation.questions import Question

GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
TOLERANCES = (0.5, 0.65, 0.75, 0.85, 1.0)
SHORTLISTS = (6, 12, 24, 1000)  # 1000: every sentence of the passages


@dataclass(frozen=True)
class Case:
    """One answerable question's cached inputs to sentence choice."""

    question: Question
    passages: list[Any]  # qa.types.Passage
    features: list[Any]  # qa.evidence.SentenceFeatures


@dataclass(frozen=True)
class Variant:
    """What a run varies: the weights, the kind tolerance, the sentences embedded and the model's budget."""

    weights: Any  # qa.evidence.SentenceWeights
    tolerance: float
    shortlist: int
    chars: int
    passages: int


def collect(store: Path, year: str, cache: Path) -> list[Case]:
    """Each answerable question's passages and sentence features, computed once per store and year."""
    path = cache / f"context_sweep.{year}.all.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())  # our own cache file, written below
    from evaluation.questions import load_questions
    from qa.evidence import sentence_features
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    cases = []
    for question in load_questions([rqa(year) / "questions.jsonl"]):
        if question.group != "answerable":
            continue
        passages = qa.retriever.retrieve(question.text, Filters(as_of=question.as_of))
        every = sentence_features(question.text, passages, qa.embedder, size=len(passages) * 1000)
        cases.append(Case(question, passages, every))
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(cases))
    return cases


def recall(cases: list[Case], variant: Variant) -> dict[str, float]:
    """Share of cases whose gold answer is inside the model's sentences and inside the extractive quote."""
    from evaluation.scoring import contains_answer
    from qa.answer_types import asked_kind
    from qa.answerers import GeneratorAnswerer
    from qa.evidence import rank_features, shortlist
    from qa.extractive import ExtractiveAnswerer

    reader = GeneratorAnswerer(NoModel(), 0, None, variant.chars, variant.passages)  # type: ignore[arg-type]
    quoter = ExtractiveAnswerer(None)  # type: ignore[arg-type]
    seen = quoted = 0
    for case in cases:
        embedded = shortlist(case.features, case.question.text, variant.shortlist)
        ranked = rank_features(embedded, asked_kind(case.question.text), variant.weights, variant.tolerance)
        shown, _ = reader.show(ranked, case.passages)
        seen += contains_answer(" ".join(p.text for p in shown), case.question.answers)
        quoted += contains_answer(" ".join(s.text for s in quoter.quote(ranked)), case.question.answers)
    n = len(cases) or 1
    return {"model_context": round(seen / n, 4), "extractive_quote": round(quoted / n, 4)}


def tune(cases: list[Case], start: Variant, rounds: int = 2) -> Variant:
    """Coordinate ascent on model-context recall: each weight over GRID, then the tolerance and the shortlist,
    `rounds` times, every move applied to the best so far (the budget stays: it is bought with the model's
    reading time)."""
    best, best_score = start, recall(cases, start)["model_context"]
    for _ in range(rounds):
        for move in _moves(start):
            trial = move(best)
            score = recall(cases, trial)["model_context"]
            if score > best_score + 1e-9:
                best, best_score = trial, score
    return best


def _moves(variant: Variant) -> list[Callable[[Variant], Variant]]:
    weights = [partial(_with, weights={f.name: value}) for f in fields(variant.weights) for value in GRID]
    tolerances = [partial(replace, tolerance=t) for t in TOLERANCES]
    return [*weights, *tolerances, *(partial(replace, shortlist=n) for n in SHORTLISTS)]


def sweep(
    years: dict[str, list[Case]], default: Variant, held_out: int, compare: dict[str, float] | None = None
) -> dict[str, Any]:
    """Defaults, tuned on each year and on both, each weight dropped, and the budget curve; every row on every year.

    Tuning reads only each year's answerable questions after the first `held_out` (the ones bench/quality.py asks
    the model); every row is scored on both parts. `compare` adds a row with those weights changed.
    """
    rows: dict[str, dict[str, Any]] = {}
    tuning = {year: cases[held_out:] for year, cases in years.items()}

    def score(name: str, variant: Variant) -> None:
        rows[name] = {
            "weights": asdict(variant.weights),
            "tolerance": variant.tolerance,
            "shortlist": variant.shortlist,
            "chars": variant.chars,
            "passages": variant.passages,
            **{
                year: {"tune": recall(cases[held_out:], variant), "held_out": recall(cases[:held_out], variant)}
                for year, cases in years.items()
            },
        }

    score("defaults", default)
    if compare:
        score("compared: " + ", ".join(f"{k} {v:g}" for k, v in compare.items()), _with(default, compare))
    for year, cases in tuning.items():
        score(f"tuned on {year}", tune(cases, default))
    if len(years) > 1:
        both = tune([c for cases in tuning.values() for c in cases], default)
        score("tuned on both", both)
        for chars in (700, 800):
            score(f"tuned on both, {chars} characters", replace(both, chars=chars))
    for field in fields(default.weights):
        score(f"{field.name} = 0", _with(default, {field.name: 0.0}))
    for size in (n for n in SHORTLISTS if n != default.shortlist):
        score(f"{size} sentences embedded", replace(default, shortlist=size))
    for chars in (400, 700, 800, 1000):
        score(f"{chars} characters", replace(default, chars=chars))
    for passages in (2, 4):
        score(f"{passages} passages", replace(default, passages=passages))
    return rows


def _with(variant: Variant, weights: dict[str, float]) -> Variant:
    return replace(variant, weights=replace(variant.weights, **weights))


def _weights(text: str) -> dict[str, float]:
    """ "overlap=0.3,answer_type=0.2" -> {"overlap": 0.3, "answer_type": 0.2}."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    return {name.strip(): float(value) for name, value in pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", required=True, help="YEAR=DIR, an archive-qa store of that year")
    parser.add_argument("--compare", type=_weights, help='another row, e.g. "overlap=0.3,answer_type=0.2"')
    parser.add_argument("--held-out", type=int, default=240, help="first answerable questions kept out of tuning")
    parser.add_argument("--cache", type=Path, default=BENCH_STORES, help="where features are cached")
    args = parser.parse_args()
    from archive_qa.settings import Settings
    from qa.evidence import DEFAULT_WEIGHTS, KIND_TOLERANCE, SHORTLIST

    stores = dict(item.split("=", 1) for item in args.store)
    if unknown := set(stores) - set(YEARS):
        parser.error(f"unknown year {sorted(unknown)}; known: {', '.join(YEARS)}")
    years = {year: collect(Path(store), year, args.cache) for year, store in sorted(stores.items())}
    settings = Settings()
    default = Variant(DEFAULT_WEIGHTS, KIND_TOLERANCE, SHORTLIST, settings.llm_context_chars, settings.llm_passages)
    rows = sweep(years, default, args.held_out, args.compare)
    parts = [(y, p, k) for y in years for p in ("tune", "held_out") for k in ("model_context", "extractive_quote")]
    header = ["variant", *[f"{y} {p[:4]} {k[:5]}" for y, p, k in parts], "weights / tolerance"]
    body = [[name, *[r[y][p][k] for y, p, k in parts], _brief(r)] for name, r in rows.items()]
    print(table(body, header))
    sizes = {year: {"held_out": args.held_out, "tune": len(cases) - args.held_out} for year, cases in years.items()}
    write_result("context_sweep", False, {"machine": machine(), "questions": sizes, "variants": rows})
    return 0


def _brief(row: dict[str, Any]) -> str:
    weights = " ".join(f"{k[:4]}={v:g}" for k, v in row["weights"].items())
    return f"{weights} tol={row['tolerance']:g} sl={row['shortlist']} {row['chars']}c/{row['passages']}p"


if __name__ == "__main__":
    sys.exit(main())
