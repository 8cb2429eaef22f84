"""Loopback helpers for the suites that start real servers (Chroma, llama.cpp, the app): the one copy is
bench/loopback.py (standard library only), which the benchmarks use too."""

from __future__ import annotations

from bench.loopback import free_port, page_answers

__all__ = ["free_port", "page_answers"]
