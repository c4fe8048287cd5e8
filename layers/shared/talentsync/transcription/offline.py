"""The offline fallback engine: Whisper on the CPU through faster-whisper.

`OfflineEngine` is the last provider in the chain. It decodes the answer to
16 kHz mono, runs a CTranslate2 Whisper conversion with int8 weights on the CPU
and returns text, segments, word timings, duration and language. The model is
verified (see `offline_model`) and loaded once per process; faster_whisper is
imported only when a transcript is first asked for, so modules that merely
import this one (the transcription Lambda) do not pay for it.

Confidence
----------
Whisper reports log-probabilities, not a calibrated confidence, so one is
derived from them:

* word: its probability, the mean probability of the word's tokens as
  faster-whisper computes it, clamped to [0, 1];
* segment: ``0.5 * exp(avg_logprob) + 0.5 * mean(word probabilities)``, where
  ``avg_logprob`` is the segment's mean token log-probability; just
  ``exp(avg_logprob)`` when the segment has no words; clamped to [0, 1];
* transcript: the mean of the segment confidences weighted by each segment's
  duration (``end - start``); the plain mean when no segment has a duration;
  0.0 when there are no segments (silence).

``exp(avg_logprob)`` is the geometric mean of the token probabilities: it sees
punctuation and timestamp tokens too, while the word probabilities see only the
spoken words, so the blend is steadier than either alone.

NOTE: this confidence is a heuristic, not a calibrated probability of the
transcript being right, and is not on the same scale as the vendors' scores: on
the espeak-ng WAV fixtures it spans only 0.71-0.81 while WER spans 0-0.16.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field

from talentsync.errors import PermanentError, ProviderError
from talentsync.models import Provider, Segment, Word
from talentsync.transcription.audio_decode import decode_audio, duration_seconds
from talentsync.transcription.offline_model import (
    DEFAULT_MODEL_NAME,
    verified_model_dir,
)
from talentsync.transcription.provider import (
    AudioFile,
    TranscriptResult,
    duration_weighted_confidence,
)

logger = Logger(child=True)

OFFLINE_CPU_THREADS_ENV = "OFFLINE_CPU_THREADS"

# Measured on the 21 fixture files (tests/benchmarks/bench_offline_engine.py):
# against greedy decoding, beam 5 cuts tiny.en's mean WER from 0.079 to 0.062
# and its worst from 0.19 to 0.16, for about 30% more CPU time (0.167 against
# 0.131 CPU seconds per audio second), well inside the 0.35 RTF target.
DEFAULT_BEAM_SIZE = 5

# The weight of exp(avg_logprob) in a segment's confidence; the rest goes to
# the mean word probability.
LOGPROB_WEIGHT = 0.5


class OfflineSettings(BaseModel):
    """How the offline engine runs; `from_env()` reads the deployed values."""

    model_config = ConfigDict(frozen=True)

    model_name: str = DEFAULT_MODEL_NAME
    model_dir: Path | None = None
    cpu_threads: int = Field(default=1, ge=1)
    beam_size: int = Field(default=DEFAULT_BEAM_SIZE, ge=1)
    # None: "en" for English-only models, detected for multilingual ones.
    language: str | None = None

    @classmethod
    def from_env(cls) -> OfflineSettings:
        """Settings from `OFFLINE_CPU_THREADS` (default: every usable core)."""
        threads = os.environ.get(OFFLINE_CPU_THREADS_ENV)
        return cls(cpu_threads=int(threads) if threads else _usable_cores())


class OfflineEngine:
    """The `fallback` provider, run in this process."""

    name: Provider = Provider.FALLBACK

    def __init__(self, settings: OfflineSettings | None = None) -> None:
        self.settings = settings or OfflineSettings.from_env()

    def transcribe(self, audio: AudioFile) -> TranscriptResult:
        """Transcribe a local file; bad audio or a bad model is a `ProviderError`."""
        try:
            return transcribe_file(audio.path, self.settings)
        except PermanentError as exc:
            raise ProviderError(self.name, str(exc), transient=False) from exc


def transcribe_file(path: Path, settings: OfflineSettings) -> TranscriptResult:
    """Transcribe a local audio file.

    Raises `InvalidAudioError` for undecodable input and `ModelIntegrityError`
    for a missing or altered model: the container function lets these reach
    its caller by name.
    """
    samples = decode_audio(path)
    model = load_model(settings)

    started = time.perf_counter()
    result = _run_model(model, samples, settings)
    _log_timing(settings, duration_seconds(samples), time.perf_counter() - started)
    return result


def load_model(settings: OfflineSettings) -> Any:
    """Return the process's model for these settings, verifying and loading once."""
    directory = verified_model_dir(settings.model_name, settings.model_dir)
    return _load_verified_model(directory, settings.cpu_threads)


