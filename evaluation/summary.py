"""Metrics over scored rows: per-group retrieval, accuracy, citations, abstention, latency, and calibration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from evaluation.questions import GROUPS
from evaluation.rows import Row
from qa.answer import Provenance

# The metrics' names in the JSON where a field name cannot be one.
_JSON_NAMES = {"hits_at_1": "hits@1", "hits_at_4": "hits@4", "hits_at_10": "hits@10", "mrr_at_10": "mrr@10"}
_FIELD_NAMES = {json: name for name, json in _JSON_NAMES.items()}


@dataclass(frozen=True, kw_only=True)
class GroupMetrics:
    """One question group's metrics (docs/quality.md defines them); None where the group has no rows to count
    them on: retrieval needs gold ids, the quoted shares an answer by archive-qa, accuracy and citations answers
    to answerable questions. The fields are in the order the JSON lists them."""

    questions: int
    with_gold_ids: int | None = None
    hits_at_1: float | None = None
    hits_at_4: float | None = None
    hits_at_10: float | None = None
    mrr_at_10: float | None = None
    abstained: float = 0.0
    quoted_after_decline: float | None = None  # the extractive answerer quoted after the model declined
    quoted_after_echo: float | None = None  # ... after the model only restated the question
    accuracy: float | None = None
    answer_in_passages: float | None = None
    citation_coverage: float | None = None
    citation_precision: float | None = None

    def to_json(self) -> dict[str, int | float]:
        """The metrics that were counted, under their report names ("hits@1", ...)."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return {_JSON_NAMES.get(name, name): value for name, value in values if value is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GroupMetrics:
        return cls(**{_FIELD_NAMES.get(name, name): value for name, value in data.items()})


@dataclass(frozen=True)
class StageLatency:
    """Nearest-rank percentiles of one timed stage, in seconds."""

    p50: float
    p95: float


@dataclass(frozen=True)
class Calibration:
    """The abstention threshold the rows' retrieval evidence supports, and what it would abstain on."""

    threshold: float
    false_abstention: float  # share of answerable questions it would abstain on
    abstention_right: float  # share of unanswerable questions it would abstain on
    answerable: int
    unanswerable: int


@dataclass(frozen=True)
class EvalConfig:
    """What an `archive-qa eval` run was asked: its answerer, settings and question files."""

    answerer: str
    k: int
    abstain_threshold: float
    limit: int | None
    seed: int | None
    files: list[str]


@dataclass(frozen=True)
class Summary:
    """An evaluation report: metrics per group and overall, latency per stage; an `archive-qa eval` run adds the
    calibration (with answerable questions) and its config. `to_json()` is `archive-qa eval --json`'s object."""

    n: int
    groups: dict[str, GroupMetrics]
    latency: dict[str, StageLatency]
    calibration: Calibration | None = None
    config: EvalConfig | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "groups": {group: metrics.to_json() for group, metrics in self.groups.items()},
            "latency": {stage: asdict(latency) for stage, latency in self.latency.items()},
        }
        if self.calibration is not None:
            out["calibration"] = asdict(self.calibration)
        if self.config is not None:
            out["config"] = asdict(self.config)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Summary:
        """A report read back from JSON (a bench child's output, a result file).

        >>> report = summarize([{"group": "answerable", "gold_ids": [], "timings": {"retrieve": 0.1}}])
        >>> Summary.from_json(report.to_json()) == report
        True
        """
        calibration, config = data.get("calibration"), data.get("config")
        return cls(
            n=data["n"],
            groups={group: GroupMetrics.from_json(metrics) for group, metrics in data["groups"].items()},
            latency={stage: StageLatency(**latency) for stage, latency in data["latency"].items()},
            calibration=Calibration(**calibration) if calibration else None,
            config=EvalConfig(**config) if config else None,
        )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (0.0 for no values); the one rule of every latency figure.

    >>> percentile([0.3, 0.1, 0.2], 0.5), percentile([], 0.95)
    (0.2, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarize(rows: Sequence[Row]) -> Summary:
    """Metrics overall and per group (see docs/quality.md for definitions), and p50/p95 of each timed stage."""
    by_group: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_group[row["group"]].append(row)
    groups = {
        group: _metrics(rows if group == "overall" else by_group[group])
        for group in [g for g in GROUPS if g in by_group] + ["overall"]
    }
    stages: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for stage, seconds in row["timings"].items():
            stages[stage].append(seconds)
    latency = {s: StageLatency(percentile(v, 0.5), percentile(v, 0.95)) for s, v in stages.items()}
    return Summary(len(rows), groups, latency)


def _metrics(rows: Sequence[Row]) -> GroupMetrics:
    ranks = [r["gold_rank"] for r in rows if r["gold_ids"]]
    stated = [Provenance(r["provenance"]) for r in rows if "provenance" in r]
    quoted = any(p is not Provenance.ABSTAINED for p in stated)  # some answer by archive-qa's answerers
    answered = [r for r in rows if "answer" in r and r["group"] != "unanswerable"]
    given = [r for r in answered if not r["abstained"]]
    citations = [c for r in given for c in r["citations"]]

    def hits(k: int) -> float | None:
        return _share(sum(1 for x in ranks if x and x <= k), len(ranks)) if ranks else None

    return GroupMetrics(
        questions=len(rows),
        with_gold_ids=len(ranks) if ranks else None,
        hits_at_1=hits(1),
        hits_at_4=hits(4),
        hits_at_10=hits(10),
        mrr_at_10=sum(1 / x for x in ranks if x) / len(ranks) if ranks else None,
        abstained=_share(sum(1 for r in rows if r.get("abstained")), len(rows)),
        quoted_after_decline=stated.count(Provenance.QUOTED_AFTER_DECLINE) / len(rows) if quoted else None,
        quoted_after_echo=stated.count(Provenance.QUOTED_AFTER_ECHO) / len(rows) if quoted else None,
        accuracy=_share(sum(1 for r in answered if r["correct"]), len(answered)) if answered else None,
        answer_in_passages=(
            _share(sum(1 for r in answered if r["answer_in_passages"]), len(answered)) if answered else None
        ),
        citation_coverage=_share(sum(1 for r in given if r["citations"]), len(given)) if answered else None,
        citation_precision=_share(sum(1 for c in citations if c["supported"]), len(citations)) if answered else None,
    )


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def calibrate_threshold(rows: Sequence[Row], max_false_abstention: float = 0.02) -> Calibration:
    """The highest abstention threshold that abstains on at most `max_false_abstention` of answerable questions.

    Retrieval evidence alone cannot tell a later event from a similar earlier one, so the budget is kept below the
    10% target: the model's own refusals spend the rest.
    """
    answerable = sorted(r["top_similarity"] for r in rows if r["group"] == "answerable")
    unanswerable = [r["top_similarity"] for r in rows if r["group"] == "unanswerable"]
    if not answerable:
        raise ValueError("calibration needs answerable questions")
    threshold = answerable[int(max_false_abstention * len(answerable))]
    return Calibration(
        threshold=round(threshold, 4),
        false_abstention=sum(1 for s in answerable if s < threshold) / len(answerable),
        abstention_right=sum(1 for s in unanswerable if s < threshold) / len(unanswerable) if unanswerable else 0.0,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
    )
