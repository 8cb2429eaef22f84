"""Tune retrieval on one development year, check it on the other, both ways; and abstention rules that transfer.

    python -m bench.transfer --store 2022=/work/stores/rqa2022 --store 2023=/work/stores/rqa2023

No language model runs. For every answerable question with a gold article (as of its date) the dense and keyword
candidates are fetched once; each setting is then varied alone around the defaults and the fusion re-run on the
cached candidates, so a sweep costs milliseconds a question. Reported per year: Hits@10 and MRR@10 of the
defaults, of every value tried, and of the values chosen on the other year (the transfer check).
Abstention: for answerable and unanswerable questions alike, features of the default retrieval (top similarity,
its margin over the question's own 100th dense neighbour, dense/keyword agreement on the top article) and rules on
them calibrated on one year to abstain on at most 5% of its answerable questions, then scored on the other year.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import YEARS, rqa, store_settings, table, write_result

SWEEP: dict[str, tuple[float, ...]] = {
    "rrf_k": (10, 20, 30, 45, 60),
    "keyword_weight": (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0),
    "article_support": (0.0, 0.2, 0.4, 0.6),
    "recency_weight": (0.0, 0.35, 0.7, 1.0, 1.5),
    "recency_half_life_days": (7.0, 14.0, 30.0, 60.0, 120.0),
}
FALSE_ABSTENTION_BUDGET = 0.05  # retrieval's share of the 10% limit; the model's refusals spend the rest


@dataclass
class Probe:
    """One question's retrieval inputs, fetched once: its filters, dense hits, keyword ranking, gold articles."""

    question: Any
    filters: Any
    recent: bool
    dense: dict[str, Any]  # chunk id -> storage.hits.SearchHit
    keyword: list[str]
    gold: set[str]


@dataclass
class Year:
    name: str
    qa: Any
    index: Any
    probes: list[Probe]
    unanswerable: list[Any]


def load_year(name: str, store: Path, limit: int | None) -> Year:
    from evaluation.questions import load_questions
    from evaluation.runner import Evaluator
    from qa.filters import Filters, asks_for_recent
    from qa.pipeline import ArchiveQA

    qa = ArchiveQA.from_settings(store_settings(store))
    keys = Evaluator(qa).keys
    by_key: dict[str, set[str]] = {}
    for article_id, article_keys in keys.items():
        for key in article_keys:
            by_key.setdefault(key, set()).add(article_id)
    retriever, index = qa.retriever, qa.retriever.keyword_index()
    # Scored like `archive-qa eval`: the answerable questions that name gold articles.
    questions = [q for q in load_questions([rqa(name) / "questions.jsonl"]) if q.group == "answerable"]
    questions = [q for q in questions if q.gold_ids][:limit]
    probes = []
    for question in questions:
        filters = Filters(as_of=question.as_of)
        vector = qa.embedder.embed([question.text])[0]
        gold = set().union(*(by_key.get(g, set()) for g in question.gold_ids))
        probes.append(
            Probe(
                question,
                filters,
                asks_for_recent(question.text),
                retriever.dense_hits(vector, filters, index.source_names),
                retriever.keyword_hits(question.text, filters, index),
                gold,
            )
        )
    unanswerable = load_questions([rqa(name) / "unanswerable.jsonl"])[:limit]
    print(f"[transfer] {name}: {len(probes)} answerable, {len(unanswerable)} unanswerable", file=sys.stderr)
    return Year(name, qa, index, probes, unanswerable)


def scores(year: Year, overrides: dict[str, float]) -> dict[str, float]:
    """Hits@10 and MRR@10 (articles) of the fusion with `overrides` on the year's cached candidates."""
    from storage.types import article_of

    retriever = year.qa.retriever.with_config(dataclasses.replace(year.qa.retriever.config, **overrides))
    hits = reciprocal = 0.0
    for probe in year.probes:
        fused = retriever.fuse(probe.dense, probe.keyword, year.index, probe.filters, probe.recent)
        articles = list(dict.fromkeys(article_of(chunk_id) for chunk_id, _ in fused))[:10]
        rank = next((i + 1 for i, a in enumerate(articles) if a in probe.gold), None)
        if rank:
            hits, reciprocal = hits + 1, reciprocal + 1 / rank
    n = len(year.probes) or 1
    return {"hits@10": round(hits / n, 4), "mrr@10": round(reciprocal / n, 4)}


