"""The page's static parts: its CSS and script (ui/static/, package data) and system font stacks, read at startup."""

from __future__ import annotations

from importlib.resources import files

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def static_text(name: str) -> str:
    """One file of ui/static/ as text; an installed package ships them too (pyproject.toml package-data).

    >>> "aq-card" in static_text("app.css")
    True
    """
    return (files("ui") / "static" / name).read_text(encoding="utf-8")


CSS = static_text("app.css")  # Gradio's `css=`
HEAD = f"<script>\n{static_text('app.js')}</script>\n"  # Gradio's `head=`: the citation and timeline clicks
