"""The machine a benchmark ran on: its size, and its own speed measured right after the run."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def machine_speed(llm: bool) -> dict[str, Any]:
    """This machine's own speed, recorded beside a benchmark's figures: `archive-qa doctor`'s probes (archive_qa/
    doctor.py), ~5 s of the configured encoder and, where the benchmark used the local model, one answer prompt.

    A failed probe is recorded as such: it must not cost the benchmark its result.
    """
    from archive_qa.doctor import encoder_speed, model_speed
    from archive_qa.settings import Settings
    from storage.factory import get_embedder

    settings = Settings()
    try:
        encoder = encoder_speed(get_embedder(settings), settings.embedder, seconds=5.0)
        model = model_speed(settings) if llm else None
    except Exception as exc:  # any failure of the probe (a missing model, a broken runtime) is only noted
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "encoder": encoder.embedder,
        "encoder_passages_per_s": encoder.passages_per_s,
        "model_prompt_tokens_per_s": model.prompt_tokens_per_s if model else None,
        "model_generated_tokens_per_s": model.generated_tokens_per_s if model else None,
        "cpu_share": min(encoder.cpu_share, model.cpu_share) if model else encoder.cpu_share,
    }
