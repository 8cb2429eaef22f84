"""archive-qa's hybrid, date-aware retrieval as a LangChain `BaseRetriever`, for use in your own LangChain app."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.filters import Filters
from qa.retriever import HybridRetriever


class ArchiveRetriever(BaseRetriever):
    """Documents are passages; metadata carries article id, title, source, date, url/path and the span.

    >>> from qa.pipeline import ArchiveQA
    >>> retriever = ArchiveRetriever(retriever=ArchiveQA.from_settings(Settings()).retriever)
    >>> retriever.invoke("What did the Bank of Caldora decide?")[0].metadata["title"]
    'Bank of Caldora cuts interest rate for first time in three years'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    filters: Filters | None = None
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        passages = self.retriever.retrieve(query, self.filters or Filters(), self.k)
        return [Document(page_content=p.text, metadata=_metadata(asdict(p))) for p in passages]


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if key != "text" and value is not None}
