"""The app's HTML: archive text is escaped, only http(s) links, [n] become links to cards, marks sit right."""

from __future__ import annotations

from qa.answer import Answer, Provenance
from qa.types import Citation, Passage
from storage.stats import IndexStats
from ui import render as ui

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def passage(**fields: object) -> Passage:
    base: dict[str, object] = {
        "chunk_id": "a1-000",
        "article_id": "a1",
        "text": "First sentence here. The rate rose to 6.25% on Tuesday. Last one.",
        "title": "Bank lifts rate",
        "source": "AP",
        "published": "2023-08-30",
        "place": "Veramonte",
        "url": "https://news.example/rate",
        "start": 10,
        "end": 75,
    }
    return Passage(**{**base, **fields})  # type: ignore[arg-type]


def answer(p: Passage, text: str = "The rate rose to 6.25% [1].", abstained: bool = False) -> Answer:
    citations = [] if abstained else [Citation(1, p, (21, 55))]
    return Answer("What rate?", "What rate? (Bank)", text, abstained, citations, [p], [p])


def test_citations_become_links_to_cards_and_bad_numbers_do_not() -> None:
    html = ui.answer_html(answer(passage(), "Rose [1] and [7]."), turn=3)
    assert '<a class="aq-cite" href="#src-3-1"' in html
    assert "[7]" in html and "#src-3-7" not in html
    assert "Searched for: What rate? (Bank)" in html


def test_archive_text_is_escaped_everywhere() -> None:
    p = passage(
        title=EVIL, text=EVIL + " The rate rose.", source=EVIL, place=EVIL, url="javascript:alert(1)", path=EVIL
    )
    html = ui.sources_html(answer(p, "x " + EVIL + " [1]"), 0, {"a1": "Intro. " + EVIL})
    html += ui.answer_html(answer(p, EVIL + " [1]"), 0) + ui.answer_html(answer(p, EVIL, abstained=True), 0)
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html


def test_supporting_sentence_is_marked_and_full_article_marks_the_passage() -> None:
    p = passage()
    article = "Intro line. " + p.text + " Tail."
    p = passage(start=article.index(p.text), end=article.index(p.text) + len(p.text))
    html = ui.sources_html(answer(p), 2, {"a1": article})
    assert "<mark>The rate rose to 6.25% on Tuesday." in html.replace("</mark>", "|").split("|")[0] + "</mark>"
    assert 'id="src-2-1"' in html
    assert f'<mark class="aq-span">{p.text}</mark>' in html
    assert '<a href="https://news.example/rate"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_full_article_survives_stale_spans() -> None:
    p = passage(start=0, end=5)  # spans of another chunker version: the passage is found by its text instead
    article = "Intro line. " + p.text
    html = ui.sources_html(answer(p), 0, {"a1": article})
    assert f'<mark class="aq-span">{p.text}</mark>' in html


def test_quoted_fallback_says_the_sentences_are_quoted() -> None:
    quoted = answer(passage(), "The rate rose to 6.25% on Tuesday. [1]")
    quoted.answerer, quoted.provenance = "llama.cpp/qwen", Provenance.QUOTED_AFTER_DECLINE
    assert "Quoted from the archive" in ui.answer_html(quoted, 0)
    assert "Quoted from the archive" not in ui.answer_html(answer(passage()), 0)


def test_quotes_after_an_echo_are_marked_as_such() -> None:
    echoed = answer(passage(), "The rate rose on Tuesday [1].\n\nThe rate rose to 6.25% on Tuesday. [1]")
    echoed.answerer, echoed.provenance = "llama.cpp/qwen", Provenance.QUOTED_AFTER_ECHO
    html = ui.answer_html(echoed, 0)
    assert "only restated the question" in html and "Quoted from the archive" not in html
    assert "only restated the question" not in ui.answer_html(answer(passage()), 0)


def test_abstention_lists_closest_articles() -> None:
    html = ui.answer_html(answer(passage(), "The archive does not contain an answer.", abstained=True), 0)
    assert '<ul class="aq-closest"><li>Bank lifts rate' in html
    panel = ui.sources_html(answer(passage(), "none", abstained=True), 0, {})
    assert "does not hold this answer" in panel and "Bank lifts rate" in panel


def test_stats_and_ingest_summaries_render() -> None:
    stats = IndexStats(
        articles=2,
        chunks=5,
        sources={"AP": 1, "A|B": 1},
        date_range=("2023-01-01", "2024-01-01"),
        undated_articles=0,
        embedder={"name": "minilm", "dimension": 384},
        chunker="c1",
        collection="archive",
    )
    assert "2023-01-01 – 2024-01-01" in ui.stats_html(stats) and "A|B" in ui.stats_html(stats)
    summary = {
        "articles": {"new": 1, "failed": 1},
        "chunks_written": 2,
        "seconds": 0.1,
        "errors": [{"path": "x/evil.zip", "reason": "zip member '../e' points outside"}],
    }
    text = ui.ingest_markdown(summary)
    assert "1 new" in text and "`evil.zip`" in text and "points outside" in text


def test_article_span_finds_a_sentence_of_the_passage_in_the_article() -> None:
    p = passage()
    article = "Intro line. " + p.text + " Tail."
    sentence = (p.text.index("The rate"), p.text.index(" Last"))
    placed = passage(start=article.index(p.text), end=article.index(p.text) + len(p.text))
    for shown in (placed, p):  # its own span, or (another chunker version's span) where its text is found
        start, end = ui.article_span(shown, article, *sentence)
        assert article[start:end] == "The rate rose to 6.25% on Tuesday."
    gone = passage(text="Not in the article. The rate rose to 6.25% on Tuesday.", start=0, end=5)
    start, end = ui.article_span(gone, article, 20, len(gone.text))  # the passage is not there: its sentence is
    assert article[start:end] == "The rate rose to 6.25% on Tuesday."
    assert ui.article_span(passage(text="Elsewhere entirely."), article, 0, 9) == (0, 0)
    html = ui.article_html(article, start, end)
    assert '<div class="aq-full">Intro line.' in html and '<mark class="aq-span">The rate rose' in html
