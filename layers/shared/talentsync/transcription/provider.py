"""What every transcription provider takes and gives back.

OpenAI, AssemblyAI and the offline engine all sit behind `TranscriptionProvider`,
so the chain can try them in any order the configuration names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from talentsync.models import Provider, Segment, UnitInterval, Word


class AudioFile(BaseModel):
    """An answer's audio, already downloaded to local disk and validated."""

    model_config = ConfigDict(frozen=True)

    path: Path
    file_name: str
    extension: str
    content_type: str | None
    size_bytes: int
    # Where the audio lives in S3, for an engine that reads it there itself
    # (the offline engine function) instead of receiving the bytes.
    s3_bucket: str | None = None
    s3_key: str | None = None


class TranscriptResult(BaseModel):
    """One provider's transcript of one answer."""

    text: str
    confidence: UnitInterval
    segments: list[Segment]
    words: list[Word] = []
    duration_seconds: float | None = None
    language: str | None = None


class TranscriptionProvider(Protocol):
    """A source of transcripts; raises `ProviderError` when it cannot give one."""

    name: Provider

    def transcribe(self, audio: AudioFile) -> TranscriptResult: ...


def duration_weighted_confidence(segments: Sequence[Segment]) -> float:
    """A transcript's confidence: its segments' confidences, weighted by duration.

    A long, unsure stretch weighs more than a short one. The plain mean when no
    segment has a duration; 0.0 when there are no segments (silence).
    """
    if not segments:
        return 0.0

    durations = [max(segment.end - segment.start, 0.0) for segment in segments]
    total = sum(durations)
    if total == 0:
        mean = sum(segment.confidence for segment in segments) / len(segments)
        return min(1.0, max(0.0, mean))

    weighted = sum(s.confidence * d for s, d in zip(segments, durations, strict=True))
    return min(1.0, max(0.0, weighted / total))
