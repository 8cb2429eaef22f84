"""Commands that read the archive refuse one that does not exist or holds no articles, and say how to make it.

Opening the store would create it empty, and every question would then be answered "not in the archive".
"""

from __future__ import annotations

from archive_qa.settings import Settings

SERVE_EMPTY = "or pass --allow-empty to start the app on it empty and add articles through its Index tab"


class NoArchiveError(RuntimeError):
    """The configured store (or server collection) holds no articles."""


def require_archive(settings: Settings, alternative: str = "") -> None:
    """Raise NoArchiveError, naming the store and the command that fills it, unless it holds articles.

    Nothing is created: an embedded store that is not there is not opened at all.
    """
    found = stored_articles(settings)
    if found:
        return
    where, ingest = _describe(settings)
    state = "" if found is None else "it holds no articles; "
    fix = f"{state}run `{ingest}` first" + (f", {alternative}" if alternative else "")
    raise NoArchiveError(f"no archive {where}: {fix}")


def stored_articles(settings: Settings) -> int | None:
    """How many articles the configured collection holds; None when there is no such store or collection."""
    from storage.chroma_client import ARTICLES_SUFFIX, collection_state, make_client

    if not settings.chroma_url and not (settings.store / "chroma" / "chroma.sqlite3").is_file():
        return None
    client = make_client(settings.store, settings.chroma_url)
    if collection_state(client, settings.collection) is None:
        return None
    articles = collection_state(client, settings.collection + ARTICLES_SUFFIX)
    return None if articles is None else articles[0]


def _describe(settings: Settings) -> tuple[str, str]:
    """Where the archive was looked for, and the ingest command that makes it there."""
    collection = "" if settings.collection == Settings.model_fields["collection"].default else settings.collection
    named = f" --collection {collection}" if collection else ""
    if settings.chroma_url:
        where = f"in collection '{settings.collection}' at {settings.chroma_url}"
        return where, f"archive-qa ingest PATH --chroma-url {settings.chroma_url} --collection {settings.collection}"
    return f"at {settings.store}", f"archive-qa ingest PATH --store {settings.store}{named}"
