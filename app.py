"""The archive-qa web app: a streaming chat with clickable citations and sources, a story timeline, an index panel.

Wiring only: the calls are `ui.archive_app.ArchiveApp` (answering is `qa.pipeline.ArchiveQA`, uploads and removal
`ingest`); the page is `ui.page` (`build_ui`, `create`), made of panels under ui/ that each build their components
and register their events: the chat (`ui.chat_panel`), the cited passages beside it (`ui.sources_panel`), the
Timeline tab (`ui.timeline_panel`) and the Index tab (`ui.index_panel`). Markup is `ui.render`, the CSS and script
`ui/static/` (`ui.assets`). Serve it with `archive-qa serve` (archive_qa/serve_cli.py) or `python app.py`.
"""

from __future__ import annotations

from ui.archive_app import ArchiveApp
from ui.page import build_ui, create

__all__ = ["ArchiveApp", "build_ui", "create"]

if __name__ == "__main__":  # `python app.py` serves like `archive-qa serve`, through the CLI
    import sys

    from archive_qa.cli import main

    raise SystemExit(main(["serve", *sys.argv[1:]]))
