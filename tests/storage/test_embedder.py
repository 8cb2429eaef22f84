"""The real embedders: the int8 ONNX export (default) against the torch reference; the export is made once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from archive_qa.settings import Settings
from storage.embedder import EMBEDDERS, MINILM_DIMENSION, Embedder, _minilm_dir, ensure_onnx_export, make_embedder
from storage.factory import get_embedder

TEXTS = [
    "The central bank raised its benchmark interest rate by half a point.",
    "A battery-powered ferry entered service on the fjord.",
    "Short.",
    "Inflation climbed to 11 percent as food and energy prices rose sharply in the capital this winter.",
]


@pytest.fixture(scope="module")
def onnx() -> Embedder:
    return get_embedder(Settings(embedder="minilm-onnx-int8"))


def test_export_lives_in_the_session_cache(onnx: Embedder, archive_qa_env: Path) -> None:
    export = archive_qa_env / "minilm-onnx-int8" / "model-int8-pc.onnx"
    assert export.is_file() and export.stat().st_size > 1_000_000
    started = time.perf_counter()
    assert ensure_onnx_export(_minilm_dir(), archive_qa_env) == export  # already there: no second export
    assert time.perf_counter() - started < 1


def test_vectors_are_unit_float32_of_the_declared_dimension(onnx: Embedder) -> None:
    assert onnx.name == "all-MiniLM-L6-v2/onnx-int8/max128" and onnx.dimension == MINILM_DIMENSION
    vectors = onnx.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), MINILM_DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert onnx.embed([]).shape == (0, MINILM_DIMENSION)


def test_deterministic_and_in_the_callers_order(onnx: Embedder) -> None:
    forward = onnx.embed(TEXTS)
    assert np.allclose(forward, onnx.embed(TEXTS), atol=1e-6)
    backward = onnx.embed(TEXTS[::-1])[::-1]
    # Length-sorted batching must put each vector back on its own text: the same batch gives the same vectors.
    assert np.allclose(forward, backward, atol=1e-6)
    # Alone, a text gets a slightly different vector (int8 activations are quantized per batch), never another.
    alone = np.vstack([onnx.embed([text]) for text in TEXTS])
    assert (np.sum(forward * alone, axis=1) > 0.97).all()


def test_meaning_is_kept(onnx: Embedder) -> None:
    query, near, far = onnx.embed(["Did the central bank increase rates?", TEXTS[0], TEXTS[1]])
    assert float(query @ near) > float(query @ far) + 0.2


def test_onnx_agrees_with_the_torch_reference(onnx: Embedder) -> None:
    torch = get_embedder(Settings(embedder="minilm-torch"))
    assert torch.name == "all-MiniLM-L6-v2/torch/max128" and torch.dimension == MINILM_DIMENSION
    cosine = np.sum(onnx.embed(TEXTS) * torch.embed(TEXTS), axis=1)
    assert (cosine > 0.97).all(), cosine
    assert cosine.mean() > 0.985, cosine


def test_unknown_embedder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown embedder 'bert': use one of minilm-onnx-int8, minilm-onnx-fp32"):
        make_embedder("bert", tmp_path)


def test_the_settings_offer_exactly_the_registered_embedders() -> None:
    # Settings import nothing of ours, so their choices are a Literal of their own: it must name EMBEDDERS' keys.
    assert get_args(Settings.model_fields["embedder"].annotation) == tuple(EMBEDDERS)
    assert Settings.model_fields["embedder"].default in EMBEDDERS


def test_the_vector_reads_the_first_max_tokens_word_pieces(onnx: Embedder, archive_qa_env: Path) -> None:
    # ~165 word pieces of one story, then two different tails: past 128 pieces the tail is left out of the vector.
    head = " ".join([TEXTS[0], TEXTS[3]] * 5)
    tails = [head + " " + "fjord ferry " * 40, head + " " + "rates prices " * 40]
    assert np.allclose(*onnx.embed(tails), atol=1e-5)
    short = [TEXTS[0] + " fjord ferry", TEXTS[0] + " rates prices"]  # inside 128 pieces the ending counts
    assert float(np.dot(*onnx.embed(short))) < 0.99
    longer = make_embedder("minilm-onnx-int8", archive_qa_env, max_tokens=256)
    assert longer.name == "all-MiniLM-L6-v2/onnx-int8"  # the model's full length: the name stores had before
    assert float(np.dot(*longer.embed(tails))) < 0.99
    with pytest.raises(ValueError, match="between 1 and 256"):
        make_embedder("minilm-onnx-int8", archive_qa_env, max_tokens=512)