def segment_confidence(
    avg_logprob: float, word_probabilities: Sequence[float]
) -> float:
    """Blend a segment's mean token log-probability with its word probabilities."""
    sequence_probability = math.exp(avg_logprob)
    if not word_probabilities:
        return _clamped(sequence_probability)

    word_mean = sum(word_probabilities) / len(word_probabilities)
    blended = LOGPROB_WEIGHT * sequence_probability + (1 - LOGPROB_WEIGHT) * word_mean
    return _clamped(blended)


# One model per (directory, thread count) for the life of the process: a warm
# Lambda container loads it on its first transcript and reuses it after.
@lru_cache(maxsize=2)
def _load_verified_model(directory: Path, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    started = time.perf_counter()
    # A directory path plus local_files_only keeps faster-whisper off the network;
    # verification has already proved tokenizer.json is there, so it does not
    # fall back to fetching a tokenizer either.
    model = WhisperModel(
        str(directory),
        device="cpu",
        compute_type="int8",
        cpu_threads=cpu_threads,
        local_files_only=True,
    )
    logger.info(
        "offline model loaded",
        extra={
            "model_dir": str(directory),
            "load_seconds": round(time.perf_counter() - started, 3),
        },
    )
    return model


def _run_model(model: Any, samples: Any, settings: OfflineSettings) -> TranscriptResult:
    # transcribe() returns a generator: decoding happens while it is consumed.
    raw_segments, info = model.transcribe(
        samples,
        language=_language_for(model, settings),
        beam_size=settings.beam_size,
        word_timestamps=True,
    )
    segments: list[Segment] = []
    words: list[Word] = []
    for raw in raw_segments:
        _collect(raw, segments, words)

    return TranscriptResult(
        text=" ".join(segment.text for segment in segments),
        confidence=duration_weighted_confidence(segments),
        segments=segments,
        words=words,
        duration_seconds=round(float(info.duration), 3),
        language=info.language,
    )


def _collect(raw: Any, segments: list[Segment], words: list[Word]) -> None:
    text = raw.text.strip()
    if not text:
        return

    raw_words = raw.words or []
    segments.append(
        Segment(
            start=round(float(raw.start), 3),
            end=round(float(raw.end), 3),
            text=text,
            confidence=segment_confidence(
                float(raw.avg_logprob), [float(w.probability) for w in raw_words]
            ),
        )
    )
    words.extend(_to_word(raw_word) for raw_word in raw_words)


def _to_word(raw_word: Any) -> Word:
    return Word(
        start=round(float(raw_word.start), 3),
        end=round(float(raw_word.end), 3),
        text=raw_word.word.strip(),
        confidence=_clamped(float(raw_word.probability)),
    )


# NOTE: the default model, tiny.en, is English-only: an answer in another
# language comes back as poor English, not as a transcript in that language.
def _language_for(model: Any, settings: OfflineSettings) -> str | None:
    if settings.language:
        return settings.language
    # English-only (.en) models take no language token; multilingual ones detect.
    return None if model.model.is_multilingual else "en"


def _log_timing(
    settings: OfflineSettings, audio_seconds: float, processing_seconds: float
) -> None:
    logger.info(
        "offline transcription finished",
        extra={
            "model": settings.model_name,
            "audio_seconds": round(audio_seconds, 3),
            "processing_seconds": round(processing_seconds, 3),
            "real_time_factor": round(processing_seconds / max(audio_seconds, 1e-9), 3),
        },
    )


def _usable_cores() -> int:
    # sched_getaffinity honours CPU limits set on the process; cpu_count does not.
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def _clamped(value: float) -> float:
    return min(max(value, 0.0), 1.0)
