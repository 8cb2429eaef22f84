"""What the model reads: how often the gold answer is inside the sentences shown to the LLM, and at what prompt cost.

    python -m bench.context --store DIR                       # current settings, both splits (~2 min, no LLM)
    python -m bench.context --store DIR --chars 800 --passages 4   # a variant of the context budget
    python -m bench.context --store DIR --rows bench/results/quality.archive-qa.rows.jsonl   # + where misses arise

No language model runs: for each answerable question of the year (`--year`, default 2022), as of its date, the
default retrieval picks the passages, GeneratorAnswerer.context picks the sentences the model would read, and
qa.prompt.answer_messages builds the user turn. Reported per split: the gold answer inside the retrieved passages
(what the extractive answerer can quote), inside the shown sentences, inside the extractive answer's quoted
sentences, and the user turn's length in Qwen tokens (the part llama.cpp reads anew for every question, at ~100
tokens/s on 2 cores; the system prompt and examples stay cached). "tune" is the answerable questions after the first
120 by id (where the sentence-scoring weights were chosen); "check" is the first 120, the set bench/quality.py asks
the model.
With `--rows` (bench/quality.py's archive-qa rows, run with the same settings), each wrong answer on the check split
is put down to the first stage that lost the gold answer: retrieval, context selection, or the model's reading.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.common import YEARS, kept_store, machine, rqa, store_settings, table, write_result
from evaluation.summary import percentile
from qa.answer import Provenance

CHECK_SIZE = 120  # bench/quality.py gives the model the first 120 answerable questions by id


def measure(store: Path, overrides: dict[str, Any], year: str = "2022") -> dict[str, Any]:
    import httpx

    from evaluation.questions import load_questions
    from evaluation.scoring import contains_answer
    from generators.llama import local_endpoint
    from generators.model_file import ensure_model
    from qa.answerers import GeneratorAnswerer
    from qa.evidence import rank_sentences
    from qa.extractive import ExtractiveAnswerer
    from qa.filters import Filters
    from qa.pipeline import ArchiveQA
    from qa.prompt import answer_messages

    settings = store_settings(store, **overrides)
    qa = ArchiveQA.from_settings(settings)
    # llama.cpp's own tokenizer, through its server's /tokenize on loopback (the model loads once).
    base_url, headers = local_endpoint(ensure_model(settings.model_cache))
    tokenize_url = base_url + "/tokenize"
    tokenizer = httpx.Client(trust_env=False, timeout=60, headers=headers)
    answerer = GeneratorAnswerer.from_settings(NoModel(), settings, qa.embedder)
    quoter = ExtractiveAnswerer(qa.embedder)
    answerable = [q for q in load_questions([rqa(year) / "questions.jsonl"]) if q.group == "answerable"]
    splits = {"tune": answerable[CHECK_SIZE:], "check": answerable[:CHECK_SIZE]}
    out: dict[str, Any] = {"in_context": {}}
    for name, questions in splits.items():
        in_passages = in_context = in_quote = 0
        tokens: list[float] = []
        for question in questions:
            passages = qa.retriever.retrieve(question.text, Filters(as_of=question.as_of))
            ranked = rank_sentences(question.text, passages, qa.embedder)  # once, for the model's and the quote's
            shown, _ = answerer.show(ranked, passages)
            user = answer_messages(question.text, shown, question.as_of)[-1]["content"]
            tokens.append(len(tokenizer.post(tokenize_url, json={"content": user}).json()["tokens"]))
            in_passages += any(contains_answer(p.text, question.answers) for p in passages)
            seen = contains_answer(" ".join(p.text for p in shown), question.answers)
            in_context += seen
            quoted = " ".join(sentence.text for sentence in quoter.quote(ranked))
            in_quote += contains_answer(quoted, question.answers)
            out["in_context"][question.id] = seen
        n = len(questions)
        out[name] = {
            "questions": n,
            "answer_in_passages": round(in_passages / n, 4),
            "answer_in_context": round(in_context / n, 4),
            "answer_in_extractive_quote": round(in_quote / n, 4),
            "user_tokens_p50": percentile(tokens, 0.5),
            "user_tokens_mean": round(sum(tokens) / n, 1),
        }
    return out


def miss_stages(rows_file: Path, in_context: dict[str, bool]) -> dict[str, int]:
    """Count the wrong answerable rows by the first stage that lost the gold answer."""
    counts: dict[str, int] = {}
    for line in rows_file.open():
        row = json.loads(line)
        if row.get("set") != "answer_set" or row["group"] != "answerable" or row["correct"]:
            continue
        if row["abstained"] and not row.get("llm"):
            stage = "abstained before the model (weak retrieval evidence)"
        elif not row["answer_in_passages"]:
            stage = "retrieval: gold answer not in the passages"
        elif not in_context.get(row["id"], False):
            stage = "context selection: in the passages, not in the sentences shown"
        elif row["abstained"]:
            stage = "model refused with the answer in view (evidence below the fallback threshold)"
        elif _provenance(row) is Provenance.QUOTED_AFTER_DECLINE:
            stage = "model refused; the quoted sentences missed the answer"
        elif _provenance(row) is Provenance.QUOTED_AFTER_ECHO:
            stage = "model restated the question; the quoted sentences missed the answer"
        else:
            stage = "model misread: the answer was in view, another one was given"
        counts[stage] = counts.get(stage, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _provenance(row: dict[str, Any]) -> Provenance:
    """A row's provenance; rows files kept from before rows held it state it in `answered_by` alone."""
    if "provenance" in row:
        return Provenance(row["provenance"])
    return Provenance.of(row.get("answered_by", ""))


class NoModel:
    """Context selection needs no model; GeneratorAnswerer only keeps a reference to it (here and in context_sweep)."""

    name = "none"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="archive-qa store of the year's articles (read only)")
    parser.add_argument("--year", default="2022", choices=YEARS, help="development year of the questions")
    parser.add_argument("--chars", type=int, help="override ARCHIVE_QA_LLM_CONTEXT_CHARS")
    parser.add_argument("--passages", type=int, help="override ARCHIVE_QA_LLM_PASSAGES")
    parser.add_argument("--rows", type=Path, help="bench/quality.py archive-qa rows: attribute its misses to stages")
    args = parser.parse_args()
    store = args.store or kept_store("archive-qa")
    if store is None:
        parser.error("no archive-qa store of the 2022 articles: pass --store DIR (or run python -m bench.ingest first)")
    overrides = {
        key: value
        for key, value in (("llm_context_chars", args.chars), ("llm_passages", args.passages))
        if value is not None
    }
    splits = measure(store, overrides, args.year)
    in_context = splits.pop("in_context")
    header = ["split", "questions", "in passages", "in context", "in quote", "user tokens p50", "mean"]
    print(table([[name, *s.values()] for name, s in splits.items()], header))
    data: dict[str, Any] = {"machine": machine(), "year": args.year, "overrides": overrides, "splits": splits}
    if args.rows:
        data["misses"] = {"rows": str(args.rows), "by_stage": miss_stages(args.rows, in_context)}
        print(table(list(data["misses"]["by_stage"].items()), ["first stage that lost the answer", "misses"]))
    tag = "".join(f".{k.removeprefix('llm_').removeprefix('context_')}{v}" for k, v in overrides.items())
    year_tag = "" if args.year == "2022" else f".{args.year}"
    write_result(f"context{year_tag}{tag}", False, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
