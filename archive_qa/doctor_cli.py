"""`archive-qa doctor`: what ingest rate and first-token time to expect on this machine (archive_qa/doctor.py)."""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import asdict
from typing import Any

from archive_qa.doctor import (
    REFERENCE_ENCODER_PER_S,
    REFERENCE_FIRST_TOKEN_S,
    REFERENCE_INGEST_PER_S,
    REFERENCE_PROMPT_PER_S,
    DoctorReport,
    run_doctor,
)
from archive_qa.settings import Settings


def register(sub: Any, commands: dict[str, Any]) -> None:
    doctor = sub.add_parser("doctor", help="measure this machine (~20 s): the ingest and answer speed to expect")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.add_argument("--skip-llm", action="store_true", help="measure the encoder only, not the local model")
    doctor.add_argument("--embedders", action="store_true", help="also measure every embedder choice, side by side")
    doctor.add_argument("--seconds", type=float, default=2.5, help="seconds of encoding per embedder (default 2.5)")
    for hidden in ("--store", "--chroma-url", "--collection"):  # read by settings_from; no store is opened
        doctor.add_argument(hidden, help=argparse.SUPPRESS)
    commands["doctor"] = cmd_doctor


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    report = run_doctor(settings, llm=not args.skip_llm, embedders=args.embedders, seconds=args.seconds)
    print(json.dumps(asdict(report)) if args.json else format_report(report))
    return 0


def _ratio(value: float | None, unit: str = "×") -> str:
    return "–" if value is None else f"{value:.2f}{unit}"


def format_report(report: DoctorReport) -> str:
    cpu, enc, exp, model = report.cpu, report.encoder, report.expected, report.model
    flags = ", ".join(f"{flag} {'yes' if present else 'no'}" for flag, present in cpu.flags.items())
    rows = [
        (f"encoder ({enc.embedder})", f"{enc.passages_per_s:.0f} passages/s", f"{REFERENCE_ENCODER_PER_S:.0f}",
         _ratio(exp.encoder_vs_reference)),
        ("expected ingest", f"{exp.ingest_chunks_per_s:.0f} chunks/s", f"{REFERENCE_INGEST_PER_S:.0f}",
         _ratio(exp.ingest_vs_reference)),
    ]  # fmt: skip
    if model:
        rows += [
            ("model prompt reading", f"{model.prompt_tokens_per_s:.0f} tokens/s", f"{REFERENCE_PROMPT_PER_S:.0f}",
             _ratio(exp.prompt_vs_reference)),
            ("model generation", f"{model.generated_tokens_per_s:.1f} tokens/s", "–", "–"),
            ("expected first token", f"{exp.first_token_s:.2f} s", f"{REFERENCE_FIRST_TOKEN_S} s",
             _ratio(exp.first_token_vs_reference, "× as long")),
            ("  first question after a start", f"{exp.first_question_first_token_s:.2f} s", "–", "–"),
        ]  # fmt: skip
    lines = [
        "archive-qa doctor: this machine against the reference (2-core AMD EPYC of docs/benchmarks.md)",
        "",
        f"CPU: {cpu.model}; {cpu.usable_cpus} usable of {cpu.logical_cpus} logical CPUs; {flags}",
        f"Load average at start: {report.loadavg_at_start[0]:.2f}; CPU share of the probe: encoder {enc.cpu_share:.2f}"
        + (f", model {model.cpu_share:.2f}" if model else " (model skipped)"),
        "",
        *_columns([("", "this machine", "reference", "ratio"), *rows]),
    ]
    if model:
        lines.append(f"(model: {model.model}, {model.prompt_tokens} prompt tokens read, "
                     f"{model.generated_tokens} generated, loaded in {model.load_seconds:.1f} s)")  # fmt: skip
    if report.embedders:
        choices = [(e.embedder, f"{e.passages_per_s:.0f} passages/s", f"{e.cosine_mean:.4f}", f"{e.cosine_min:.4f}")
                   for e in report.embedders]  # fmt: skip
        lines += ["", *_columns([("embedder", "speed", "cosine to configured: mean", "lowest"), *choices])]
    return "\n".join([*lines, "", *(textwrap.fill(sentence, 116) for sentence in report.verdict)])


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
