"""LlamaCppGenerator: one model per process, callers queue on its lock; the real Qwen cites and refuses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import qa.llm as llm
from qa.llm import LlamaCppGenerator, get_llm_generator, queue_depth
from qa.prompt import REFUSAL, answer_messages
from qa.types import Passage


class FakeLlama:
    """Streams fixed deltas in llama-cpp-python's chunk shape; `gate` lets a test hold a stream mid-way."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[dict[str, Any]] = []

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        yield {"choices": [{"delta": {"role": "assistant"}}]}
        for word in ("Rates ", "rose ", "[1]."):
            self.gate.wait(timeout=10)
            yield {"choices": [{"delta": {"content": word}}]}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[LlamaCppGenerator, FakeLlama]:
    fake_llama = FakeLlama()
    path = tmp_path / "fake.gguf"
    monkeypatch.setattr(llm, "_models", {path.resolve(): llm._SharedModel(fake_llama)})
    return LlamaCppGenerator(path), fake_llama


def _lock_is_free(generator: LlamaCppGenerator) -> bool:
    lock = generator._shared.lock
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def test_streams_deltas_greedily(fake: tuple[LlamaCppGenerator, FakeLlama]) -> None:
    generator, fake_llama = fake
    assert "".join(generator.stream([{"role": "user", "content": "Q"}], max_tokens=7)) == "Rates rose [1]."
    assert fake_llama.calls[0]["temperature"] == 0 and fake_llama.calls[0]["stream"] is True
    assert fake_llama.calls[0]["max_tokens"] == 7
    assert _lock_is_free(generator)


def test_lock_held_for_the_stream_and_released_on_early_close(fake: tuple[LlamaCppGenerator, FakeLlama]) -> None:
    generator, _ = fake
    with closing(generator.stream([], 10)) as stream:
        assert next(stream) == "Rates "
        assert not _lock_is_free(generator)
    assert _lock_is_free(generator)


def test_same_path_shares_one_model(fake: tuple[LlamaCppGenerator, FakeLlama], tmp_path: Path) -> None:
    generator, _ = fake
    assert LlamaCppGenerator(tmp_path / "fake.gguf")._shared is generator._shared


def test_concurrent_callers_queue_and_are_counted(fake: tuple[LlamaCppGenerator, FakeLlama]) -> None:
    generator, fake_llama = fake
    fake_llama.gate.clear()
    outputs: list[str] = []
    threads = [threading.Thread(target=lambda: outputs.append("".join(generator.stream([], 10)))) for _ in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while queue_depth() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue_depth() == 2 and generator.queue_depth() == 2  # one streams, two wait
    fake_llama.gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert outputs == ["Rates rose [1]."] * 3 and queue_depth() == 0


def test_lock_released_when_the_model_fails(fake: tuple[LlamaCppGenerator, FakeLlama]) -> None:
    generator, fake_llama = fake

    def broken(**_: Any) -> Iterator[dict[str, Any]]:
        raise ValueError("Requested tokens exceed context window")

    fake_llama.create_chat_completion = broken  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="context window"):
        list(generator.stream([], 10))
    assert _lock_is_free(generator)


# Invented news: the fact sits in passage [2] so a correct citation is not just the first number.
PASSAGES = [
    Passage(
        "c1",
        "a1",
        "Brenmoor Rovers beat Calder Town 2-1 on Saturday to move top of the northern league. "
        "Striker Tomas Lind scored both goals in the second half.",
        "Rovers go top after Lind double",
        "Brenmoor Gazette",
        "2022-03-05",
    ),
    Passage(
        "c2",
        "a2",
        "The harbour council of Port Elwin voted 7-2 on Tuesday to build a new ferry terminal. "
        "The terminal will cost 18 million pounds and is due to open in 2025, council leader Mia Voss said.",
        "Port Elwin approves ferry terminal",
        "Elwin Herald",
        "2022-03-08",
    ),
]


@pytest.fixture(scope="module")
def qwen() -> LlamaCppGenerator:
    from archive_qa.settings import Settings

    return get_llm_generator(Settings())  # ARCHIVE_QA_MODEL_CACHE picks the cache (default ~/.cache/archive-qa)


@pytest.mark.slow
def test_real_model_answers_with_a_citation(qwen: LlamaCppGenerator) -> None:
    messages = answer_messages("How much will the Port Elwin ferry terminal cost?", PASSAGES, date(2022, 4, 1))
    answer = "".join(qwen.stream(messages, max_tokens=80))
    assert "18 million" in answer
    assert "[2]" in answer
    assert REFUSAL not in answer


@pytest.mark.slow
def test_real_model_refuses_when_the_passages_are_silent(qwen: LlamaCppGenerator) -> None:
    messages = answer_messages("Who won the 2022 Brenmoor mayoral election?", PASSAGES, date(2022, 4, 1))
    answer = "".join(qwen.stream(messages, max_tokens=40))
    assert answer.strip() == REFUSAL
