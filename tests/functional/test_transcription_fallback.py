"""Both vendors down: the offline engine (faster-whisper, in-process) answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jiwer
import pytest

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
    assert error_rate < 0.25
