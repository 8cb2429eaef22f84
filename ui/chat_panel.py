"""The Ask tab's chat: the streaming conversation, its input row and search options; answers go to the sources panel."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.answer import Answer, Final
from qa.registry import answerer_choices
from ui import render as ui
from ui.page_inputs import ChatRequest, page_filters

if TYPE_CHECKING:
    from ui.archive_app import ArchiveApp
    from ui.sources_panel import SourcesPanel

ANSWER_SLOT = "answer"  # one concurrency group for chat and API answers: the LLM is shared, the queue shows it
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
Chat = list[dict[str, str]]  # the Chatbot's messages as shown (escaped question, rendered answer)


def _date_box(label: str, elem_id: str) -> gr.DateTime:
    return gr.DateTime(label=label, include_time=False, type="string", min_width=200, elem_id=elem_id)


class SearchOptions:
    """The "Search options" accordion under the chat: answerer, sources, dates, passages."""

    def __init__(self, app: ArchiveApp) -> None:
        settings = app.settings
        with gr.Accordion("Search options", open=False):
            self.answerer = gr.Radio(answerer_choices(), value=settings.answerer, label="Answerer")
            self.sources = gr.Dropdown(
                list(app.stats.sources), multiselect=True, label="Sources (all when empty)", value=[]
            )
            with gr.Row():
                self.since = _date_box("Since", "aq-since")
                self.until = _date_box("Until", "aq-until")
            with gr.Row():
                self.as_of = _date_box("As of (default today)", "aq-as-of")
                self.k = gr.Slider(2, 12, value=settings.k, step=1, label="Passages", min_width=200)


class ChatPanel:
    """The chat column's components; create it in its column, then `wire` it to the sources panel.

    Usage (inside `gr.Blocks`, as ui/page.py does):

        chat = ChatPanel(app)
        answering = chat.wire(sources)  # Enter, Ask and the example questions stream an answer
    """

    def __init__(self, app: ArchiveApp) -> None:
        self.app = app
        self.turns = gr.State([])  # per answer: question, plain answer text (for follow-ups), rendered sources
        self.pending = gr.State("")  # the question being answered
        self.chatbot = gr.Chatbot(
            elem_id="aq-chat",
            height="min(620px, 72vh)",
            show_label=False,
            examples=[{"text": q} for q in app.examples],
            placeholder="Ask about the news in the archive, or pick an example.",
            render_markdown=False,
            feedback_options=None,
            buttons=[],
        )
        with gr.Row(equal_height=True):
            self.msg = gr.Textbox(
                show_label=False,
                placeholder="Ask a question…",
                scale=5,
                lines=1,
                max_lines=4,
                autofocus=True,
                elem_id="aq-input",
            )
            self.send = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="aq-ask")
            self.new_chat = gr.Button("New chat", scale=1, min_width=70, elem_id="aq-new")
        self.options = SearchOptions(app)

    def request(self, values: dict[Any, Any]) -> ChatRequest:
        """The question and its search settings, read from the page's components (gr.Error for a bad date)."""
        o = self.options
        return ChatRequest(
            question=values[self.pending],
            filters=page_filters(values[o.as_of], values[o.since], values[o.until], values[o.sources]),
            answerer=values[o.answerer],
            k=int(values[o.k]),
            turns=values[self.turns],
        )

    def start_turn(self, question: str, chat: Chat) -> tuple[Any, ...]:
        """Show the question at once (before the queue), lock the input until the answer is in."""
        question = (question or "").strip()
        if not question:
            return gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
        chat = [*chat, {"role": "user", "content": ui.esc(question)}]
        chat.append({"role": "assistant", "content": ui.pending_html()})
        searching = self.sources.empty("Searching the archive…")
        return gr.Textbox(value="", interactive=False), chat, question, gr.Button(interactive=False), searching

    def stream_answer(self, request: ChatRequest, chat: Chat) -> Generator[tuple[Any, ...], None, Answer | None]:
        """Consume `ArchiveQA.stream`: yield the chat with the answer so far at each piece (turns and sources
        unchanged); return the final Answer."""
        final = None
        stream = self.app.qa.stream(
            request.question, request.history, request.filters, request.answerer, request.k, request.previous_search
        )
        for event in stream:
            if isinstance(event, Final):
                final = event.answer
            else:
                chat[-1] = {"role": "assistant", "content": ui.pending_html(event.text)}
                yield chat, gr.skip(), gr.skip()
        return final

    def respond(self, values: dict[Any, Any]) -> Iterator[tuple[Any, ...]]:
        """Answer the pending question into the chat, then show its sources; a failure is said in the chat."""
        question, chat, past = values[self.pending], values[self.chatbot], values[self.turns]
        if not question:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        turn = len(past)
        try:
            final = yield from self.stream_answer(self.request(values), chat)
        except Exception as exc:  # a bad date, the answerer failed (endpoint down…): say so in the chat
            chat[-1] = {"role": "assistant", "content": ui.error_html(str(exc))}
            nothing = self.sources.empty("No sources: the question was not answered.")
            yield chat, [*past, {"question": question, "answer": "", "sources": nothing}], nothing
            return
        assert final is not None
        rendered = self.sources.for_answer(final, turn)
        chat[-1] = {"role": "assistant", "content": ui.answer_html(final, turn)}
        turn_record = {"question": question, "answer": final.text, "sources": rendered}
        yield chat, [*past, {**turn_record, "standalone": final.standalone_question}], rendered

    @staticmethod
    def pick_example(evt: gr.SelectData) -> str:
        return str(evt.value.get("text", "")) if isinstance(evt.value, dict) else str(evt.value)

    def clear(self) -> tuple[Any, ...]:
        return [], [], self.sources.empty(), gr.Textbox(value="", interactive=True), gr.Button(interactive=True)

    def wire(self, sources: SourcesPanel) -> list[Any]:
        """Enter, Ask and an example start a turn, then stream its answer (queued); New chat and the chat's clear
        button cancel it. Returns the answering events."""
        self.sources = sources
        o = self.options
        start_io: dict[str, Any] = {
            "fn": self.start_turn,
            "inputs": [self.msg, self.chatbot],
            "outputs": [self.msg, self.chatbot, self.pending, self.send, sources.html],
            "queue": False,
            **PRIVATE,
        }
        answer_io: dict[str, Any] = {
            "fn": self.respond,
            "inputs": {self.pending, self.chatbot, self.turns, o.answerer, o.sources, o.since, o.until, o.as_of, o.k},
            "outputs": [self.chatbot, self.turns, sources.html],
            "concurrency_id": ANSWER_SLOT,  # queued: the waiting user sees their place in the queue on the chat
            "show_progress": "minimal",
            "show_progress_on": [self.chatbot],
            **PRIVATE,
        }
        unlock = {
            "fn": lambda: (gr.Textbox(interactive=True), gr.Button(interactive=True)),
            "outputs": [self.msg, self.send],
        }

        def wire(started: Any) -> Any:
            answering = started.then(**answer_io)
            answering.then(**unlock, **PRIVATE)
            return answering

        answering = [
            wire(self.msg.submit(**start_io)),
            wire(self.send.click(**start_io)),
            wire(self.chatbot.example_select(self.pick_example, None, self.msg, **PRIVATE).then(**start_io)),
        ]
        for trigger in (self.new_chat.click, self.chatbot.clear):
            trigger(
                self.clear,
                None,
                [self.chatbot, self.turns, sources.html, self.msg, self.send],
                cancels=answering,
                **PRIVATE,
            )
        return answering
