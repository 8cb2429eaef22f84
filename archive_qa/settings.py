"""The one settings object: every tunable of archive-qa, overridable by ARCHIVE_QA_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Defaults suit a laptop; each field maps to `ARCHIVE_QA_<FIELD>` (e.g. `ARCHIVE_QA_STORE=/data/idx`)."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_QA_", extra="ignore")

    # Where the index lives.
    store: Path = Field(Path(".archive-qa"), description="Directory of the embedded store and keyword index.")
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server; unset = embedded.")
    collection: str = "archive"

    # Ingest.
    embedder: Literal["minilm-onnx-int8", "minilm-torch"] = "minilm-onnx-int8"
    chunk_size: int = Field(1000, description="Target chunk length in characters (MiniLM reads 256 word pieces).")
    chunk_overlap: int = Field(120, description="Characters of sentence overlap between neighbouring chunks.")
    max_file_mb: float = Field(50.0, description="Files (and JSONL records) larger than this are refused, not read.")
    max_stream_mb: float = Field(4096.0, description="Decompressed bytes read from one JSONL file at most.")
    embed_batch: int = 128

    # Retrieval.
    k: int = Field(6, description="Passages given to the answerer.")
    per_article_cap: int = Field(2, description="At most this many passages from one article.")
    dense_candidates: int = 60
    keyword_candidates: int = 60
    recency_weight: float = 0.35
    abstain_threshold: float = Field(0.30, description="Top dense similarity below which the archive is deemed silent.")

    # Answering.
    answerer: Literal["llm", "extractive", "openai"] = "llm"
    model_cache: Path = Field(Path.home() / ".cache" / "archive-qa", description="Where the joined GGUF is kept.")
    llm_threads: int = 2
    llm_context: int = 4096
    max_answer_tokens: int = 200
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "local"
    openai_api_key: str = "not-needed"

    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(None, description="user:password for Gradio auth, required off loopback.")
    max_upload_mb: float = 50.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
