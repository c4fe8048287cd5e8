"""Each fake vendor fault becomes a ProviderError with its reason and retry class.

The providers run against the fake vendors through the real SDKs, without the
database or AWS: what the chain does with the error is tested once for all in
test_transcription_faults.py and test_transcription_chain.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from talentsync.errors import ProviderError
from talentsync.transcription.assemblyai_provider import AssemblyAIProvider
from talentsync.transcription.openai_provider import OpenAIProvider
from talentsync.transcription.provider import AudioFile
from tests.support.fake_vendors import (
    CLIENT_TIMEOUT_SECONDS,
    FakeVendors,
    Fault,
)
from tests.support.transcription_uploads import wav_bytes

# fault -> (reason fragment, transient)
ASSEMBLYAI_FAULTS = {
    Fault.HTTP_500: ("HTTP 500", True),
    Fault.HTTP_429: ("HTTP 429", True),
    Fault.HTTP_400: ("HTTP 400", False),
    Fault.SLOW: ("timed out after 0.5 s", True),
    Fault.MALFORMED: ("malformed reply", True),
    Fault.STATUS_ERROR: ("transcript status error: Transcoding failed", False),
    Fault.NEVER_COMPLETES: ("no result within the 1 s deadline", True),
}
OPENAI_FAULTS = {
    Fault.HTTP_500: ("HTTP 500", True),
    Fault.HTTP_429: ("HTTP 429", True),
    Fault.HTTP_400: ("HTTP 400", False),
    Fault.SLOW: ("timed out after 0.5 s", True),
    Fault.MALFORMED: ("malformed reply", True),
}


@pytest.fixture
def audio(tmp_path: Path) -> AudioFile:
    path = tmp_path / "answer.wav"
    path.write_bytes(wav_bytes())
    return AudioFile(
        path=path,
        file_name="answer.wav",
        extension="wav",
        content_type="audio/wav",
        size_bytes=path.stat().st_size,
    )


def assemblyai(vendors: FakeVendors) -> AssemblyAIProvider:
    return AssemblyAIProvider(
        "test-assemblyai-key",
        vendors.base_url,
        http_timeout_seconds=CLIENT_TIMEOUT_SECONDS,
        deadline_seconds=1.0,
        polling_interval_seconds=0.01,
    )


def openai(vendors: FakeVendors) -> OpenAIProvider:
    return OpenAIProvider(
        "sk-test-openai-key",
        f"{vendors.base_url}/v1",
        "whisper-1",
        timeout_seconds=CLIENT_TIMEOUT_SECONDS,
        max_retries=0,
    )


@pytest.mark.parametrize("fault", list(ASSEMBLYAI_FAULTS))
def test_assemblyai_fault_is_a_provider_error_with_its_reason(
    fake_vendors: FakeVendors, audio: AudioFile, fault: Fault
) -> None:
    fake_vendors.assemblyai.fault = fault
    reason, transient = ASSEMBLYAI_FAULTS[fault]

    with pytest.raises(ProviderError) as raised:
        assemblyai(fake_vendors).transcribe(audio)

    assert reason in raised.value.reason
    assert raised.value.transient is transient


@pytest.mark.parametrize("fault", list(OPENAI_FAULTS))
def test_openai_fault_is_a_provider_error_with_its_reason(
    fake_vendors: FakeVendors, audio: AudioFile, fault: Fault
) -> None:
    fake_vendors.openai.fault = fault
    reason, transient = OPENAI_FAULTS[fault]

    with pytest.raises(ProviderError) as raised:
        openai(fake_vendors).transcribe(audio)

    assert reason in raised.value.reason
    assert raised.value.transient is transient


@pytest.mark.parametrize("vendor", ["assemblyai", "openai"])
def test_low_confidence_reply_is_a_transcript_below_the_floor(
    fake_vendors: FakeVendors, audio: AudioFile, vendor: str
) -> None:
    fake_vendors.assemblyai.fault = fake_vendors.openai.fault = Fault.LOW_CONFIDENCE
    make = assemblyai if vendor == "assemblyai" else openai

    result = make(fake_vendors).transcribe(audio)

    assert result.confidence < 0.4


def test_assemblyai_polls_until_the_transcript_is_done(
    fake_vendors: FakeVendors, audio: AudioFile
) -> None:
    fake_vendors.assemblyai.polls_before_done = 3

    result = assemblyai(fake_vendors).transcribe(audio)

    polls = [c for c in fake_vendors.calls_to("assemblyai") if c.method == "GET"]
    assert len(polls) == 4
    assert result.text.startswith("First I reproduce the bug")


def test_openai_file_over_25_mb_is_not_sent(
    fake_vendors: FakeVendors, audio: AudioFile
) -> None:
    large = audio.model_copy(update={"size_bytes": 26 * 1024 * 1024})

    with pytest.raises(ProviderError, match="above the API's limit") as raised:
        openai(fake_vendors).transcribe(large)

    assert raised.value.transient is False
    assert fake_vendors.calls == []
