"""Uploaded files made safe to ingest: type check, size limits, and zip members confined to one folder.

A zip is refused whole when any member would land outside the folder (`../x`, `/etc/x`, `C:\\x`), when it
declares more members or more uncompressed bytes than the limits allow (zip bombs), or when a member
inflates past what it declared. Refusals are per uploaded file, so one bad file does not sink the others.
Ingesting what was staged is ingest/uploads.py.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ingest.readers import SUPPORTED, suffix_of

ALLOWED = SUPPORTED  # what the readers take is what an upload may be: one list, ingest/readers.py
ARCHIVES = (".zip",)
UPLOAD_TYPES = (*ALLOWED, *ARCHIVES)  # what an upload may be: a readable file, or a zip of them
_DRIVE = re.compile(r"^[A-Za-z]:")
_COPY_CHUNK = 1 << 20


class UploadError(ValueError):
    """An uploaded file that is refused; the message says why."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int  # one uploaded file, and all files of one upload together
    max_members: int = 2000  # files in one zip
    max_unpacked: int = 0  # uncompressed bytes of one zip; 0 = 10 x max_bytes

    @property
    def unpacked_cap(self) -> int:
        return self.max_unpacked or 10 * self.max_bytes


@dataclass
class Staged:
    """Files ready to ingest (all inside `folder`) and the uploads that were refused, with reasons.

    `units` are the names the accepted uploads took in `folder`, in upload order: a file's name, or a zip's name
    as the folder of its members; a second upload of the same name in one batch becomes `name-2`."""

    folder: Path
    paths: list[Path] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    units: list[str] = field(default_factory=list)


def stage(files: list[Path], folder: Path, limits: UploadLimits) -> Staged:
    """Check each upload and place it (or the members of a zip) in `folder`."""
    staged = Staged(folder)
    total = 0
    for source in files:
        name = Path(str(source)).name
        try:
            suffix = check_type(name, allow_archives=True)
            size = source.stat().st_size
            if size > limits.max_bytes or total + size > limits.max_bytes:
                what = "file" if size > limits.max_bytes else "upload (all files together)"
                raise UploadError(
                    f"{what} is over the {limits.max_bytes / 2**20:g} MB limit (ARCHIVE_QA_MAX_UPLOAD_MB)"
                )
            total += size
            unit = _unique(folder, name)
            if suffix in ARCHIVES:  # members keyed by the zip's name and their path in it
                staged.paths += extract_zip(source, folder / unit, limits)
            else:
                shutil.copyfile(source, folder / unit)
                staged.paths.append(folder / unit)
            staged.units.append(unit)
        except UploadError as exc:
            staged.errors.append({"path": name, "reason": str(exc)})
        except OSError as exc:
            staged.errors.append({"path": name, "reason": f"cannot read upload: {exc.strerror or exc}"})
    return staged


def check_type(name: str, allow_archives: bool = False) -> str:
    """The file's type suffix, or UploadError for anything the archive cannot read."""
    suffix = suffix_of(Path(name), UPLOAD_TYPES)
    if suffix in ALLOWED or (allow_archives and suffix in ARCHIVES):
        return suffix
    kinds = ", ".join(UPLOAD_TYPES if allow_archives else ALLOWED)
    raise UploadError(f"unsupported file type '{suffix or name}' (accepted: {kinds})")


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path a zip member may take, or UploadError when it would escape the folder."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise UploadError(f"zip member '{name}' has an absolute path")
    parts = [part for part in cleaned.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise UploadError(f"zip member '{name}' points outside the archive ('..')")
    if not parts:
        raise UploadError(f"zip member '{name}' has no file name")
    return PurePosixPath(*parts)


def extract_zip(source: Path, dest: Path, limits: UploadLimits) -> list[Path]:
    """Extract the readable members of a zip into `dest`, checking everything before writing anything."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise UploadError(f"not a readable zip file ({exc})") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_members:
            raise UploadError(f"zip has {len(members)} files, over the limit of {limits.max_members}")
        declared = sum(info.file_size for info in members)
        if declared > limits.unpacked_cap:
            raise UploadError(
                f"zip would unpack to {declared / 2**20:.0f} MB, over the {limits.unpacked_cap / 2**20:g} MB limit"
            )
        planned: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in members:
            relative = safe_member_path(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadError(f"zip member '{info.filename}' is a symbolic link")
            if info.flag_bits & 0x1:
                raise UploadError(f"zip member '{info.filename}' is encrypted")
            if any(part.startswith(".") or part == "__MACOSX" for part in relative.parts):
                continue  # hidden files and macOS resource forks: not articles
            try:
                check_type(relative.name)
            except UploadError:
                continue  # other files in a zip (images, readmes in odd formats) are skipped, not fatal
            planned.append((info, relative))
        if not planned:  # refused rather than staged empty: an empty zip would replace an earlier upload with nothing
            raise UploadError(f"zip holds no files the archive reads ({', '.join(ALLOWED)})")
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written: list[Path] = []
        budget = limits.unpacked_cap
        try:
            for info, relative in planned:
                target = (root / relative).resolve()
                if not target.is_relative_to(root):  # belt and braces: safe_member_path already refused these
                    raise UploadError(f"zip member '{info.filename}' points outside the archive")
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_member(archive, info, target, min(info.file_size, budget))
                if target not in written:  # a zip may name one member twice: the last copy is the file
                    written.append(target)
        except UploadError:
            shutil.rmtree(root, ignore_errors=True)  # all or nothing: no half-extracted zip gets ingested
            raise
        return written


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, allowed: int) -> int:
    """Copy one member, refusing it when it inflates past its declared size (a lying header)."""
    copied = 0
    try:
        with archive.open(info) as src, open(target, "wb") as out:
            while chunk := src.read(_COPY_CHUNK):
                copied += len(chunk)
                if copied > allowed:
                    raise UploadError(f"zip member '{info.filename}' inflates past its declared size")
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        target.unlink(missing_ok=True)
        raise UploadError(f"zip member '{info.filename}' is damaged ({exc})") from None
    except UploadError:
        target.unlink(missing_ok=True)
        raise
    return copied


def _unique(folder: Path, name: str) -> str:
    """`name`, or `name-2`, `name-3`… when an earlier upload of the same batch took it."""
    name = Path(name).name or "upload"
    candidate, n = name, 1
    while (folder / candidate).exists():
        n += 1
        stem, dot, suffix = name.partition(".")
        candidate = f"{stem}-{n}{dot}{suffix}"
    return candidate
