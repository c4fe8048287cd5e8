"""AssemblyAI's pre-recorded transcription, through the official SDK.

Three steps: upload the file, create the transcript, poll it until it is
`completed` or `error`. The whole attempt runs against ASSEMBLYAI_DEADLINE_SECONDS,
measured from the start of the upload: polling stops at the deadline, so the
attempt ends at most one polling interval and one HTTP timeout after it, well
inside the function's timeout.

Confidence is AssemblyAI's own transcript confidence. Word timings and
confidences come from its `words` (milliseconds, turned into seconds). Segments
are built from the words: a segment closes at a word that ends a sentence
(. ? !) or before a pause of more than SEGMENT_PAUSE_SECONDS, so no extra call
to the sentences endpoint is needed; a segment's confidence is the mean of its
words'.

`import assemblyai` costs most of a second, so the SDK is imported when the first
upload reaches this provider, not when the function starts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from talentsync.errors import ProviderError
from talentsync.models import Provider, Segment, Word
from talentsync.transcription.provider import AudioFile, TranscriptResult

if TYPE_CHECKING:
    import assemblyai

SEGMENT_PAUSE_SECONDS = 1.0
SENTENCE_ENDINGS = (".", "?", "!")
TRANSIENT_STATUS_CODES = frozenset({408, 409, 429})


class AssemblyWord(BaseModel):
    text: str
    start: int
    end: int
    confidence: float


class AssemblyTranscript(BaseModel):
    """The part of a finished transcript this provider reads."""

    status: str
    error: str | None = None
    text: str | None = None
    confidence: float | None = None
    audio_duration: float | None = None
    language_code: str | None = None
    words: list[AssemblyWord] | None = None


class AssemblyAIProvider:
    """Transcribes with AssemblyAI; one SDK transcriber per warm container."""

    name = Provider.ASSEMBLYAI

    def __init__(
        self,
        api_key: str,
        base_url: str | None,
        http_timeout_seconds: float,
        deadline_seconds: float,
        polling_interval_seconds: float,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url
        self._http_timeout_seconds = http_timeout_seconds
        self._deadline_seconds = deadline_seconds
        self._polling_interval_seconds = polling_interval_seconds
        self._sdk_transcriber: assemblyai.Transcriber | None = None

    def transcribe(self, audio: AudioFile) -> TranscriptResult:
        reply = self._finished_transcript(audio)
        if reply.status == "error":
            reason = f"transcript status error: {reply.error or 'no reason given'}"
            raise ProviderError(self.name, reason, transient=False)
        return transcript_from_assemblyai(reply)

    def _finished_transcript(self, audio: AudioFile) -> AssemblyTranscript:
        import assemblyai
        import httpx

        # NOTE: the deadline is checked between polls, so an attempt may end up to
        # one polling interval and one HTTP timeout after it; and a transcript
        # abandoned at the deadline keeps running (and billing) at AssemblyAI,
        # since it is not deleted.
        started = time.monotonic()
        transcriber = self._transcriber()
        try:
            upload_url = transcriber.upload_file(str(audio.path))
            transcript = transcriber.submit(upload_url)
            left = self._deadline_seconds - (time.monotonic() - started)
            transcript.wait_for_completion(poll_timeout=max(left, 0.0))
            return _parse_reply(transcript.json_response or {})
        except assemblyai.TranscriptError as exc:
            raise self._transcript_error(exc) from exc
        except httpx.TimeoutException as exc:
            reason = f"timed out after {self._http_timeout_seconds:g} s"
            raise ProviderError(self.name, reason, transient=True) from exc
        except httpx.HTTPError as exc:
            reason = f"connection failed: {exc}"
            raise ProviderError(self.name, reason, transient=True) from exc
        except ValueError as exc:
            # The SDK parses replies itself: bad JSON or a bad shape lands here.
            reason = f"malformed reply: {type(exc).__name__}"
            raise ProviderError(self.name, reason, transient=True) from exc

    def _transcript_error(self, exc: assemblyai.TranscriptError) -> ProviderError:
        # The SDK sets no status code when polling ran out of time.
        if exc.status_code is None:
            reason = f"no result within the {self._deadline_seconds:g} s deadline"
            return ProviderError(self.name, reason, transient=True)
        code = exc.status_code
        transient = code >= 500 or code in TRANSIENT_STATUS_CODES
        return ProviderError(self.name, f"HTTP {code}: {exc}", transient=transient)

    def _transcriber(self) -> assemblyai.Transcriber:
        if self._sdk_transcriber is None:
            import assemblyai

            settings = assemblyai.Settings(
                api_key=self._api_key,
                http_timeout=self._http_timeout_seconds,
                polling_interval=self._polling_interval_seconds,
            )
            if self._base_url:
                settings.base_url = self._base_url
            client = assemblyai.Client(settings=settings)
            config = assemblyai.TranscriptionConfig(punctuate=True, format_text=True)
            self._sdk_transcriber = assemblyai.Transcriber(
                client=client, config=config, max_workers=1
            )
        return self._sdk_transcriber


def transcript_from_assemblyai(reply: AssemblyTranscript) -> TranscriptResult:
    """Our transcript from a completed AssemblyAI transcript."""
    text = (reply.text or "").strip()
    if not text:
        raise ProviderError(
            Provider.ASSEMBLYAI, "returned an empty transcript", transient=False
        )
    confidence = _unit(reply.confidence if reply.confidence is not None else 0.0)
    words = [_word(word) for word in reply.words or []]
    return TranscriptResult(
        text=text,
        confidence=confidence,
        segments=segments_from_words(words) or [_whole(text, reply, confidence)],
        words=words,
        duration_seconds=reply.audio_duration,
        language=reply.language_code,
    )


def segments_from_words(words: list[Word]) -> list[Segment]:
    """Sentence-like segments: split after . ? ! and before long pauses."""
    groups: list[list[Word]] = []
    for word in words:
        if not groups or _closes(groups[-1], word):
            groups.append([])
        groups[-1].append(word)
    return [_segment(group) for group in groups]


def _closes(group: list[Word], next_word: Word) -> bool:
    last = group[-1]
    pause = next_word.start - last.end
    return last.text.endswith(SENTENCE_ENDINGS) or pause > SEGMENT_PAUSE_SECONDS


def _segment(group: list[Word]) -> Segment:
    return Segment(
        start=group[0].start,
        end=group[-1].end,
        text=" ".join(word.text for word in group),
        confidence=sum(word.confidence for word in group) / len(group),
    )


def _word(word: AssemblyWord) -> Word:
    return Word(
        start=word.start / 1000,
        end=word.end / 1000,
        text=word.text,
        confidence=_unit(word.confidence),
    )


def _whole(text: str, reply: AssemblyTranscript, confidence: float) -> Segment:
    return Segment(
        start=0.0, end=reply.audio_duration or 0.0, text=text, confidence=confidence
    )


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def _parse_reply(reply: dict[str, Any]) -> AssemblyTranscript:
    try:
        return AssemblyTranscript.model_validate(reply)
    except ValidationError as exc:
        reason = f"malformed reply: {exc.error_count()} field errors"
        raise ProviderError(Provider.ASSEMBLYAI, reason, transient=True) from exc
