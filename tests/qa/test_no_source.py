"""Articles without a source (the BBC layout has no agency line) are listed as such and can be filtered on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from archive_qa.cli import main
from archive_qa.settings import Settings
from ingest.factory import make_ingestor
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from storage.factory import get_embedder, keyword_root, open_store
from storage.keyword_index import KeywordIndex
from storage.stats import index_stats
from storage.types import NO_SOURCE

LATE = date(2030, 1, 1)
WIRE = "{title}\nTALLINN, May {day}, 2024 — {body}\nAgencies - {source}\n"
HEADLINE = "{title}\n\n{body}\n"
QUESTION = "harbour ferry strike council budget"


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Two wire articles (AP, Reuters) and two in the BBC layout, which states no source: title -> source."""
    folder = tmp_path_factory.mktemp("mixed")
    stories = {
        "Ferry strike ends in Tallinn": ("AP", "The ferry strike in the harbour ended after two days."),
        "Council passes harbour budget": ("Reuters", "The council passed the harbour budget on Tuesday."),
        "Ferry fares to rise next month": (None, "Ferry fares will rise by four percent, the operator said."),
        "Harbour strike talks collapse": (None, "Talks to end the harbour strike collapsed on Friday night."),
    }
    for n, (title, (source, body)) in enumerate(stories.items(), start=1):
        layout = WIRE if source else HEADLINE
        (folder / f"{n:03d}.txt").write_text(layout.format(title=title, day=n, body=body, source=source))
    store = tmp_path_factory.mktemp("mixed-store")
    report = make_ingestor(Settings(store=store)).run([folder], progress=False)
    assert report.new == 4 and report.failed == 0
    return store, {title: source or NO_SOURCE for title, (source, _) in stories.items()}


def test_stats_name_articles_without_a_source(mixed_store) -> None:
    store, _ = mixed_store
    assert index_stats(open_store(Settings(store=store))).sources == {NO_SOURCE: 2, "AP": 1, "Reuters": 1}


def test_every_offered_source_finds_exactly_its_articles(mixed_store) -> None:
    """What picking each choice of the app's Sources dropdown (the stats' source names) retrieves."""
    store, source_of = mixed_store
    qa = ArchiveQA.from_settings(Settings(store=store, answerer="extractive"))
    for choice in index_stats(qa.retriever.store).sources:
        passages = qa.retriever.retrieve(QUESTION, Filters(as_of=LATE, sources=(choice,)), k=10)
        assert {p.title for p in passages} == {t for t, s in source_of.items() if s == choice}, choice
    both = qa.retriever.retrieve(QUESTION, Filters(as_of=LATE, sources=("AP", NO_SOURCE)), k=10)
    assert {p.title for p in both} == {t for t, s in source_of.items() if s in ("AP", NO_SOURCE)}


def test_the_filtered_dense_query_and_bm25_mask_select_articles_without_a_source(mixed_store) -> None:
    store, source_of = mixed_store
    settings = Settings(store=store)
    archive = open_store(settings)
    unsourced = {t for t, s in source_of.items() if s == NO_SOURCE}
    keyword = KeywordIndex.load(keyword_root(settings), archive.fingerprint)
    assert keyword is not None and keyword.source_names == ["AP", "Reuters"]
    # The retriever's filtered query (when too few unfiltered neighbours pass) names the sources the index knows.
    cases = {(NO_SOURCE,): unsourced, ("AP", NO_SOURCE): unsourced | {"Ferry strike ends in Tallinn"}}
    vector = get_embedder(settings).embed([QUESTION])[0]
    for sources, wanted in cases.items():
        within = Filters(as_of=LATE, sources=sources).chunk_filter(keyword.source_names)
        assert {hit.metadata["title"] for hit in archive.nearest(vector, 50, within)} == wanted, sources
    mask = keyword.mask(None, None, [NO_SOURCE])
    assert mask is not None
    titles = {m["title"] for m in archive.chunks.get(ids=list(keyword.ids), include=["metadatas"])["metadatas"]}
    kept = {c for c, keep in zip(keyword.ids, mask, strict=True) if keep}
    kept_titles = {m["title"] for m in archive.chunks.get(ids=sorted(kept), include=["metadatas"])["metadatas"]}
    assert kept_titles == unsourced and titles == set(source_of)


def test_cli_source_option_takes_no_source(mixed_store, capsys: pytest.CaptureFixture[str]) -> None:
    store, source_of = mixed_store
    options = ["--answerer", "extractive", "--as-of", "2030-01-01", "--source", NO_SOURCE, "--json"]
    assert main(["ask", QUESTION, "--store", str(store), *options]) == 0
    answer = json.loads(capsys.readouterr().out)
    shown = [c["title"] for c in answer["citations"]] + [p["title"] for p in answer["related"]]
    assert shown and {source_of[t] for t in shown} == {NO_SOURCE}
