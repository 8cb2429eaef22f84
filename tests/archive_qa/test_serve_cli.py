"""`archive-qa serve` exposure rules: loopback by default; another address needs a password or --insecure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_qa.serve_cli import exposure, is_loopback, parse_auth

from app_support import ARCHIVE_QA, serve


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_needs_nothing(host: str) -> None:
    assert is_loopback(host)
    allowed, message = exposure(host, None, insecure=False)
    assert allowed and "local only" in message


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_other_addresses_need_auth_or_insecure(host: str) -> None:
    assert not is_loopback(host)
    allowed, message = exposure(host, None, insecure=False)
    assert not allowed
    assert "ARCHIVE_QA_AUTH=user:password" in message and "--insecure" in message
    allowed, message = exposure(host, "ann:s3cret", insecure=False)
    assert allowed and "password required" in message
    allowed, message = exposure(host, None, insecure=True)
    assert allowed and "WITHOUT a password" in message


@pytest.mark.parametrize("auth", ["nocolon", ":pw", "user:", ":"])
def test_malformed_auth_is_refused(auth: str) -> None:
    with pytest.raises(ValueError, match="user:password"):
        parse_auth(auth)
    assert parse_auth("ann:pa:ss") == ("ann", "pa:ss")


def test_serve_on_all_interfaces_without_auth_exits_2(tmp_path: os.PathLike[str]) -> None:
    env = {key: value for key, value in os.environ.items() if key != "ARCHIVE_QA_AUTH"}
    done = subprocess.run(
        [str(ARCHIVE_QA), "serve", "--host", "0.0.0.0", "--store", str(tmp_path), "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a password" in done.stderr
    assert "ARCHIVE_QA_AUTH" in done.stderr


def test_malformed_auth_env_exits_2(tmp_path: os.PathLike[str]) -> None:
    done = subprocess.run(
        [str(ARCHIVE_QA), "serve", "--host", "0.0.0.0", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ARCHIVE_QA_AUTH": "just-a-user"},
    )
    assert done.returncode == 2
    assert "user:password" in done.stderr


def test_help_does_not_import_gradio() -> None:
    code = "import sys; from archive_qa.cli import build_parser; build_parser(); print('gradio' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.timeout(120)
@pytest.mark.integration
def test_auth_from_environment_guards_the_app(tmp_path: Path) -> None:
    """An own, empty store (so `--allow-empty`): the session's app keeps the sample store open, and auth is all
    this test is about."""
    from gradio_client import Client

    os.environ["ARCHIVE_QA_AUTH"] = "ann:s3cret-pw"
    try:
        with serve(tmp_path / "store", tmp_path / "serve.log", "--answerer", "extractive", "--allow-empty") as server:
            for _ in range(50):  # the start line is printed just after the server answers
                if "password required" in server.log.read_text():
                    break
                time.sleep(0.1)
            assert "local only (loopback address); password required" in server.log.read_text()
            with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain error for a login page
                Client(server.url, verbose=False)
            client = Client(server.url, auth=("ann", "s3cret-pw"), verbose=False)
            result = json.loads(client.predict(question="Who won the Savanna Cup?", api_name="/ask"))
            assert result["abstained"] and result["citations"] == []
    finally:
        del os.environ["ARCHIVE_QA_AUTH"]
