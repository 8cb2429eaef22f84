"""Metrics from rows and the abstention calibration."""

from __future__ import annotations

from evaluation.summary import calibrate_threshold, percentile, summarize


def test_calibration_keeps_false_abstention_in_budget() -> None:
    rows = [{"group": "answerable", "top_similarity": s / 100} for s in range(40, 100)]
    rows += [{"group": "unanswerable", "top_similarity": s / 100} for s in range(20, 50)]
    result = calibrate_threshold(rows, max_false_abstention=0.05)
    assert result["false_abstention"] <= 0.05
    assert result["abstention_right"] > 0.6


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
    report = summarize(rows)
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
    # The sentences as rows files hold them: the summary reads rows written by earlier runs too.
    echoed = "llm, then extractive (its answer only restated the question)"
    rows = [
        {"group": "answerable", "gold_ids": [], "timings": {}, "answered_by": "extractive, after llm declined"},
        {"group": "answerable", "gold_ids": [], "timings": {}, "answered_by": echoed},
        {"group": "answerable", "gold_ids": [], "timings": {}, "answered_by": "llm"},
        {"group": "answerable", "gold_ids": [], "timings": {}, "answered_by": "llm"},
    ]
    metrics = summarize(rows)["groups"]["answerable"]
    assert metrics["quoted_after_decline"] == 0.25 and metrics["quoted_after_echo"] == 0.25
