"""Every usage example in the product modules' docstrings runs, against the sample archive (tests/support)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive_qa.settings import Settings
from qa.filters import Filters
from qa.pipeline import ArchiveQA
from storage.factory import keyword_root, open_store

from qa_fixtures import extractive_qa, sample_store
from qa_support import ScriptedGenerator
from story_texts import EDITED, WIRE

__all__ = ["extractive_qa", "sample_store"]  # fixtures used below, re-exported so pytest finds them

REPO_ROOT = Path(__file__).resolve().parents[1]
# The product packages; app.py is left out on purpose (it has no examples, and importing it builds no UI anyway).
PACKAGES = ("archive_qa", "ingest", "storage", "qa", "generators", "evaluation", "ui")
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    """Every module of the product packages, package first, in `pkgutil` order."""
    names = []
    for package in PACKAGES:
        names += [package] + [m.name for m in pkgutil.walk_packages([str(REPO_ROOT / package)], f"{package}.")]
    return names


def _doctests() -> list[doctest.DocTest]:
    """Each module's docstring examples, found the way `python -m doctest` finds them (module order, then name)."""
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        found += [t for t in doctest.DocTestFinder().find(module, name) if t.examples]
    return found


MODULES = _modules()
DOCTESTS = _doctests()


@pytest.fixture(scope="module")
def namespace(extractive_qa: ArchiveQA, sample_store: Path) -> dict[str, Any]:
    """The names the examples use without defining them: the sample archive's store, embedder and pipeline."""
    qa = extractive_qa
    passages = qa.retriever.retrieve("Who won the Savanna Cup?", Filters(as_of=date(2030, 1, 1)))
    return {
        "settings": Settings(store=sample_store, answerer="extractive"),
        "qa": qa,
        "store": qa.retriever.store,
        "embedder": qa.embedder,
        "keyword_root": keyword_root,
        "open_store": open_store,
        "passages": passages,
        "ScriptedGenerator": ScriptedGenerator,
        "wire_copy": WIRE,
        "lightly_edited_copy": EDITED,
        "Path": Path,
        "date": date,
        "Filters": Filters,
        "Settings": Settings,
    }


@pytest.fixture
def workdir(tmp_path: Path, sample_archive: Path, sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder as a user's checkout looks: `.archive-qa` (the sample store, the default `Settings().store`) and
    `archive/` (two sample articles); examples that write use other names."""
    (tmp_path / ".archive-qa").symlink_to(sample_store, target_is_directory=True)
    monkeypatch.delenv("ARCHIVE_QA_STORE", raising=False)
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in sorted(p.name for p in sample_archive.glob("*.txt"))[:2]:
        shutil.copy(sample_archive / name, archive / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_example(test: doctest.DocTest, namespace: dict[str, Any], workdir: Path) -> None:
    test.globs = {**namespace, **test.globs}  # the module's own names win over the shared ones
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    result = runner.run(test, out=report.append, clear_globs=False)
    assert result.failed == 0, "".join(report)


def test_every_product_package_is_searched() -> None:
    assert {n.split(".")[0] for n in MODULES} == set(PACKAGES)
    assert {t.name.split(".")[0] for t in DOCTESTS} >= {"ingest", "storage", "qa", "generators"}
    assert len({t.name.split(".")[1] for t in DOCTESTS if t.name.startswith("qa.")}) >= 5
