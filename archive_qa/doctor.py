"""What ingest rate and first-token time to expect on this machine: a short probe of the encoder and the local model.

`archive-qa doctor` prints the report (archive_qa/doctor_cli.py); bench/common.py records the same probe beside
every benchmark's figures, so a result can be read against the speed of the machine that produced it.

    >>> from archive_qa.settings import Settings
    >>> report = run_doctor(Settings(), llm=False, seconds=1.0)
    >>> report.expected.ingest_chunks_per_s > 0
    True
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np

from archive_qa.settings import Settings
from storage.embedder import EMBEDDER_NAMES, Embedder

# The reference machine is the one docs/benchmarks.md was measured on: 2 cores of an AMD EPYC.
# bench/results/ingest.json (2026-11-30): 67,821 chunks encoded bare by minilm-onnx-int8 in 517.84 s.
REFERENCE_ENCODER_PER_S = 131.0
# Same run: `archive-qa ingest` took 579.8 s for what bare encoding did in 517.8 s (chunking, Chroma, BM25 on top).
PIPELINE_OVER_BARE = 517.8 / 579.8  # 0.893
REFERENCE_INGEST_PER_S = 117.0  # same run, all 4,876 articles
REFERENCE_FIRST_TOKEN_S = 2.47  # README: LLM time to first token p50, the full run of 2026-11-30
# llama.cpp's own prompt rate was recorded in no result file; this is what that run implies (239 tokens read in
# 2.47 s), in line with the ~100 tokens/s the docs quote.
REFERENCE_PROMPT_PER_S = 97.0
# bench/context.py (bench/results/context.json, p50 of the 120 questions bench/quality.py asks the model): the
# question's turn, the only part llama.cpp reads anew per question; the system prompt and examples before it are
# the same every time and stay in its cache.
QUESTION_TURN_TOKENS = 239
# The whole prompt, read once after a start (bench/quality.py's mean over a full run: 560 tokens).
WHOLE_PROMPT_TOKENS = 560
RETRIEVAL_S = 0.1  # retrieval p95 at the 2022 size is 92 ms (README)
ARCHIVE_2022_CHUNKS = 67_821
SIMD_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
BUSY_SHARE = 0.8  # below this share of its cores, other work was slowing the probe down

_PLACES = ("Velmora", "Ostrand", "Kessary", "Tarn")
_SENTENCES = (
    "The harbour council of {place} approved {n} million crowns for a new ferry terminal on Tuesday.",
    "Officials said the pier, damaged by storms last winter, would reopen to freight within {k} weeks.",
    "Dockworkers at the {place} yard ended a {k}-day strike after the union accepted a pay rise of {k} percent.",
    "The regional rail operator carried {n},000 more passengers than a year earlier, citing lower fares.",
    "A ministry spokesperson declined to say when the tender for the river bridge in {place} would close.",
    "Farmers in the {place} valley said a late frost had cut the apple harvest by about {k} percent.",
    "The water utility warned that repairs to the main reservoir could raise bills next year.",
    "Police said {k} people had been questioned after a warehouse fire on the eastern ring road.",
    "The opposition leader called the plan a costly delay and demanded a vote in the assembly.",
    "Shares of the shipping group rose {k} percent after it won a contract to carry grain to {place}.",
    "Schools in {place} will stay closed on Friday while engineers inspect the damaged heating systems.",
    "The festival's organisers expect {n},000 visitors and asked residents to leave their cars at home.",
)


@dataclass(frozen=True)
class CpuInfo:
    model: str
    logical_cpus: int
    usable_cpus: int  # those this process may run on (a container or taskset may allow fewer)
    flags: dict[str, bool]


@dataclass(frozen=True)
class EncoderSpeed:
    embedder: str  # the setting's name, e.g. minilm-onnx-int8
    passages: int
    seconds: float
    passages_per_s: float
    load_seconds: float
    cpu_share: float  # CPU time over wall time x cores used: 1.0 = nothing else competed
    cosine_mean: float | None = None  # agreement of its vectors with the configured embedder's, same passages
    cosine_min: float | None = None


@dataclass(frozen=True)
class ModelSpeed:
    model: str
    load_seconds: float
    prompt_tokens: int
    prompt_tokens_per_s: float
    generated_tokens: int
    generated_tokens_per_s: float
    cpu_share: float


@dataclass(frozen=True)
class Expectations:
    """Rates as a fraction of the reference's (0.5: half its speed); times as a multiple of its (2.0: twice as long)."""

    encoder_vs_reference: float
    ingest_chunks_per_s: float
    ingest_vs_reference: float
    prompt_vs_reference: float | None = None
    first_token_s: float | None = None  # a question after the first: only its own turn is read anew
    first_token_vs_reference: float | None = None
    first_question_first_token_s: float | None = None  # the first after a start reads the whole prompt


