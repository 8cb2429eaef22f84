"""Bytes to text: BOM-aware, strict UTF-8 first, Latin-1/CP1252 only when the bytes look like prose."""

from __future__ import annotations

import codecs
import re


class InputError(ValueError):
    """A file or record that cannot be ingested; the message is the reason shown to the user."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes) -> str:
    """Decode a file's bytes or raise InputError naming why not; line endings come back as \\n."""
    if not data.strip():
        raise InputError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _newlines(data.decode(encoding))
            except UnicodeDecodeError as exc:
                raise InputError(f"undecodable text: broken {encoding} after its byte-order mark") from exc
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        return _newlines(data.decode("utf-8"))
    except UnicodeDecodeError as utf8_error:
        return _newlines(_decode_legacy(data, utf8_error))


def _decode_legacy(data: bytes, utf8_error: UnicodeDecodeError) -> str:
    # Old newsroom exports are often CP1252/Latin-1: accept them when only a few characters are non-ASCII,
    # which prose in those encodings always is; random or truncated bytes are not.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    high = sum(1 for ch in text if ord(ch) > 127)
    if not text or _CONTROL.search(text) or high > 0.1 * len(text):
        raise InputError(
            f"undecodable text: not UTF-8 (bad byte at offset {utf8_error.start}), UTF-16 or Latin-1"
        ) from utf8_error
    return text


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
