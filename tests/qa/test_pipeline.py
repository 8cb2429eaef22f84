"""ArchiveQA end to end on the sample archive: cited answers, abstention, filters, citation checks, follow-ups."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from archive_qa.settings import Settings
from qa.answer import Answer, Delta, Final, Provenance
from qa.answerers import GeneratorAnswerer
from qa.filters import Filters
from qa.pipeline import NOT_IN_ARCHIVE, ArchiveQA
from qa.prompt import REFUSAL
from qa.types import Passage

from qa_support import ScriptedGenerator

LATE = date(2030, 1, 1)


def _title(sample_archive: Path, gold_id: str) -> str:
    return (sample_archive / f"{gold_id}.txt").read_text().split("\n", 1)[0]


def test_extractive_answers_cite_the_article_that_holds_the_fact(
    extractive_qa: ArchiveQA, sample_questions: list[dict], sample_archive: Path
) -> None:
    cited_gold = correct = 0
    for row in sample_questions:
        as_of = Filters(as_of=date.fromisoformat(row["question_date"]))
        answer = extractive_qa.ask(row["question"], row.get("history", ()), filters=as_of)
        assert not answer.abstained, row["question"]
        assert answer.citations and answer.removed_citations == 0
        gold_titles = {_title(sample_archive, gold) for gold in row["gold_doc_ids"]}
        cited_gold += bool(gold_titles & {c.passage.title for c in answer.citations})
        correct += row["answer"][0].lower() in answer.text.lower()
    assert cited_gold >= 0.9 * len(sample_questions)
    assert correct >= 0.75 * len(sample_questions)


def test_a_citation_resolves_to_passage_article_and_highlight(extractive_qa: ArchiveQA) -> None:
    answer = extractive_qa.ask("What rate did the Bank of Caldora set in March 2024?", filters=Filters(as_of=LATE))
    citation = answer.citations[0]
    start, end = citation.highlight
    assert "5.75%" in citation.passage.text[start:end]
    assert citation.passage.published == "2024-03-20" and citation.passage.source in {"Xinhua", "AFP", "Reuters"}
    assert citation.passage.path and citation.passage.path.endswith(".txt")
    record = extractive_qa.retriever.store.get_articles([citation.passage.article_id])[citation.passage.article_id]
    assert record.text[citation.passage.start : citation.passage.end] == citation.passage.text
    payload = answer.to_json()
    assert set(payload) >= {"question", "standalone_question", "answer", "abstained", "citations", "related", "timings"}
    assert set(payload["citations"][0]) >= {
        "n",
        "article_id",
        "title",
        "source",
        "published",
        "url",
        "path",
        "passage",
        "highlight",
    }


def test_something_absent_is_not_in_the_archive(extractive_qa: ArchiveQA) -> None:
    answer = extractive_qa.ask(
        "Which mineral did the Mars rover Tenacity report detecting near its landing site?", filters=Filters(as_of=LATE)
    )
    assert answer.abstained and answer.text.startswith(NOT_IN_ARCHIVE)
    assert answer.citations == [] and answer.related  # the closest articles are offered


def test_the_as_of_date_hides_the_later_decision(extractive_qa: ArchiveQA) -> None:
    question = "What is the Bank of Caldora's latest policy rate?"
    answer_2023 = extractive_qa.ask(question, filters=Filters(as_of=date(2023, 12, 31)))
    assert all(c.passage.published <= "2023-12-31" for c in answer_2023.citations)
    assert "5.75%" not in answer_2023.text


def test_stream_yields_text_then_the_answer(extractive_qa: ArchiveQA) -> None:
    events = list(extractive_qa.stream("Who won the Savanna Cup in 2023?", filters=Filters(as_of=LATE)))
    final = events[-1]
    assert isinstance(final, Final) and isinstance(final.answer, Answer)
    assert all(isinstance(event, Delta) for event in events[:-1]) and events[-2].text
    assert set(final.answer.timings) >= {"rewrite", "retrieve", "first_token", "generate"}
    assert final.answer.answerer == "extractive" and final.answer.provenance is Provenance.ANSWERED


def test_invalid_citation_numbers_from_the_model_are_removed(extractive_qa: ArchiveQA) -> None:
    extractive_qa.use_generator("scripted", ScriptedGenerator("The Bank of Caldora cut its rate to 5.75% [1][42]."))
    answer = extractive_qa.ask("What did the Bank of Caldora do in March 2024?", answerer="scripted")
    assert answer.text == "The Bank of Caldora cut its rate to 5.75% [1]."
    assert answer.removed_citations == 1 and [c.n for c in answer.citations] == [1]


def test_the_model_refusal_becomes_an_abstention(sample_store: Path) -> None:
    qa = ArchiveQA.from_settings(Settings(store=sample_store, fallback_threshold=1.01))  # no quoting fallback
    qa.use_generator("refuser", ScriptedGenerator(REFUSAL))
    answer = qa.ask("What did the Bank of Caldora do in March 2024?", answerer="refuser")
    assert answer.abstained and answer.text.startswith(NOT_IN_ARCHIVE) and answer.related
    assert answer.answered_by == "" and answer.provenance is Provenance.ABSTAINED


def test_a_refusal_over_close_evidence_quotes_the_best_sentences(extractive_qa: ArchiveQA) -> None:
    question = "What interest rate did the Bank of Caldora set in March 2024?"
    strength = extractive_qa.evidence_strength(extractive_qa.retriever.retrieve(question, Filters()), Filters())
    assert strength >= extractive_qa.settings.fallback_threshold  # the premise: the archive holds the answer
    extractive_qa.use_generator("refuser", ScriptedGenerator(REFUSAL))
    streamed = list(extractive_qa.stream(question, answerer="refuser"))
    assert isinstance(streamed[-1], Final)
    answer = streamed[-1].answer
    assert not answer.abstained and answer.provenance is Provenance.QUOTED_AFTER_DECLINE
    assert "5.75" in answer.text and answer.citations
    assert answer.answered_by == "extractive, after scripted declined"
    # The refusal itself is never shown on the way: the reader sees only the quoted sentences.
    assert all("does not contain" not in event.text for event in streamed[:-1] if isinstance(event, Delta))


def test_an_answer_that_only_restates_the_question_is_followed_by_the_best_sentences(
    extractive_qa: ArchiveQA,
) -> None:
    question = "What interest rate did the Bank of Caldora set in March 2024?"
    echo = "The Bank of Caldora set an interest rate in March 2024 [1]."
    extractive_qa.use_generator("echo", ScriptedGenerator(echo))
    streamed = list(extractive_qa.stream(question, filters=Filters(as_of=LATE), answerer="echo"))
    assert isinstance(streamed[-1], Final)
    answer = streamed[-1].answer
    assert not answer.abstained and answer.provenance is Provenance.QUOTED_AFTER_ECHO
    assert answer.text.startswith(echo) and "5.75" in answer.text.split(echo, 1)[1]  # the quote adds the rate
    assert answer.answered_by == "scripted, then extractive (its answer only restated the question)"
    assert {c.passage.published for c in answer.citations} >= {"2024-03-20"}
    # What was streamed only grows: the echo stays, the quote is added after it.
    texts = [event.text for event in streamed[:-1] if isinstance(event, Delta)]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))


def test_an_uncited_unsupported_model_answer_is_not_passed_off_as_the_archive(extractive_qa: ArchiveQA) -> None:
    # Even over evidence close enough for the refusal fallback: an invented answer gets no second chance.
    question = "What interest rate did the Bank of Caldora set in March 2024?"
    assert extractive_qa.evidence_strength(extractive_qa.retriever.retrieve(question, Filters()), Filters()) >= 0.65
    extractive_qa.use_generator("memory", ScriptedGenerator("Paris is the capital of France."))
    answer = extractive_qa.ask(question, answerer="memory")
    assert answer.abstained and not answer.citations and answer.answered_by == ""


def test_the_prompt_numbers_passages_and_neutralizes_forged_markers(extractive_qa: ArchiveQA) -> None:
    model = ScriptedGenerator("Restrictions were needed [1].")
    answerer = GeneratorAnswerer(model, 100, extractive_qa.embedder)
    forged = Passage(
        "a-000", "a", "The assessment, cited as [7] in the annex, shows restrictions were needed.", "Drought"
    )
    other = Passage("b-000", "b", "Reservoirs fell to 27 percent of capacity in September.", "Reservoirs")
    *_, text = answerer.stream("Why were restrictions needed?", [forged, other], date(2023, 9, 30))
    prompt = model.prompts[-1][-1]["content"]
    assert text == "Restrictions were needed [1]."
    assert "[1] Drought" in prompt and "[2] Reservoirs" in prompt and "Today: 30 Sep 2023" in prompt
    assert "cited as (7) in the annex" in prompt and "[7]" not in prompt


def test_a_forged_marker_in_an_article_is_not_a_citation_in_extractive_mode(extractive_qa: ArchiveQA) -> None:
    answer = extractive_qa.ask("What was cited in the annex to Perth's drought plan?", filters=Filters(as_of=LATE))
    assert "[7]" not in answer.text
    assert all(1 <= c.n <= len(answer.passages) for c in answer.citations)


def test_follow_up_questions_are_rewritten_from_history(extractive_qa: ArchiveQA) -> None:
    history = [
        {"role": "user", "content": "What did the Bank of Caldora decide in August 2023?"},
        {"role": "assistant", "content": "It raised the rate to 6.25% [1]."},
    ]
    answer = extractive_qa.ask("And in March 2024?", history, filters=Filters(as_of=LATE))
    assert answer.standalone_question == "What did the Bank of Caldora decide in March 2024?"
    assert any("5.75%" in c.passage.text for c in answer.citations)


def test_llm_mode_rewrites_follow_ups_with_the_model(extractive_qa: ArchiveQA) -> None:
    model = ScriptedGenerator("What did the Bank of Caldora decide in March 2024?", "It cut the rate to 5.75% [1].")
    extractive_qa.use_generator("rewriter", model)
    history = [{"role": "user", "content": "What did the Bank of Caldora decide in 2023?"}]
    answer = extractive_qa.ask("and in March 2024?", history, answerer="rewriter", filters=Filters(as_of=LATE))
    assert answer.standalone_question == "What did the Bank of Caldora decide in March 2024?"
    assert len(model.prompts) == 2  # one rewrite, one answer


def test_a_news_window_turns_stale_evidence_into_not_in_the_archive(sample_store: Path) -> None:
    """With a 30-day window, March 2024's rate cut answers a question asked that week but not one asked in autumn."""
    windowed = ArchiveQA.from_settings(Settings(store=sample_store, answerer="extractive", news_window_days=30))
    question = "What did the Bank of Caldora do with its interest rate?"
    assert not windowed.ask(question, filters=Filters(as_of=date(2024, 3, 25))).abstained
    stale = windowed.ask(question, filters=Filters(as_of=date(2024, 10, 1)))
    assert stale.abstained and stale.related
    unwindowed = ArchiveQA.from_settings(Settings(store=sample_store, answerer="extractive"))
    assert not unwindowed.ask(question, filters=Filters(as_of=date(2024, 10, 1))).abstained


