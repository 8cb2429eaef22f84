"""How a story developed: the archive's stories on a query, one row each, oldest first, with their best sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from qa.evidence import rank_sentences
from qa.filters import Filters
from qa.retriever import HybridRetriever
from qa.sentences import content_words
from qa.types import Passage
from storage.embedder import Embedder

# A question gets 6 passages; a timeline wants every story on the topic, so it asks for many more candidates
# (at most 2 passages an article: up to 30 articles) and keeps the ones that really match.
CANDIDATES = 60
# A story matches when its best dense similarity is at least SIMILARITY_FLOOR and within SIMILARITY_MARGIN of the
# best story's, and its passages share a word with the query. Chosen by trying queries on examples/archive:
# - the floor: unrelated questions score at most 0.27 there ("ice hockey championship" 0.269, "Mars rover" 0.21),
#   and so do the off-topic stories of topical queries (after the two Savanna Cup finals the next is 0.271), while
#   one-word queries match their own stories at 0.43-0.48 ("tram", "Caldora"). The abstention bar of questions
#   (0.48) would drop those; 0.25 would keep "ice hockey" -> a cycling race.
# - the margin: one story's articles spread up to 0.16 below its best ("tram extension Skarvik" 0.703 -> 0.545,
#   "Kirameki" 0.561 -> 0.397), so 0.15 loses some; a margin alone (no floor) keeps noise when the best is noise.
#   Ratios of the fused (rank-based) score were no help: they fall with rank even among relevant articles.
# - the shared word: within 0.20 of the best also lie neighbours of another story ("ferry": the Solvind ferry at
#   0.520, two Esterlund tram articles at 0.362 and 0.338, none of which says "ferry").
# Known miss: a single word the dense side scores low loses its weaker story ("Lumen": 0.331 and 0.282). Also
# keeping every story holding all the query's words would find it, but took in "water" -> the Cape Town marathon.
SIMILARITY_FLOOR = 0.30
SIMILARITY_MARGIN = 0.20
# Sentences of a story embedded for its row: its 6 closest in words plus each passage's best. The answerer's 12 cost
# 30% more time a story (0.16 s on two busy cores) and picked the same sentences on the sample's stories.
SENTENCE_SHORTLIST = 6
_DATED_LABEL = re.compile(r",\s*[^,]*\d[^,]*$")  # the ", 12 Mar 2024" that closes an `also_in` label


@dataclass(frozen=True)
class TimelineEntry:
    """One story of a timeline: its date, outlets, title and the sentence that best matches the query.

    `passage` is the one the sentence is from and `highlight` the sentence's span in `passage.text`; `sources` and
    `article_ids` list the story's copies oldest first.
    """

    date: date | None  # the story's earliest publication date; None when no copy states one
    story_id: str
    title: str
    sources: tuple[str, ...]
    sentence: str
    article_ids: tuple[str, ...]
    passage: Passage
    highlight: tuple[int, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "story_id": self.story_id,
            "title": self.title,
            "sources": list(self.sources),
            "sentence": self.sentence,
            "article_ids": list(self.article_ids),
        }


class Timeline:
    """The stories the archive holds on a query, one entry per story, oldest first (undated last).

    >>> timeline = Timeline(qa.retriever, qa.embedder)  # or qa.timeline(...) on an ArchiveQA
    >>> [(str(e.date), e.title, e.sources) for e in timeline.build("Bank of Caldora interest rate", Filters())][:1]
    [('2023-02-15', 'Bank of Caldora raises key rate to 6.00% as inflation climbs', ('Reuters',))]
    """

    def __init__(self, retriever: HybridRetriever, embedder: Embedder) -> None:
        self.retriever, self.embedder = retriever, embedder

    def build(self, query: str, filters: Filters, limit: int = 20) -> list[TimelineEntry]:
        """At most `limit` stories, the closest to the query, in date order."""
        passages = self.retriever.retrieve(query, filters, k=max(CANDIDATES, 2 * limit))
        stories = matching_stories(query, passages)[:limit]
        entries = [entry for story in stories if (entry := self._entry(query, story)) is not None]
        return sorted(entries, key=lambda e: (e.date is None, e.date or date.min))

    def _entry(self, query: str, story: Sequence[Passage]) -> TimelineEntry | None:
        """The story's row: its best sentence is ranked among its own passages only, so every story gets one."""
        ranked = rank_sentences(query, story, self.embedder, SENTENCE_SHORTLIST)
        if not ranked:  # no sentence long enough to rank (a headline-only item): not a row to read
            return None
        best = ranked[0]
        passage = story[best.number - 1]
        copies = sorted(_distinct_articles(story), key=lambda p: (p.day == 0, p.day))
        outlets = [p.source for p in copies if p.source] + [_outlet(label) for p in copies for label in p.also_in]
        return TimelineEntry(
            date=next((p.published_date for p in copies if p.day), None),
            story_id=passage.story,
            title=passage.title,
            sources=tuple(dict.fromkeys(outlets)),
            sentence=best.text,
            article_ids=tuple(p.article_id for p in copies),
            passage=passage,
            highlight=(best.start, best.end),
        )


def matching_stories(query: str, passages: Sequence[Passage]) -> list[list[Passage]]:
    """The passages grouped by story (`Passage.story`), closest story first, keeping only the stories that match
    the query (see SIMILARITY_FLOOR); each group in retrieval order."""
    groups: dict[str, list[Passage]] = {}
    for passage in passages:
        groups.setdefault(passage.story, []).append(passage)
    best = {story: max(p.similarity or 0.0 for p in group) for story, group in groups.items()}
    if not best:
        return []
    bar = max(SIMILARITY_FLOOR, max(best.values()) - SIMILARITY_MARGIN)
    words = content_words(query)
    kept = [story for story, group in groups.items() if best[story] >= bar and _shares_a_word(words, group)]
    return [groups[story] for story in sorted(kept, key=lambda story: best[story], reverse=True)]


def _shares_a_word(words: set[str], group: Sequence[Passage]) -> bool:
    """Whether a passage (or its title) has a content word of the query; a query of stopwords only passes."""
    return not words or any(words & content_words(f"{p.title}\n{p.text}") for p in group)


def _distinct_articles(story: Sequence[Passage]) -> list[Passage]:
    """One passage per article of the story (its best), in retrieval order."""
    first: dict[str, Passage] = {}
    for passage in story:
        first.setdefault(passage.article_id, passage)
    return list(first.values())


def _outlet(label: str) -> str:
    """The outlet of an `also_in` label ("Reuters, 12 Mar 2024" -> "Reuters")."""
    return _DATED_LABEL.sub("", label).strip()
