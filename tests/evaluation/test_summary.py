"""Metrics from rows and the abstention calibration."""

from __future__ import annotations

from dataclasses import replace

from evaluation.summary import EvalConfig, Summary, calibrate_threshold, percentile, summarize
from qa.answer import Provenance


def test_calibration_keeps_false_abstention_in_budget() -> None:
    rows = [{"group": "answerable", "top_similarity": s / 100} for s in range(40, 100)]
    rows += [{"group": "unanswerable", "top_similarity": s / 100} for s in range(20, 50)]
    result = calibrate_threshold(rows, max_false_abstention=0.05)
    assert result.false_abstention <= 0.05
    assert result.abstention_right > 0.6


def test_summary_metrics_from_rows() -> None:
    rows = [
        {
            "group": "answerable",
            "gold_ids": ["a"],
            "gold_rank": 1,
            "answer": "x",
            "abstained": False,
            "correct": True,
            "answer_in_passages": True,
            "citations": [{"supported": True}],
            "timings": {"retrieve": 0.01},
        },
        {
            "group": "answerable",
            "gold_ids": ["b"],
            "gold_rank": None,
            "answer": "y",
            "abstained": True,
            "correct": False,
            "answer_in_passages": False,
            "citations": [],
            "timings": {"retrieve": 0.03},
        },
        {
            "group": "unanswerable",
            "gold_ids": [],
            "gold_rank": None,
            "answer": "n",
            "abstained": True,
            "correct": False,
            "answer_in_passages": False,
            "citations": [],
            "timings": {"retrieve": 0.02},
        },
    ]
    report = summarize(rows).to_json()
    answerable = report["groups"]["answerable"]
    assert answerable["hits@1"] == 0.5 and answerable["mrr@10"] == 0.5
    assert answerable["accuracy"] == 0.5 and answerable["abstained"] == 0.5
    assert answerable["citation_precision"] == 1.0 and answerable["citation_coverage"] == 1.0
    assert report["groups"]["unanswerable"]["abstained"] == 1.0
    assert "accuracy" not in report["groups"]["unanswerable"]
    assert report["latency"]["retrieve"]["p50"] == 0.02


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) == 0.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 3.0  # round(1.5) is 2: the upper middle
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0


def test_quoted_shares_count_the_fallbacks() -> None:
    def row(provenance: Provenance) -> dict:
        return {"group": "answerable", "gold_ids": [], "timings": {}, "provenance": provenance.value}

    kinds = [Provenance.QUOTED_AFTER_DECLINE, Provenance.QUOTED_AFTER_ECHO, Provenance.ANSWERED, Provenance.ANSWERED]
    metrics = summarize([row(p) for p in kinds]).groups["answerable"]
    assert metrics.quoted_after_decline == 0.25 and metrics.quoted_after_echo == 0.25
    abstained = summarize([row(Provenance.ABSTAINED)]).to_json()["groups"]["answerable"]
    assert "quoted_after_decline" not in abstained  # no answer by archive-qa: no shares to count


def test_summary_json_is_the_eval_reports() -> None:
    """`archive-qa eval --json`'s object: its keys in their order, the metrics under their report names."""
    rows = [
        {"group": "answerable", "gold_ids": ["a"], "gold_rank": 2, "top_similarity": 0.8, "timings": {"retrieve": 0.1}},
        {"group": "unanswerable", "gold_ids": [], "gold_rank": None, "top_similarity": 0.3, "timings": {}},
    ]
    config = EvalConfig(answerer="extractive", k=4, abstain_threshold=0.5, limit=None, seed=0, files=["q.jsonl"])
    report = replace(summarize(rows), calibration=calibrate_threshold(rows), config=config).to_json()
    assert list(report) == ["n", "groups", "latency", "calibration", "config"]
    assert list(report["groups"]) == ["answerable", "unanswerable", "overall"]
    assert list(report["groups"]["answerable"]) == ["questions", "with_gold_ids", "hits@1", "hits@4", "hits@10",
                                                    "mrr@10", "abstained"]  # fmt: skip
    assert report["groups"]["answerable"]["hits@4"] == 1.0 and report["groups"]["answerable"]["mrr@10"] == 0.5
    assert report["latency"] == {"retrieve": {"p50": 0.1, "p95": 0.1}}
    assert report["calibration"] == {
        "threshold": 0.8, "false_abstention": 0.0, "abstention_right": 1.0, "answerable": 1, "unanswerable": 1
    }  # fmt: skip
    assert report["config"]["files"] == ["q.jsonl"] and Summary.from_json(report).to_json() == report
