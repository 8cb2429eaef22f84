"""Timelines on a small archive written here (real embedder, real embedded Chroma, real BM25): one row per story,
date order with undated last, filters, what is left out, the sentence, the JSON; and the matching rule on its own."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive_qa.settings import Settings
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from qa.timeline import SIMILARITY_FLOOR, Timeline, TimelineEntry, matching_stories
from qa.types import Passage

LATE = Filters(as_of=date(2030, 1, 1))
QUERY = "Marenvik lifting bridge"
BRIDGE_TITLES = {
    "Marenvik unveils plan for a lifting bridge over the inner harbour",
    "Marenvik council approves harbour bridge budget",
    "Harbour bridge budget passes in Marenvik council vote",  # the other outlet's copy: the same story
    "Corroded piles delay Marenvik harbour bridge by four months",
    "Marenvik's harbour lifting bridge opens to trams and cyclists",
    "Marenvik bridge keepers train on the lifting span",
}


@pytest.fixture(scope="module")
def timeline_qa(timeline_store: Path) -> ArchiveQA:
    return ArchiveQA.from_settings(Settings(store=timeline_store, answerer="extractive"))


def _dates(entries: list[TimelineEntry]) -> list[date | None]:
    return [entry.date for entry in entries]


def test_one_row_per_story_oldest_first_undated_last(timeline_qa: ArchiveQA) -> None:
    entries = timeline_qa.timeline(QUERY, LATE)
    assert _dates(entries) == [date(2023, 2, 10), date(2023, 6, 5), date(2023, 11, 20), date(2024, 5, 14), None]
    assert len({entry.story_id for entry in entries}) == len(entries)
    assert {entry.title for entry in entries} <= BRIDGE_TITLES
    vote = entries[1]  # two outlets' copies, one story id: one row, dated by the first copy, naming both outlets
    assert vote.story_id == "bridge-budget-vote"
    assert vote.sources == ("Reuters", "Xinhua") and len(vote.article_ids) == 2
    assert vote.passage.article_id in vote.article_ids


def test_an_article_of_several_passages_is_one_row(timeline_qa: ArchiveQA) -> None:
    opened = "Marenvik's harbour lifting bridge opens to trams and cyclists"
    passages = timeline_qa.retriever.retrieve(QUERY, LATE, k=60)
    assert len({p.chunk_id for p in passages if p.title == opened}) >= 2  # the long article: several candidates
    assert [entry.title for entry in timeline_qa.timeline(QUERY, LATE)].count(opened) == 1


def test_since_until_and_as_of_are_respected(timeline_qa: ArchiveQA) -> None:
    window = Filters(as_of=date(2030, 1, 1), since=date(2023, 6, 1), until=date(2023, 12, 31))
    assert _dates(timeline_qa.timeline(QUERY, window)) == [date(2023, 6, 5), date(2023, 11, 20)]
    # As of the end of 2023 the opening is not yet news; an undated article passes an as-of date (not a `since`).
    as_of = timeline_qa.timeline(QUERY, Filters(as_of=date(2023, 12, 31)))
    assert _dates(as_of) == [date(2023, 2, 10), date(2023, 6, 5), date(2023, 11, 20), None]


def test_unrelated_and_neighbouring_stories_are_left_out(timeline_qa: ArchiveQA) -> None:
    titles = {entry.title for entry in timeline_qa.timeline(QUERY, LATE)}
    assert "Grandmaster Oyelaran wins the Lagos chess open" not in titles
    assert "Marenvik harbour ferry gets a new timetable" not in titles  # same town and harbour, another story
    chess = timeline_qa.timeline("Lagos chess open", LATE)
    assert [entry.title for entry in chess] == ["Grandmaster Oyelaran wins the Lagos chess open"]
    assert timeline_qa.timeline("Which team won the ice hockey championship?", LATE) == []


def test_the_sentence_is_the_storys_best_match_and_its_span(timeline_qa: ArchiveQA) -> None:
    entries = timeline_qa.timeline("final cost of the Marenvik bridge", LATE)
    opened = next(entry for entry in entries if entry.date == date(2024, 5, 14))
    assert opened.sentence == "The final cost of the bridge was 106 million crowns, the building office said."
    for entry in entries:
        start, end = entry.highlight
        assert entry.passage.text[start:end].strip() == entry.sentence
        assert entry.passage.story == entry.story_id and entry.title == entry.passage.title


def test_limit_keeps_the_closest_stories_in_date_order(timeline_qa: ArchiveQA) -> None:
    everything = timeline_qa.timeline(QUERY, LATE)
    two = timeline_qa.timeline(QUERY, LATE, limit=2)
    assert len(two) == 2 and set(two) <= set(everything)
    assert _dates(two) == sorted(_dates(two), key=lambda d: (d is None, d or date.min))
    assert "Marenvik unveils plan for a lifting bridge over the inner harbour" in {e.title for e in two}  # the best


def test_json_shape(timeline_qa: ArchiveQA) -> None:
    rows = json.loads(json.dumps([entry.to_json() for entry in timeline_qa.timeline(QUERY, LATE)]))
    assert all(set(row) == {"date", "story_id", "title", "sources", "sentence", "article_ids"} for row in rows)
    assert rows[0]["date"] == "2023-02-10" and rows[-1]["date"] is None
    assert rows[1]["sources"] == ["Reuters", "Xinhua"] and len(rows[1]["article_ids"]) == 2
    assert all(isinstance(row["sentence"], str) and row["sentence"] for row in rows)


def _passage(article: str, similarity: float, text: str, **fields: Any) -> Passage:
    base: dict[str, Any] = {"chunk_id": f"{article}-000", "title": article.title(), "published": "2024-01-02"}
    return Passage(article_id=article, text=text, similarity=similarity, end=len(text), **{**base, **fields})


def test_matching_keeps_stories_above_the_floor_within_the_margin_sharing_a_word() -> None:
    passages = [
        _passage("best", 0.70, "The harbour bridge opened on Tuesday after two years of works."),
        _passage("close", 0.55, "Councillors argued for months about the bridge and its cost."),
        _passage("far", 0.45, "The bridge was mentioned once in a speech about ports."),  # 0.25 below the best
        _passage("nearby", 0.60, "The ferry across the harbour runs every fifteen minutes."),  # no word of the query
        _passage("copy", 0.50, "A second copy of the bridge story.", story_id="best"),
    ]
    stories = matching_stories("bridge", passages)
    assert [[p.article_id for p in story] for story in stories] == [["best", "copy"], ["close"]]
    weak = [replace(p, similarity=SIMILARITY_FLOOR - 0.01) for p in passages]
    assert matching_stories("bridge", weak) == []  # within the margin of a best that is itself noise


class _Retrieved:
    """A retriever that returns fixed passages: the entries' rules on their own, with the real sentence ranking."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def retrieve(self, question: str, filters: Filters, k: int | None = None) -> list[Passage]:
        return self.passages


def test_entries_take_outlets_of_copies_and_also_in_and_put_undated_last(timeline_qa: ArchiveQA) -> None:
    text = "The lifting bridge over the harbour opened to trams on Tuesday morning."
    passages = [
        _passage("a", 0.8, text, source="dpa", published="2024-05-14", also_in=("Reuters, 15 May 2024", "NTB")),
        _passage("b", 0.7, text, source="AP", published="2024-05-13", story_id="a"),
        _passage("u", 0.7, "The bridge keepers trained for a week in the control cabin.", published=None),
        _passage("c", 0.7, "The council approved the bridge budget after a long debate.", published="2023-06-05"),
    ]
    timeline = Timeline(_Retrieved(passages), timeline_qa.embedder)  # type: ignore[arg-type]
    entries = timeline.build("harbour lifting bridge", LATE)
    assert [e.story_id for e in entries] == ["c", "a", "u"]
    opened = entries[1]
    assert opened.date == date(2024, 5, 13) and opened.article_ids == ("b", "a")  # copies oldest first
    assert opened.sources == ("AP", "dpa", "Reuters", "NTB")
