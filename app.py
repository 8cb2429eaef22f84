"""The archive-qa web app: a streaming chat with clickable citations and sources, a story timeline, an index panel.

Wiring only: answering is `qa.pipeline.ArchiveQA`, ingest is `ingest`, markup is `ui.render`, the Timeline
tab is `ui.timeline_panel`, the Index tab `ui.index_panel` (uploads: `ingest.uploads`,
removal: `ingest.removal`), dates and starter questions `ui.page_inputs`. Serve it with `archive-qa serve`
(see archive_qa/serve_cli.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from archive_qa.settings import Settings
from ingest.removal import IndexedFile, indexed_files, remove_file, uploads_root
from ingest.uploads import ingest_uploads
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from qa.types import Answer
from storage.stats import index_stats
from ui import render as ui
from ui.index_panel import IndexPanel
from ui.page_inputs import chat_history, example_questions, parse_date
from ui.timeline_panel import TimelinePanel

ANSWERERS = [("Local LLM", "llm"), ("Extractive (no model)", "extractive"), ("Configured endpoint", "openai")]
ANSWER_SLOT = "answer"  # one concurrency group for chat and API answers: the LLM is shared, the queue shows it


class ArchiveApp:
    """What the UI and the named API call: answering, sources, index stats and ingest of uploads."""

    def __init__(self, settings: Settings, qa: ArchiveQA | None = None) -> None:
        self.settings = settings
        if not settings.chroma_url:  # embedded: other processes' writes would break our queries (storage/lock.py)
            from storage.lock import keep_open

            keep_open(settings.store)
        self.qa = qa or ArchiveQA.from_settings(settings)  # embedder + store now; the LLM on first use
        self.store = self.qa.retriever.store
        self._ingest_lock = threading.Lock()
        self.refresh()

    def refresh(self, if_changed: bool = False) -> None:
        """Re-read index stats, files and starter questions: at start, after an upload or a removal, on page load if
        the chunk set changed meanwhile (an `archive-qa ingest` beside the running app)."""
        fingerprint = self.store.fingerprint
        if if_changed and fingerprint == getattr(self, "_fingerprint", None):
            return
        self._fingerprint, self.stats = fingerprint, index_stats(self.store)
        records = self.store.article_records()
        self.files: list[IndexedFile] = indexed_files(records, uploads_root(self.settings))
        newest = sorted(records.values(), key=lambda r: str(r.metadata.get("published", "")), reverse=True)
        titles = [str(r.metadata.get("title", "")) for r in newest]
        self.examples = example_questions([r.locations for r in records.values()], titles)

    def warm_up(self) -> None:
        """Load BM25 and run the embedder once, so the first question is as fast as the next."""
        self.qa.retriever.keyword_index()
        self.qa.embedder.embed(["warm up"])

    def filters(self, as_of: Any = None, since: Any = None, until: Any = None, sources: Any = None) -> Filters:
        return Filters(
            as_of=parse_date(as_of, "as-of date") or date.today(),
            since=parse_date(since, "since"),
            until=parse_date(until, "until"),
            sources=tuple(sources or ()),
        )

    def article_texts(self, answer: Answer) -> dict[str, str]:
        ids = sorted({c.passage.article_id for c in answer.citations})
        return {article_id: record.text for article_id, record in self.store.get_articles(ids).items()}

    def ingest(self, files: list[Any] | None, progress: Any = None) -> dict[str, Any]:
        """Check, stage and ingest uploaded files; the summary is the `ingest` API's answer."""
        paths = [Path(str(getattr(f, "path", f))) for f in files or []]
        with self._ingest_lock:
            summary = ingest_uploads(paths, self.settings, self.store, progress)
            if summary["files"] or summary["articles"]["removed"]:
                self.qa.retriever.invalidate()  # search the new chunks now, not after the 1 s BM25 re-check
                self.refresh()
            summary["index"] = {key: self.stats[key] for key in ("articles", "chunks")}
            return summary

    @property
    def file_labels(self) -> list[str]:
        return [f.label for f in self.files]

    def remove(self, label: str) -> dict[str, Any]:
        """Take the articles of one listed file (`file_labels`) out of the index; the `remove` API's answer.
        RemovalError for a file that is not listed, StoreBusyError while another process writes to the store."""
        with self._ingest_lock:
            removal = remove_file(self.settings, self.store, self.files, label)
            self.qa.retriever.invalidate()
            self.refresh()
            return {**removal.to_json(), "index": {key: self.stats[key] for key in ("articles", "chunks")}}

    def ask_json(
        self,
        question: str,
        answerer: str = "",
        as_of: str = "",
        since: str = "",
        until: str = "",
        sources: list[str] | None = None,
        k: int = 0,
        history: list[dict[str, str]] | None = None,
    ) -> str:
        """Answer a question from the archive. Returns the JSON text of Answer.to_json() (answer, citations…).

        JSON text, not an object: gradio_client would take every {"path": …} in it (citations, related) for a
        file to download."""
        if not (question or "").strip():
            raise gr.Error("question is empty")
        filters = self.filters(as_of, since, until, sources)
        answer = self.qa.ask(question, history or [], filters=filters, answerer=answerer or None, k=k or None)
        return json.dumps(answer.to_json())


