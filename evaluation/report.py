"""The terminal table of an evaluation report: one column per question group, then latency and calibration."""

from __future__ import annotations

from evaluation.summary import Summary

_ORDER = [
    "questions",
    "with_gold_ids",
    "hits@1",
    "hits@4",
    "hits@10",
    "mrr@10",
    "accuracy",
    "answer_in_passages",
    "citation_precision",
    "citation_coverage",
    "abstained",
]


def format_report(report: Summary) -> str:
    """A terminal table: one column per group.

    >>> from evaluation.summary import GroupMetrics
    >>> print(format_report(Summary(2, {"overall": GroupMetrics(questions=2, hits_at_1=0.5)}, {})))
    metric                       overall
    questions                          2
    hits@1                         0.500
    abstained                      0.000
    <BLANKLINE>
    """
    groups = {group: metrics.to_json() for group, metrics in report.groups.items()}
    metrics = sorted({m for values in groups.values() for m in values}, key=_metric_order)
    lines = [f"{'metric':22}" + "".join(f"{g:>14}" for g in groups)]
    for metric in metrics:
        cells = [values.get(metric) for values in groups.values()]
        lines.append(f"{metric:22}" + "".join(f"{_cell(c):>14}" for c in cells))
    lines.append("")
    lines += [
        f"latency {s:12} p50 {v.p50 * 1000:8.1f} ms   p95 {v.p95 * 1000:8.1f} ms" for s, v in report.latency.items()
    ]
    if report.calibration is not None:
        c = report.calibration
        lines.append(
            f"calibration: threshold {c.threshold} would abstain on {c.false_abstention:.1%} of answerable "
            f"and {c.abstention_right:.1%} of unanswerable questions (retrieval evidence alone)"
        )
    return "\n".join(lines)


def _metric_order(name: str) -> tuple[int, str]:
    return (_ORDER.index(name) if name in _ORDER else len(_ORDER), name)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
