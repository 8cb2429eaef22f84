"""Result files under bench/results/ and the plain-text tables the benchmarks print."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.env import REPO, RESULTS, command_line
from bench.machine import machine_speed


def result_path(name: str, quick: bool) -> Path:
    return RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")


def write_result(name: str, quick: bool, data: dict[str, Any], *, llm: bool = False) -> Path:
    """Write the result file, with the machine's own speed measured right after the run (`llm`: the model's too)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = result_path(name, quick)
    payload = {
        "benchmark": name,
        "quick": quick,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command_line(),
        **data,
        "machine_speed": machine_speed(llm),
    }
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(scratch, path)
    print(f"[bench] wrote {path.relative_to(REPO)}", file=sys.stderr)
    return path


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header], *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)