def build_ui(app: ArchiveApp) -> gr.Blocks:
    settings = app.settings
    source_choices = list(app.stats["sources"])
    with gr.Blocks(title="Archive QA", analytics_enabled=False) as demo:
        gr.Markdown("### Archive QA — ask the news archive; every answer cites its sources")
        turns = gr.State([])  # per answer: question, plain answer text (for follow-ups), rendered sources
        pending = gr.State("")  # the question being answered
        with gr.Tab("Ask"), gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chatbot = gr.Chatbot(
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
                    msg = gr.Textbox(
                        show_label=False,
                        placeholder="Ask a question…",
                        scale=5,
                        lines=1,
                        max_lines=4,
                        autofocus=True,
                        elem_id="aq-input",
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="aq-ask")
                    new_chat = gr.Button("New chat", scale=1, min_width=70, elem_id="aq-new")
                with gr.Accordion("Search options", open=False):
                    answerer = gr.Radio(ANSWERERS, value=settings.answerer, label="Answerer")
                    sources = gr.Dropdown(source_choices, multiselect=True, label="Sources (all when empty)", value=[])
                    with gr.Row():
                        since = gr.DateTime(
                            label="Since", include_time=False, type="string", min_width=200, elem_id="aq-since"
                        )
                        until = gr.DateTime(
                            label="Until", include_time=False, type="string", min_width=200, elem_id="aq-until"
                        )
                    with gr.Row():
                        as_of = gr.DateTime(
                            label="As of (default today)",
                            include_time=False,
                            type="string",
                            min_width=200,
                            elem_id="aq-as-of",
                        )
                        k = gr.Slider(2, 12, value=settings.k, step=1, label="Passages", min_width=200)
            with gr.Column(scale=2, min_width=300):
                panel = gr.HTML(ui.empty_sources_html(), elem_id="aq-sources")
        with gr.Tab("Timeline"):
            timeline_panel = TimelinePanel(app)
        with gr.Tab("Index"):
            index_panel = IndexPanel(app)

        def start_turn(question: str, chat: list) -> tuple[Any, ...]:
            """Show the question at once (before the queue), lock the input until the answer is in."""
            question = (question or "").strip()
            if not question:
                return gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
            chat = [*chat, {"role": "user", "content": ui.esc(question)}]
            chat.append({"role": "assistant", "content": ui.pending_html()})
            searching = ui.empty_sources_html("Searching the archive…")
            return gr.Textbox(value="", interactive=False), chat, question, gr.Button(interactive=False), searching

        def respond(
            question: str, chat: list, past: list, kind: str, picked: list, lo: Any, hi: Any, asof: Any, n: float
        ) -> Iterator[tuple[Any, ...]]:
            if not question:
                yield gr.skip(), gr.skip(), gr.skip()
                return
            turn, final = len(past), None
            try:
                filters = app.filters(asof, lo, hi, picked)
                searched = [t.get("standalone") for t in past if t["answer"]]  # how earlier follow-ups were resolved
                previous = searched[-1] if searched else None
                for item in app.qa.stream(question, chat_history(past), filters, kind, int(n), previous):
                    if isinstance(item, Answer):
                        final = item
                    else:
                        chat[-1] = {"role": "assistant", "content": ui.pending_html(item)}
                        yield chat, gr.skip(), gr.skip()
            except Exception as exc:  # a bad date, the answerer failed (endpoint down…): say so in the chat
                chat[-1] = {"role": "assistant", "content": ui.error_html(str(exc))}
                nothing = ui.empty_sources_html("No sources: the question was not answered.")
                yield chat, [*past, {"question": question, "answer": "", "sources": nothing}], nothing
                return
            assert final is not None
            rendered = ui.sources_html(final, turn, app.article_texts(final))
            chat[-1] = {"role": "assistant", "content": ui.answer_html(final, turn)}
            turn_record = {"question": question, "answer": final.text, "sources": rendered}
            yield chat, [*past, {**turn_record, "standalone": final.standalone_question}], rendered

        def select_turn(past: list, evt: gr.SelectData) -> Any:
            index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
            turn = int(index) // 2
            return past[turn]["sources"] if 0 <= turn < len(past) else gr.skip()

        def pick_example(evt: gr.SelectData) -> str:
            return str(evt.value.get("text", "")) if isinstance(evt.value, dict) else str(evt.value)

        private: dict[str, Any] = {"api_visibility": "private"}
        start_io: dict[str, Any] = {
            "fn": start_turn,
            "inputs": [msg, chatbot],
            "outputs": [msg, chatbot, pending, send, panel],
            "queue": False,
            **private,
        }
        answer_io: dict[str, Any] = {
            "fn": respond,
            "inputs": [pending, chatbot, turns, answerer, sources, since, until, as_of, k],
            "outputs": [chatbot, turns, panel],
            "concurrency_id": ANSWER_SLOT,  # queued: the waiting user sees their place in the queue on the chat
            "show_progress": "minimal",
            "show_progress_on": [chatbot],
            **private,
        }
        unlock = {"fn": lambda: (gr.Textbox(interactive=True), gr.Button(interactive=True)), "outputs": [msg, send]}

        def wire(started: Any) -> Any:
            answering = started.then(**answer_io)
            answering.then(**unlock, **private)
            return answering

        answering = [
            wire(msg.submit(**start_io)),
            wire(send.click(**start_io)),
            wire(chatbot.example_select(pick_example, None, msg, **private).then(**start_io)),
        ]

        def clear() -> tuple[Any, ...]:
            return [], [], ui.empty_sources_html(), gr.Textbox(value="", interactive=True), gr.Button(interactive=True)

        for trigger in (new_chat.click, chatbot.clear):
            trigger(clear, None, [chatbot, turns, panel, msg, send], cancels=answering, **private)
        chatbot.select(select_turn, [turns], panel, show_progress="hidden", **private)
        index_panel.wire(demo, sources)
        timeline_panel.wire()
        gr.api(app.ask_json, api_name="ask", concurrency_id=ANSWER_SLOT)
    return demo


def create(settings: Settings | None = None, qa: ArchiveQA | None = None) -> tuple[gr.Blocks, ArchiveApp]:
    """The app for `settings` (default: environment), queued so answers share the model one at a time."""
    app = ArchiveApp(settings or Settings(), qa)
    app.warm_up()
    demo = build_ui(app)
    demo.queue()
    return demo, app


if __name__ == "__main__":  # `python app.py` serves like `archive-qa serve` with the environment's settings
    from archive_qa.serve_cli import main

    raise SystemExit(main())
