"""The page's static CSS and script (ui/static/, read by ui/assets.py) and the package data that ships them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from qa.citations import MARKER
from ui import assets, render

ROOT = Path(__file__).resolve().parents[2]


def test_css_and_script_come_from_the_static_files() -> None:
    static = ROOT / "ui" / "static"
    assert (static / "app.css").read_text(encoding="utf-8") == assets.CSS
    assert "#aq-sources" in assets.CSS and ".aq-card.aq-active" in assets.CSS
    assert assets.HEAD.startswith("<script>\n") and assets.HEAD.endswith("</script>\n")
    assert (static / "app.js").read_text(encoding="utf-8") in assets.HEAD
    assert 'a[href^="#src-"]' in assets.HEAD and "details.aq-tl-article[open]" in assets.HEAD


def test_an_installed_package_ships_the_static_files() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ui"]
    shipped = {path.name for pattern in patterns for path in (ROOT / "ui").glob(pattern)}
    assert {"app.css", "app.js"} <= shipped


def test_render_links_the_markers_the_citation_parser_reads() -> None:
    assert render.MARKER is MARKER
