"""Upload safety: type check, size limits, zip members confined to the upload folder, zip bombs refused."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from ingest.staging import UploadError, UploadLimits, check_type, extract_zip, safe_member_path, stage

ARTICLE = "Harbour reopens\nOSLO, May 2, 2024 — The harbour reopened.\nAgencies - NTB\n"
LIMITS = UploadLimits(max_bytes=1 << 20)  # 1 MiB a file; zips unpack to at most 10 MiB


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "..\\evil.txt", "a/b/../../../evil.txt"])
def test_zip_slip_member_is_refused(tmp_path: Path, name: str) -> None:
    bundle = make_zip(tmp_path / "slip.zip", {"ok.txt": ARTICLE, name: ARTICLE})
    assert name in zipfile.ZipFile(bundle).namelist()
    dest = tmp_path / "up" / "slip"
    with pytest.raises(UploadError, match="outside the archive"):
        extract_zip(bundle, dest, LIMITS)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "up" / "evil.txt").exists()
    assert not dest.exists() or files_under(dest) == []


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/evil.txt", "c:\\evil.txt", "\\\\server\\share\\evil.txt"])
def test_absolute_member_is_refused(tmp_path: Path, name: str) -> None:
    bundle = make_zip(tmp_path / "abs.zip", {name: ARTICLE})
    with pytest.raises(UploadError, match="absolute path"):
        extract_zip(bundle, tmp_path / "up", LIMITS)
    assert not Path("/etc/evil.txt").exists()


def test_zip_bomb_by_declared_size_is_refused_before_writing(tmp_path: Path) -> None:
    bomb = make_zip(tmp_path / "bomb.zip", {"big.txt": b"0" * (11 << 20)})  # 11 MiB of zeros, ~11 KiB zipped
    assert bomb.stat().st_size < LIMITS.max_bytes
    dest = tmp_path / "up"
    with pytest.raises(UploadError, match="would unpack to 11 MB"):
        extract_zip(bomb, dest, LIMITS)
    assert not dest.exists()


def test_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    bundle = make_zip(tmp_path / "many.zip", {f"a{i}.txt": ARTICLE for i in range(6)})
    with pytest.raises(UploadError, match="6 files, over the limit of 5"):
        extract_zip(bundle, tmp_path / "up", UploadLimits(max_bytes=1 << 20, max_members=5))


def test_member_that_inflates_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    bundle = make_zip(tmp_path / "liar.zip", {"liar.txt": b"x" * 200_000})
    data = bytearray(bundle.read_bytes())
    # Declare 100 bytes instead of 200,000 in both the local header and the central directory.
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 100)
    struct.pack_into("<I", data, central + 24, 100)
    bundle.write_bytes(bytes(data))
    dest = tmp_path / "up"
    with pytest.raises(UploadError, match=r"liar\.txt"):
        extract_zip(bundle, dest, LIMITS)
    assert not dest.exists() or files_under(dest) == []


def test_good_zip_extracts_articles_only(tmp_path: Path) -> None:
    bundle = make_zip(
        tmp_path / "good.zip",
        {
            "news/a.txt": ARTICLE,
            "news/./b.html": "<html><title>B</title><body><p>Body text.</p></body></html>",
            "news/c.jsonl": '{"title": "C", "text": "Body."}\n',
            "__MACOSX/news/._a.txt": b"\x00",
            "news/.hidden.txt": ARTICLE,
            "news/photo.jpg": b"\xff\xd8",
        },
    )
    written = extract_zip(bundle, tmp_path / "up", LIMITS)
    assert files_under(tmp_path / "up") == ["news/a.txt", "news/b.html", "news/c.jsonl"]
    assert all(p.resolve().is_relative_to((tmp_path / "up").resolve()) for p in written)


def test_not_a_zip_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"this is not a zip")
    with pytest.raises(UploadError, match="not a readable zip"):
        extract_zip(fake, tmp_path / "up", LIMITS)


@pytest.mark.parametrize("name", ["virus.exe", "report.pdf", "a.txt.exe", "archive.tar.gz", "noext"])
def test_wrong_type_is_refused(name: str) -> None:
    with pytest.raises(UploadError, match="unsupported file type"):
        check_type(name, allow_archives=True)


@pytest.mark.parametrize("name", ["a.txt", "B.JSONL", "c.csv", "d.html", "e.htm", "f.md", "g.zip"])
def test_supported_types_pass(name: str) -> None:
    assert check_type(name, allow_archives=True)


def test_zip_inside_zip_is_not_extracted(tmp_path: Path) -> None:
    with pytest.raises(UploadError):
        check_type("inner.zip")  # members may not be archives themselves


def test_stage_reports_per_file_and_keeps_the_good_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    wrong = tmp_path / "w.docx"
    wrong.write_bytes(b"PK")
    slip = make_zip(tmp_path / "slip.zip", {"../../evil.txt": ARTICLE})
    folder = tmp_path / "staged"
    folder.mkdir()
    staged = stage([good, big, wrong, slip], folder, UploadLimits(max_bytes=1024))
    assert [p.name for p in staged.paths] == ["good.txt"]
    reasons = {e["path"]: e["reason"] for e in staged.errors}
    assert reasons["big.txt"].startswith("file is over the")
    assert "unsupported file type" in reasons["w.docx"]
    assert "outside the archive" in reasons["slip.zip"]
    assert files_under(folder) == ["good.txt"]


def test_stage_limits_the_whole_upload_too(tmp_path: Path) -> None:
    parts = []
    for i in range(3):
        part = tmp_path / f"p{i}.txt"
        part.write_bytes(b"x" * 400)
        parts.append(part)
    folder = tmp_path / "staged"
    folder.mkdir()
    staged = stage(parts, folder, UploadLimits(max_bytes=1000))
    assert len(staged.paths) == 2 and staged.errors[0]["path"] == "p2.txt"
    assert staged.errors[0]["reason"].startswith("upload (all files together) is over the")


@pytest.mark.parametrize(
    ("name", "expected"), [("a/b.txt", "a/b.txt"), ("./a//b.txt", "a/b.txt"), ("a\\b.txt", "a/b.txt")]
)
def test_safe_member_path_normalizes(name: str, expected: str) -> None:
    assert str(safe_member_path(name)) == expected


def test_zip_without_readable_members_is_refused(tmp_path: Path) -> None:
    """Staged empty it would replace an earlier upload of its name with nothing."""
    bundle = make_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8", "notes/readme.pdf": b"%PDF"})
    with pytest.raises(UploadError, match="no files the archive reads"):
        extract_zip(bundle, tmp_path / "up", LIMITS)
    assert not (tmp_path / "up").exists()
