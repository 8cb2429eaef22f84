"""Near-duplicate stories: MinHash candidate pairs, precision and recall on hand-labelled pairs, grouping time.

    python -m bench.stories                      # every dataset: pairs, P/R per threshold, groups, timing
    python -m bench.stories --show rqa2022 --band 0.4 0.6 --count 10   # unlabelled pairs to read and label

Datasets (read in place from ../shared, never copied): `bbc` (../shared/data/bbc/<category>/NNN.txt: headline,
blank line, body; undated), `rqa2022` and `rqa2023` (RealTime QA articles.jsonl.gz). Items with the same
normalized title and body are one article at ingest (exact duplicates) and are merged here first.

Candidate pairs: every pair `ingest.signatures` signatures put in one LSH bucket at an estimated Jaccard of at least
FLOOR (shingles and signatures exactly as ingest makes them; the headline check left out, so what it removes is
seen). A pair is predicted one story at threshold t when its estimate is at least t, their openings' 3-grams are
at least MIN_LEAD_JACCARD alike, both bodies pass `about_its_title`, and the two are dated within WINDOW_DAYS (or
one is undated): the rule `StoryIndex` applies to a pair ("without_lead_check": the same without the opening).

Labels (bench/labels/near_duplicates.jsonl, ids only: dataset, id_a, id_b, same_story, reason) were made by
reading pairs sampled across the estimate bands with `--show`. Precision at t = labelled-same among the labelled
pairs predicted at t; recall at t = labelled-same pairs predicted at t among all labelled-same pairs.
Groups: `StoryIndex` run over each dataset in file order at the chosen threshold (what an ingest would store).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from bench.common import REPO, SHARED, rqa, write_result
from ingest import signatures, stories
from storage.types import Article

LABELS = REPO / "bench" / "labels" / "near_duplicates.jsonl"
FLOOR = 0.3
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DATASETS = ("bbc", "rqa2022", "rqa2023")


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    text: str
    day: int  # date ordinal, 0 = undated


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    estimate: float
    lead: float  # exact Jaccard of the openings' word 3-grams
    days_apart: int | None  # None when either is undated
    about_titles: bool  # both bodies pass `about_its_title`


def load(dataset: str) -> list[Item]:
    """The dataset's items in file order, exact duplicates (same normalized title and body) merged."""
    items: list[Item] = []
    if dataset == "bbc":
        for path in sorted((SHARED / "data" / "bbc").glob("*/*.txt")):
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            items.append(Item(f"{path.parent.name}/{path.stem}", title.strip(), body.strip(), 0))
    else:
        with gzip.open(rqa(dataset[-4:]) / "articles.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                day = date(*map(int, row["publish_date"].split("/"))).toordinal() if row.get("publish_date") else 0
                items.append(Item(row["doc_id"], row["title"], row["text"], day))
    seen: set[str] = set()
    unique = []
    for item in items:
        key = Article(item.title, item.text, item.id).id
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def candidate_pairs(items: list[Item]) -> tuple[list[Pair], dict[str, float]]:
    """Every LSH candidate pair at FLOOR or above, and the seconds each step took."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    values = [signatures.signature(item.text) for item in items]
    timings["signatures"] = time.perf_counter() - started
    about = {item.id: signatures.about_its_title(item.title, item.text) for item in items}
    lsh = MinHashLSH(threshold=FLOOR, num_perm=signatures.NUM_PERM)
    for i, value in enumerate(values):
        if value is not None:
            lsh.insert(i, stories.as_minhash(value.values))
    pairs = []
    for i, value in enumerate(values):
        if value is None:
            continue
        for j in lsh.query(stories.as_minhash(value.values)):
            other = values[j]
            if j <= i or other is None or (estimate := value.jaccard(other)) < FLOOR:
                continue
            a, b = items[i], items[j]
            apart = abs(a.day - b.day) if a.day and b.day else None
            lead = round(value.lead_jaccard(other), 3)
            pairs.append(Pair(a.id, b.id, round(estimate, 3), lead, apart, about[a.id] and about[b.id]))
    return pairs, timings


def predicted(pair: Pair, threshold: float, lead_check: bool = True) -> bool:
    in_window = pair.days_apart is None or pair.days_apart <= stories.WINDOW_DAYS
    lead_ok = not lead_check or pair.lead >= stories.MIN_LEAD_JACCARD
    return pair.estimate >= threshold and pair.about_titles and in_window and lead_ok


def read_labels() -> dict[tuple[str, str, str], dict[str, Any]]:
    labels = {}
    if LABELS.exists():
        for line in LABELS.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                labels[(row["dataset"], *sorted((row["id_a"], row["id_b"])))] = row
    return labels


def precision_recall(dataset: str, items: list[Item], pairs: list[Pair], labels: dict) -> dict[str, Any]:
    """P/R per threshold over the labelled pairs of `dataset` (a labelled pair no candidate holds counts as never
    predicted: a missed story if it is one), and how many predicted pairs are labelled at all."""
    known = {item.id for item in items}
    unknown = [key for key in labels if key[0] == dataset and not {key[1], key[2]} <= known]
    if unknown:
        raise SystemExit(f"{LABELS.name}: ids not in {dataset}: {unknown[:3]}")
    estimate = {(p.a, p.b): p for p in pairs} | {(p.b, p.a): p for p in pairs}
    rows = [(row, estimate.get((key[1], key[2]))) for key, row in labels.items() if key[0] == dataset]
    out: dict[str, Any] = {"labelled": len(rows), "same_story": sum(r["same_story"] for r, _ in rows)}
    for threshold in THRESHOLDS:
        out[str(threshold)] = {
            **_scores([(row, pair is not None and predicted(pair, threshold)) for row, pair in rows]),
            "predicted_unlabelled": sum(
                predicted(p, threshold) and (dataset, *sorted((p.a, p.b))) not in labels for p in pairs
            ),
            "without_lead_check": _scores(
                [(row, pair is not None and predicted(pair, threshold, lead_check=False)) for row, pair in rows]
            ),
        }
    return out


def _scores(hits: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    tp = sum(1 for row, hit in hits if hit and row["same_story"])
    fp = sum(1 for row, hit in hits if hit and not row["same_story"])
    fn = sum(1 for row, hit in hits if not hit and row["same_story"])
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def groups(items: list[Item], threshold: float) -> dict[str, Any]:
    """What an ingest in file order would store: stories of two or more articles, and the time it took."""
    started = time.perf_counter()
    index = stories.StoryIndex(threshold=threshold)
    story_of = {}
    for item in items:
        story_of[item.id] = index.assign(item.id, signatures.signature(item.text, title=item.title), item.day)
    seconds = time.perf_counter() - started
    sizes: dict[str, int] = {}
    for story in story_of.values():
        sizes[story] = sizes.get(story, 0) + 1
    multi = [size for size in sizes.values() if size > 1]
    return {
        "articles": len(items),
        "stories_of_2_or_more": len(multi),
        "articles_in_them": sum(multi),
        "largest": max(multi, default=1),
        "seconds_signatures_and_assign": round(seconds, 2),
    }


def stored_reload_seconds(items: list[Item]) -> float:
    """A later run's start: every stored signature decoded from its record's text form and put in a StoryIndex."""
    encoded = [signatures.encode_signature(signatures.signature(item.text, title=item.title)) for item in items]
    started = time.perf_counter()
    index = stories.StoryIndex()
    for item, stored in zip(items, encoded, strict=True):
        index.insert(item.id, item.id, item.day, signatures.decode_signature(stored)[1])
    return round(time.perf_counter() - started, 2)


def show(dataset: str, band: tuple[float, float], count: int, seed: int) -> None:
    """Print unlabelled candidate pairs of one band, to read and label by hand (printed, never stored)."""
    items = {item.id: item for item in load(dataset)}
    pairs, _ = candidate_pairs(list(items.values()))
    labels = read_labels()
    pool = [p for p in pairs if band[0] <= p.estimate < band[1] and (dataset, *sorted((p.a, p.b))) not in labels]
    random.Random(seed).shuffle(pool)
    for pair in pool[:count]:
        a, b = items[pair.a], items[pair.b]
        exact = _jaccard(a.text, b.text)
        print(
            f"\n=== {pair.a} | {pair.b}  est {pair.estimate} exact {exact:.2f} lead {pair.lead} "
            f"apart {pair.days_apart} about_titles {pair.about_titles}"
        )
        for item in (a, b):
            print(f"--- {item.title}\n{item.text[:700]}")


def _jaccard(a: str, b: str) -> float:
    x, y = set(signatures.shingles(a).tolist()), set(signatures.shingles(b).tolist())
    return len(x & y) / len(x | y) if x | y else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=DATASETS, help="print unlabelled candidate pairs of one dataset")
    parser.add_argument("--band", nargs=2, type=float, default=(0.5, 1.01), help="estimate band for --show")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.show:
        show(args.show, tuple(args.band), args.count, args.seed)
        return 0
    labels, report = read_labels(), {}
    for dataset in DATASETS:
        started = time.perf_counter()
        items = load(dataset)
        read = time.perf_counter() - started
        pairs, timings = candidate_pairs(items)
        edges = [FLOOR, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
        bands = np.histogram([p.estimate for p in pairs], bins=edges)[0]
        report[dataset] = {
            "articles": len(items),
            "candidate_pairs": len(pairs),
            "pairs_by_estimate": {str(edge): int(n) for edge, n in zip(edges, bands, strict=False)},
            "predicted_pairs": {str(t): sum(predicted(p, t) for p in pairs) for t in THRESHOLDS},
            "labels": precision_recall(dataset, items, pairs, labels),
            "groups": groups(items, stories.THRESHOLD),
            "seconds": {"read": round(read, 2), **{k: round(v, 2) for k, v in timings.items()}},
        }
        if dataset == "rqa2022":
            report[dataset]["seconds"]["reload_stored_signatures"] = stored_reload_seconds(items)
        print(json.dumps({dataset: report[dataset]}, indent=1), file=sys.stderr)
    settings = {
        "threshold": stories.THRESHOLD,
        "min_lead_jaccard": stories.MIN_LEAD_JACCARD,
        "window_days": stories.WINDOW_DAYS,
        "shingle_words": signatures.SHINGLE_WORDS,
        "num_perm": signatures.NUM_PERM,
        "lead": [signatures.LEAD_WORDS, signatures.LEAD_SHINGLE],
        "min_shingles": signatures.MIN_SHINGLES,
        "min_title_coverage": signatures.MIN_TITLE_COVERAGE,
    }
    write_result("stories", False, {"settings": settings, "datasets": report})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
