"""The local model on two llama.cpp runtimes, side by side: xllamacpp (prebuilt wheel) vs llama-cpp-python.

    python -m bench.runtimes --store DIR                 # 120 answerable 2022 questions per runtime, 2 rounds
    python -m bench.runtimes --store DIR --questions 10  # a quick look

llama-cpp-python is not a dependency any more: install it into the venv first
(`pip install llama-cpp-python==0.3.36`, a 3-6 minute compile). Each runtime runs in its own child process, in
alternating rounds (A, B, A, B) so that other load on the machine falls on both alike. A child loads the same
GGUF with the same context, threads and flash attention, then answers the questions through the default
pipeline (`ArchiveQA.use_generator`): same retrieval, prompt and scoring; only the runtime differs. It reports
model load seconds, time to first token (p50/p95, from the answerer's first delta), generated characters per
second after the first token, peak RSS, accuracy, and the answers themselves (compared across runtimes).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import QUESTIONS, machine, module_cmd, run_measured, store_settings, write_result
from evaluation.summary import percentile

RUNTIMES = ("xllamacpp", "llama-cpp-python")


class LlamaCppPython:
    """llama-cpp-python 0.3.36 as the project ran it before: greedy, flash attention, threads for both phases."""

    def __init__(self, model_path: Path, n_ctx: int, n_threads: int) -> None:
        from llama_cpp import Llama

        self.name = f"llama.cpp/{model_path.stem}"
        self._llama = Llama(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            flash_attn=True,
            verbose=False,
        )

    def stream(self, messages: list[Any], max_tokens: int) -> Iterator[str]:
        chunks = self._llama.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
        )
        for chunk in chunks:
            delta = chunk["choices"][0]["delta"].get("content")
            if delta:
                yield delta


def make_generator(runtime: str, settings: Any) -> Any:
    from generators.model_file import ensure_model

    path = ensure_model(settings.model_cache)
    if runtime == "llama-cpp-python":
        return LlamaCppPython(path, settings.llm_context, settings.llm_threads)
    from generators.llama import LlamaCppGenerator

    return LlamaCppGenerator(path, settings.llm_context, settings.llm_threads)


class Timed:
    """Wraps a generator: records when each stream's first delta came and how many characters followed."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.streams = inner, inner.name, []

    def stream(self, messages: list[Any], max_tokens: int) -> Iterator[str]:
        started, first, chars = time.perf_counter(), None, 0
        for delta in self.inner.stream(messages, max_tokens):
            first = first or time.perf_counter()
            chars += len(delta)
            yield delta
        ended = time.perf_counter()
        self.streams.append(
            {"first_s": (first or ended) - started, "after_first_s": ended - (first or ended), "chars": chars}
        )


def child(runtime: str, store: Path, n: int) -> dict[str, Any]:
    from evaluation.questions import load_questions
    from evaluation.runner import Evaluator
    from qa.pipeline import ArchiveQA

    settings = store_settings(store, answerer="llm")
    qa = ArchiveQA.from_settings(settings)
    clock = time.perf_counter()
    generator = Timed(make_generator(runtime, settings))
    load_s = time.perf_counter() - clock
    qa.use_generator("llm", generator)
    questions = [q for q in load_questions([QUESTIONS]) if q.group == "answerable"]
    qa.ask(questions[-1].text, answerer="llm")  # warm-up on a question outside the sample
    generator.streams.clear()
    rows = Evaluator(qa).run(questions[:n], "llm", progress=False)
    answered = [r for r in rows if not r["abstained"]]
    first = [r["timings"]["first_token"] for r in answered if "first_token" in r["timings"]]
    rates = [s["chars"] / s["after_first_s"] for s in generator.streams if s["after_first_s"] > 0]
    return {
        "runtime": runtime,
        "load_s": round(load_s, 2),
        "questions": len(rows),
        "accuracy": sum(r["correct"] for r in rows) / len(rows),
        "abstained": sum(r["abstained"] for r in rows),
        "first_token_p50_s": round(percentile(first, 0.5), 3),
        "first_token_p95_s": round(percentile(first, 0.95), 3),
        "chars_per_s_after_first_p50": round(percentile(rates, 0.5), 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "answers": {r["id"]: r.get("answer", "") for r in rows},
    }


def compare(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    by_runtime: dict[str, list[dict[str, Any]]] = {}
    for result in rounds:
        by_runtime.setdefault(result["runtime"], []).append(result)
    summary: dict[str, Any] = {}
    for runtime, results in by_runtime.items():
        summary[runtime] = {
            key: [r[key] for r in results]
            for key in (
                "load_s",
                "accuracy",
                "first_token_p50_s",
                "first_token_p95_s",
                "chars_per_s_after_first_p50",
                "peak_rss_mib",
            )
        }
    if all(r in by_runtime for r in RUNTIMES):
        a, b = (by_runtime[r][0]["answers"] for r in RUNTIMES)
        summary["identical_answers"] = sum(a[q] == b.get(q) for q in a)
        summary["compared_answers"] = len(a)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", choices=RUNTIMES)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.store, args.questions)))
        return
    rounds = []
    for number in range(args.rounds):
        for runtime in RUNTIMES:
            cmd = [
                *module_cmd("runtimes"),
                "--child",
                runtime,
                "--store",
                str(args.store),
                "--questions",
                str(args.questions),
            ]
            measured = run_measured(cmd, f"{runtime} round {number + 1}")
            if not measured.get("json"):  # a crashed child is reported, not a reason to lose the other's figures
                print(f"[bench] {runtime} failed: exit {measured.get('exit_code')}", file=sys.stderr)
                continue
            rounds.append({**measured["json"], "wall_s": measured.get("wall_seconds")})
            write_result("runtimes", args.questions < 120, {"machine": machine(), "rounds": rounds}, llm=True)
    quick = args.questions < 120
    write_result("runtimes", quick, {"machine": machine(), "rounds": rounds, "summary": compare(rounds)}, llm=True)
    print(json.dumps(compare(rounds), indent=2))


if __name__ == "__main__":
    main()
