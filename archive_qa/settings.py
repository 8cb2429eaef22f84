"""The one settings object: every tunable of archive-qa, overridable by ARCHIVE_QA_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# MiniLM's training length in word pieces (storage/embedder.py keeps the same number: a test checks they agree).
MINILM_TRAINED_TOKENS = 128


class Settings(BaseSettings):
    """Defaults suit a laptop; each field maps to `ARCHIVE_QA_<FIELD>` (e.g. `ARCHIVE_QA_STORE=/data/idx`)."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_QA_", extra="ignore")

    # Where the index lives.
    store: Path = Field(Path(".archive-qa"), description="Directory of the embedded store and keyword index.")
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server; unset = embedded.")
    collection: str = "archive"

    # Ingest.
    # The names of storage/embedder.py's EMBEDDERS (settings import nothing of ours: a test checks the two agree).
    embedder: Literal["minilm-onnx-int8", "minilm-onnx-fp32", "minilm-torch"] = "minilm-onnx-int8"
    chunk_size: int = Field(1000, description="Target chunk length in characters (BM25 reads all of it).")
    chunk_overlap: int = Field(120, description="Characters of sentence overlap between neighbouring chunks.")
    max_file_mb: float = Field(50.0, description="Files (and JSONL records) larger than this are refused, not read.")
    max_stream_mb: float = Field(4096.0, description="Decompressed bytes read from one JSONL file at most.")
    embed_batch: int = 128
    # Changing it changes the vectors: the store refuses the other setting until re-indexed.
    embed_max_tokens: int = Field(
        MINILM_TRAINED_TOKENS, description="Word pieces of title line and chunk the dense vector reads; BM25 reads all."
    )

    # Retrieval.
    k: int = Field(6, description="Passages given to the answerer.")
    per_article_cap: int = Field(2, description="At most this many passages from one article.")
    dense_candidates: int = Field(100, description="Nearest chunks taken from Chroma before fusion.")
    keyword_candidates: int = Field(100, description="Best BM25 chunks taken before fusion.")
    keyword_weight: float = Field(2.5, description="Weight of the BM25 ranking against the dense one in fusion.")
    rrf_k: int = Field(30, description="Reciprocal-rank-fusion constant; smaller trusts the top ranks more.")
    article_support: float = Field(0.4, description="Share of an article's 2nd and 3rd chunk scores added to its best.")
    recency_weight: float = Field(0.7, description="Boost of an article from the as-of day (doubled for 'latest').")
    recency_half_life_days: float = Field(14.0, description="Days after which the recency boost halves.")
    # The highest threshold abstaining by retrieval alone on at most 5% of the answerable questions of each
    # development year (2022: 3.0%, 2023: 4.9%; right on 62% / 36% of their unanswerable ones), leaving half of the
    # 10% false-abstention budget to the model: `python -m bench.transfer`, docs/quality.md ("Two years").
    abstain_threshold: float = Field(0.48, description="Top dense similarity below which the archive is deemed silent.")
    # On both years it changes false abstention by nothing and right abstention by -2.3 / -0.5 points; it is kept for
    # small archives, where a short question's best chunk can score 0.35-0.45 although both searches find it first.
    agreement_relief: float = Field(
        0.15,
        description="Lower the abstention threshold by this when dense and keyword search rank the same article first.",
    )
    # Of the 2022 dev questions, 72% of answerable and 6% of unanswerable ones reach 0.65: there a refusal by the
    # model is far likelier its misreading (it refused 16% of answerable questions, most with the answer in view).
    fallback_threshold: float = Field(
        0.65, description="If the model declines although the top similarity reaches this, quote the best sentences."
    )
    # Holding such questions to the window's articles fitted 2022 (its gold articles are within 21 days in 91% of
    # cases) but declined 9.6% of the answerable 2023 questions, whose gold articles are often older background
    # stories; what transfers is the archive's coverage: nothing at all from that time, nothing to answer from.
    recent_window_days: int = Field(
        21,
        description="A question naming a recent time ('this week', 'yesterday', 'on Monday') is declined when the "
        "archive holds no article from this many days before the as-of date; 0 turns it off.",
    )
    news_window_days: int = Field(
        0, description="If > 0, only passages from this many days before the as-of date count as evidence (news quiz)."
    )

    # Answering.
    # A name in qa/registry.py's ANSWERERS, checked there when answering begins (settings import nothing of ours).
    answerer: str = "llm"
    model_cache: Path = Field(Path.home() / ".cache" / "archive-qa", description="Where the joined GGUF is kept.")
    llm_threads: int = 2
    llm_context: int = 4096
    llm_context_chars: int = Field(600, description="Characters of best sentences the model reads (~100 tokens/s).")
    llm_passages: int = Field(3, description="Passages those sentences may come from.")
    max_answer_tokens: int = 200
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "local"
    openai_api_key: str = "not-needed"

    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(None, description="user:password for Gradio auth, required off loopback.")
    max_upload_mb: float = 50.0
