"""Plain-text articles: the wire format of the seed and the sample archive, and the BBC headline-blank-body layout."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.decode import InputError, decode
from ingest.text_formats import parse_dateline, parse_text_article

SAMPLE_FILES = sorted((Path(__file__).resolve().parents[2] / "examples" / "archive").glob("*.txt"))
SEED = "seeds/000_32a12df490804dd7.txt"


def read(path: Path):
    return parse_text_article(decode(path.read_bytes()), str(path))


def test_seed_file_parses_into_title_place_agency_and_body(shared_dir: Path) -> None:
    path = shared_dir / SEED
    raw_lines = path.read_text(encoding="utf-8").split("\n")
    article = read(path)

    assert article.title == "Putin, Lukashenko hold talks to boost integration"
    assert article.place == "Moscow"
    assert article.source == "Xinhua"
    assert article.published is None  # the dateline gives a place only
    assert article.location == str(path)
    assert article.text.startswith("MOSCOW — Russian President Vladimir Putin")
    assert article.text.endswith('need to produce all that ourselves," Lukashenko said.')
    assert "Agencies" not in article.text and "Xinhua" not in article.text
    assert article.text == article.text.strip()
    # Every body line of the file is one paragraph, in order, nothing else.
    body = [line.strip() for line in raw_lines[1:] if line.strip() and not line.startswith("Agencies")]
    assert article.text.split("\n\n") == body
    assert len(body) == 10


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name[:3] for p in SAMPLE_FILES])
def test_sample_archive_datelines_give_place_and_date(path: Path) -> None:
    article = read(path)
    first_body_line = path.read_text(encoding="utf-8").split("\n")[1]
    match = re.match(r"([A-Z][A-Z ]+), ([A-Z][a-z]+ \d{1,2}, \d{4}) — ", first_body_line)
    assert match, f"{path.name}: the sample archive should use 'CITY, Month D, YYYY —' datelines"

    assert article.place == match[1].title()
    assert article.published == datetime.strptime(match[2], "%B %d, %Y").date()
    assert article.source in {"AFP", "AP", "Reuters", "Xinhua", "EFE", "dpa"}
    assert article.text.startswith(match[0])
    assert not article.text.endswith("\n") and "Agencies" not in article.text


def test_sample_archive_has_thirty_three_distinct_articles() -> None:
    articles = [read(path) for path in SAMPLE_FILES]
    assert len(articles) == 33
    assert len({a.id for a in articles}) == 33
    assert {a.published for a in articles if a.place == "Lisbon"} == {date(2023, 5, 18)}


@pytest.mark.parametrize(
    ("paragraph", "place", "published"),
    [
        ("LISBON, March 14, 2023 — The museum reopened.", "Lisbon", date(2023, 3, 14)),
        ("MOSCOW — Talks began.", "Moscow", None),
        ("CAPE TOWN, 15 October 2023 – Runners set off.", "Cape Town", date(2023, 10, 15)),
        ("SAN JOSE, Costa Rica -- Rain fell.", "San Jose", None),
        ("BURBANK, Calif. – All episodes will stream.", "Burbank", None),
        ("NEW YORK, March 4 2023 — Markets rose.", "New York", date(2023, 3, 4)),
        ("The council met on Tuesday.", None, None),
    ],
)
def test_dateline_forms(paragraph: str, place: str | None, published: date | None) -> None:
    assert parse_dateline(paragraph) == (place, published)


@pytest.mark.parametrize(
    "paragraph",
    [
        # Opening sentences of real stories in realtimeqa-2022: a dash early on, but no dateline.
        "For the first time, Matthew Perry is opening up – candidly and in raw detail.",
        "Everything — seriously, everything — Luke Combs touches seems to reach the top.",
        "There's a newer photo-sharing app -- and it's not like other social media.",
        "Amy Schneider – who's won 17 consecutive games of Jeopardy! – is climbing.",
    ],
)
def test_prose_with_an_early_dash_is_not_a_dateline(paragraph: str) -> None:
    assert parse_dateline(paragraph) == (None, None)


def test_bbc_layout_from_a_generated_file(tmp_path: Path) -> None:
    path = tmp_path / "001.txt"
    path.write_text(
        "Ad sales boost Time Warner profit\n\n"
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m).\n\n"
        "The firm, which is now one of the biggest investors in Google, benefited from sales.\n",
        encoding="utf-8",
    )
    article = read(path)
    assert article.title == "Ad sales boost Time Warner profit"
    assert article.text.split("\n\n") == [
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m).",
        "The firm, which is now one of the biggest investors in Google, benefited from sales.",
    ]
    assert (article.place, article.published, article.source) == (None, None, None)


def test_blank_separated_wrapped_lines_join_into_paragraphs() -> None:
    article = parse_text_article("Title\n\nFirst line\nwraps here.\n\nSecond para.\n", "x.txt")
    assert article.text == "First line wraps here.\n\nSecond para."


def test_real_bbc_file(shared_dir: Path) -> None:
    path = shared_dir / "data" / "bbc" / "business" / "001.txt"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n")]
    article = read(path)
    assert article.title == lines[0] == "Ad sales boost Time Warner profit"
    assert lines[1] == ""
    assert article.text.split("\n\n") == [line for line in lines[2:] if line]
    assert "£600m" in article.text
    assert article.place is None and article.source is None


def test_markdown_heading_title_and_agency_variants() -> None:
    article = parse_text_article("# Storm hits coast\n\nOSLO — Wind rose.\nAgency: NTB\n", "x.md")
    assert (article.title, article.source, article.place, article.text) == (
        "Storm hits coast",
        "NTB",
        "Oslo",
        "OSLO — Wind rose.",
    )


@pytest.mark.parametrize(("text", "reason"), [("\n\n  \n", "no text"), ("Only a title\n\n", "no article body")])
def test_text_without_a_body_is_an_input_error(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_text_article(text, "x.txt")
