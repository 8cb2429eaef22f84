"""Hybrid retrieval on the sample archive (real Chroma, real embedder, real BM25): relevance, dates, filters, cap."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from qa.filters import Filters, asks_for_recent, names_recent_time
from qa.pipeline import ArchiveQA
from storage.factory import open_store
from storage.hits import ChunkFilter
from storage.types import article_of

from qa_support import UNDATED_TITLE

LATE = date(2030, 1, 1)


def _gold_title(sample_archive: Path, gold_id: str) -> str:
    return (sample_archive / f"{gold_id}.txt").read_text().split("\n", 1)[0]


def test_questions_find_their_article_first(extractive_qa: ArchiveQA, sample_questions, sample_archive) -> None:
    top1 = 0
    for row in sample_questions:
        searched = extractive_qa.standalone(row["question"], row.get("history", ()), "extractive")
        passages = extractive_qa.retriever.retrieve(searched, Filters(as_of=date.fromisoformat(row["question_date"])))
        titles = [p.title for p in passages]
        gold = {_gold_title(sample_archive, gold_id) for gold_id in row["gold_doc_ids"]}
        assert gold & set(titles), row["question"]
        top1 += titles[0] in gold
    assert top1 >= 0.9 * len(sample_questions)


def test_as_of_date_hides_later_articles(extractive_qa: ArchiveQA) -> None:
    question = "How many riders did Esterlund's extended tram Line 4 carry on its first day?"
    after = extractive_qa.retriever.retrieve(question, Filters(as_of=LATE))
    opened = next(p for p in after if "opens" in p.title.lower() or "first day" in p.text.lower())
    cutoff = date.fromisoformat(opened.published)
    before = extractive_qa.retriever.retrieve(question, Filters(as_of=date.fromordinal(cutoff.toordinal() - 1)))
    assert opened.article_id not in {p.article_id for p in before}
    assert all(p.published is None or p.published < opened.published for p in before)


def test_source_filter(extractive_qa: ArchiveQA) -> None:
    passages = extractive_qa.retriever.retrieve("interest rate decision", Filters(as_of=LATE, sources=("Xinhua",)))
    assert passages and {p.source for p in passages} == {"Xinhua"}


def test_since_and_until_filter(extractive_qa: ArchiveQA) -> None:
    window = Filters(as_of=LATE, since=date(2023, 6, 1), until=date(2023, 12, 31))
    passages = extractive_qa.retriever.retrieve("news", window)
    assert passages
    assert all("2023-06-01" <= (p.published or "") <= "2023-12-31" for p in passages)


def test_undated_articles_pass_as_of_but_not_since(extractive_qa: ArchiveQA) -> None:
    question = "How many sensors were installed on the Veltrona Pass glacier?"
    anytime = extractive_qa.retriever.retrieve(question, Filters(as_of=date(2000, 1, 1)))
    assert anytime and anytime[0].title == UNDATED_TITLE and anytime[0].published is None
    dated_only = extractive_qa.retriever.retrieve(question, Filters(as_of=LATE, since=date(2000, 1, 1)))
    assert all(p.published is not None for p in dated_only)


def test_one_article_cannot_fill_the_context(extractive_qa: ArchiveQA) -> None:
    passages = extractive_qa.retriever.retrieve("Esterlund tram Line 4 extension", Filters(as_of=LATE), k=8)
    per_article: dict[str, int] = {}
    for passage in passages:
        per_article[passage.article_id] = per_article.get(passage.article_id, 0) + 1
    assert max(per_article.values()) <= extractive_qa.settings.per_article_cap
    assert len(per_article) >= 4


def test_keyword_side_finds_a_rare_exact_name(extractive_qa: ArchiveQA) -> None:
    retriever = extractive_qa.retriever
    hits = retriever.keyword_hits("Veltrona Marchetti", Filters(as_of=LATE), retriever.keyword_index())
    article_id = article_of(hits[0])
    assert extractive_qa.retriever.store.get_articles([article_id])[article_id].metadata["title"] == UNDATED_TITLE


def test_recent_questions_are_recognized() -> None:
    assert asks_for_recent("What is the latest interest rate?")
    assert asks_for_recent("Who won this week?")
    assert not asks_for_recent("Who won the 2023 final?")
    assert not asks_for_recent("Who is the mayor of New York?")  # a place name, not a time
    assert not asks_for_recent("Which painting is still missing after the 1990 theft?")


def test_the_recency_lift_favours_articles_near_the_as_of_date_and_doubles_for_the_latest(
    extractive_qa: ArchiveQA,
) -> None:
    retriever, as_of = extractive_qa.retriever, date(2024, 6, 1)
    config = retriever.config
    chunks = [("a-000", 1.0)]
    size = 3  # a full-length article: no short-article fill, so the score is the chunk's own

    def score(days_old: int, recent: bool = False, undated: bool = False) -> float:
        day = 0 if undated else as_of.toordinal() - days_old
        return retriever._article_score(chunks, size, day, Filters(as_of=as_of), recent)

    lift, half_life = config.recency_weight, int(config.recency_half_life_days)
    assert lift > 0
    assert score(0) == pytest.approx(1.0 + lift)  # published on the as-of day
    assert score(half_life) == pytest.approx(1.0 + lift / 2)  # the lift halves every half-life
    assert score(half_life, recent=True) == pytest.approx(1.0 + lift)  # doubled for "latest" questions
    assert score(-30) == score(0)  # a date past the as-of date counts as that day, not more
    assert score(0, undated=True) == pytest.approx(1.0)  # no date, no lift
    assert score(365) == pytest.approx(1.0, abs=1e-6)  # a year old: no lift left


def test_named_recent_times_are_recognized() -> None:
    named = ["Who resigned this week?", "What happened last weekend?", "Who won on Sunday?", "What fell yesterday?"]
    assert all(names_recent_time(q) for q in named)
    vague = ["What is the latest interest rate?", "Who is the current mayor?", "Who won the 2023 final?"]
    assert not any(names_recent_time(q) for q in vague)
    dated = ["What happened on Monday, March 3, 2019?", "Who spoke on Friday 7 June 2024?"]
    assert not any(names_recent_time(q) for q in dated)
    assert names_recent_time("Who spoke on Friday, and what did she say about June 2024?")


def test_new_articles_are_searchable_without_restart(tmp_path: Path, sample_archive: Path) -> None:
    store = tmp_path / "store"
    settings = Settings(store=store, answerer="extractive")
    make_ingestor(settings).run([sample_archive / "001_b0dd4dc9b7f66ede.txt"], progress=False)
    qa = ArchiveQA.from_settings(settings)
    question = "Which glassblowing workshop did the archaeologists uncover?"
    assert qa.retriever.keyword_index().ids  # BM25 loaded for the one-article store
    before = {p.title for p in qa.retriever.retrieve(question, Filters(as_of=LATE))}
    extra = next(p for p in sorted(sample_archive.iterdir()) if "furnace" in p.read_text().lower())
    make_ingestor(settings).run([extra], progress=False)
    qa.retriever.invalidate()  # skip the one-second staleness window instead of sleeping
    after = [p.title for p in qa.retriever.retrieve(question, Filters(as_of=LATE))]
    title = extra.read_text().split("\n", 1)[0]
    assert title not in before and after[0] == title


@pytest.mark.parametrize("k", [1, 3])
def test_k_limits_the_passages(extractive_qa: ArchiveQA, k: int) -> None:
    assert len(extractive_qa.retriever.retrieve("tram", Filters(as_of=LATE), k=k)) == k


def test_narrow_filter_still_finds_its_articles(extractive_qa: ArchiveQA) -> None:
    """Few candidates and a one-month window: the unfiltered neighbours miss it, the filtered fallback does not."""
    base = extractive_qa.retriever
    narrow = base.with_config(replace(base.config, dense_candidates=2))
    filters = Filters(as_of=LATE, since=date(2023, 7, 1), until=date(2023, 7, 31))
    vector = base.embedder.embed(["Bank of Caldora interest rate decision"])[0]
    hits = narrow.dense_hits(vector, filters)
    titles = {hit.metadata["title"] for hit in hits.values()}
    assert titles and titles <= {"Quiroga wins Andean Heights Tour by 14 seconds", _GLASS_TITLE}
    assert all(filters.admits(hit.metadata) for hit in hits.values())
    assert [hit.rank for hit in hits.values()] == list(range(len(hits)))  # ranked among those the filters admit


_GLASS_TITLE = "Archaeologists uncover 3,200-year-old glass workshop in Egypt"


@pytest.mark.parametrize(
    ("metadata", "admitted"),
    [
        ({"day": date(2023, 5, 1).toordinal(), "source": "AP"}, True),
        ({"day": date(2023, 7, 1).toordinal(), "source": "AP"}, False),  # after the as-of date
        ({"day": date(2022, 12, 31).toordinal(), "source": "AP"}, False),  # before `since`
        ({"day": date(2023, 5, 1).toordinal(), "source": "AFP"}, False),  # another source
        ({"day": 0, "source": "AP"}, False),  # undated: passes as-of, not `since`
    ],
)
def test_python_filter_matches_the_store_filter(metadata: dict, admitted: bool) -> None:
    filters = Filters(as_of=date(2023, 6, 1), since=date(2023, 1, 1), sources=("AP",))
    assert filters.admits(metadata) is admitted
    first, last = date(2023, 1, 1).toordinal(), date(2023, 6, 1).toordinal()  # what the store's search is asked
    asked = ChunkFilter(until_day=last, since_day=first, sources=("AP",), known_sources=("AFP",))
    assert filters.chunk_filter(["AFP"]) == asked
    assert Filters(as_of=date(2023, 6, 1)).admits({"day": 0}) is True


def test_passages_of_one_article_come_together(extractive_qa: ArchiveQA) -> None:
    """Articles are ranked as wholes: a second passage follows its article's first, not a weaker article's."""
    passages = extractive_qa.retriever.retrieve("Esterlund tram extension to the harbour", Filters(as_of=LATE), k=8)
    order = [p.article_id for p in passages]
    firsts = list(dict.fromkeys(order))
    assert order == [a for a in firsts for _ in range(order.count(a))]
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_retrieval_settings_reach_the_retriever(sample_store: Path) -> None:
    qa = ArchiveQA.from_settings(Settings(store=sample_store, answerer="extractive", rrf_k=7, keyword_weight=0.5))
    assert (qa.retriever.config.rrf_k, qa.retriever.config.keyword_weight) == (7, 0.5)


def test_a_store_whose_chunks_hold_their_text_still_answers(
    tmp_path: Path, sample_store: Path, extractive_qa: ArchiveQA
) -> None:
    # Stores written before chunks went without text keep it as the chunk's Chroma document: that text is used.
    old_layout = Path(shutil.copytree(sample_store, tmp_path / "store"))
    settings = Settings(store=old_layout, answerer="extractive")
    store = open_store(settings)
    got = store.chunks.get(include=["embeddings"])
    texts = {chunk_id: chunk.text for chunk_id, chunk in store.get_chunks(got["ids"]).items()}
    old_documents = [f"OLD {texts[chunk_id]}" for chunk_id in got["ids"]]
    store.chunks.update(ids=got["ids"], embeddings=got["embeddings"], documents=old_documents)  # vectors kept
    question = "Which glassblowing workshop did the archaeologists uncover?"
    fresh = extractive_qa.retriever.retrieve(question, Filters(as_of=LATE))
    legacy = ArchiveQA.from_settings(settings).retriever.retrieve(question, Filters(as_of=LATE))
    assert [p.chunk_id for p in legacy] == [p.chunk_id for p in fresh] != []
    assert [p.text for p in legacy] == [f"OLD {p.text}" for p in fresh]