@dataclass(frozen=True)
class DoctorReport:
    cpu: CpuInfo
    loadavg_at_start: list[float]
    encoder: EncoderSpeed
    expected: Expectations
    verdict: list[str]
    model: ModelSpeed | None = None
    embedders: list[EncoderSpeed] = field(default_factory=list)


def parse_cpuinfo(text: str, usable_cpus: int) -> CpuInfo:
    """CPU model, logical CPU count and the SIMD flags that decide encoder and model speed, from /proc/cpuinfo."""
    lines = [line.partition(":") for line in text.splitlines()]
    model = next((value.strip() for key, _, value in lines if key.strip() == "model name"), "unknown")
    flags = set(next((value.split() for key, _, value in lines if key.strip() == "flags"), []))
    logical = sum(1 for key, _, _ in lines if key.strip() == "processor")
    return CpuInfo(model, logical or usable_cpus, usable_cpus, {flag: flag in flags for flag in SIMD_FLAGS})


def read_cpu() -> CpuInfo:
    path = Path("/proc/cpuinfo")
    return parse_cpuinfo(path.read_text() if path.exists() else "", len(os.sched_getaffinity(0)))


def synthetic_passages(count: int) -> list[str]:
    """`count` fixed ~1000-character invented news passages, each led by its title line as ingest embeds a chunk."""
    pick = random.Random(20)
    passages = []
    for i in range(count):
        place = _PLACES[i % len(_PLACES)]
        body: list[str] = []
        while sum(len(s) + 1 for s in body) < 950:
            body.append(pick.choice(_SENTENCES).format(place=place, n=pick.randint(2, 90), k=pick.randint(2, 19)))
        passages.append(f"{place} council news, item {i}\n" + " ".join(body))
    return passages


def encoder_speed(embedder: Embedder, name: str, seconds: float, load_seconds: float = 0.0) -> EncoderSpeed:
    """Passages per second over at least `seconds` of encoding, after a warm-up batch.

    Calls of 64 passages: ingest hands the embedder 512 at a time, but the embedders cut those into their own
    batches of 32 (ONNX) or 64 (torch), so the per-passage work is the same and a slow machine still finishes fast.
    """
    passages = synthetic_passages(64)
    embedder.embed(passages[:32])  # warm-up: the first call allocates onnxruntime's and torch's buffers
    done, wall, cpu = 0, time.perf_counter(), time.process_time()
    while done == 0 or time.perf_counter() - wall < seconds:
        embedder.embed(passages)
        done += len(passages)
    elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
    share = used / (elapsed * len(os.sched_getaffinity(0)))  # both embedders use every core they may
    rate = round(done / elapsed, 1)
    return EncoderSpeed(name, done, round(elapsed, 2), rate, round(load_seconds, 2), round(share, 2))


def cosine_agreement(vectors: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Mean and lowest cosine between matching rows of two sets of unit vectors."""
    cosines = np.sum(vectors * reference, axis=1)
    return round(float(cosines.mean()), 4), round(float(cosines.min()), 4)


def model_speed(settings: Settings, max_tokens: int = 24) -> ModelSpeed:
    """The local model's prompt and generation rates (llama.cpp's own counts) on an answer prompt of 545 tokens.

    Meant for a process's first prompt: llama.cpp keeps the previous prompt's tokens, and a second call would read
    only what differs (the system prompt and examples, 321 tokens, stay cached between questions).
    """
    from generators.base import drain
    from generators.llama import get_llm_generator
    from qa.prompt import answer_messages
    from qa.types import Passage

    started = time.perf_counter()
    generator = get_llm_generator(settings)
    load_seconds = time.perf_counter() - started
    # 230 characters a passage: about what the answerer shows (600 characters of sentences, plus one after the best)
    texts = [p.split("\n", 1)[1][:230] for p in synthetic_passages(3)]
    passages = [Passage(f"c{n}", f"a{n}", text, f"{_PLACES[n]} council news", "Tribune", f"2024-03-0{n + 1}")
                for n, text in enumerate(texts)]  # fmt: skip
    messages = answer_messages("What did the harbour council approve?", passages, date(2024, 3, 10))
    wall, cpu = time.perf_counter(), time.process_time()
    _, timings = drain(generator.stream(messages, max_tokens=max_tokens))
    if timings is None:
        raise RuntimeError("the local model ended its stream without llama.cpp's timings")
    share = (time.process_time() - cpu) / ((time.perf_counter() - wall) * settings.llm_threads)
    return ModelSpeed(
        generator.name,
        round(load_seconds, 2),
        timings.prompt_tokens,
        round(timings.prompt_tokens_per_s, 1),
        timings.generated_tokens,
        round(timings.generated_tokens_per_s, 1),
        round(share, 2),
    )


def expect(encoder_per_s: float, prompt_per_s: float | None) -> Expectations:
    """Expected ingest rate and first-token times from the measured rates, beside the reference machine's."""
    ingest = encoder_per_s * PIPELINE_OVER_BARE
    speeds = Expectations(
        round(encoder_per_s / REFERENCE_ENCODER_PER_S, 2), round(ingest, 1), round(ingest / REFERENCE_INGEST_PER_S, 2)
    )
    if not prompt_per_s:
        return speeds
    first = QUESTION_TURN_TOKENS / prompt_per_s + RETRIEVAL_S
    return Expectations(
        speeds.encoder_vs_reference,
        speeds.ingest_chunks_per_s,
        speeds.ingest_vs_reference,
        round(prompt_per_s / REFERENCE_PROMPT_PER_S, 2),
        round(first, 2),
        round(first / REFERENCE_FIRST_TOKEN_S, 2),
        round(WHOLE_PROMPT_TOKENS / prompt_per_s + RETRIEVAL_S, 2),
    )