def objective(result: dict[str, float]) -> float:
    return result["hits@10"] + result["mrr@10"]


def coordinate_search(years: Sequence[Year], rounds: int = 2) -> tuple[dict[str, float], dict[str, Any]]:
    """Each setting varied alone around the current best, `rounds` times, scored by the sum of the years'
    objectives (one year: tuning on it; all: a setting that pays on both); the values chosen and every score."""
    chosen: dict[str, float] = {}
    seen: dict[str, Any] = {}
    for _ in range(rounds):
        for name, values in SWEEP.items():
            results = {v: {y.name: scores(y, {**chosen, name: v}) for y in years} for v in values}
            seen[name] = {str(v): r for v, r in results.items()}
            chosen[name] = max(values, key=lambda v: sum(objective(r) for r in results[v].values()))
    return chosen, seen


def abstention_features(year: Year) -> list[dict[str, Any]]:
    """Per question (answerable with gold, then unanswerable): the default retrieval's evidence features."""
    from qa.filters import Filters

    rows = []
    questions = [(p.question, "answerable") for p in year.probes] + [(q, "unanswerable") for q in year.unanswerable]
    index = year.index
    for question, group in questions:
        filters = Filters(as_of=question.as_of)
        passages = year.qa.retriever.retrieve(question.text, filters)
        vector = year.qa.embedder.embed([question.text])[0]
        dense = year.qa.retriever.dense_hits(vector, filters, index.source_names)
        keyword = year.qa.retriever.keyword_hits(question.text, filters, index)
        similarities = sorted((hit.similarity for hit in dense.values()), reverse=True) or [0.0]
        mean = sum(similarities) / len(similarities)
        spread = (sum((x - mean) ** 2 for x in similarities) / len(similarities)) ** 0.5 or 1.0
        strength = year.qa.evidence_strength(passages, filters, question.text)
        top_article = passages[0].article_id if passages else ""
        dense_top = _top_articles(sorted(dense, key=lambda c: dense[c].rank), 5)
        keyword_top = _top_articles(keyword, 5)
        rows.append(
            {
                "group": group,
                "strength": strength,
                "margin": strength - similarities[-1],
                "z": (strength - mean) / spread,
                "agree": top_article in dense_top and top_article in keyword_top,
                "agree1": bool(dense_top) and dense_top[0] == top_article == (keyword_top or [""])[0],
                "covered": _names_covered(question.text, passages),
            }
        )
    return rows


def _names_covered(question: str, passages: Sequence[Any]) -> float:
    """Share of the question's names and numbers found in the passages (1.0 when it has none)."""
    from qa.sentences import entities

    names = entities(question)
    text = " ".join(f"{p.title} {p.text}" for p in passages).lower()
    return sum(name.lower() in text for name in names) / len(names) if names else 1.0


def _top_articles(chunk_ids: Sequence[str], n: int) -> list[str]:
    from storage.types import article_of

    return list(dict.fromkeys(article_of(c) for c in chunk_ids))[:n]


_UNIT = tuple(step / 100 for step in range(101))
RULES: dict[str, tuple[Callable[[dict[str, Any], float], bool], tuple[float, ...]]] = {
    # abstain when ...
    # "strength" is the pipeline's own (`ArchiveQA.evidence_strength`): 0 for a named recent time the archive holds
    # no article from (unless ARCHIVE_QA_RECENT_WINDOW_DAYS=0), else the best similarity in the news window (all).
    "similarity < t": (lambda row, t: row["strength"] < t, _UNIT),
    "margin over the 100th dense neighbour < t": (lambda row, t: row["margin"] < t, _UNIT),
    "z-score among the 100 dense neighbours < t": (lambda row, t: row["z"] < t, tuple(x / 10 for x in range(101))),
    "similarity < t, or < t+0.1 unless top-5 agreement": (
        lambda row, t: row["strength"] < t or (not row["agree"] and row["strength"] < t + 0.1),
        _UNIT,
    ),
    "similarity < t, or < t+0.1 when half the question's names are missing": (
        lambda row, t: row["strength"] < t or (row["covered"] < 0.5 and row["strength"] < t + 0.1),
        _UNIT,
    ),
    "similarity < t, or any of the question's names missing": (
        lambda row, t: row["strength"] < t or row["covered"] < 1.0,
        _UNIT,
    ),
    # the default rule: ArchiveQA.evidence_is_strong with abstain_threshold t and agreement_relief 0.15
    "similarity < t, or t-0.15 when both sides rank the top article first": (
        lambda row, t: row["strength"] < (t - 0.15 if row["agree1"] else t),
        _UNIT,
    ),
}


