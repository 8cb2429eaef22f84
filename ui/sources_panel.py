"""The Ask tab's sources panel: the passages an answer cites, each opening its full article; one answer at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.answer import Answer
from ui import render as ui

if TYPE_CHECKING:
    from ui.archive_app import ArchiveApp

PRIVATE: dict[str, Any] = {"api_visibility": "private"}


class SourcesPanel:
    """The panel beside the chat; create it in its column, then `wire` it to the chat once the page is laid out.

    Usage (inside `gr.Blocks`, as ui/page.py does):

        sources = SourcesPanel(app)
        sources.wire(chat.chatbot, chat.turns)  # clicking an answer shows its sources again
    """

    def __init__(self, app: ArchiveApp) -> None:
        self.app = app
        self.html = gr.HTML(ui.empty_sources_html(), elem_id="aq-sources")

    @staticmethod
    def empty(note: str | None = None) -> str:
        """The panel with nothing to show: the prompt to ask, or `note` (searching, not answered)."""
        return ui.empty_sources_html(note) if note else ui.empty_sources_html()

    def for_answer(self, answer: Answer, turn: int) -> str:
        """The panel for answer number `turn` of the chat, its cited articles' full texts read from the store."""
        return ui.sources_html(answer, turn, self.app.article_texts(answer))

    @staticmethod
    def select_turn(turns: list[dict[str, str]], evt: gr.SelectData) -> Any:
        """The sources kept for the clicked chat message's turn (a question and its answer are one turn)."""
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        turn = int(index) // 2
        return turns[turn]["sources"] if 0 <= turn < len(turns) else gr.skip()

    def wire(self, chatbot: gr.Chatbot, turns: gr.State) -> None:
        """Clicking a message in the chat shows the sources of its answer."""
        chatbot.select(self.select_turn, [turns], self.html, show_progress="hidden", **PRIVATE)
