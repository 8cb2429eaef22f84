"""The default generator: a local GGUF chat model on xllamacpp (llama.cpp's own server engine, prebuilt wheels)."""

from __future__ import annotations

import queue
import secrets
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generators.base import Message
from generators.model_file import ensure_model

_DONE = object()  # end of one stream in the queue between llama.cpp's callback and the caller


class LlmSettings(Protocol):
    """The fields of `archive_qa.settings.Settings` this module reads (structural: tests may pass a stub)."""

    model_cache: Path
    llm_context: int
    llm_threads: int


class LlmRuntimeError(RuntimeError):
    """llama.cpp refused or failed a request (the message is its own)."""


@dataclass(frozen=True)
class StreamTimings:
    """llama.cpp's own count of one stream: prompt tokens read and tokens generated, with their rates."""

    prompt_tokens: int  # read for this request (the rest of the prompt was a prefix llama.cpp had cached)
    prompt_tokens_per_s: float
    generated_tokens: int
    generated_tokens_per_s: float
    cached_prompt_tokens: int = 0

    @classmethod
    def of(cls, timings: dict[str, Any]) -> StreamTimings:
        return cls(
            int(timings.get("prompt_n", 0)),
            float(timings.get("prompt_per_second", 0.0)),
            int(timings.get("predicted_n", 0)),
            float(timings.get("predicted_per_second", 0.0)),
            int(timings.get("cache_n", 0)),
        )


# One engine per model file per process: a 1.5B Q4 model is ~1.1 GB of weights plus its KV cache, and on a
# 2-core CPU two concurrent generations are each slower than one after the other (one slot, requests queue).
_servers: dict[Path, Any] = {}
_servers_lock = threading.Lock()
# The engine also listens on a loopback port (llama.cpp's HTTP API); a per-process key keeps other local users
# out of it. archive-qa calls the engine directly, which needs no key.
_api_key = secrets.token_hex(16)


def _params(model_path: Path, n_ctx: int, n_threads: int) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    # Prompt reading too: llama.cpp would otherwise read prompts on every core, whatever the setting.
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    params.flash_attn_type = xllamacpp.llama_flash_attn_type.LLAMA_FLASH_ATTN_TYPE_ENABLED
    params.sampling.temp = 0.0  # greedy: the same question over the same passages gets the same answer
    params.sampling.top_k = 1
    params.verbosity = -1  # its per-request log lines would fill the app's console
    params.api_keys = [_api_key]
    params.warmup = True
    return params


def shared_server(model_path: Path, n_ctx: int = 4096, n_threads: int = 2) -> Any:
    """The process's llama.cpp server for `model_path`, loaded on first use; later n_ctx/n_threads are ignored."""
    key = model_path.resolve()
    with _servers_lock:
        if key not in _servers:
            import xllamacpp

            _servers[key] = xllamacpp.Server(_params(key, n_ctx, n_threads))
        return _servers[key]


def local_endpoint(model_path: Path) -> tuple[str, dict[str, str]]:
    """The loaded engine's HTTP base URL and the headers it requires (e.g. for its `/tokenize`)."""
    return shared_server(model_path).listening_address, {"Authorization": f"Bearer {_api_key}"}


class LlamaCppGenerator:
    """Streams chat completions from a GGUF model through xllamacpp, greedy (temperature 0).

    llama.cpp's server engine queues concurrent requests on its one slot. The caller's iterator reads deltas
    that llama.cpp's callback hands over through a queue; closing the iterator early (`contextlib.closing`)
    stops the decoding at the next token.

    >>> generator = LlamaCppGenerator(ensure_model(Path("/tmp/aqcache")))
    >>> from generators.base import drain
    >>> text, timings = drain(generator.stream([{"role": "user", "content": "Say hi."}], max_tokens=8))
    >>> timings.generated_tokens > 0
    True
    """

    def __init__(self, model_path: Path, n_ctx: int = 4096, n_threads: int = 2, server: Any = None) -> None:
        self.name = f"llama.cpp/{model_path.stem}"
        self._server = server if server is not None else shared_server(model_path, n_ctx, n_threads)

    def stream(self, messages: list[Message], max_tokens: int) -> Generator[str, None, StreamTimings | None]:
        """Text deltas of the model's reply, as llama.cpp decodes them; returns (as the generator's return value,
        see `drain`) llama.cpp's counts of this stream, None when it ended without them."""
        deltas: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": 0.0, "top_k": 1, "stream": True}
        worker = threading.Thread(target=self._run, args=(body, deltas, stop), daemon=True)
        worker.start()
        timings = None
        try:
            while (item := deltas.get()) is not _DONE:
                if isinstance(item, Exception):
                    raise item
                if isinstance(item, StreamTimings):
                    timings = item
                else:
                    yield item
            return timings
        finally:
            stop.set()  # the callback answers True at the next token: llama.cpp stops decoding this request
            worker.join()

    def _run(self, body: dict[str, Any], deltas: queue.Queue[Any], stop: threading.Event) -> None:
        def on_chunk(chunk: Any) -> bool:
            if isinstance(chunk, dict) and "error" in chunk:
                deltas.put(LlmRuntimeError(f"llama.cpp: {chunk['error']}"))
                return True
            if not isinstance(chunk, dict):
                return stop.is_set()
            for choice in chunk.get("choices") or []:
                content = (choice.get("delta") or {}).get("content")
                if content:
                    deltas.put(content)
            if "timings" in chunk:  # the last chunk of a stream carries llama.cpp's counts
                deltas.put(StreamTimings.of(chunk["timings"]))
            return stop.is_set()

        try:
            result = self._server.handle_chat_completions(body, on_chunk)
            if isinstance(result, dict) and "error" in result:  # refused before streaming began
                deltas.put(LlmRuntimeError(f"llama.cpp: {result['error']}"))
        except Exception as exc:  # surfaced in the caller's thread, not lost in this one
            deltas.put(exc)
        finally:
            deltas.put(_DONE)


def get_llm_generator(settings: LlmSettings) -> LlamaCppGenerator:
    """The default generator: joins and verifies the packaged GGUF on first use, then loads it once."""
    model_path = ensure_model(settings.model_cache)
    return LlamaCppGenerator(model_path, n_ctx=settings.llm_context, n_threads=settings.llm_threads)
