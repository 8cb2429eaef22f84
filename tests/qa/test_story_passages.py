"""Retrieval gives one passage per story and names the other copies ("also in"); a filter finds any copy's source."""

from __future__ import annotations

import json
from datetime import date

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from qa.answer import Answer
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from qa.types import Citation
from ui.render import sources_html

LATE = date(2030, 1, 1)
# Written for these tests: a wire story and an outlet's light edit of it, another story, and an exact duplicate.
FLOOD = (
    "Flood water reached the old town of Kessin on Tuesday after the river Varna rose three metres in a single "
    "night, forcing the evacuation of four hundred homes near the bridge. The mayor said emergency crews had "
    "built a wall of sandbags along the embankment but that it could not hold if the rain continued into "
    "Wednesday. Schools were closed and the main road to the coast was shut at the ferry crossing. Forecasters "
    "expect the river to peak on Thursday morning, and the regional council has asked the army for pumps and "
    "boats to reach villages cut off by the water."
)
FLOOD_EDITED = (
    FLOOD.replace("on Tuesday", "on Tuesday evening")
    .replace("The mayor said", "Mayor Anna Roth said")
    .replace("Schools were closed", "All schools were closed")
    + " Residents were told to boil drinking water."
)
CHOIR = (
    "The Kessin boys choir won first prize at the national festival on Saturday, the first win for the town in "
    "twenty years. The choir of thirty singers performed two pieces by local composers and a folk song arranged "
    "by its conductor. The prize brings an invitation to sing at the opening of the new concert hall in the "
    "capital next spring, and the town council promised to pay for the journey."
)
ROAD = (
    "The coastal road between Kessin and Marrow reopened on Monday after eight months of repairs to the cliff "
    "section that collapsed in last winter's storms. Engineers anchored the slope with steel nets and built a "
    "new drainage channel under the road. Bus services to the coast return to their summer timetable on Friday, "
    "and the speed limit on the cliff section stays at forty until the work is inspected again in the autumn."
)


def feed_line(key: str, title: str, text: str, source: str, day: str) -> str:
    return json.dumps({"id": key, "title": title, "text": text, "source": source, "date": day}) + "\n"


@pytest.fixture(scope="module")
def story_qa(tmp_path_factory: pytest.TempPathFactory) -> ArchiveQA:
    folder = tmp_path_factory.mktemp("stories")
    (folder / "a-wire.jsonl").write_text(
        feed_line("f1", "River Varna floods Kessin old town", FLOOD, "AP", "2024-03-12")
        + feed_line("c1", "Kessin choir wins national festival", CHOIR, "AP", "2024-03-09")
        + feed_line("r1", "Kessin coastal road reopens", ROAD, "AP", "2024-03-04")
    )
    (folder / "b-herald.jsonl").write_text(
        feed_line("f2", "Kessin evacuates 400 homes as Varna floods", FLOOD_EDITED, "Kessin Herald", "2024-03-13")
        + feed_line("r2", "Kessin coastal road reopens", ROAD, "Coast Gazette", "2024-03-05")  # exact duplicate
    )
    store = tmp_path_factory.mktemp("stories-store")
    report = make_ingestor(Settings(store=store)).run([folder], progress=False)
    assert report.new == 4 and report.duplicate == 1
    return ArchiveQA.from_settings(Settings(store=store, answerer="extractive"))


def test_one_passage_for_the_story_and_also_in_names_the_other_outlet(story_qa: ArchiveQA) -> None:
    passages = story_qa.retriever.retrieve("How far did the river Varna rise in Kessin?", Filters(as_of=LATE))
    flood = [p for p in passages if "Varna" in p.title]
    assert len({p.article_id for p in flood}) == 1  # the two outlets' copies are one result
    assert flood[0].story_id and all(p.story == flood[0].story for p in flood)
    other = "Kessin Herald, 13 Mar 2024" if flood[0].source == "AP" else "AP, 12 Mar 2024"
    assert other in flood[0].also_in
    assert any("choir" in p.title for p in passages)  # the other story still comes back


def test_also_in_hides_a_copy_dated_after_the_as_of_date(story_qa: ArchiveQA) -> None:
    passages = story_qa.retriever.retrieve("Varna flood Kessin evacuation", Filters(as_of=date(2024, 3, 12)))
    flood = next(p for p in passages if "Varna" in p.title)
    assert flood.source == "AP" and flood.also_in == ()


def test_a_filter_on_the_second_outlets_source_finds_the_exact_duplicate(story_qa: ArchiveQA) -> None:
    passages = story_qa.retriever.retrieve("coastal road repairs", Filters(as_of=LATE, sources=("Coast Gazette",)))
    assert passages and {p.title for p in passages} == {"Kessin coastal road reopens"}
    assert passages[0].source == "AP" and passages[0].also_in == ("Coast Gazette, 5 Mar 2024",)
    within = Filters(as_of=LATE, sources=("Coast Gazette",)).chunk_filter()
    vector = story_qa.retriever.embedder.embed(["coastal road repairs"])[0]
    dense = story_qa.retriever.store.nearest(vector, 50, within)  # the filtered dense query
    assert {hit.metadata["title"] for hit in dense} == {"Kessin coastal road reopens"}


def test_also_in_is_shown_wherever_a_citation_is(story_qa: ArchiveQA) -> None:
    passages = story_qa.retriever.retrieve("coastal road repairs", Filters(as_of=LATE))
    road = next(p for p in passages if p.also_in)
    citation = Citation(1, road, (0, 10))
    assert citation.to_json()["also_in"] == ["Coast Gazette, 5 Mar 2024"]
    answer = Answer("q", "q", "It reopened [1].", False, citations=[citation], passages=[road])
    assert "also in: Coast Gazette, 5 Mar 2024" in sources_html(answer, 0, {})


def test_the_ask_command_prints_also_in_under_the_citation(
    story_qa: ArchiveQA, capsys: pytest.CaptureFixture[str]
) -> None:
    from archive_qa.cli import main

    store = str(story_qa.settings.store)
    args = ["ask", "When did the Kessin coastal road reopen?", "--store", store, "--answerer", "extractive"]
    assert main([*args, "--as-of", "2030-01-01"]) == 0
    assert "also in: Coast Gazette, 5 Mar 2024" in capsys.readouterr().out
