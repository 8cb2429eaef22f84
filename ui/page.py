"""The whole page: the Ask tab (chat beside its sources), the Timeline and Index tabs, and the `ask` API endpoint."""

from __future__ import annotations

import gradio as gr

from archive_qa.settings import Settings
from qa.pipeline import ArchiveQA
from ui.archive_app import ArchiveApp
from ui.chat_panel import ANSWER_SLOT, ChatPanel
from ui.index_panel import IndexPanel
from ui.sources_panel import SourcesPanel
from ui.timeline_panel import TimelinePanel

TITLE = "### Archive QA — ask the news archive; every answer cites its sources"


def build_ui(app: ArchiveApp) -> gr.Blocks:
    """Lay out the panels, then register their events in page order.

    Usage (`create` does this and queues it; archive_qa/serve_cli.py launches it):

        demo = build_ui(ArchiveApp(Settings()))
    """
    with gr.Blocks(title="Archive QA", analytics_enabled=False) as demo:
        gr.Markdown(TITLE)
        with gr.Tab("Ask"), gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chat = ChatPanel(app)
            with gr.Column(scale=2, min_width=300):
                sources = SourcesPanel(app)
        with gr.Tab("Timeline"):
            timeline = TimelinePanel(app)
        with gr.Tab("Index"):
            index = IndexPanel(app)
        # Events in page order: chat, sources, index (with the page's load), timeline, then the `ask` endpoint.
        chat.wire(sources)
        sources.wire(chat.chatbot, chat.turns)
        index.wire(demo, chat.options.sources)
        timeline.wire()
        gr.api(app.ask_json, api_name="ask", concurrency_id=ANSWER_SLOT)
    return demo


def create(settings: Settings | None = None, qa: ArchiveQA | None = None) -> tuple[gr.Blocks, ArchiveApp]:
    """The app for `settings` (default: environment), queued so answers share the model one at a time."""
    app = ArchiveApp(settings or Settings(), qa)
    app.warm_up()
    demo = build_ui(app)
    demo.queue()
    return demo, app
