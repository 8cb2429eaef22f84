"""HTML pages: the story's text without page furniture, metadata from Open Graph, hostile pages reported."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.decode import InputError
from ingest.html import parse_html

PAGE = """<!doctype html>
<html><head>
  <title>Ferry Solvind enters service | Fjord Times</title>
  <meta property="og:title" content="Electric ferry Solvind enters service on Oslofjord route">
  <meta property="article:published_time" content="2024-06-11T06:30:00+02:00">
  <meta property="og:site_name" content="Fjord Times">
  <meta property="og:url" content="https://fjordtimes.test/2024/06/11/solvind">
  <script>window.analytics = {track: function () { return "SCRIPT-TEXT"; }};</script>
  <style>.story p { color: #222 } /* STYLE-TEXT */</style>
</head>
<body>
  <header><a href="/">Fjord Times</a> <p>HEADER-TEXT Subscribe now</p></header>
  <nav><ul><li><a href="/news">NAV-TEXT News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
  <main>
    <article class="story">
      <h1>Electric ferry Solvind enters service</h1>
      <p>OSLO, June 11, 2024 — The battery-powered ferry Solvind entered service on a commuter route.</p>
      <p>The ferry's batteries can be recharged in seven minutes at automated charging towers.</p>
      <blockquote><p>"You can hear the seagulls again," chief executive Eirik Moen said.</p></blockquote>
      <aside><p>ASIDE-TEXT Read also: new bridge plans</p></aside>
      <form><button>FORM-TEXT Share</button></form>
      <p>The vessel was built at a cost of 410 million kroner.</p>
    </article>
  </main>
  <footer><p>FOOTER-TEXT © 2024 Fjord Times</p></footer>
</body></html>
"""


def test_main_text_without_furniture_and_open_graph_metadata() -> None:
    article = parse_html(PAGE, "/archive/solvind.html")
    assert article.text.split("\n\n") == [
        "OSLO, June 11, 2024 — The battery-powered ferry Solvind entered service on a commuter route.",
        "The ferry's batteries can be recharged in seven minutes at automated charging towers.",
        '"You can hear the seagulls again," chief executive Eirik Moen said.',  # once, though <p> in <blockquote>
        "The vessel was built at a cost of 410 million kroner.",
    ]
    for furniture in ("SCRIPT", "STYLE", "HEADER", "NAV", "ASIDE", "FORM", "FOOTER"):
        assert f"{furniture}-TEXT" not in article.text
    assert article.title == "Electric ferry Solvind enters service on Oslofjord route"  # og:title wins
    assert article.published == date(2024, 6, 11)  # article:published_time
    assert article.source == "Fjord Times"
    assert article.url == "https://fjordtimes.test/2024/06/11/solvind"
    assert article.place == "Oslo"
    assert article.location == "/archive/solvind.html"


def test_fallbacks_title_time_canonical_and_bare_text() -> None:
    page = (
        '<html><head><title>Dam opens</title><link rel="canonical" href="https://x.test/dam"></head>'
        '<body><time datetime="2023-03-07">7 March</time><div>LIMA — The dam opened.<br>Water flowed.</div>'
        "</body></html>"
    )
    article = parse_html(page, "dam.html")
    assert article.title == "Dam opens"
    assert article.published == date(2023, 3, 7)
    assert article.url == "https://x.test/dam"
    assert article.text.split("\n\n") == ["7 March", "LIMA — The dam opened.", "Water flowed."]


def test_dateline_date_is_used_when_the_page_has_none() -> None:
    article = parse_html("<html><body><p>LISBON, March 14, 2023 — The museum reopened.</p></body></html>", "m.html")
    assert (article.place, article.published) == ("Lisbon", date(2023, 3, 14))
    assert article.title.startswith("LISBON, March 14, 2023")  # no title anywhere: the first paragraph


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Nothing</title><script>var a = 1;</script></head>"
        "<body><nav><a href='/'>Home</a></nav><footer>(c) 2024</footer></body></html>",
        "<html><body>   </body></html>",
        "<html></html>",
    ],
)
def test_a_page_with_no_text_is_an_error(page: str) -> None:
    with pytest.raises(InputError, match="no readable text"):
        parse_html(page, "empty.html")


def test_deeply_nested_page_does_not_crash() -> None:
    depth = 5000
    page = (
        "<html><head><title>Deep</title></head><body>"
        + "<div>" * depth
        + "<p>Deep text survives the nesting.</p>" * 3
        + "</div>" * depth
        + "</body></html>"
    )
    article = parse_html(page, "deep.html")
    assert article.text.split("\n\n") == ["Deep text survives the nesting."] * 3
    assert article.title == "Deep"


def test_deeply_nested_blocks_are_read_once() -> None:
    page = "<html><body>" + "<blockquote>" * 3000 + "<p>Quoted.</p>" + "</blockquote>" * 3000 + "</body></html>"
    assert parse_html(page, "q.html").text == "Quoted."
