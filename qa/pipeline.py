"""The answering pipeline: standalone question -> hybrid retrieval -> answerer -> checked citations -> Answer."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from archive_qa.settings import Settings
from generators.base import Generator, Message
from qa.answer import Answer, AnswerEvent, Delta, Final, Provenance, final_answer
from qa.answerers import GeneratorAnswerer, get_generator, make_answerer
from qa.citations import check_markers, cite_uncited, cited_numbers, resolve
from qa.conversation import carry_over, rewrite_with_llm
from qa.filters import Filters, names_recent_time
from qa.latest import latest_state, with_earlier_note
from qa.prompt import REFUSAL
from qa.registry import ANSWERERS, answerer_spec
from qa.retriever import HybridRetriever
from qa.sentences import echoes_question
from qa.timeline import Timeline, TimelineEntry
from qa.types import Answerer, Passage
from storage.embedder import Embedder

NOT_IN_ARCHIVE = "The archive does not contain an answer to this question."
_REFUSALS = ("does not contain", "doesn't contain", "not in the archive", "no information", "cannot answer")


class ArchiveQA:
    """Ask the archive; every answer cites its passages or says plainly that the archive does not hold it.

    >>> qa = ArchiveQA.from_settings(Settings(answerer="extractive"))
    >>> answer = qa.ask("What rate did the Bank of Caldora set in March 2024?")
    >>> answer.text
    'VERAMONTE, March 20, 2024 — The Bank of Caldora cut its benchmark policy rate by 50 basis points to 5.75%, ...'
    >>> answer.citations[0].passage.title
    'Bank of Caldora cuts interest rate for first time in three years'
    >>> [type(event).__name__ for event in qa.stream("Who won the Savanna Cup?")][-2:]  # `ask` is its last event
    ['Delta', 'Final']
    """

    def __init__(self, retriever: HybridRetriever, embedder: Embedder, settings: Settings) -> None:
        self.retriever, self.embedder, self.settings = retriever, embedder, settings
        self._answerers: dict[str, Answerer] = {}
        self._generators: dict[str, Generator] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchiveQA:
        from qa.retriever import RetrievalConfig
        from storage.factory import get_embedder, keyword_root, open_store

        answerer_spec(settings.answerer)  # an unknown ARCHIVE_QA_ANSWERER fails here, naming the valid ones
        embedder = get_embedder(settings)
        config = RetrievalConfig.from_settings(settings)
        retriever = HybridRetriever(open_store(settings, embedder), embedder, keyword_root(settings), config)
        return cls(retriever, embedder, settings)

    def use_generator(self, kind: str, generator: Generator) -> None:
        """Answer (and rewrite follow-ups) for `kind` with this chat model, e.g. a stand-in in tests."""
        self._generators[kind] = generator
        self._answerers[kind] = GeneratorAnswerer.from_settings(generator, self.settings, self.embedder)

    def generator(self, kind: str) -> Generator:
        if kind not in self._generators:
            self._generators[kind] = get_generator(kind, self.settings)
        return self._generators[kind]

    def answerer(self, kind: str | None = None) -> Answerer:
        kind = kind or self.settings.answerer
        if kind not in self._answerers:
            self._answerers[kind] = make_answerer(kind, self.settings, self.embedder)
        return self._answerers[kind]

    def standalone(
        self, question: str, history: Sequence[Message], kind: str, previous_standalone: str | None = None
    ) -> str:
        """The question rewritten to stand alone, using the chat history (unchanged when there is none, or when
        it does not lean on it). `previous_standalone`: what the last question was searched as, when known."""
        if not any(m.get("role") == "user" for m in history):
            return question
        spec = ANSWERERS.get(kind)  # an unknown kind is refused by `generator` below
        if kind not in self._generators and spec is not None and spec.runtime is None:  # no chat model to rewrite
            return carry_over(history, question, previous_standalone)
        return rewrite_with_llm(self.generator(kind), history, question, previous_standalone=previous_standalone)

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: Filters | None = None,
        answerer: str | None = None,
        k: int | None = None,
        previous_standalone: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """Yield a `Delta` with the answer's text so far at each step, then one `Final` with the Answer (last)."""
        kind = answerer or self.settings.answerer
        filters = filters or Filters()
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        standalone = self.standalone(question, history, kind, previous_standalone)
        timings["rewrite"] = time.perf_counter() - clock
        clock = time.perf_counter()
        passages = self.retriever.retrieve(standalone, filters, k)
        timings["retrieve"] = time.perf_counter() - clock
        strength = self.evidence_strength(passages, filters, standalone)
        if strength < self._abstention_bar(passages):
            note = self._stale_note(passages, filters, standalone)
            answer = self._abstain(question, standalone, passages, timings, note=note)
            yield Delta(answer.text)
            yield Final(answer)
            return
        # After the abstention check, which reads the best match as retrieved: only the answerer reads the newest
        # report first, and only the news window's passages.
        state = latest_state(standalone, self._in_news_window(passages, filters), filters)
        passages = state.passages
        clock, text, chosen = time.perf_counter(), "", self.answerer(kind)
        # Names a follow-up carried over serve the search; its reader weighs the words asked ("its final cost"),
        # or the dateline that repeats those names outscores the sentence that answers.
        reader = question if standalone.startswith(question + " (") else standalone
        for text in chosen.stream(reader, passages, filters.as_of):
            timings.setdefault("first_token", time.perf_counter() - clock)
            if not _may_become_refusal(text):  # a refusal may yet give way to quoted sentences: hold it back
                yield Delta(text)
        timings["generate"] = time.perf_counter() - clock
        provenance, quoted = Provenance.ANSWERED, chosen.quotes
        if not quoted and _is_refusal(text) and strength >= self.settings.fallback_threshold:
            # The model declined over passages this close to the question: far likelier a misreading than silence
            # in the archive (docs/quality.md), so quote the best sentences instead. An answer the passages do not
            # support is not given this second chance: quoting after one was wrong both times it was tried.
            *_, text = self.answerer("extractive").stream(reader, passages, filters.as_of)
            yield Delta(text)
            provenance, quoted = Provenance.QUOTED_AFTER_DECLINE, True
        elif not quoted and not _is_refusal(text) and echoes_question(standalone, text):
            # The model only restated the question (5 of 240 answers in the 2022 runs, none of them right): the
            # reader gets the passages' best sentences after it, rather than an answer that says nothing.
            *_, quote = self.answerer("extractive").stream(reader, passages, filters.as_of)
            text = f"{text.rstrip()}\n\n{quote}" if quote else text
            yield Delta(text)
            provenance, quoted = Provenance.QUOTED_AFTER_ECHO, True
        answer = self._finish(question, standalone, text, passages, timings, quoted)
        if not answer.abstained:
            answer.answerer, answer.provenance = chosen.name, provenance
        yield Final(with_earlier_note(answer, state, self.embedder))

    ask = final_answer(stream)  # the same parameters, blocking: the final Answer

    def timeline(self, query: str, filters: Filters | None = None, limit: int = 20) -> list[TimelineEntry]:
        """How a story developed: the stories matching `query`, one entry each, oldest first (`qa.timeline`)."""
        return Timeline(self.retriever, self.embedder).build(query, filters or Filters(), limit)

    def _in_news_window(self, passages: list[Passage], filters: Filters) -> list[Passage]:
        """In news-quiz mode (`news_window_days`), the passages published in the window before the as-of date
        (evidence is held to the window; the answerer must not read around it). All passages otherwise."""
        window = self.settings.news_window_days
        if window <= 0:
            return passages
        return _within_window(passages, filters, window) or passages

    def evidence_is_strong(self, passages: Sequence[Passage], filters: Filters, question: str = "") -> bool:
        """Whether the passages are close enough to the question to answer from; else the archive is silent.

        The bar is lower (`agreement_relief`) when dense and keyword search both rank the top passage's article first.
        """
        return self.evidence_strength(passages, filters, question) >= self._abstention_bar(passages)

    def _abstention_bar(self, passages: Sequence[Passage]) -> float:
        """The evidence strength an answer needs: the threshold, less the relief when both searches agree."""
        agreed = bool(passages) and passages[0].first_on_both_sides
        return self.settings.abstain_threshold - (self.settings.agreement_relief if agreed else 0.0)

    def evidence_strength(self, passages: Sequence[Passage], filters: Filters, question: str = "") -> float:
        """The best dense similarity among the passages that count as evidence; 0 when the question names a
        recent time the archive holds no article from (`uncovered_window`).

        In news-quiz mode (`news_window_days`) only passages of that window before the as-of date count. A question
        naming a recent time ("this week") may still be answered from an older article when the archive does cover
        that week: a fact from an earlier story often answers it (a quarter of the 2023 quiz's "this week" questions
        have only older gold articles), and the answer shows its date.
        """
        if self.uncovered_window(question, filters):
            return 0.0
        return _best_similarity(passages, filters, self.settings.news_window_days)

    def uncovered_window(self, question: str, filters: Filters) -> int:
        """`recent_window_days` when the question names a recent time ("this week", "yesterday", "on Monday") and
        the archive holds no article from that many days before the as-of date: it cannot know that week's news.
        0 otherwise."""
        window = self.settings.recent_window_days
        if window <= 0 or not names_recent_time(question):
            return 0
        last = filters.as_of.toordinal()
        return 0 if self.retriever.keyword_index().has_articles_between(last - window, last) else window

    def _stale_note(self, passages: Sequence[Passage], filters: Filters, question: str) -> str:
        """Why the archive is silent: it holds nothing from the time the question names, or (news-quiz mode) its
        close passages are older than the news window."""
        uncovered = self.uncovered_window(question, filters)
        if uncovered:
            return (
                f" The archive holds no article from the {uncovered} days before {filters.as_of.isoformat()};"
                " older articles on the topic are listed below."
            )
        window = self.settings.news_window_days
        if window == 0 or _best_similarity(passages, filters, 0) < self.settings.abstain_threshold:
            return ""
        return (
            f" Nothing on it was published in the {window} days before {filters.as_of.isoformat()};"
            " older articles on the topic are listed below."
        )

    def _finish(
        self,
        question: str,
        standalone: str,
        raw: str,
        passages: list[Passage],
        timings: dict[str, float],
        quoted: bool = False,
    ) -> Answer:
        """Checked citations, resolved to their passages; an abstention when nothing cited supports the text.

        `quoted` text is copied from the passages, so a phrase like "does not contain" in it is not a refusal.
        """
        text, removed = check_markers(raw, len(passages))
        if not text.strip() or (not quoted and _is_refusal(text)):
            return self._abstain(question, standalone, passages, timings, removed)
        text = cite_uncited(text, passages)
        if not cited_numbers(text):  # an answer that no passage supports is not an answer from the archive
            return self._abstain(question, standalone, passages, timings, removed)
        clock = time.perf_counter()
        citations = resolve(text, passages, self.embedder.embed)
        timings["cite"] = time.perf_counter() - clock
        related = _distinct_articles(passages, {c.passage.article_id for c in citations})
        return Answer(question, standalone, text, False, citations, related, passages, removed, timings)

    def _abstain(
        self,
        question: str,
        standalone: str,
        passages: list[Passage],
        timings: dict[str, float],
        removed: int = 0,
        note: str = "",
    ) -> Answer:
        related = _distinct_articles(passages, set())
        text = NOT_IN_ARCHIVE + (note or (" The closest articles are listed below." if related else ""))
        return Answer(question, standalone, text, True, [], related, passages, removed, timings)