def test_a_question_naming_a_recent_time_is_not_answered_from_older_articles(extractive_qa: ArchiveQA) -> None:
    """The March 20, 2024 rate cut answers "this week" asked on March 25, not on October 1; the older articles are
    offered instead, and the answer says why."""
    question = "What did the Bank of Caldora do with its interest rate this week?"
    that_week = extractive_qa.ask(question, filters=Filters(as_of=date(2024, 3, 25)))
    assert not that_week.abstained and "5.75%" in that_week.text
    months_later = extractive_qa.ask(question, filters=Filters(as_of=date(2024, 10, 1)))
    assert months_later.abstained and months_later.related and not months_later.citations
    assert months_later.text.startswith(NOT_IN_ARCHIVE) and "21 days before 2024-10-01" in months_later.text
    without_the_time = extractive_qa.ask(question.replace(" this week", ""), filters=Filters(as_of=date(2024, 10, 1)))
    assert not without_the_time.abstained


def test_the_named_time_window_can_be_turned_off(sample_store: Path) -> None:
    unbounded = ArchiveQA.from_settings(Settings(store=sample_store, answerer="extractive", recent_window_days=0))
    question = "What did the Bank of Caldora do with its interest rate this week?"
    assert not unbounded.ask(question, filters=Filters(as_of=date(2024, 10, 1))).abstained


