"""The app's Index tab: what the index holds, uploads, and taking a file's articles out again.

Built inside `build_ui` (ui/page.py) under its `gr.Tab("Index")`; the calls are `ArchiveApp.ingest` and
`ArchiveApp.remove`, also served as the named API endpoints `ingest` and `remove`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import gradio as gr

from ingest.removal import RemovalError
from ingest.staging import UPLOAD_TYPES
from storage.lock import StoreBusyError
from ui import render as ui

if TYPE_CHECKING:
    from ui.archive_app import ArchiveApp

INDEX_SLOT = "index-write"  # uploads and removals: one at a time (each holds the store's writer lock)
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def upload_label(max_upload_mb: float) -> str:
    """The upload box's label: every type the readers take (ingest/readers.py), and zips of them."""
    return "Add articles: " + ", ".join(UPLOAD_TYPES) + f" (up to {max_upload_mb:g} MB)"


def removal_markdown(summary: dict[str, Any]) -> str:
    """The removal result for people: what went, what another file still holds, what the index holds now."""
    if not summary:
        return ""
    counts, index = summary.get("articles") or {}, summary.get("index") or {}
    kept = counts.get("kept", 0)
    also = f"; {kept} kept (another file holds them too)" if kept else ""
    name = ui.esc(summary.get("file", "")).replace("`", "'")
    return (
        f"**Removed** `{name}`: {counts.get('removed', 0)} article(s) taken out{also}. "
        f"The index now holds {index.get('articles', 0)} articles, {index.get('chunks', 0)} chunks."
    )


class IndexPanel:
    """The Index tab's components; create it inside the tab, then `wire` it once the whole page is laid out."""

    def __init__(self, app: ArchiveApp) -> None:
        self.app = app
        self.stats = gr.HTML(ui.stats_html(app.stats))
        self.upload = gr.File(
            label=upload_label(app.settings.max_upload_mb),
            file_count="multiple",
            type="filepath",
            elem_id="aq-upload",
        )
        self.ingest_btn = gr.Button("Add to the archive", variant="primary", elem_id="aq-ingest")
        self.ingest_md = gr.Markdown(elem_id="aq-ingest-result")
        self.ingest_json = gr.Textbox(visible=False)  # the `ingest` API's JSON summary
        with gr.Row(equal_height=True):
            # Custom values pass to `ArchiveApp.remove`, which takes only listed files: an API caller's session
            # knows the choices of page build time, not the files uploaded since.
            self.file_pick = gr.Dropdown(
                self.app.file_labels,
                value=None,
                label="Remove a file's articles from the index",
                allow_custom_value=True,
                scale=4,
                elem_id="aq-remove-file",
            )
            self.remove_btn = gr.Button("Remove", variant="stop", scale=1, min_width=90, elem_id="aq-remove")
        self.remove_md = gr.Markdown(elem_id="aq-remove-result")
        self.remove_json = gr.Textbox(visible=False)  # the `remove` API's JSON summary

    def refreshed(self) -> tuple[Any, Any]:
        """New stats and file choices (page load, after an upload or a removal)."""
        return ui.stats_html(self.app.stats), gr.Dropdown(choices=self.app.file_labels, value=None)

    def wire(self, demo: gr.Blocks, sources: gr.Dropdown) -> None:
        """Upload and remove, each a named API endpoint, then refresh the tab and the Ask tab's source choices;
        on page load, refresh them when the index changed meanwhile."""
        app = self.app

        def on_load() -> tuple[Any, ...]:
            app.refresh(if_changed=True)
            return *self.refreshed(), gr.Dropdown(choices=list(app.stats.sources))

        loaded = demo.load(on_load, None, [self.stats, self.file_pick, sources], **PRIVATE)
        # A mark for scripts and tests: the page is wired and its load event is in (it resets the file choice).
        loaded.then(None, js="() => { document.documentElement.dataset.aqLoaded = '1'; }", **PRIVATE)

        def ingest_upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
            """Add uploaded files (types checked per file, zips unpacked safely) to the archive; JSON summary."""
            progress(0, desc="Checking uploads")
            return json.dumps(app.ingest(files, progress).to_json())

        def remove_file(file: str | None) -> str:
            """Take the articles of one listed file (as the Index tab names it) out of the index; JSON summary."""
            try:
                return json.dumps(app.remove(file or ""))
            except (RemovalError, StoreBusyError) as exc:  # say why; nothing was changed
                raise gr.Error(str(exc)) from None

        def after_ingest(summary: str) -> tuple[Any, ...]:
            stats, files = self.refreshed()
            ingested = ui.ingest_markdown(json.loads(summary or "{}"))
            return ingested, stats, gr.Dropdown(choices=list(app.stats.sources)), None, files

        def after_remove(summary: str) -> tuple[Any, ...]:
            stats, files = self.refreshed()
            removed = removal_markdown(json.loads(summary or "{}"))
            return removed, stats, gr.Dropdown(choices=list(app.stats.sources)), files

        writes: dict[str, Any] = {"concurrency_id": INDEX_SLOT, "concurrency_limit": 1}
        ingested = [self.ingest_md, self.stats, sources, self.upload, self.file_pick]
        self.ingest_btn.click(ingest_upload, [self.upload], self.ingest_json, api_name="ingest", **writes).then(
            after_ingest, [self.ingest_json], ingested, **PRIVATE
        )
        removed = [self.remove_md, self.stats, sources, self.file_pick]
        self.remove_btn.click(remove_file, [self.file_pick], self.remove_json, api_name="remove", **writes).then(
            after_remove, [self.remove_json], removed, **PRIVATE
        )
