"""Both vendors down: the offline engine (faster-whisper, in-process) answers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jiwer
import pytest

from talentsync import settings as settings_module
from talentsync.transcription.offline_model import (
    clear_verification_cache,
    locate_model_dir,
)
from tests.support.fake_vendors import FakeVendors, Fault
from tests.support.transcription_uploads import (
    invoke,
    make_upload,
    transcription_row,
    upload_event,
)

AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
ANSWER = "ds_overfitting_strong.wav"


def reference_text(name: str) -> str:
    references: dict[str, str] = json.loads((AUDIO_DIR / "references.json").read_text())
    return references[name]


def normalized(text: str) -> str:
    return " ".join(jiwer.RemovePunctuation()(text.lower()).split())


@pytest.mark.slow
def test_offline_engine_transcribes_when_both_vendors_fail(
    transcription_app: Any,
    audio_bucket: str,
    conn: Any,
    fake_vendors: FakeVendors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "openai,assemblyai,fallback")
    monkeypatch.delenv("OFFLINE_ENGINE_FUNCTION", raising=False)
    fake_vendors.openai.fault = Fault.HTTP_500
    fake_vendors.assemblyai.fault = Fault.HTTP_500
    upload = make_upload(conn, audio_bucket, (AUDIO_DIR / ANSWER).read_bytes(), "wav")

    invoke(transcription_app, upload_event(upload))

    row = transcription_row(conn, upload.key)
    assert (row["status"], row["provider"]) == ("completed", "fallback")
    assert row["fallback_used"] is True
    assert row["segments"]
    error_rate = jiwer.wer(
        normalized(reference_text(ANSWER)), normalized(row["transcript_text"])
    )
    assert error_rate <= 0.20


@pytest.fixture
def vendors_down(fake_vendors: FakeVendors, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both vendors answer 500; the chain ends at the in-process offline engine."""
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "openai,assemblyai,fallback")
    monkeypatch.delenv("OFFLINE_ENGINE_FUNCTION", raising=False)
    fake_vendors.openai.fault = Fault.HTTP_500
    fake_vendors.assemblyai.fault = Fault.HTTP_500
    settings_module.get_settings.cache_clear()


@pytest.fixture
def fresh_model_verification() -> Iterator[None]:
    clear_verification_cache()
    yield
    clear_verification_cache()


@pytest.fixture
def tampered_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the packaged model whose vocabulary has one extra byte."""
    copy = tmp_path / "model"
    shutil.copytree(locate_model_dir(), copy, ignore=shutil.ignore_patterns("*.bin"))
    (copy / "model.bin").symlink_to(locate_model_dir() / "model.bin")
    with (copy / "vocabulary.txt").open("ab") as vocabulary:
        vocabulary.write(b"x")
    monkeypatch.setenv("OFFLINE_MODEL_DIR", str(copy))
    return copy


@pytest.mark.slow
def test_with_no_api_keys_the_offline_engine_transcribes(
    transcription_app: Any,
    audio_bucket: str,
    conn: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OPENAI_API_KEY", "ASSEMBLYAI_API_KEY", "PROVIDER_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OFFLINE_ENGINE_FUNCTION", raising=False)
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "openai,assemblyai,fallback")
    settings_module.get_settings.cache_clear()
    upload = make_upload(conn, audio_bucket, (AUDIO_DIR / ANSWER).read_bytes(), "wav")

    invoke(transcription_app, upload_event(upload))

    row = transcription_row(conn, upload.key)
    assert (row["status"], row["provider"], row["fallback_used"]) == (
        "completed",
        "fallback",
        True,
    )
    assert all(segment["end"] > segment["start"] for segment in row["segments"])


@pytest.mark.usefixtures("vendors_down", "fresh_model_verification")
def test_a_tampered_model_fails_the_row_with_the_checksum_error(
    transcription_app: Any, audio_bucket: str, conn: Any, tampered_model: Path
) -> None:
    upload = make_upload(conn, audio_bucket, (AUDIO_DIR / ANSWER).read_bytes(), "wav")

    with pytest.raises(Exception):  # noqa: B017 - the vendors' 500s may pass: it raises
        invoke(transcription_app, upload_event(upload))

    row = transcription_row(conn, upload.key)
    assert row["status"] == "failed"
    assert "vocabulary.txt" in row["error_message"]
    assert "sha256" in row["error_message"].lower()


@pytest.mark.usefixtures("vendors_down", "fresh_model_verification")
def test_a_missing_model_fails_the_row_naming_offline_model_dir(
    transcription_app: Any,
    audio_bucket: str,
    conn: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OFFLINE_MODEL_DIR", str(tmp_path / "no-model-here"))
    upload = make_upload(conn, audio_bucket, (AUDIO_DIR / ANSWER).read_bytes(), "wav")

    with pytest.raises(Exception):  # noqa: B017 - the vendors' 500s may pass: it raises
        invoke(transcription_app, upload_event(upload))

    row = transcription_row(conn, upload.key)
    assert row["status"] == "failed"
    assert "OFFLINE_MODEL_DIR" in row["error_message"]
