"""Bytes to text: BOMs, strict UTF-8, Latin-1/CP1252 prose, and the bytes that must be refused."""

from __future__ import annotations

import codecs
import random

import pytest

from ingest.decode import InputError, decode

PROSE = "Café owners in Lyon said the rules, approved on Tuesday, would hurt trade, Élodie Moreau said.\n"


def test_utf8_passes_through() -> None:
    assert decode("MOSCOW — Talks “began”.\n".encode()) == "MOSCOW — Talks “began”.\n"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_legacy_single_byte_prose_keeps_its_accents(encoding: str) -> None:
    text = decode(PROSE.encode(encoding))
    assert text == PROSE
    assert "é" in text and "É" in text


def test_cp1252_punctuation_is_read_as_cp1252() -> None:
    text = "Consumer prices rose – “sharply”, the statistics office said – in March, led by food and rents.\n"
    assert decode(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_marks_select_the_encoding(bom: bytes, encoding: str) -> None:
    text = "Ferry resumes\nOSLO — The ferry ran again, said Ærøy.\n"
    assert decode(bom + text.encode(encoding)) == text


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_come_back_as_newlines(newline: str) -> None:
    assert decode(f"Title{newline}Body one.{newline}{newline}Two.{newline}".encode()) == "Title\nBody one.\n\nTwo.\n"


def test_utf16_line_endings_are_normalized_too() -> None:
    assert decode(codecs.BOM_UTF16_LE + "a\r\nb\r\n".encode("utf-16-le")) == "a\nb\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n"])
def test_empty_or_blank_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="empty file"):
        decode(data)


def test_binary_with_nul_bytes_is_refused() -> None:
    rng = random.Random(1)
    data = b"GIF89a" + bytes(rng.randrange(256) for _ in range(2000)) + b"\x00\x00"
    with pytest.raises(InputError, match="binary file"):
        decode(data)


def test_mostly_high_bytes_are_not_mistaken_for_latin1() -> None:
    rng = random.Random(2)
    data = bytes(rng.randrange(0xA0, 0x100) for _ in range(3000))
    with pytest.raises(InputError, match="undecodable text: not UTF-8"):
        decode(data)


def test_truncated_utf16_after_its_bom_is_refused() -> None:
    with pytest.raises(InputError, match="broken utf-16"):
        decode(codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00\xd8")
