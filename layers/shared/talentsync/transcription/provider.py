"""What every transcription provider takes and gives back.

OpenAI, AssemblyAI and the offline engine all sit behind `TranscriptionProvider`,
so the chain can try them in any order the configuration names.
"""

from __future__ import annotations

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
