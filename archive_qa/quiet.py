"""Keep the libraries' logs and progress bars out of what the CLI prints: its own bar, summary and errors only."""

from __future__ import annotations

import logging
import os

# bm25s sets its logger to DEBUG when it is imported, so once any library had given the root logger a handler,
# every index build printed "DEBUG:bm25s:Building index from tokens". The others log advice a user of the CLI
# cannot act on.
_CHATTY = ("bm25s", "transformers", "sentence_transformers", "huggingface_hub", "onnxruntime", "chromadb", "torch")


def _warnings_and_up(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def quiet_libraries() -> None:
    """Call before the model libraries load: their loggers say only warnings, their progress bars stay off.

    Hugging Face's progress bars ("Loading weights" while the embedder is exported on a first run) read the
    variable when they are imported; archive-qa's own bars are plain tqdm and are not affected.
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in _CHATTY:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if _warnings_and_up not in logger.filters:  # a filter outlasts the level a library sets on import
            logger.addFilter(_warnings_and_up)
