"""The pieces of docs/benchmarks.md: result files read back, cells and tables, each run's header line."""

from __future__ import annotations

import json
import re
from typing import Any

from bench.common import RESULTS


def load_results(name: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for file in (f"{name}.json", f"{name}.quick.json"):
        path = RESULTS / file
        if path.exists():
            out.append((file, json.loads(path.read_text())))
    return out


def cell(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def ratio_cell(a: Any, b: Any) -> str:
    return f"{a / b:.2f}×" if isinstance(a, int | float) and isinstance(b, int | float) and b else "–"


def dig(data: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return lines


def run_head(file: str, data: dict[str, Any]) -> list[str]:
    kind = "quick run" if data.get("quick") else "full run"
    m = data.get("machine") or {}
    load = m.get("loadavg_at_start")
    return [
        f"**{kind}** — finished {data.get('finished', '?')}; `{_reproducible(data.get('command', '?'))}`; raw: "
        f"[`bench/results/{file}`](../bench/results/{file}); load average at start {load}; "
        + _speed(data.get("machine_speed"))
        + ("" if data.get("ok", True) else " — **some step failed; see the raw file**"),
        "",
    ]


def _reproducible(command: str) -> str:
    """A recorded command as it is typed now: runs recorded as `python bench/x.py` are `python -m bench.x`."""
    return re.sub(r"\bpython bench/(\w+)\.py\b", r"python -m bench.\1", command)


def _speed(speed: dict[str, Any] | None) -> str:
    """The machine's own speed measured right after the run (bench/machine.py machine_speed), if it was."""
    if not speed:
        return "this machine: not recorded"
    if "error" in speed:
        return f"this machine: probe failed ({speed['error']})"
    prompt = speed.get("model_prompt_tokens_per_s")
    model = f"model prompt {cell(prompt, 0)} tokens/s" if prompt else "model not measured (no local LLM in this run)"
    share = speed.get("cpu_share")
    busy = f" (CPU share {share:.2f}: other work was running)" if isinstance(share, float) and share < 0.8 else ""
    return f"this machine: encoder {cell(speed.get('encoder_passages_per_s'), 0)} passages/s, {model}{busy}"


def target_lines(targets: dict[str, Any]) -> list[str]:
    lines = []
    for name, t in (targets or {}).items():
        if not isinstance(t, dict) or t.get("met") is None:
            lines.append(f"- target {name}: not measured")
            continue
        value = t.get("value", t.get("value_ms"))
        margin = t.get("margin", t.get("margin_ms"))
        verdict = "**met**" if t["met"] else "**missed**"
        lines.append(f"- target {name}: {verdict} (measured {cell(value, 3)}, margin {cell(margin, 3)})")
    return lines


def stats_cells(stats: dict[str, Any] | None) -> list[str]:
    stats = stats or {}
    return [cell(stats.get("n")), cell(stats.get("p50_s"), 3), cell(stats.get("p95_s"), 3)]
