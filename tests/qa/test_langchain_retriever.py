"""The retriever as a LangChain BaseRetriever: the hybrid retriever's passages as Documents, filters and k passed on."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from qa.filters import Filters
from qa.langchain_retriever import ArchiveRetriever
from qa.pipeline import ArchiveQA

QUESTION = "Who won the Savanna Cup in 2023?"
CUP_2023 = "Rift Valley Stars win Savanna Cup after extra-time thriller"
CUP_2024 = "Coastline Mariners beat Rift Valley Stars on penalties to claim Savanna Cup"


def test_documents_are_the_retrieved_passages_with_their_metadata(extractive_qa: ArchiveQA) -> None:
    filters = Filters(as_of=date(2030, 1, 1))
    documents = ArchiveRetriever(retriever=extractive_qa.retriever, filters=filters, k=3).invoke(QUESTION)
    passages = extractive_qa.retriever.retrieve(QUESTION, filters, 3)
    assert [d.page_content for d in documents] == [p.text for p in passages]
    for document, passage in zip(documents, passages, strict=True):
        fields = {key: value for key, value in asdict(passage).items() if key != "text" and value is not None}
        assert document.metadata == fields  # the passage's fields, its text as the page content
    first = documents[0].metadata
    assert first["title"] == CUP_2023 and first["published"] == "2023-10-29" and first["source"] == "Xinhua"
    assert first["end"] - first["start"] >= len(documents[0].page_content) > 0


def test_k_is_honoured(extractive_qa: ArchiveQA) -> None:
    filters = Filters(as_of=date(2030, 1, 1))
    for k in (1, 5):
        assert len(ArchiveRetriever(retriever=extractive_qa.retriever, filters=filters, k=k).invoke(QUESTION)) == k
    default = ArchiveRetriever(retriever=extractive_qa.retriever, filters=filters).invoke(QUESTION)
    assert len(default) == extractive_qa.retriever.config.k


def test_filters_are_applied(extractive_qa: ArchiveQA) -> None:
    def titles(filters: Filters) -> list[str]:
        documents = ArchiveRetriever(retriever=extractive_qa.retriever, filters=filters, k=3).invoke(QUESTION)
        assert all(d.metadata.get("published", "") <= filters.as_of.isoformat() for d in documents)
        return [d.metadata["title"] for d in documents]

    assert CUP_2024 in titles(Filters(as_of=date(2030, 1, 1)))
    before_the_2024_final = titles(Filters(as_of=date(2024, 1, 1)))
    assert CUP_2023 in before_the_2024_final and CUP_2024 not in before_the_2024_final
    since_2024 = titles(Filters(as_of=date(2030, 1, 1), since=date(2024, 1, 1)))
    assert since_2024[0] == CUP_2024 and CUP_2023 not in since_2024
    reuters = ArchiveRetriever(
        retriever=extractive_qa.retriever, filters=Filters(as_of=date(2030, 1, 1), sources=("Reuters",)), k=5
    ).invoke("What did the Bank of Caldora decide?")
    assert len(reuters) == 5 and {d.metadata["source"] for d in reuters} == {"Reuters"}
