"""The terminal table of an evaluation report: one column per question group, then latency and calibration."""

from __future__ import annotations

from typing import Any

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


def format_report(report: dict[str, Any]) -> str:
    """A terminal table: one column per group.

    >>> print(format_report({"groups": {"overall": {"questions": 2, "hits@1": 0.5}}, "latency": {}}))
    metric                       overall
    questions                          2
    hits@1                         0.500
    <BLANKLINE>
    """
    groups = list(report["groups"])
    metrics = sorted({m for g in groups for m in report["groups"][g]}, key=_metric_order)
    lines = [f"{'metric':22}" + "".join(f"{g:>14}" for g in groups)]
    for metric in metrics:
        cells = [report["groups"][g].get(metric) for g in groups]
        lines.append(f"{metric:22}" + "".join(f"{_cell(c):>14}" for c in cells))
    lines.append("")
    lines += [
        f"latency {s:12} p50 {v['p50'] * 1000:8.1f} ms   p95 {v['p95'] * 1000:8.1f} ms"
        for s, v in report["latency"].items()
    ]
    if "calibration" in report:
        c = report["calibration"]
        lines.append(
            f"calibration: threshold {c['threshold']} would abstain on {c['false_abstention']:.1%} of answerable "
            f"and {c['abstention_right']:.1%} of unanswerable questions (retrieval evidence alone)"
        )
    return "\n".join(lines)


def _metric_order(name: str) -> tuple[int, str]:
    return (_ORDER.index(name) if name in _ORDER else len(_ORDER), name)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
