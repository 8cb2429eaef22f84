"""What the page and its named API endpoints call: answers, index stats and files, uploads and removals."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from archive_qa.settings import Settings
from ingest.removal import IndexedFile, indexed_files, remove_file, uploads_root
from ingest.report import UploadSummary
from ingest.uploads import ingest_uploads
from qa.answer import Answer
from qa.pipeline import ArchiveQA
from storage.stats import index_stats
from ui.page_inputs import example_questions, page_filters


class ArchiveApp:
    """What the UI and the named API call: answering, sources, index stats and ingest of uploads.

    Usage (ui/page.py builds the page on it; `create` there does both):

        app = ArchiveApp(Settings())          # opens the store, the embedder; the LLM on first use
        json.loads(app.ask_json("Who won?"))  # what the `ask` API endpoint answers
    """

    def __init__(self, settings: Settings, qa: ArchiveQA | None = None) -> None:
        self.settings = settings
        if not settings.chroma_url:  # embedded: other processes' writes would break our queries (storage/lock.py)
            from storage.lock import keep_open

            keep_open(settings.store)
        self.qa = qa or ArchiveQA.from_settings(settings)  # embedder + store now; the LLM on first use
        # A long-running app keeps a keyword index it had to build (its store was changed by a process with another
        # store directory, e.g. on a Chroma server) for its next start and the apps that share its directory.
        self.qa.retriever.keywords.saves_built = True
        self.store = self.qa.retriever.store
        self._ingest_lock = threading.Lock()
        self.refresh()

    def refresh(self, if_changed: bool = False) -> None:
        """Re-read index stats, files and starter questions: at start, after an upload or a removal, on page load if
        the chunk set changed meanwhile (an `archive-qa ingest` beside the running app)."""
        fingerprint = self.store.fingerprint
        if if_changed and fingerprint == getattr(self, "_fingerprint", None):
            return
        records = self.store.article_records()
        self._fingerprint, self.stats = fingerprint, index_stats(self.store, records)
        self.files: list[IndexedFile] = indexed_files(records, uploads_root(self.settings))
        newest = sorted(records.values(), key=lambda r: str(r.metadata.get("published", "")), reverse=True)
        titles = [str(r.metadata.get("title", "")) for r in newest]
        self.examples = example_questions([r.locations for r in records.values()], titles)

    def warm_up(self) -> None:
        """Load BM25 and run the embedder once, so the first question is as fast as the next."""
        self.qa.retriever.keyword_index()
        self.qa.embedder.embed(["warm up"])

    def article_texts(self, answer: Answer) -> dict[str, str]:
        ids = sorted({c.passage.article_id for c in answer.citations})
        return {article_id: record.text for article_id, record in self.store.get_articles(ids).items()}

    def ingest(self, files: list[Any] | None, progress: Any = None) -> UploadSummary:
        """Check, stage and ingest uploaded files; the summary's JSON is the `ingest` API's answer."""
        paths = [Path(str(getattr(f, "path", f))) for f in files or []]
        with self._ingest_lock:
            summary = ingest_uploads(paths, self.settings, self.store, progress)
            if summary.files or summary.run.removed:
                self.qa.retriever.invalidate()  # search the new chunks now, not after the 1 s BM25 re-check
                self.refresh()
            summary.index = self.stats
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
            return {**removal.to_json(), "index": self.stats.counts()}

    # The `ask` endpoint's parameters are these (gradio reads their names, order and defaults off the signature, as
    # the `timeline` endpoint's); both read the filters as the page does, through `page_filters`.
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
        filters = page_filters(as_of, since, until, sources)
        answer = self.qa.ask(question, history or [], filters=filters, answerer=answerer or None, k=k or None)
        return json.dumps(answer.to_json())