def calibrate(
    rows: list[dict[str, Any]], rule: Callable[[dict[str, Any], float], bool], grid: Sequence[float]
) -> float:
    """The highest threshold abstaining on at most the budget of the answerable questions."""
    answerable = [r for r in rows if r["group"] == "answerable"]
    best = grid[0]
    for t in grid:
        if sum(rule(r, t) for r in answerable) / len(answerable) <= FALSE_ABSTENTION_BUDGET:
            best = t
    return best


def abstention_scores(rows: list[dict[str, Any]], rule: Callable[[dict[str, Any], float], bool], t: float) -> dict:
    answerable = [r for r in rows if r["group"] == "answerable"]
    unanswerable = [r for r in rows if r["group"] == "unanswerable"]
    return {
        "false": round(sum(rule(r, t) for r in answerable) / len(answerable), 4),
        "right": round(sum(rule(r, t) for r in unanswerable) / (len(unanswerable) or 1), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", required=True, help="YEAR=DIR, once per development year")
    parser.add_argument("--limit", type=int, help="first N questions of each file (a quick look)")
    parser.add_argument("--skip-abstention", action="store_true")
    parser.add_argument(
        "--skip-sweep", action="store_true", help="abstention only (e.g. under other ARCHIVE_QA_* settings)"
    )
    args = parser.parse_args()
    stores = dict(item.split("=", 1) for item in args.store)
    years = [load_year(name, Path(stores[name]), args.limit) for name in YEARS if name in stores]
    report: dict[str, Any] = {"years": {}, "transfer": {}}
    chosen = {}
    for year in [] if args.skip_sweep else years:
        chosen[year.name], seen = coordinate_search([year])
        report["years"][year.name] = {"defaults": scores(year, {}), "sweep": seen, "chosen": chosen[year.name]}
    if len(years) > 1 and not args.skip_sweep:
        chosen["both"], report["both_sweep"] = coordinate_search(years)
    dense_only = {"keyword_weight": 0.0, "recency_weight": 0.0}
    for checked in years:
        report["transfer"][f"defaults->{checked.name}"] = scores(checked, {})
        report["transfer"][f"dense only->{checked.name}"] = scores(checked, dense_only)
        for tuned in chosen:
            report["transfer"][f"{tuned}->{checked.name}"] = scores(checked, chosen[tuned])
    lines = [
        table(
            [[f"{t}->{c}", *r.values()] for t_c, r in report["transfer"].items() for t, c in [t_c.split("->")]],
            ["tuned on -> scored on", "hits@10", "mrr@10"],
        )
    ]
    lines += [f"chosen on {y}: {chosen[y]}" for y in chosen]
    if not args.skip_abstention:
        features = {year.name: abstention_features(year) for year in years}
        report["abstention"] = {}
        for rule_name, (rule, grid) in RULES.items():
            for tuned in years:
                t = calibrate(features[tuned.name], rule, grid)
                entry = {y: abstention_scores(features[y], rule, t) for y in features}
                report["abstention"][f"{rule_name} | calibrated on {tuned.name}"] = {"t": t, **entry}
                lines.append(f"{rule_name} | on {tuned.name}: t={t} {entry}")
    print("\n".join(lines))
    report["features"] = features if not args.skip_abstention else {}
    tag = "".join(f".{k.removeprefix('ARCHIVE_QA_').lower()}{v}" for k, v in sorted(os.environ.items())
                  if k.startswith("ARCHIVE_QA_") and k != "ARCHIVE_QA_MODEL_CACHE")  # fmt: skip
    report["settings_from_environment"] = tag
    write_result(f"transfer{tag}{'.abstention' if args.skip_sweep else ''}", args.limit is not None, report)


if __name__ == "__main__":
    main()
