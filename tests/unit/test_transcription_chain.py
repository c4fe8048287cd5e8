"""The provider chain hands over on failure, low confidence and missing keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentsync.errors import ProviderError
from talentsync.models import Provider, Segment
from talentsync.transcription.chain import AttemptOutcome, ProviderChain
from talentsync.transcription.provider import AudioFile, TranscriptResult

AUDIO = AudioFile(
    path=Path("/nonexistent/answer.wav"),
    file_name="answer.wav",
    extension="wav",
    content_type="audio/wav",
    size_bytes=1000,
)


class StubProvider:
    """Answers with a fixed transcript, or raises what it was given."""

    def __init__(
        self, name: Provider, confidence: float = 0.9, error: Exception | None = None
    ) -> None:
        self.name = name
        self.confidence = confidence
        self.error = error
        self.calls = 0

    def transcribe(self, audio: AudioFile) -> TranscriptResult:
        self.calls += 1
        if self.error is not None:
            raise self.error
        text = f"said to {self.name}"
        segment = Segment(start=0.0, end=1.0, text=text, confidence=self.confidence)
        return TranscriptResult(
            text=text, confidence=self.confidence, segments=[segment]
        )


def chain_of(*providers: StubProvider, min_confidence: float = 0.5) -> ProviderChain:
    sources = [(p.name, (lambda p=p: p)) for p in providers]
    return ProviderChain(sources, min_confidence)


def failing(name: Provider, transient: bool) -> StubProvider:
    return StubProvider(
        name, error=ProviderError(name, "it broke", transient=transient)
    )


def test_first_provider_that_succeeds_produces_the_transcript() -> None:
    openai = StubProvider(Provider.OPENAI)
    assemblyai = StubProvider(Provider.ASSEMBLYAI)

    outcome = chain_of(openai, assemblyai).transcribe(AUDIO)

    assert outcome.provider == Provider.OPENAI
    assert outcome.fallback_used is False
    assert assemblyai.calls == 0


def test_failing_provider_hands_over_to_the_next() -> None:
    outcome = chain_of(
        failing(Provider.OPENAI, transient=True), StubProvider(Provider.ASSEMBLYAI)
    ).transcribe(AUDIO)

    assert outcome.provider == Provider.ASSEMBLYAI
    assert outcome.fallback_used is True
    assert [a.outcome for a in outcome.attempts] == [
        AttemptOutcome.FAILED,
        AttemptOutcome.SUCCEEDED,
    ]


def test_low_confidence_transcript_hands_over_to_the_next() -> None:
    outcome = chain_of(
        StubProvider(Provider.OPENAI, confidence=0.2),
        StubProvider(Provider.FALLBACK, confidence=0.7),
    ).transcribe(AUDIO)

    assert outcome.provider == Provider.FALLBACK
    assert outcome.attempts[0].outcome == AttemptOutcome.LOW_CONFIDENCE
    assert "0.20 is below MIN_CONFIDENCE 0.50" in (outcome.attempts[0].reason or "")


def test_unexpected_exception_hands_over_as_a_transient_failure() -> None:
    broken = StubProvider(Provider.OPENAI, error=KeyError("segments"))

    outcome = chain_of(broken, StubProvider(Provider.ASSEMBLYAI)).transcribe(AUDIO)

    first = outcome.attempts[0]
    assert first.transient is True
    assert "unexpected KeyError" in (first.reason or "")
    assert outcome.provider == Provider.ASSEMBLYAI


def test_provider_without_a_key_is_skipped_without_a_call() -> None:
    chain = ProviderChain(
        [
            (Provider.OPENAI, lambda: "skipped: no API key configured"),
            (Provider.ASSEMBLYAI, lambda: StubProvider(Provider.ASSEMBLYAI)),
        ],
        min_confidence=0.5,
    )

    outcome = chain.transcribe(AUDIO)

    assert outcome.attempts[0].outcome == AttemptOutcome.SKIPPED
    assert outcome.provider == Provider.ASSEMBLYAI
    assert outcome.fallback_used is True


def test_provider_that_cannot_load_is_skipped_with_the_reason() -> None:
    def missing_module() -> StubProvider:
        raise ModuleNotFoundError("No module named 'faster_whisper'")

    chain = ProviderChain([(Provider.FALLBACK, missing_module)], min_confidence=0.5)

    [attempt] = chain.transcribe(AUDIO).attempts

    assert attempt.outcome == AttemptOutcome.SKIPPED
    assert "could not be loaded: ModuleNotFoundError" in (attempt.reason or "")


def test_provider_is_not_started_when_the_function_is_about_to_time_out() -> None:
    openai = StubProvider(Provider.OPENAI)
    chain = ProviderChain([(Provider.OPENAI, lambda: openai)], 0.5, lambda: 3.0)

    [attempt] = chain.transcribe(AUDIO).attempts

    assert openai.calls == 0
    assert attempt.transient is True
    assert "3 s left" in (attempt.reason or "")


def test_all_failing_with_one_transient_reason_is_retryable() -> None:
    outcome = chain_of(
        failing(Provider.OPENAI, transient=False),
        failing(Provider.ASSEMBLYAI, transient=True),
    ).transcribe(AUDIO)

    assert outcome.transcript is None
    assert outcome.retryable is True
    assert outcome.last_provider == Provider.ASSEMBLYAI


def test_all_failing_for_good_is_not_retryable() -> None:
    outcome = chain_of(
        failing(Provider.OPENAI, transient=False),
        StubProvider(Provider.ASSEMBLYAI, confidence=0.1),
    ).transcribe(AUDIO)

    assert outcome.retryable is False


def test_failure_message_names_every_provider_and_its_reason() -> None:
    outcome = chain_of(
        failing(Provider.OPENAI, transient=True),
        failing(Provider.ASSEMBLYAI, transient=False),
    ).transcribe(AUDIO)

    message = outcome.failure_message()

    assert message.startswith("no provider produced a transcript")
    assert "openai: it broke" in message
    assert "assemblyai: it broke" in message


@pytest.mark.parametrize("confidence", [0.5, 0.51])
def test_confidence_at_or_above_the_floor_is_accepted(confidence: float) -> None:
    outcome = chain_of(StubProvider(Provider.OPENAI, confidence=confidence)).transcribe(
        AUDIO
    )

    assert outcome.provider == Provider.OPENAI
