"""OpenAI's transcription endpoint, through the official SDK.

The request asks `whisper-1` for `verbose_json` with segment and word timestamps,
the one response format that carries timings and per-segment log-probabilities.

Confidence. The API reports no confidence, but every verbose_json segment
carries `avg_logprob`, the mean log-probability of its tokens. So:

- a segment's confidence is exp(avg_logprob), clamped to [0, 1]: the geometric
  mean of its token probabilities;
- the transcript's confidence is the mean of the segment confidences weighted by
  segment duration (end - start), so a long, unsure stretch weighs more than a
  short one; a plain mean when every segment has zero duration;
- words carry no probability in the API: each word takes the value of the
  segment it starts in (the one before, for a word in a pause between two).

OpenAI's own guidance treats avg_logprob below -1 (confidence below 0.37) as a
failed decode, which is why MIN_CONFIDENCE defaults to 0.4.

Files above the API's 25 MB limit are not sent. The provider refuses them at
once and the chain hands the upload to the next provider (AssemblyAI accepts
far larger files). Splitting into chunks would mean decoding and re-encoding
audio inside this function, a heavy dependency on the hot path for answers that
at interview length weigh a few MB.

`import openai` costs most of a second, so the SDK is imported when the first
upload reaches this provider, not when the function starts.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from talentsync.errors import ProviderError
from talentsync.models import Provider, Segment, Word
from talentsync.transcription.provider import (
    AudioFile,
    TranscriptResult,
    duration_weighted_confidence,
)
from talentsync.transcription.validation import CONTENT_TYPES

if TYPE_CHECKING:
    from openai import OpenAI

OPENAI_MAX_FILE_BYTES = 25 * 1024 * 1024
# 429 and 5xx may pass; other 4xx replies reject this request for good.
TRANSIENT_STATUS_CODES = frozenset({408, 409, 429})


class VerboseSegment(BaseModel):
    start: float
    end: float
    text: str
    avg_logprob: float


class VerboseWord(BaseModel):
    start: float
    end: float
    word: str


class VerboseTranscript(BaseModel):
    """The part of a verbose_json reply this provider reads."""

    text: str
    duration: float | None = None
    language: str | None = None
    segments: list[VerboseSegment] = []
    words: list[VerboseWord] | None = None


class OpenAIProvider:
    """Transcribes with OpenAI; one SDK client per warm container."""

    name = Provider.OPENAI

    def __init__(
        self,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_seconds: float,
        max_retries: int,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url
        self._model = model
        self._timeout_seconds = timeout_seconds
        self._max_retries = max_retries
        self._sdk_client: OpenAI | None = None

    def transcribe(self, audio: AudioFile) -> TranscriptResult:
        # NOTE: files above OpenAI's 25 MB limit are never sent to OpenAI (no
        # chunking); the next provider in the chain transcribes them.
        if audio.size_bytes > OPENAI_MAX_FILE_BYTES:
            reason = (
                f"the file is {audio.size_bytes} bytes, above the API's limit of"
                f" {OPENAI_MAX_FILE_BYTES}; not sent"
            )
            raise ProviderError(self.name, reason, transient=False)
        reply = self._request(audio)
        return transcript_from_verbose(_parse_reply(reply))

    def _request(self, audio: AudioFile) -> dict[str, Any]:
        import openai

        content_type = CONTENT_TYPES.get(audio.extension, "application/octet-stream")
        try:
            with audio.path.open("rb") as stream:
                verbose = self._client().audio.transcriptions.create(
                    file=(audio.file_name, stream, content_type),
                    model=self._model,
                    response_format="verbose_json",
                    timestamp_granularities=["segment", "word"],
                )
            return verbose.to_dict()
        except openai.OpenAIError as exc:
            raise _provider_error(exc, self._timeout_seconds) from exc
        except ValueError as exc:
            # The SDK decodes the reply itself: a body that is not JSON lands here.
            reason = f"malformed reply: {type(exc).__name__}"
            raise ProviderError(self.name, reason, transient=True) from exc

    def _client(self) -> OpenAI:
        if self._sdk_client is None:
            from openai import OpenAI

            self._sdk_client = OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                timeout=self._timeout_seconds,
                max_retries=self._max_retries,
            )
        return self._sdk_client


def transcript_from_verbose(reply: VerboseTranscript) -> TranscriptResult:
    """Our transcript from a verbose_json reply, confidence as the module says."""
    text = reply.text.strip()
    if not text or not reply.segments:
        raise ProviderError(
            Provider.OPENAI, "returned an empty transcript", transient=False
        )
    segments = [_segment(segment) for segment in reply.segments]
    return TranscriptResult(
        text=text,
        confidence=duration_weighted_confidence(segments),
        segments=segments,
        words=_words(reply.words or [], segments),
        duration_seconds=reply.duration,
        language=reply.language,
    )


def segment_confidence(avg_logprob: float) -> float:
    """exp(avg_logprob) clamped to [0, 1]."""
    return min(1.0, max(0.0, math.exp(min(avg_logprob, 0.0))))


def _segment(segment: VerboseSegment) -> Segment:
    return Segment(
        start=segment.start,
        end=segment.end,
        text=segment.text.strip(),
        confidence=segment_confidence(segment.avg_logprob),
    )


def _words(words: list[VerboseWord], segments: list[Segment]) -> list[Word]:
    # verbose_json lists segments in time order, so the segment a word starts in
    # is found by bisection: a long answer has thousands of words.
    starts = [segment.start for segment in segments]
    return [_word(word, segments[_segment_at(starts, word.start)]) for word in words]


def _segment_at(starts: list[float], seconds: float) -> int:
    """The index of the last segment starting at or before `seconds` (0 if none)."""
    return max(bisect_right(starts, seconds) - 1, 0)


def _word(word: VerboseWord, segment: Segment) -> Word:
    return Word(
        start=word.start,
        end=word.end,
        text=word.word.strip(),
        confidence=segment.confidence,
    )


def _parse_reply(reply: dict[str, Any]) -> VerboseTranscript:
    try:
        return VerboseTranscript.model_validate(reply)
    except ValidationError as exc:
        reason = f"malformed reply: {exc.error_count()} field errors"
        raise ProviderError(Provider.OPENAI, reason, transient=True) from exc


def _provider_error(exc: Exception, timeout_seconds: float) -> ProviderError:
    import openai

    name = Provider.OPENAI
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError(
            name, f"timed out after {timeout_seconds:g} s", transient=True
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(name, f"connection failed: {exc}", transient=True)
    if isinstance(exc, openai.APIStatusError):
        transient = exc.status_code >= 500 or exc.status_code in TRANSIENT_STATUS_CODES
        reason = f"HTTP {exc.status_code}: {exc.message}"
        return ProviderError(name, reason, transient=transient)
    return ProviderError(name, f"malformed reply: {exc}", transient=True)
