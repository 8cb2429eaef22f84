"""A generator for any OpenAI-compatible /v1/chat/completions endpoint, streamed over SSE with plain httpx."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from typing import Any, Protocol

import httpx

from generators.base import Message


class OpenAISettings(Protocol):
    """The fields of `archive_qa.settings.Settings` this module reads."""

    openai_base_url: str
    openai_model: str
    openai_api_key: str


# Connecting is quick or never; the first token can take long on a CPU server that is reading the prompt.
_TIMEOUT = httpx.Timeout(connect=5.0, read=300.0, write=30.0, pool=5.0)


class OpenAIEndpointError(RuntimeError):
    """The endpoint is unreachable, refused the request, or sent something that is not a chat stream."""


class OpenAIChatGenerator:
    """Streams from `{base_url}/chat/completions` (llama.cpp server, vLLM, Ollama...) at temperature 0.

    >>> generator = OpenAIChatGenerator("http://127.0.0.1:8000/v1", model="local")
    >>> text = "".join(generator.stream([{"role": "user", "content": "Say hi."}], max_tokens=8))  # doctest: +SKIP
    """

    def __init__(
        self, base_url: str, model: str, api_key: str = "not-needed", timeout: httpx.Timeout = _TIMEOUT
    ) -> None:
        self.name = f"openai/{model}"
        self._base_url = base_url
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "text/event-stream"}
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: OpenAISettings) -> OpenAIChatGenerator:
        """The endpoint configured by ARCHIVE_QA_OPENAI_BASE_URL / _MODEL / _API_KEY."""
        return cls(settings.openai_base_url, settings.openai_model, settings.openai_api_key)

    def stream(self, messages: list[Message], max_tokens: int) -> Generator[str, None, None]:
        """Text deltas of the reply; raises OpenAIEndpointError naming the URL when the server fails."""
        body = {
            "model": self._model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": True,
        }
        # trust_env=False: a proxy from the environment must not capture a loopback model server.
        with httpx.Client(timeout=self._timeout, trust_env=False) as client:
            try:
                with client.stream("POST", self._url, json=body, headers=self._headers) as response:
                    if response.status_code != 200:
                        detail = response.read().decode("utf-8", "replace")[:300]
                        raise OpenAIEndpointError(f"{self._url} answered HTTP {response.status_code}: {detail}")
                    yield from _deltas(response.iter_lines(), self._url)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
                raise OpenAIEndpointError(
                    f"cannot reach the OpenAI-compatible endpoint {self._url} ({type(exc).__name__}: {exc}); "
                    f"start that server, or set ARCHIVE_QA_OPENAI_BASE_URL (now {self._base_url}) to one "
                    f"that runs"
                ) from exc
            except httpx.TransportError as exc:
                raise OpenAIEndpointError(
                    f"the request to {self._url} failed ({type(exc).__name__}: {exc}); "
                    f"check the server behind ARCHIVE_QA_OPENAI_BASE_URL (now {self._base_url})"
                ) from exc


def _deltas(lines: Iterator[str], url: str) -> Iterator[str]:
    """Text deltas from SSE `data:` lines; stops at `[DONE]`, surfaces an in-stream `error` object."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments (": ping"), event names
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            return
        try:
            event: dict[str, Any] = json.loads(payload)
        except ValueError as exc:
            raise OpenAIEndpointError(f"{url} sent a non-JSON stream line: {payload[:200]!r}") from exc
        if "error" in event:
            raise OpenAIEndpointError(f"{url} reported an error mid-stream: {event['error']}")
        for choice in event.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield content
