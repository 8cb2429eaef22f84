"""The retriever as a LangChain BaseRetriever."""

from __future__ import annotations

from datetime import date

from langchain_core.retrievers import BaseRetriever

from qa.filters import Filters
from qa.langchain_retriever import ArchiveRetriever
from qa.pipeline import ArchiveQA


def test_langchain_retriever_returns_passages_with_metadata(extractive_qa: ArchiveQA) -> None:
    retriever = ArchiveRetriever(retriever=extractive_qa.retriever, filters=Filters(as_of=date(2030, 1, 1)), k=3)
    assert isinstance(retriever, BaseRetriever)
    documents = retriever.invoke("Who won the Savanna Cup in 2023?")
    assert len(documents) == 3
    first = documents[0]
    assert "Savanna Cup" in first.metadata["title"] and first.page_content
    assert {"article_id", "chunk_id", "start", "end", "score"} <= set(first.metadata)