def verdict(cpu: CpuInfo, encoder: EncoderSpeed, expected: Expectations, model: ModelSpeed | None,
            embedders: Sequence[EncoderSpeed] = ()) -> list[str]:  # fmt: skip
    """The report in plain sentences: what to expect, why, and what to try."""
    pace = expected.ingest_vs_reference
    speed = "about as fast as" if pace >= 0.85 else "somewhat slower than" if pace >= 0.5 else "much slower than"
    minutes = ARCHIVE_2022_CHUNKS / expected.ingest_chunks_per_s / 60
    lines = [
        f"Ingest here is {speed} on the reference machine: about {expected.ingest_chunks_per_s:.0f} chunks/s, so the "
        f"2022 archive ({ARCHIVE_2022_CHUNKS:,} chunks) would take about {minutes:.0f} min "
        f"(reference: {ARCHIVE_2022_CHUNKS / REFERENCE_INGEST_PER_S / 60:.0f})."
    ]
    if model and expected.first_token_s is not None:
        lines.append(
            f"The local model should start answering about {expected.first_token_s:.1f} s after a question "
            f"(reference {REFERENCE_FIRST_TOKEN_S} s); the first question after a start reads the whole prompt: "
            f"about {expected.first_question_first_token_s:.1f} s."
        )
        if expected.first_token_s > 3:
            lines.append(
                "That is above the 3 s target: the extractive answerer (--answerer extractive) answers in "
                "~0.15 s, or point --answerer openai at a faster machine."
            )
    if not (cpu.flags.get("avx512_vnni") or cpu.flags.get("avx_vnni") or cpu.flags.get("amx_int8")):
        lines.append(
            "This CPU has no int8 dot-product instructions (VNNI/AMX), which the int8 encoder relies on for its "
            "speed: `archive-qa doctor --embedders` shows whether minilm-onnx-fp32 is faster here."
        )
    fastest = max(embedders, key=lambda e: e.passages_per_s, default=None)
    if fastest and fastest.embedder != encoder.embedder and fastest.passages_per_s > 1.1 * encoder.passages_per_s:
        lines.append(
            f"{fastest.embedder} is the fastest encoder here ({fastest.passages_per_s:.0f} passages/s): set "
            f"ARCHIVE_QA_EMBEDDER={fastest.embedder} for a new store (an existing one keeps its embedder)."
        )
    shares = [encoder.cpu_share, *([model.cpu_share] if model else [])]
    if min(shares) < BUSY_SHARE:  # said first: every figure after it is too low
        lines.insert(
            0,
            f"Other work was using the CPU (this probe got {100 * min(shares):.0f}% of the cores it ran on): "
            "the figures below understate this machine; run it again when it is idle.",
        )
    return lines


def _measure_embedders(settings: Settings, seconds: float, reference: np.ndarray) -> list[EncoderSpeed]:
    from storage.embedder import make_embedder
    from storage.factory import get_embedder

    measured = []
    for name in EMBEDDER_NAMES:
        started = time.perf_counter()
        embedder = (get_embedder(settings) if name == settings.embedder
                    else make_embedder(name, settings.model_cache, settings.embed_max_tokens))  # fmt: skip
        speed = encoder_speed(embedder, name, seconds, time.perf_counter() - started)
        mean, low = cosine_agreement(embedder.embed(synthetic_passages(32)), reference)
        measured.append(replace(speed, cosine_mean=mean, cosine_min=low))
    return measured


def run_doctor(settings: Settings, *, llm: bool = True, embedders: bool = False, seconds: float = 2.5) -> DoctorReport:
    """Probe this machine: `seconds` of encoding with the configured embedder, one answer prompt through the local
    model (unless `llm` is False), every embedder choice if `embedders`; then the expectations and the verdict."""
    from storage.factory import get_embedder

    cpu, load = read_cpu(), [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    configured = get_embedder(settings)
    encoder = encoder_speed(configured, settings.embedder, seconds, time.perf_counter() - started)
    choices = _measure_embedders(settings, seconds, configured.embed(synthetic_passages(32))) if embedders else []
    model = model_speed(settings) if llm else None
    expected = expect(encoder.passages_per_s, model.prompt_tokens_per_s if model else None)
    return DoctorReport(cpu, load, encoder, expected, verdict(cpu, encoder, expected, model, choices), model, choices)
