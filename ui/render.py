"""HTML for the web app: answers with clickable [n], source cards with highlighted passages, full articles, stats.

Everything that comes from the archive (titles, text, places, links, paths) is HTML-escaped here; links are
only ever http(s). The app (app.py) wires these strings into Gradio components and holds no markup itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from qa.types import Answer, Passage, is_quoted_after_decline, is_quoted_after_echo

MARKER = re.compile(r"\[(\d{1,3})\]")
FULL_TEXT_LIMIT = 60_000  # characters of an article shown in the full-article expander

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]

CSS = """
.aq-answer { white-space: normal; line-height: 1.5; }
.aq-cite { font-weight: 600; text-decoration: none; padding: 0 .1em; border-radius: 4px; cursor: pointer; }
.aq-cite:hover, .aq-cite:focus { background: rgba(245, 158, 11, .25); }
.aq-pending { opacity: .7; font-style: italic; }
/* Our own "Searching the archive…" bubble stands for Gradio's loading dots (one placeholder, no jump). */
#aq-chat div:has(> [role="status"][aria-label="Loading response"]) { display: none; }
.aq-caret { display: inline-block; width: .5em; animation: aq-blink 1s steps(1) infinite; }
@keyframes aq-blink { 50% { opacity: 0; } }
.aq-standalone { margin-top: .5em; font-size: .8em; opacity: .75; }
.aq-closest { margin: .4em 0 0 1.1em; padding: 0; font-size: .95em; }
.aq-quoted { margin-top: .3em; font-size: .85em; color: #6b7280; font-style: italic; }
#aq-sources { height: 620px; overflow-y: auto; overscroll-behavior: contain; padding-right: 4px; }
.aq-panel-title { font-size: .85em; text-transform: uppercase; letter-spacing: .04em; opacity: .7; margin: 0 0 .5em; }
.aq-card { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px; padding: .6em .8em;
  margin-bottom: .7em; scroll-margin-top: 8px; transition: box-shadow .3s, border-color .3s; }
.aq-card.aq-active { border-color: #f59e0b; box-shadow: 0 0 0 3px rgba(245, 158, 11, .45); }
.aq-card-head { font-weight: 600; }
.aq-n { display: inline-block; min-width: 1.8em; color: #b45309; }
.aq-meta { font-size: .82em; opacity: .8; margin: .2em 0 .4em; overflow-wrap: anywhere; }
.aq-also { font-style: italic; }
.aq-passage { font-size: .92em; margin: .3em 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.aq-card mark, .aq-answer mark { background: #fde68a; color: #111; padding: 0 .1em; border-radius: 2px; }
.aq-full { font-size: .88em; white-space: pre-wrap; max-height: 360px; overflow-y: auto; margin-top: .4em;
  overflow-wrap: anywhere; }
.aq-full mark.aq-span { background: #dbeafe; color: #111; }
.aq-related { font-size: .9em; }
.aq-related li { margin-bottom: .35em; }
.aq-empty { opacity: .7; font-size: .95em; }
.aq-stats { border-collapse: collapse; font-size: .95em; margin-bottom: .8em; }
.aq-stats th { text-align: left; font-weight: 600; padding: .3em 1.2em .3em .6em; vertical-align: top; }
.aq-stats td { padding: .3em .6em; overflow-wrap: anywhere; }
.aq-timeline { list-style: none; margin: 0; padding: 0; }
.aq-tl-entry { border-left: 3px solid #f59e0b; padding: .3em 0 .3em .8em; margin-bottom: .7em; }
.aq-tl-entry summary { cursor: pointer; }
.aq-tl-title, .aq-tl-sentence { display: block; }  /* the head stays inline: the open/close triangle starts it */
.aq-tl-head { font-size: .85em; opacity: .8; } .aq-tl-title { font-weight: 600; } .aq-tl-sentence { font-size: .92em; }
@media (max-width: 640px) {
  #aq-sources { height: 55vh; }
}
"""

# Clicking [n] selects the source card n of that answer (waiting for the panel to switch answers if needed),
# scrolls it into view and highlights it. Without JavaScript the #src-… anchor still jumps to the card.
HEAD = """
<script>
(() => {
  function show(card) {
    document.querySelectorAll('.aq-card.aq-active').forEach((c) => c.classList.remove('aq-active'));
    card.classList.add('aq-active');
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    card.focus({preventScroll: true});
  }
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
    if (!link) return;
    event.preventDefault();
    const id = link.getAttribute('href').slice(1);
    let tries = 0;
    const find = () => {
      const card = document.getElementById(id);
      if (card) { show(card); } else if (++tries < 60) { setTimeout(find, 100); }
    };
    find();
  }, true);
  // A timeline entry opened: bring its marked sentence into view inside the article box.
  document.addEventListener('toggle', (event) => {
    const opened = event.target;
    const mark = opened.matches && opened.matches('details.aq-tl-article[open]') && opened.querySelector('mark');
    if (mark) mark.scrollIntoView({block: 'nearest'});
  }, true);
})();
</script>
"""


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
    if is_quoted_after_decline(answer.answered_by):  # the model gave up over close evidence: say whose words these are
        parts.append(
            '<div class="aq-quoted">Quoted from the archive: the model did not compose an answer, '
            "so these are the passages' closest sentences.</div>"
        )
    if is_quoted_after_echo(answer.answered_by):
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


def stats_html(stats: Mapping[str, Any]) -> str:
    """The index panel: articles, chunks, sources, date range, embedder."""
    sources = stats.get("sources") or {}
    shown = ", ".join(f"{name} ({count})" for name, count in list(sources.items())[:12])
    if len(sources) > 12:
        shown += f", … {len(sources) - 12} more"
    dates = stats.get("date_range")
    embedder = stats.get("embedder") or {}
    rows = [
        ("Articles", stats.get("articles", 0)),
        ("Chunks", stats.get("chunks", 0)),
        ("Sources", shown or "—"),
        ("Dates", f"{dates[0]} – {dates[1]}" if dates else "—"),
        ("Undated articles", stats.get("undated_articles", 0)),
        ("Embedder", f"{embedder.get('name')} ({embedder.get('dimension')}-d)"),
        ("Collection", stats.get("collection", "")),
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
