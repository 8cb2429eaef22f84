"""Metrics over scored rows: per-group retrieval, accuracy, citations, abstention, latency, and calibration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from evaluation.questions import GROUPS
from evaluation.rows import Row
from qa.answer import Provenance


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (0.0 for no values); the one rule of every latency figure.

    >>> percentile([0.3, 0.1, 0.2], 0.5), percentile([], 0.95)
    (0.2, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    """Metrics overall and per group (see docs/quality.md for definitions), and p50/p95 of each timed stage."""
    by_group: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_group[row["group"]].append(row)
    report: dict[str, Any] = {"n": len(rows), "groups": {}}
    for group in [g for g in GROUPS if g in by_group] + ["overall"]:
        members = rows if group == "overall" else by_group[group]
        report["groups"][group] = _metrics(members)
    stages: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for stage, seconds in row["timings"].items():
            stages[stage].append(seconds)
    report["latency"] = {s: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for s, v in stages.items()}
    return report


def _metrics(rows: Sequence[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {"questions": len(rows)}
    with_gold = [r for r in rows if r["gold_ids"]]
    if with_gold:
        ranks = [r["gold_rank"] for r in with_gold]
        out["with_gold_ids"] = len(with_gold)
        for k in (1, 4, 10):
            out[f"hits@{k}"] = sum(1 for x in ranks if x and x <= k) / len(ranks)
        out["mrr@10"] = sum(1 / x for x in ranks if x) / len(ranks)
    out["abstained"] = sum(1 for r in rows if r.get("abstained")) / len(rows) if rows else 0.0
    if any(r.get("answered_by") for r in rows):  # quoted by the extractive answerer after a refusal or an echo
        out.update(_quoted_shares(rows))
    answered = [r for r in rows if "answer" in r and r["group"] != "unanswerable"]
    if answered:
        out["accuracy"] = sum(1 for r in answered if r["correct"]) / len(answered)
        out["answer_in_passages"] = sum(1 for r in answered if r["answer_in_passages"]) / len(answered)
        given = [r for r in answered if not r["abstained"]]
        citations = [c for r in given for c in r["citations"]]
        out["citation_coverage"] = sum(1 for r in given if r["citations"]) / len(given) if given else 0.0
        out["citation_precision"] = sum(1 for c in citations if c["supported"]) / len(citations) if citations else 0.0
    return out


def _quoted_shares(rows: Sequence[Row]) -> dict[str, float]:
    """The shares of answers the extractive answerer quoted after the model declined, or only echoed the question."""
    stated = [Provenance.of(r.get("answered_by", "")) for r in rows]
    quoted = sum(1 for provenance in stated if provenance is Provenance.QUOTED_AFTER_DECLINE)
    echoed = sum(1 for provenance in stated if provenance is Provenance.QUOTED_AFTER_ECHO)
    return {"quoted_after_decline": quoted / len(rows), "quoted_after_echo": echoed / len(rows)}


def calibrate_threshold(rows: Sequence[Row], max_false_abstention: float = 0.02) -> dict[str, float]:
    """The highest abstention threshold that abstains on at most `max_false_abstention` of answerable questions.

    Retrieval evidence alone cannot tell a later event from a similar earlier one, so the budget is kept below the
    10% target: the model's own refusals spend the rest.
    """
    answerable = sorted(r["top_similarity"] for r in rows if r["group"] == "answerable")
    unanswerable = [r["top_similarity"] for r in rows if r["group"] == "unanswerable"]
    if not answerable:
        raise ValueError("calibration needs answerable questions")
    threshold = answerable[int(max_false_abstention * len(answerable))]
    return {
        "threshold": round(threshold, 4),
        "false_abstention": sum(1 for s in answerable if s < threshold) / len(answerable),
        "abstention_right": sum(1 for s in unanswerable if s < threshold) / len(unanswerable) if unanswerable else 0.0,
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
