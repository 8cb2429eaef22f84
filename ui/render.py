"""HTML for the web app: answers with clickable [n], source cards with highlighted passages, full articles, stats.

Everything that comes from the archive (titles, text, places, links, paths) is HTML-escaped here; links are
only ever http(s). The panels (ui/*_panel.py) put these strings into Gradio components; the CSS that styles them
and the script behind the [n] links are ui/static/app.css and ui/static/app.js (read by ui/assets.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from qa.answer import Answer, Provenance
from qa.citations import MARKER
from qa.types import Passage
from storage.stats import IndexStats

FULL_TEXT_LIMIT = 60_000  # characters of an article shown in the full-article expander


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _with_citation_links(escaped: str, turn: int, n_passages: int) -> str:
    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= n_passages:
            return match.group(0)
        return f'<a class="aq-cite" href="#src-{turn}-{n}" data-n="{n}" title="Show source {n}">[{n}]</a>'

    return MARKER.sub(link, escaped)


def _paragraphs(escaped: str) -> str:
    return "<br>".join(escaped.split("\n"))


def pending_html(text: str = "") -> str:
    """The assistant bubble while the answer is written: the text so far and a caret."""
    if not text:
        return '<div class="aq-answer aq-pending">Searching the archive…<span class="aq-caret">▍</span></div>'
    return f'<div class="aq-answer">{_paragraphs(esc(text))}<span class="aq-caret">▍</span></div>'


def error_html(message: str) -> str:
    return f'<div class="aq-answer aq-error"><strong>Could not answer:</strong> {esc(message)}</div>'


def answer_html(answer: Answer, turn: int) -> str:
    """The final assistant bubble: [n] as links to source cards; closest articles when it abstained."""
    body = _with_citation_links(_paragraphs(esc(answer.dated_text)), turn, len(answer.passages))
    parts = [f'<div class="aq-answer">{body}</div>']
    # The model gave up over close evidence, or only restated the question: say whose words these are.
    if answer.provenance is Provenance.QUOTED_AFTER_DECLINE:
        parts.append(
            '<div class="aq-quoted">Quoted from the archive: the model did not compose an answer, '
            "so these are the passages' closest sentences.</div>"
        )
    if answer.provenance is Provenance.QUOTED_AFTER_ECHO:
        parts.append(
            '<div class="aq-quoted">The model only restated the question; '
            "the passages' closest sentences follow it, quoted.</div>"
        )
    if answer.abstained and answer.related:
        items = "".join(f"<li>{esc(p.title)}{_date_suffix(p)}</li>" for p in answer.related[:5])
        parts.append(f'<ul class="aq-closest">{items}</ul>')
    parts.append(f'<div class="aq-standalone">Searched for: {esc(answer.standalone_question)}</div>')
    return "".join(parts)


def _date_suffix(passage: Passage) -> str:
    extras = ", ".join(esc(x) for x in (passage.source, passage.published) if x)
    return f" <span class='aq-meta'>({extras})</span>" if extras else ""


def meta_html(passage: Passage) -> str:
    """Source · place · date · link (http(s) only) or the file's place in the archive."""
    bits = [esc(x) for x in (passage.source, passage.place, passage.published) if x]
    url = _safe_url(passage.url)
    if url:
        bits.append(f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{esc(url)}</a>')
    elif passage.path:
        bits.append(f"<code>{esc(passage.path)}</code>")
    if passage.also_in:  # the same story from other outlets, collapsed into this one at retrieval
        bits.append(f'<span class="aq-also">{esc(passage.also_in_text)}</span>')
    return " · ".join(bits)


def _marked(text: str, start: int, end: int, css_class: str = "") -> str:
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return esc(text)
    attr = f' class="{css_class}"' if css_class else ""
    return f"{esc(text[:start])}<mark{attr}>{esc(text[start:end])}</mark>{esc(text[end:])}"


def article_span(passage: Passage, article_text: str, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """Where `passage.text[start:end]` (all of it by default) is in the article text; (0, 0) when it is not there."""
    end = len(passage.text) if end is None else end
    offset = passage.start
    if article_text[offset : passage.end] != passage.text:  # spans from another chunker version: find the text
        offset = article_text.find(passage.text)
    if offset < 0:
        found = article_text.find(passage.text[start:end])
        return (found, found + end - start) if found >= 0 and end > start else (0, 0)
    return offset + start, offset + end


def article_html(article_text: str, start: int, end: int) -> str:
    """The whole article, the span marked; a longer one than FULL_TEXT_LIMIT as the window around the span."""
    if len(article_text) > FULL_TEXT_LIMIT:
        lo = max(0, min(start, len(article_text) - FULL_TEXT_LIMIT))
        article_text, start, end = article_text[lo : lo + FULL_TEXT_LIMIT], start - lo, end - lo
    return f'<div class="aq-full">{_marked(article_text, start, end, "aq-span")}</div>'


def _full_article(passage: Passage, article_text: str | None) -> str:
    if not article_text:
        return ""
    return (
        '<details class="aq-article"><summary>Open full article</summary>'
        f"{article_html(article_text, *article_span(passage, article_text))}</details>"
    )


def sources_html(answer: Answer, turn: int, articles: Mapping[str, str]) -> str:
    """The sources panel for one answer: cited passages (supporting sentence marked), then related articles."""
    parts = [f'<p class="aq-panel-title">Sources · {esc(answer.question)}</p>']
    for citation in answer.citations:
        p = citation.passage
        passage = _marked(p.text, *citation.highlight)
        parts.append(
            f'<div class="aq-card" id="src-{turn}-{citation.n}" tabindex="-1" data-article="{esc(p.article_id)}">'
            f'<div class="aq-card-head"><span class="aq-n">[{citation.n}]</span>{esc(p.title)}</div>'
            f'<div class="aq-meta">{meta_html(p)}</div><p class="aq-passage">{passage}</p>'
            f"{_full_article(p, articles.get(p.article_id))}</div>"
        )
    if answer.abstained:
        parts.append('<p class="aq-empty">The archive does not hold this answer. Closest articles:</p>')
    if answer.related:
        heading = "" if answer.abstained else '<p class="aq-panel-title">Related articles</p>'
        items = "".join(
            f"<li><strong>{esc(p.title)}</strong><br><span class='aq-meta'>{meta_html(p)}</span></li>"
            for p in answer.related
        )
        parts.append(f'{heading}<ul class="aq-related">{items}</ul>')
    return "".join(parts)


def empty_sources_html(note: str = "Ask a question: the passages each answer cites appear here.") -> str:
    return f'<p class="aq-panel-title">Sources</p><p class="aq-empty">{esc(note)}</p>'


def stats_html(stats: IndexStats) -> str:
    """The index panel: articles, chunks, sources, date range, embedder."""
    shown = ", ".join(f"{name} ({count})" for name, count in list(stats.sources.items())[:12])
    if len(stats.sources) > 12:
        shown += f", … {len(stats.sources) - 12} more"
    dates = stats.date_range
    rows = [
        ("Articles", stats.articles),
        ("Chunks", stats.chunks),
        ("Sources", shown or "—"),
        ("Dates", f"{dates[0]} – {dates[1]}" if dates else "—"),
        ("Undated articles", stats.undated_articles),
        ("Embedder", f"{stats.embedder.get('name')} ({stats.embedder.get('dimension')}-d)"),
        ("Collection", stats.collection),
    ]
    cells = "".join(f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>" for label, value in rows)
    return f'<table class="aq-stats" aria-label="What the index holds">{cells}</table>'


def _md_cell(value: object) -> str:
    return esc(value).replace("|", "&#124;").replace("`", "'")


def ingest_markdown(summary: Mapping[str, Any]) -> str:
    """The upload result for people: counts, then one line per file that failed."""
    if not summary:
        return ""
    counts = summary.get("articles") or {}
    kinds = ("new", "updated", "unchanged", "duplicate", "failed", "removed")
    line = ", ".join(f"{counts.get(key, 0)} {key}" for key in kinds)
    out = [f"**Ingested:** {line}; {summary.get('chunks_written', 0)} chunks in {summary.get('seconds', 0)} s."]
    if summary.get("replaced"):  # an upload of a name already there is that file's next version
        out.append("Replaced the earlier " + ", ".join(f"`{_md_cell(name)}`" for name in summary["replaced"]) + ".")
    errors = summary.get("errors") or []
    if errors:
        out.append(f"**{len(errors)} problem(s):**")
        out += [f"- `{_md_cell(Path(str(e.get('path', ''))).name)}`: {_md_cell(e.get('reason', ''))}" for e in errors]
    return "\n".join(out)
