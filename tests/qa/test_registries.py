"""The answerer and runtime registries are the one list: CLI choices, app labels, factories and errors follow them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from archive_qa.cli import build_parser
from archive_qa.settings import Settings
from generators.registry import RUNTIMES, make_generator
from qa.answer import Answer, Provenance
from qa.answerers import GeneratorAnswerer, get_generator, make_answerer
from qa.pipeline import ArchiveQA
from qa.registry import ANSWERERS, AnswererSpec, answerer_choices, answerer_names, answerer_spec
from qa.types import Answerer, Passage

from qa_support import ScriptedGenerator


class Parrot:
    """An answerer without a model, registered by the tests: repeats its first passage, cited."""

    name, quotes = "parrot", True

    def stream(self, question: str, passages: list[Passage], as_of: date) -> Iterator[str]:
        yield f"{passages[0].text} [1]"


def _parrot(settings: Settings, embedder: object) -> Answerer:
    return Parrot()


@pytest.fixture
def parrot(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(ANSWERERS, "parrot", AnswererSpec("Parrot (repeats)", factory=_parrot))
    return "parrot"


@pytest.fixture
def scripted_runtime(monkeypatch: pytest.MonkeyPatch) -> str:
    """A runtime and an answerer prompting it, registered as a new one would be."""
    monkeypatch.setitem(RUNTIMES, "scripted", lambda settings: ScriptedGenerator("Rates rose [1]."))
    monkeypatch.setitem(ANSWERERS, "script", AnswererSpec("Scripted model", runtime="scripted"))
    return "script"


def _accepts(*argv: str) -> bool:
    try:
        build_parser().parse_args(list(argv))
    except SystemExit:
        return False
    return True


def test_the_registry_holds_todays_answerers_in_order() -> None:
    assert answerer_names() == ["llm", "extractive", "openai"]
    assert answerer_choices() == [
        ("Local LLM", "llm"),
        ("Extractive (no model)", "extractive"),
        ("Configured endpoint", "openai"),
    ]
    assert {spec.runtime for spec in ANSWERERS.values()} - {None} <= set(RUNTIMES)


def test_a_registered_answerer_is_a_choice_of_every_command(parrot: str) -> None:
    assert _accepts("ask", "Who won?", "--answerer", parrot)
    assert _accepts("serve", "--answerer", parrot)
    assert _accepts("eval", "q.jsonl", "--answerer", parrot) and _accepts("eval", "q.jsonl", "--answerer", "none")
    assert not _accepts("ask", "Who won?", "--answerer", "unregistered")


def test_the_cli_no_longer_offers_an_answerer_taken_out(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _accepts("ask", "Who won?", "--answerer", "openai")
    monkeypatch.delitem(ANSWERERS, "openai")
    assert not _accepts("ask", "Who won?", "--answerer", "openai")
    assert not _accepts("serve", "--answerer", "openai")


def test_a_registered_answerer_is_in_the_apps_picker_with_its_label(parrot: str) -> None:
    import gradio as gr

    from ui.chat_panel import SearchOptions

    app = SimpleNamespace(settings=Settings(answerer="extractive"), stats=SimpleNamespace(sources={}))
    with gr.Blocks():
        options = SearchOptions(app)  # type: ignore[arg-type]
    assert [tuple(choice) for choice in options.answerer.choices][-1] == ("Parrot (repeats)", parrot)
    assert options.answerer.value == "extractive"


def test_the_factory_builds_a_registered_answerer(parrot: str) -> None:
    assert isinstance(make_answerer(parrot, Settings(), embedder=None), Parrot)  # type: ignore[arg-type]


def test_a_registered_runtime_answers_through_the_generator_answerer(scripted_runtime: str) -> None:
    generator = get_generator(scripted_runtime, Settings())
    assert isinstance(generator, ScriptedGenerator)
    answerer = make_answerer(scripted_runtime, Settings(), embedder=None)  # type: ignore[arg-type]
    assert isinstance(answerer, GeneratorAnswerer) and answerer.name == "scripted"


def test_an_unknown_answerer_is_refused_naming_the_registered_ones(parrot: str) -> None:
    with pytest.raises(ValueError, match=r"^unknown answerer 'lmm': use llm, extractive, openai or parrot$"):
        make_answerer("lmm", Settings(), embedder=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no chat model for answerer 'parrot'"):
        get_generator("parrot", Settings())
    with pytest.raises(ValueError, match="no chat model for answerer 'lmm'"):
        get_generator("lmm", Settings())


def test_the_setting_is_checked_against_the_registry_before_the_store_opens(tmp_path: Path) -> None:
    """ARCHIVE_QA_ANSWERER is a plain string in the settings (they import nothing of ours): checked at the factory."""
    settings = Settings(store=tmp_path / "never-created", answerer="lmm")
    with pytest.raises(ValueError, match="unknown answerer 'lmm': use llm, extractive or openai"):
        ArchiveQA.from_settings(settings)
    assert not settings.store.exists()


def test_a_spec_names_a_runtime_or_a_factory() -> None:
    with pytest.raises(ValueError, match="not both or neither"):
        AnswererSpec("Neither")
    with pytest.raises(ValueError, match="not both or neither"):
        AnswererSpec("Both", runtime="openai", factory=_parrot)
    assert answerer_spec("llm").runtime == "llama.cpp" and answerer_spec("openai").runtime == "openai"


def test_make_generator_builds_the_configured_endpoint_and_refuses_others() -> None:
    assert make_generator("openai", Settings(openai_model="qwen-7b")).name == "openai/qwen-7b"
    with pytest.raises(ValueError, match=r"unknown chat-model runtime 'vllm': use llama\.cpp, openai"):
        make_generator("vllm", Settings())


@pytest.mark.parametrize(
    ("provenance", "sentence"),
    [
        (Provenance.ANSWERED, "llama.cpp/qwen"),
        (Provenance.QUOTED_AFTER_DECLINE, "extractive, after llama.cpp/qwen declined"),
        (Provenance.QUOTED_AFTER_ECHO, "llama.cpp/qwen, then extractive (its answer only restated the question)"),
        (Provenance.ABSTAINED, ""),
    ],
)
def test_answered_by_is_the_sentence_of_json_output_and_rows(provenance: Provenance, sentence: str) -> None:
    answer = Answer("q", "q", "It rose [1].", False, answerer="llama.cpp/qwen", provenance=provenance)
    assert answer.answered_by == sentence and answer.to_json()["answered_by"] == sentence
    assert Provenance.of(sentence) is provenance  # rows read back from a file say the same


def test_an_abstention_is_nobodys_words() -> None:
    answer = Answer("q", "q", "The archive does not contain an answer.", True, answerer="llama.cpp/qwen")
    assert answer.provenance is Provenance.ABSTAINED and answer.answered_by == ""
