"""HTML pages: the main text of the story, without scripts, navigation and other page furniture."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ingest.decode import InputError
from ingest.text_formats import parse_dateline
from storage.dates import parse_date
from storage.types import Article

_BLOCKS = ["p", "li", "blockquote"]
_FURNITURE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button")


def parse_html(html: str, location: str) -> Article:
    """Extract title, date, source, url and paragraphs; raise InputError for a page with no readable text.

    >>> parse_html("<html><title>T</title><article><p>Body text here.</p></article></html>", "p.html").text
    'Body text here.'
    """
    soup = BeautifulSoup(html, "lxml")
    title = _meta(soup, "og:title") or (soup.title.get_text(" ", strip=True) if soup.title else "")
    h1 = soup.find("h1")
    title = title or (h1.get_text(" ", strip=True) if h1 else "")
    published = parse_date(_meta(soup, "article:published_time") or _meta(soup, "date") or _time(soup))
    for tag in soup.find_all(_FURNITURE):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    paragraphs: list[str] = []
    inner: set[int] = set()
    for block in root.find_all(_BLOCKS):
        # A block inside another (a <p> in a <blockquote> or <li>) is part of the outer one's text: read it once.
        if id(block) not in inner:
            inner.update(id(nested) for nested in block.find_all(_BLOCKS))
            paragraphs.append(block.get_text(" ", strip=True))
    paragraphs = [p for p in paragraphs if len(p) > 1]
    if not paragraphs:
        text = root.get_text("\n", strip=True) if isinstance(root, Tag) else ""
        paragraphs = [line for line in text.split("\n") if line.strip()]
    if not paragraphs:
        raise InputError("HTML page has no readable text")
    place, dateline_date = parse_dateline(paragraphs[0])
    return Article(
        title=title or paragraphs[0][:120],
        text="\n\n".join(paragraphs),
        location=location,
        source=_meta(soup, "og:site_name") or None,
        place=place,
        published=published or dateline_date,
        url=_meta(soup, "og:url") or _canonical(soup),
    )


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return str(content).strip() if content else ""


def _time(soup: BeautifulSoup) -> str | None:
    tag = soup.find("time")
    value = tag.get("datetime") if isinstance(tag, Tag) else None
    return str(value) if value else None


def _canonical(soup: BeautifulSoup) -> str | None:
    tag = soup.find("link", rel="canonical")
    href = tag.get("href") if isinstance(tag, Tag) else None
    return str(href) if href else None
