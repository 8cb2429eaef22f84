"""The factory over qa/registry.py's answerers, and the answerer that prompts a chat model for a cited answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from archive_qa.settings import Settings
from generators.base import Generator
from generators.registry import make_generator
from qa.citations import MARKER, neutralize, ungroup
from qa.evidence import Sentence, budgeted, rank_sentences, with_next_sentence
from qa.prompt import addresses_the_model, answer_messages
from qa.registry import ANSWERERS, answerer_spec
from qa.sentences import content_words, sentence_spans
from qa.types import Answerer, Passage
from storage.embedder import Embedder

# A prompt block's sources: (number among the caller's passages, the text shown from that passage), best first.
Shown = list[tuple[int, str]]


class GeneratorAnswerer:
    """Prompt a chat model with the passages' best sentences and stream its cited answer.

    Only the articles holding one of the chosen sentences are shown, numbered [1]..[m] in retrieval order; the
    model's numbers are mapped back to the caller's passages, so citations always refer to `passages` as given.

    >>> generator = ScriptedGenerator("Coastline Mariners won it [1].")  # any Generator: llama.cpp, an endpoint
    >>> answerer = GeneratorAnswerer(generator, max_tokens=200, embedder=embedder)
    >>> *_, text = answerer.stream("Who won?", passages, date(2024, 6, 1))
    >>> text
    'Coastline Mariners won it [1].'
    """

    quotes = False  # the model composes its own sentences

    def __init__(
        self,
        generator: Generator,
        max_tokens: int,
        embedder: Embedder,
        context_chars: int = 600,
        max_passages: int = 3,
        per_passage: int = 3,
    ) -> None:
        self.generator, self.max_tokens, self.embedder = generator, max_tokens, embedder
        self.context_chars, self.max_passages, self.per_passage = context_chars, max_passages, per_passage
        self.name = generator.name

    @classmethod
    def from_settings(cls, generator: Generator, settings: Settings, embedder: Embedder) -> GeneratorAnswerer:
        """Answer length and context budget as configured."""
        return cls(generator, settings.max_answer_tokens, embedder, settings.llm_context_chars, settings.llm_passages)

    def stream(self, question: str, passages: Sequence[Passage], as_of: date) -> Iterator[str]:
        shown, blocks = self.context(question, passages)
        text = ""
        deltas = self.generator.stream(answer_messages(question, shown, as_of), self.max_tokens)
        try:
            for delta in deltas:
                text += delta
                yield renumber(text, blocks)
        finally:  # a consumer that stops early (new chat, closed tab) must release the shared model's lock now
            close = getattr(deltas, "close", None)
            if close is not None:
                close()

    def context(self, question: str, passages: Sequence[Passage]) -> tuple[list[Passage], list[Shown]]:
        """The blocks to show, one per article (text cut to its chosen sentences), and where each block's text
        came from: (number among `passages`, sentences shown from that passage), best-retrieved first."""
        return self.show(rank_sentences(question, passages, self.embedder), passages)

    def show(self, ranked: Sequence[Sentence], passages: Sequence[Passage]) -> tuple[list[Passage], list[Shown]]:
        """`context` for sentences already ranked best first (bench/context_sweep.py re-ranks cached ones).

        Two chunks of one article make one block: their shared title and date would cost the model ~20 prompt
        tokens a second time (measured: about half of the 2022 questions show two chunks of one article).
        Markers inside article text are neutralized: the model cannot copy a forged "[7]".
        """
        by_article: dict[str, Shown] = {}
        for number, sentences in self._choose(ranked, passages).items():
            passage = passages[number - 1]
            text = " … ".join(s.text for s in sentences) or passage.text[: self.context_chars // self.max_passages]
            by_article.setdefault(passage.article_id, []).append((number, text))
        shown = []
        for sources in by_article.values():
            first = passages[sources[0][0] - 1]
            in_reading_order = sorted(sources, key=lambda source: passages[source[0] - 1].start)
            text = " … ".join(text for _, text in in_reading_order)
            shown.append(replace(first, text=neutralize(text), title=neutralize(first.title)))
        return shown, list(by_article.values())

    def _choose(self, ranked: Sequence[Sentence], passages: Sequence[Passage]) -> dict[int, list[Sentence]]:
        """Passage number -> its chosen sentences in reading order (none when no sentence was long enough to
        rank: the block shows the passage's opening)."""
        ranked = [s for s in ranked if not addresses_the_model(s.text)]
        chosen = budgeted(ranked, self.per_passage, self.context_chars, self.max_passages)
        if ranked:
            chosen = with_next_sentence(chosen, ranked[0], passages, excluded=addresses_the_model)
        if not chosen:  # no sentence long enough to rank: show the openings of the first passages
            chosen = {n: [] for n in range(1, min(len(passages), self.max_passages) + 1)}
        return chosen


def renumber(text: str, blocks: Sequence[Shown]) -> str:
    """Map the model's [i] (i-th block shown) to the caller's passage number; a number never shown becomes [0].

    A block holding two chunks of one article maps to the chunk sharing most words with the sentence before the
    marker. That text is final once the marker is written, so the streamed text still only grows.
    """
    text = ungroup(text)
    return MARKER.sub(lambda m: f"[{_lookup(blocks, int(m.group(1)), text[: m.start()])}]", text)


def _lookup(blocks: Sequence[Shown], shown_number: int, before: str) -> int:
    if not 1 <= shown_number <= len(blocks):
        return 0
    sources = blocks[shown_number - 1]
    if len(sources) == 1:
        return sources[0][0]
    claim = content_words(_last_sentence(MARKER.sub("", before)))
    return max(sources, key=lambda source: len(claim & content_words(source[1])))[0]  # ties: the better-retrieved


def _last_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[-1][0] :] if spans else text


def get_generator(kind: str, settings: Settings) -> Generator:
    """The chat model answerer `kind` prompts (its runtime in qa/registry.py); one llama.cpp model per process is
    shared by all callers."""
    spec = ANSWERERS.get(kind)
    if spec is None or spec.runtime is None:
        raise ValueError(f"no chat model for answerer {kind!r}")
    return make_generator(spec.runtime, settings)


def make_answerer(kind: str, settings: Settings, embedder: Embedder) -> Answerer:
    """Factory over qa/registry.py: `llm` (default, local Qwen GGUF), `openai` (configured endpoint), `extractive`
    (no model); ValueError naming the registered answerers for any other `kind`."""
    spec = answerer_spec(kind)
    if spec.factory is not None:
        return spec.factory(settings, embedder)
    return GeneratorAnswerer.from_settings(get_generator(kind, settings), settings, embedder)
