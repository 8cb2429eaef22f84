"""The app's Timeline tab: how a story developed, one entry per story, each opening its article at its sentence.

Built inside `build_ui` (ui/page.py) under its `gr.Tab("Timeline")`; the call is `ArchiveQA.timeline` (qa/timeline.py),
also served as the named API endpoint `timeline`. The entries' markup is here; the full-article markup shared with
the sources panel's cards is in `ui.render`, the CSS and the script that scrolls an opened entry's sentence into
view in ui/static/.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.filters import Filters
from qa.timeline import TimelineEntry
from ui import render as ui
from ui.page_inputs import page_filters

if TYPE_CHECKING:
    from ui.archive_app import ArchiveApp

TIMELINE_SLOT = "timeline"  # the tab and the API build one timeline at a time (the embedder runs on two cores)
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
DEFAULT_LIMIT = 20
PROMPT = "Name a story (e.g. “Bank of Caldora interest rate”): its articles appear here, oldest first."


def empty_timeline_html(note: str = PROMPT) -> str:
    return f'<p class="aq-panel-title">Timeline</p><p class="aq-empty">{ui.esc(note)}</p>'


def timeline_html(query: str, entries: Sequence[TimelineEntry], articles: Mapping[str, str]) -> str:
    """The timeline for people: per story its date, outlets, title and sentence; clicking one opens its article
    (`articles`: article id -> text) with the sentence marked."""
    if not entries:
        return empty_timeline_html(f"No stories in the archive match “{query}”.")
    count = f"{len(entries)} stor{'y' if len(entries) == 1 else 'ies'}"
    items = "".join(_entry_html(entry, articles.get(entry.passage.article_id)) for entry in entries)
    return f'<p class="aq-panel-title">Timeline · {ui.esc(query)} · {count}</p><ol class="aq-timeline">{items}</ol>'


def _entry_html(entry: TimelineEntry, article_text: str | None) -> str:
    when = entry.date.isoformat() if entry.date else "Undated"
    outlets = ", ".join(entry.sources) or "(no source)"
    if article_text:
        article = ui.article_html(article_text, *ui.article_span(entry.passage, article_text, *entry.highlight))
    else:  # the record is gone (removed meanwhile): the passage is what is left to show
        article = ui.article_html(entry.passage.text, *entry.highlight)
    return (
        f'<li class="aq-tl-entry" data-date="{ui.esc(when)}" data-story="{ui.esc(entry.story_id)}">'
        '<details class="aq-tl-article"><summary>'
        f'<span class="aq-tl-head"><time>{ui.esc(when)}</time> · {ui.esc(outlets)}</span>'
        f'<span class="aq-tl-title">{ui.esc(entry.title)}</span>'
        f'<span class="aq-tl-sentence">{ui.esc(entry.sentence)}</span></summary>'
        f'<div class="aq-meta">{ui.meta_html(entry.passage)}</div>{article}</details></li>'
    )


class TimelinePanel:
    """The Timeline tab's components; create it inside the tab, then `wire` it once the whole page is laid out."""

    def __init__(self, app: ArchiveApp) -> None:
        self.app = app
        with gr.Row(equal_height=True):
            self.query = gr.Textbox(
                show_label=False, placeholder="A story to follow…", scale=5, lines=1, elem_id="aq-tl-query"
            )
            self.button = gr.Button("Show timeline", variant="primary", scale=1, min_width=120, elem_id="aq-tl-show")
        with gr.Row():
            date_box: dict[str, Any] = {"include_time": False, "type": "string", "min_width": 200}
            self.since = gr.DateTime(label="Since", elem_id="aq-tl-since", **date_box)
            self.until = gr.DateTime(label="Until", elem_id="aq-tl-until", **date_box)
        self.entries_html = gr.HTML(empty_timeline_html(), elem_id="aq-timeline")

    def entries(self, query: str, filters: Filters, limit: int = 0) -> list[TimelineEntry]:
        """The timeline through `ArchiveQA.timeline`."""
        return self.app.qa.timeline(query.strip(), filters, int(limit or DEFAULT_LIMIT))

    def timeline_json(
        self,
        query: str,
        since: str = "",
        until: str = "",
        as_of: str = "",
        sources: list[str] | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> str:
        """How a story developed: the archive's stories on `query`, oldest first (undated last). Returns the JSON
        text of a list of {date, story_id, title, sources, sentence, article_ids}, as `archive-qa timeline --json`."""
        if not (query or "").strip():
            raise gr.Error("query is empty")
        entries = self.entries(query, page_filters(as_of, since, until, sources), limit)
        return json.dumps([entry.to_json() for entry in entries])

    def show(self, query: str, since: Any, until: Any) -> str:
        """The rendered timeline for the tab; a bad date or a failure is said in its place."""
        query = (query or "").strip()
        if not query:
            return empty_timeline_html()
        try:
            entries = self.entries(query, page_filters(since=since, until=until))
        except Exception as exc:  # a date that is none, the store unreachable: say so where the entries would be
            return empty_timeline_html(f"Could not build the timeline: {getattr(exc, 'message', None) or exc}")
        ids = sorted({entry.passage.article_id for entry in entries})
        articles = {article_id: record.text for article_id, record in self.app.store.get_articles(ids).items()}
        return timeline_html(query, entries, articles)

    def wire(self) -> None:
        """The button and Enter in the query box render the timeline; `timeline` is the named API endpoint."""
        inputs, shown = [self.query, self.since, self.until], {"concurrency_id": TIMELINE_SLOT, **PRIVATE}
        for trigger in (self.button.click, self.query.submit):
            trigger(self.show, inputs, self.entries_html, show_progress="minimal", **shown)
        gr.api(self.timeline_json, api_name="timeline", concurrency_id=TIMELINE_SLOT)