def test_a_named_time_is_declined_only_when_the_archive_holds_nothing_from_it(extractive_qa: ArchiveQA) -> None:
    """ "This week" asked while the archive covers that week may be answered from an older article (shown with its
    date); asked when the archive holds nothing from that time, it is declined."""
    days = extractive_qa.retriever.keyword_index().days
    newest = date.fromordinal(int(days.max()))
    question = "What did the Bank of Caldora do with its interest rate this week?"
    covered = Filters(as_of=newest + timedelta(days=3))
    assert extractive_qa.uncovered_window(question, covered) == 0
    assert extractive_qa.uncovered_window(question, Filters(as_of=newest + timedelta(days=30))) == 21
    assert (
        extractive_qa.uncovered_window(question.replace(" this week", ""), Filters(as_of=newest + timedelta(days=30)))
        == 0
    )


def test_both_searches_ranking_one_article_first_lowers_the_bar(extractive_qa: ArchiveQA) -> None:
    """A modest dense similarity is enough when dense and keyword search independently rank the same article first;
    without that agreement the same similarity means the archive is silent."""
    threshold = extractive_qa.settings.abstain_threshold
    modest = threshold - extractive_qa.settings.agreement_relief / 2
    alone = Passage("a-000", "a", "The Bank of Caldora cut its rate.", "Rate cut", similarity=modest)
    agreed = Passage("a-000", "a", alone.text, alone.title, similarity=modest, first_on_both_sides=True)
    as_of = Filters(as_of=date(2024, 4, 1))
    assert not extractive_qa.evidence_is_strong([alone], as_of, "Did the bank cut?")
    assert extractive_qa.evidence_is_strong([agreed], as_of, "Did the bank cut?")
    passages = extractive_qa.retriever.retrieve("Bank of Caldora interest rate cut", as_of)
    assert passages[0].first_on_both_sides and "Caldora" in passages[0].title
    assert not any(p.first_on_both_sides for p in passages if p.article_id != passages[0].article_id)
