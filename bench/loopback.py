"""Loopback helpers for whatever starts a real server (the benchmarks, and the test suites through
tests/support/loopback.py): a free port, and whether a page answers. Standard library only."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_answers(url: str) -> bool:
    """Whether `url` answers 200 within 2 s (a server that is still starting does not)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
