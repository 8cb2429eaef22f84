"""One passage per story: near-duplicate copies collapse to the best one, which names the others ("also in")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from qa.filters import Filters
from qa.types import Passage
from storage.article_meta import ArticleRecord
from storage.base import ArchiveStore
from storage.dates import iso_day
from storage.types import article_of


def one_per_story(fused: list[tuple[str, float]], story_of: Callable[[str], str]) -> list[tuple[str, float]]:
    """Chunks in answer order (articles best first, see HybridRetriever.fuse) keeping only the best-ranked article
    of each story: a wire story carried by three outlets is one result, not three that crowd out the rest.

    >>> copies = {"b-000": "a"}  # article b joined a's story
    >>> one_per_story([("a-000", 2.0), ("b-000", 1.5), ("c-000", 1.0)], lambda chunk: copies.get(chunk, ""))
    [('a-000', 2.0), ('c-000', 1.0)]
    """
    chosen_of: dict[str, str] = {}
    kept = []
    for chunk_id, score in fused:
        article_id = article_of(chunk_id)
        story = story_of(chunk_id) or article_id
        if chosen_of.setdefault(story, article_id) == article_id:
            kept.append((chunk_id, score))
    return kept


def outlet_label(source: str | None, published: str | None, fallback: str = "") -> str:
    """How a copy is named beside a citation: "Reuters, 12 Mar 2024"; its file when it names no source."""
    name = source or fallback
    if not published:
        return name
    day = iso_day(published)
    return f"{name}, {day.day} {day:%b %Y}" if name else f"{day.day} {day:%b %Y}"


def exact_copies(record: ArticleRecord, own_label: str, filters: Filters) -> list[str]:
    """The labels of the article's other copies (the same text found in other files or exports)."""
    labels = []
    for location, outlet in sorted(record.outlets.items()):
        if outlet.published and not filters.admits_day(iso_day(outlet.published).toordinal()):
            continue
        label = outlet_label(outlet.source, outlet.published, record.archive_path(location))
        if label != own_label:
            labels.append(label)
    return labels


def with_also_in(
    passages: Sequence[Passage],
    store: ArchiveStore,
    filters: Filters,
    records: Mapping[str, ArticleRecord],
    grouped: bool = True,
) -> list[Passage]:
    """Each passage with `also_in`: its article's other copies, then the other articles of its story that the
    date filters admit (a copy published after the as-of date is not shown), each label once. `grouped`: some
    article of the store joined another's story (else no story has other members, and none is looked up)."""
    members = _members(store, {p.story_id for p in passages if p.story_id}) if grouped else {}
    out = []
    for passage in passages:
        own = outlet_label(passage.source, passage.published, passage.path or "")
        labels = exact_copies(records[passage.article_id], own, filters) if passage.article_id in records else []
        for meta in members.get(passage.story_id, []):
            if meta.get("article_id") != passage.article_id and filters.admits_day(int(meta.get("day", 0))):
                labels.append(outlet_label(meta.get("source"), meta.get("published"), str(meta.get("title", ""))))
        unique = tuple(dict.fromkeys(label for label in labels if label and label != own))
        out.append(replace(passage, also_in=unique) if unique else passage)
    return out


def _members(store: ArchiveStore, stories: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Story id -> its articles' record metadata (one metadata query; none when no passage has a story)."""
    wanted = sorted(stories)
    if not wanted:
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    for record in store.story_records(wanted):
        found.setdefault(str(record.metadata["story_id"]), []).append(record.metadata)
    return found
