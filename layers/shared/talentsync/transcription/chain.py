"""The provider chain: try each provider in TRANSCRIPTION_PROVIDERS order.

A provider hands over to the next when it raises, times out, or returns a
transcript under MIN_CONFIDENCE. A provider without its API key is skipped, and
one is not started when too little of the function's time is left for it. Every
attempt is logged with provider, duration and reason, and counted in the
`ProviderAttempts` metric by provider and outcome.

The chain does not raise when every provider fails: it returns the attempts, and
the caller records the failure. The failure may pass (`retryable`) when at least
one provider failed for a reason that may pass: a timeout, throttling, an
outage, a skipped provider.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aws_lambda_powertools import Logger, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

from talentsync.errors import ProviderError
from talentsync.models import Provider
from talentsync.transcription.provider import (
    AudioFile,
    TranscriptionProvider,
    TranscriptResult,
)

logger = Logger(child=True)
# The handler's Tracer patches what it patches; this one only adds subsegments.
tracer = Tracer(auto_patch=False)

# The template sets POWERTOOLS_METRICS_NAMESPACE; this covers runs outside Lambda.
METRICS_NAMESPACE = "TalentSync"

# A provider is not started with less time than this left before the timeout:
# its own timeouts would be cut short and the row left in `processing`.
MIN_SECONDS_PER_ATTEMPT = 15.0


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    LOW_CONFIDENCE = "low_confidence"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProviderAttempt:
    provider: Provider
    outcome: AttemptOutcome
    duration_seconds: float
    reason: str | None = None
    transient: bool = False


@dataclass(frozen=True)
class ChainOutcome:
    """What the chain produced: a transcript, or every provider's failure."""

    attempts: list[ProviderAttempt]
    transcript: TranscriptResult | None = None
    provider: Provider | None = None
    first_provider: Provider | None = None

    @property
    def fallback_used(self) -> bool:
        return self.provider is not None and self.provider != self.first_provider

    @property
    def retryable(self) -> bool:
        return any(attempt.transient for attempt in self.attempts)

    @property
    def last_provider(self) -> Provider | None:
        return self.attempts[-1].provider if self.attempts else None

    def failure_message(self) -> str:
        reasons = "; ".join(f"{a.provider}: {a.reason}" for a in self.attempts)
        return f"no provider produced a transcript ({reasons or 'none configured'})"


# Builds the provider when the chain reaches it (SDK imports are slow), or gives
# the reason it cannot run here (a missing API key, say).
ProviderSource = Callable[[], "TranscriptionProvider | str"]


@dataclass
class ProviderChain:
    sources: Sequence[tuple[Provider, ProviderSource]]
    min_confidence: float
    remaining_seconds: Callable[[], float] = field(default=lambda: float("inf"))

    def transcribe(self, audio: AudioFile) -> ChainOutcome:
        attempts: list[ProviderAttempt] = []
        first = self.sources[0][0] if self.sources else None
        for name, source in self.sources:
            attempt, transcript = self._attempt(name, source, audio)
            _report(attempt)
            attempts.append(attempt)
            if transcript is not None:
                return ChainOutcome(attempts, transcript, name, first)
        return ChainOutcome(attempts, first_provider=first)

    def _attempt(
        self, name: Provider, source: ProviderSource, audio: AudioFile
    ) -> tuple[ProviderAttempt, TranscriptResult | None]:
        left = self.remaining_seconds()
        if left < MIN_SECONDS_PER_ATTEMPT:
            reason = f"not started: {left:.0f} s left before the function times out"
            return _skipped(name, reason), None
        provider = _build(source)
        if isinstance(provider, str):
            return _skipped(name, provider), None
        with tracer.provider.in_subsegment(f"## provider {name.value}") as segment:
            attempt, transcript = self._run(provider, audio)
            # None outside a traced invocation (a local run with tracing on).
            if segment is not None:
                segment.put_annotation("provider", name.value)
                segment.put_annotation("outcome", attempt.outcome.value)
        return attempt, transcript

    def _run(
        self, provider: TranscriptionProvider, audio: AudioFile
    ) -> tuple[ProviderAttempt, TranscriptResult | None]:
        # Any exception, not only ProviderError: one broken provider must not
        # stop the chain.
        started = time.monotonic()
        try:
            transcript = provider.transcribe(audio)
        except ProviderError as exc:
            return _failed(provider.name, started, exc.reason, exc.transient), None
        except Exception as exc:
            reason = f"unexpected {type(exc).__name__}: {exc}"
            return _failed(provider.name, started, reason, True), None
        return self._judge(provider.name, started, transcript)

    def _judge(
        self, name: Provider, started: float, transcript: TranscriptResult
    ) -> tuple[ProviderAttempt, TranscriptResult | None]:
        elapsed = time.monotonic() - started
        if transcript.confidence < self.min_confidence:
            reason = (
                f"confidence {transcript.confidence:.2f} is below MIN_CONFIDENCE"
                f" {self.min_confidence:.2f}"
            )
            low = AttemptOutcome.LOW_CONFIDENCE
            return ProviderAttempt(name, low, elapsed, reason), None
        succeeded = ProviderAttempt(name, AttemptOutcome.SUCCEEDED, elapsed)
        return succeeded, transcript


def _build(source: ProviderSource) -> TranscriptionProvider | str:
    # A provider that cannot load (a missing module, say) is skipped.
    try:
        return source()
    except Exception as exc:
        return f"could not be loaded: {type(exc).__name__}: {exc}"


def _skipped(name: Provider, reason: str) -> ProviderAttempt:
    # A skipped provider may run on a later delivery (a key added, more time).
    return ProviderAttempt(name, AttemptOutcome.SKIPPED, 0.0, reason, transient=True)


def _failed(
    name: Provider, started: float, reason: str, transient: bool
) -> ProviderAttempt:
    elapsed = time.monotonic() - started
    return ProviderAttempt(name, AttemptOutcome.FAILED, elapsed, reason, transient)


def _report(attempt: ProviderAttempt) -> None:
    logger.info(
        "provider attempt",
        extra={
            "provider": attempt.provider.value,
            "outcome": attempt.outcome.value,
            "duration_ms": round(attempt.duration_seconds * 1000, 1),
            "reason": attempt.reason,
            "transient": attempt.transient,
        },
    )
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)
    with single_metric(
        name="ProviderAttempts", unit=MetricUnit.Count, value=1, namespace=namespace
    ) as metric:
        metric.add_dimension(name="provider", value=attempt.provider.value)
        metric.add_dimension(name="outcome", value=attempt.outcome.value)