def _best_similarity(passages: Sequence[Passage], filters: Filters, window: int) -> float:
    """The best dense similarity among the passages published within `window` days before the as-of date (all: 0)."""
    if window > 0:
        passages = _within_window(passages, filters, window)
    return max((p.similarity or 0.0 for p in passages), default=0.0)


def _within_window(passages: Sequence[Passage], filters: Filters, window: int) -> list[Passage]:
    """The dated passages published in the `window` days before the as-of date."""
    as_of = filters.as_of.toordinal()
    return [p for p in passages if p.day and 0 <= as_of - p.day <= window]


def _may_become_refusal(text: str) -> bool:
    """Whether the streamed text so far could still be the model's refusal sentence."""
    return REFUSAL.lower().startswith(" ".join(text.split()).lower())


def _is_refusal(text: str) -> bool:
    lowered = text.lower()
    return not text.strip() or any(phrase in lowered for phrase in _REFUSALS)


def _distinct_articles(passages: Sequence[Passage], exclude: set[str]) -> list[Passage]:
    """One passage per article, best first, leaving out the articles already cited."""
    seen, out = set(exclude), []
    for passage in passages:
        if passage.article_id not in seen:
            seen.add(passage.article_id)
            out.append(passage)
    return out


def is_refusal(text: str) -> bool:
    """Whether an answer text says the archive does not hold the answer (the pipeline's own refusal test).

    >>> is_refusal("The archive does not contain an answer to this question."), is_refusal("It rose 4% [1].")
    (True, False)
    """
    return _is_refusal(text)
