"""The Timeline tab's markup (ui/timeline_panel.py): archive text escaped, one entry per story with its
date, outlets, title and sentence, and the article it opens with that sentence marked."""

from __future__ import annotations

from datetime import date

from qa.timeline import TimelineEntry
from qa.types import Passage
from ui.timeline_panel import timeline_html

EVIL = '<img src=x onerror="window.__pwned=1">'
TEXT = "VERAMONTE — The bank met. The rate rose to 6.25% on Tuesday. Markets fell."
SENTENCE = (TEXT.index("The rate"), TEXT.index(" Markets"))


def entry(day: date | None = date(2023, 8, 30), **fields: object) -> TimelineEntry:
    article = str(fields.pop("article_id", "a1"))
    p = Passage(chunk_id=f"{article}-000", article_id=article, text=TEXT, title="Bank lifts rate", end=len(TEXT))
    base: dict[str, object] = {
        "date": day,
        "story_id": article,
        "title": p.title,
        "sources": ("AP", "Reuters"),
        "sentence": TEXT[slice(*SENTENCE)],
        "article_ids": (article,),
        "passage": p,
        "highlight": SENTENCE,
    }
    return TimelineEntry(**{**base, **fields})  # type: ignore[arg-type]


def test_each_entry_shows_date_outlets_title_sentence_and_opens_its_article_marked() -> None:
    article = "Bank lifts rate\n\n" + TEXT + "\n\nA last paragraph."
    html = timeline_html("Caldora rates", [entry(), entry(None, article_id="b2", sources=())], {"a1": article})
    assert html.count('<li class="aq-tl-entry"') == 2 and "Timeline · Caldora rates · 2 stories" in html
    first, undated = html.split('<li class="aq-tl-entry"')[1:]
    assert 'data-date="2023-08-30"' in first and "<time>2023-08-30</time> · AP, Reuters" in first
    assert '<span class="aq-tl-sentence">The rate rose to 6.25% on Tuesday.</span></summary>' in first
    assert '<mark class="aq-span">The rate rose to 6.25% on Tuesday.</mark> Markets fell.' in first
    assert "A last paragraph." in first  # the whole article, not only the passage
    assert 'data-date="Undated"' in undated and "(no source)" in undated
    assert '<mark class="aq-span">The rate rose' in undated  # no article text: the passage, its sentence marked


def test_archive_text_and_the_query_are_escaped() -> None:
    evil = entry(title=EVIL, sources=(EVIL,), sentence=EVIL, story_id=EVIL)
    html = timeline_html(EVIL, [evil], {"a1": EVIL + " " + TEXT})
    assert "<img" not in html and "&lt;img" in html
    assert "<img" not in timeline_html(EVIL, [], {})


def test_no_entries_says_nothing_matched() -> None:
    assert "No stories in the archive match “ice hockey”." in timeline_html("ice hockey", [], {})
