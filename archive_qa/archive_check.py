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
    from storage.factory import stored_articles  # the store's libraries load only for a command that reads it

    found = stored_articles(settings)
    if found:
        return
    where, ingest = _describe(settings)
    state = "" if found is None else "it holds no articles; "
    fix = f"{state}run `{ingest}` first" + (f", {alternative}" if alternative else "")
    raise NoArchiveError(f"no archive {where}: {fix}")


def _describe(settings: Settings) -> tuple[str, str]:
    """Where the archive was looked for, and the ingest command that makes it there."""
    collection = "" if settings.collection == Settings.model_fields["collection"].default else settings.collection
    named = f" --collection {collection}" if collection else ""
    if settings.chroma_url:
        where = f"in collection '{settings.collection}' at {settings.chroma_url}"
        return where, f"archive-qa ingest PATH --chroma-url {settings.chroma_url} --collection {settings.collection}"
    return f"at {settings.store}", f"archive-qa ingest PATH --store {settings.store}{named}"
